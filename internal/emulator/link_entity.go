package emulator

import (
	"encoding/xml"
	"net/http"
	"strings"
)

// The v1/v2 representations of a link (design/api.md §3.1, §4):
// ApplicationLinkEntity, its list and AuthenticationProviderEntity, mapped
// from and to the stored link.

// ---- ApplicationLinkEntity ----

// applicationLinkEntity is ApplicationLinkEntity (design/api.md §3.1). XMLName is set
// only on a root element; nested, the element takes the field's name.
type applicationLinkEntity struct {
	XMLName    xml.Name     `json:"-"`
	Link       []linkEntity `xml:"link" json:"link,omitzero"`
	ID         string       `xml:"id" json:"id"`
	TypeID     string       `xml:"typeId" json:"typeId"`
	Name       string       `xml:"name" json:"name"`
	DisplayURL string       `xml:"displayUrl" json:"displayUrl"`
	IconURL    string       `xml:"iconUrl,omitempty" json:"iconUrl,omitempty"`
	IconURI    string       `xml:"iconUri,omitempty" json:"iconUri,omitempty"`
	RPCURL     string       `xml:"rpcUrl,omitempty" json:"rpcUrl,omitempty"`
	IsPrimary  bool         `xml:"isPrimary" json:"isPrimary"`
	IsSystem   bool         `xml:"isSystem" json:"isSystem"`
}

// asRoot names the entity's element when it is the document itself.
func (e applicationLinkEntity) asRoot() applicationLinkEntity {
	e.XMLName = xml.Name{Local: "applicationLink"}
	return e
}

// details is getDetails(): URLs lose trailing slashes
// (RequiredBaseURIAdapter), and a body flagged isSystem has no rpcUrl (the
// entity's getter returns null for it). An isSystem body makes no system
// link, though: ApplicationLinkDetails.Builder.build() fills a missing
// rpcUrl with the displayUrl, and a missing displayUrl with the rpcUrl, so
// the link gets a real URL (design/api.md §3.5: the builder's fallback).
// Inferred: an empty URL counts as a missing one.
func (e applicationLinkEntity) details() linkDetails {
	d := linkDetails{
		name:       e.Name,
		displayURL: strings.TrimRight(e.DisplayURL, "/"),
		rpcURL:     strings.TrimRight(e.RPCURL, "/"),
		primary:    e.IsPrimary,
	}
	if e.IsSystem {
		d.rpcURL = ""
	}
	if d.rpcURL == "" {
		d.rpcURL = d.displayURL
	}
	if d.displayURL == "" {
		d.displayURL = d.rpcURL
	}
	return d
}

// readLinkEntity reads an ApplicationLinkEntity; its id goes through
// ApplicationIdAdapter, so a malformed one fails like a malformed body.
func readLinkEntity(ex *exchange) applicationLinkEntity {
	var e applicationLinkEntity
	readEntity(ex, &e)
	if e.ID != "" {
		requireApplicationID(e.ID)
	}
	return e
}

// typeIcons are the applinks plugin's 16 px icon (iconUrl) and 128 px logo
// (iconUri) of a type, served by this instance.
func typeIcons(inst *Instance, t linkType) (iconURL, iconURI string) {
	images := pluginImagesURL(inst.URL(), inst.product)
	return images + "/types/16" + t.iconKey + ".png", images + "/config/logos/128x128/128" + t.iconKey + ".png"
}

// selfLink is createSelfLinkFor: the link's URL under the REST base the
// request came through.
func selfLink(ex *exchange, id string) linkEntity {
	return linkEntity{Href: ex.restURL("/applicationlink/" + id), Rel: "self"}
}

// newApplicationLinkEntity renders a stored link; system links hide their
// rpcUrl.
func newApplicationLinkEntity(ex *exchange, l storedLink) applicationLinkEntity {
	e := applicationLinkEntity{
		Link:       []linkEntity{selfLink(ex, l.ID)},
		ID:         l.ID,
		TypeID:     l.TypeID,
		Name:       l.Name,
		DisplayURL: l.DisplayURL,
		IsPrimary:  l.Primary,
		IsSystem:   l.System,
	}
	if t, ok := linkTypeByID(l.TypeID); ok {
		e.IconURL, e.IconURI = typeIcons(ex.inst, t)
	}
	if !l.System {
		e.RPCURL = l.RPCURL
	}
	return e
}

// applicationLinkListEntity is ApplicationLinkListEntity.
type applicationLinkListEntity struct {
	XMLName          xml.Name                `xml:"applicationLinks" json:"-"`
	ApplicationLinks []applicationLinkEntity `xml:"applicationLinks" json:"applicationLinks"`
}

func writeLinkList(ex *exchange, links []storedLink) {
	list := applicationLinkListEntity{ApplicationLinks: []applicationLinkEntity{}}
	for _, l := range links {
		list.ApplicationLinks = append(list.ApplicationLinks, newApplicationLinkEntity(ex, l))
	}
	writeEntity(ex, http.StatusOK, list)
}

// authenticationProviderEntity is AuthenticationProviderEntity; its self
// link is relative, as the product builds it.
type authenticationProviderEntity struct {
	Link     []linkEntity `xml:"link" json:"link,omitzero"`
	Config   xmlStringMap `xml:"config" json:"config"`
	Module   string       `xml:"module,omitempty" json:"module,omitempty"`
	Provider string       `xml:"provider,omitempty" json:"provider,omitempty"`
}

// authenticationProviderListEntity is AuthenticationProviderEntityListEntity.
type authenticationProviderListEntity struct {
	XMLName                 xml.Name                       `xml:"authenticationProviders" json:"-"`
	AuthenticationProviders []authenticationProviderEntity `xml:"authenticationProviders" json:"authenticationProviders"`
}
