package emulator

import (
	"errors"
	"fmt"
	"maps"
	"slices"
)

// What every way of creating, updating and deleting a link shares: the
// installed application types, DefaultApplicationLinkService (unique names,
// primary links, the allowlist's automatic rules) and copies of the stored
// links for handlers to read.

// ---- Application types ----

const genericTypeID = "generic"

// linkType is an ApplicationType the applinks plugin has installed: a
// product type, or the generic type of non-Atlassian applications.
type linkType struct {
	product
	// implClass is the type's ApplicationType class, which some messages
	// name.
	implClass string
	// entityTypes are the type's entity link types.
	entityTypes []string
}

// linkTypes are the installed types. Inferred: refapp (development only)
// and the legacy subversion type are not installed in the products.
var linkTypes = []linkType{
	{product: mustProduct("jira"), implClass: "com.atlassian.applinks.application.jira.JiraApplicationTypeImpl", entityTypes: []string{"jira.project"}},
	{product: mustProduct("confluence"), implClass: "com.atlassian.applinks.application.confluence.ConfluenceApplicationTypeImpl", entityTypes: []string{"confluence.space"}},
	// Inferred: with BITBUCKET_REBRAND on (see products) the project entity
	// type is bitbucket.project.
	{product: mustProduct("stash"), implClass: "com.atlassian.applinks.application.bitbucket.BitbucketApplicationTypeImpl", entityTypes: []string{"bitbucket.project"}},
	{product: mustProduct("bamboo"), implClass: "com.atlassian.applinks.application.bamboo.BambooApplicationTypeImpl", entityTypes: []string{"bamboo.project"}},
	{product: mustProduct("fecru"), implClass: "com.atlassian.applinks.application.fecru.FishEyeCrucibleApplicationTypeImpl", entityTypes: []string{"fecru.repository", "fecru.project"}},
	{product: mustProduct("crowd"), implClass: "com.atlassian.applinks.application.crowd.CrowdApplicationTypeImpl"},
	{
		product:     product{typeID: genericTypeID, name: "Generic Application", iconKey: "generic"},
		implClass:   "com.atlassian.applinks.application.generic.GenericApplicationTypeImpl",
		entityTypes: []string{"generic.entity"},
	},
}

func mustProduct(typeID string) product {
	p, ok := productByType(typeID)
	if !ok {
		panic("emulator: no product " + typeID)
	}
	return p
}

func linkTypeByID(typeID string) (linkType, bool) {
	for _, t := range linkTypes {
		if t.typeID == typeID {
			return t, true
		}
	}
	return linkType{}, false
}

// ---- The link service (DefaultApplicationLinkService) ----

// linkDetails is ApplicationLinkDetails, what creates and updates set.
type linkDetails struct {
	name, displayURL, rpcURL string
	primary                  bool
}

// errLinkExists is addApplicationLink's "already configured" failure;
// each create path answers it its own way.
var errLinkExists = errors.New("application link already configured")

// addLink is addApplicationLink, shared by every create path: the name is
// made unique, the first link of a type (or one asking for it) becomes
// primary, and the allowlist gets the link's automatic rule.
func addLink(st *state, id string, t linkType, d linkDetails) error {
	if st.linkByID(id) != nil {
		return errLinkExists
	}
	onlyLinkOfItsType := !slices.ContainsFunc(st.Links, func(l storedLink) bool { return l.TypeID == t.typeID })
	st.Links = append(st.Links, storedLink{
		ID:         id,
		TypeID:     t.typeID,
		Name:       suitableName(st, d.name),
		RPCURL:     d.rpcURL,
		DisplayURL: d.displayURL,
	})
	if d.primary || onlyLinkOfItsType {
		makePrimary(st, id)
	}
	addApplicationLinkRule(st, id)
	return nil
}

// suitableName is findSuitableName: a name in use becomes "<name> - 2",
// "<name> - 3" and so on. The product strips an existing " - <n>" suffix
// with String.replace, which takes no regular expression, so nothing is
// stripped: a clash on "Jira - 2" yields "Jira - 2 - 2".
func suitableName(st *state, name string) string {
	if !nameInUse(st, name, "") {
		return name
	}
	for i := 2; ; i++ {
		if proposed := fmt.Sprintf("%s - %d", name, i); !nameInUse(st, proposed, "") {
			return proposed
		}
	}
}

// nameInUse reports whether a link other than exceptID has the name
// (case-sensitive, as String.equals).
func nameInUse(st *state, name, exceptID string) bool {
	return slices.ContainsFunc(st.Links, func(l storedLink) bool { return l.Name == name && l.ID != exceptID })
}

// makePrimary makes the link the primary one of its type; it reports
// false for an unknown id.
func makePrimary(st *state, id string) bool {
	link := st.linkByID(id)
	if link == nil {
		return false
	}
	typeID := link.TypeID
	for i := range st.Links {
		if st.Links[i].TypeID == typeID {
			st.Links[i].Primary = st.Links[i].ID == id
		}
	}
	return true
}

// deleteLink is deleteApplicationLink, shared by every delete path: a
// deleted primary hands the flag to the first remaining link of its type,
// and the automatic allowlist rule goes with the link.
func deleteLink(st *state, id string) {
	i := slices.IndexFunc(st.Links, func(l storedLink) bool { return l.ID == id })
	if i < 0 {
		return
	}
	removed := st.Links[i]
	st.Links = slices.Delete(st.Links, i, i+1)
	if removed.Primary {
		if next := slices.IndexFunc(st.Links, func(l storedLink) bool { return l.TypeID == removed.TypeID }); next >= 0 {
			makePrimary(st, st.Links[next].ID)
		}
	}
	removeApplicationLinkRule(st, id)
	deleteEntityLinksFor(st, id)
}

// updateLinkDetails is MutableApplicationLink.update: name and both URLs;
// the primary flag is not touched.
func updateLinkDetails(l *storedLink, d linkDetails) {
	l.Name, l.DisplayURL, l.RPCURL = d.name, d.displayURL, d.rpcURL
}

// ---- Reading state ----

// clone deep-copies a link out of the store.
func (l storedLink) clone() storedLink {
	c := l
	c.OutgoingProviders = slices.Clone(l.OutgoingProviders)
	for i := range c.OutgoingProviders {
		c.OutgoingProviders[i].Config = maps.Clone(c.OutgoingProviders[i].Config)
	}
	for _, consumer := range []**storedConsumer{&c.IncomingConsumer, &c.OutgoingConsumer} {
		if *consumer != nil {
			copied := **consumer
			*consumer = &copied
		}
	}
	return c
}

// link returns a copy of the stored link with the id.
func (i *Instance) link(id string) (storedLink, bool) {
	var link storedLink
	var found bool
	i.store.View(func(st *state) {
		if l := st.linkByID(id); l != nil {
			link, found = l.clone(), true
		}
	})
	return link, found
}

// links returns copies of all links in creation order.
func (i *Instance) links() []storedLink {
	var links []storedLink
	i.store.View(func(st *state) {
		for _, l := range st.Links {
			links = append(links, l.clone())
		}
	})
	return links
}
