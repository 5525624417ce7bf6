package emulator

import (
	"crypto/md5"
	"crypto/x509"
	"encoding/base64"
	"encoding/binary"
	"encoding/xml"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"unicode/utf16"
)

// The manifest and consumer-info family: what a peer reads to learn who
// this instance is (server ID, type, version, auth types, base URL),
// whether it is online (its front page) and which RSA key it signs OAuth
// requests with; and the live manifest of a linked application, which an
// instance reads of its peer.

// applinksVersion is the applinks plugin version design/api.md documents.
const applinksVersion = "9.1.4"

// manifestPlaceholder is always in both sets of the local manifest.
const manifestPlaceholder = "placeholder.to.ensure.backwards.compatibility"

// localInboundProviders are the providers the products register as
// supported inbound. Inferred: every product bundles the same auth plugins,
// so all types publish the set a real Bitbucket manifest shows.
var localInboundProviders = []string{
	providerBasic,
	providerTrustedApps,
	providerOAuth,
	providerTwoLeggedOAuth,
	providerTwoLeggedImpersonation,
}

// capabilities the local applinks plugin reports (ApplinksCapabilities).
var applinksCapabilities = []string{"STATUS_API", "MIGRATION_API"}

// manifestEntity is applinks' ManifestEntity. JAXB writes the fields in
// declaration order, with the sets as repeated elements.
type manifestEntity struct {
	XMLName                     xml.Name `xml:"manifest" json:"-"`
	ID                          string   `xml:"id" json:"id"`
	Name                        string   `xml:"name" json:"name"`
	TypeID                      string   `xml:"typeId" json:"typeId"`
	Version                     string   `xml:"version,omitempty" json:"version,omitempty"`
	BuildNumber                 int64    `xml:"buildNumber" json:"buildNumber"`
	ApplinksVersion             string   `xml:"applinksVersion,omitempty" json:"applinksVersion,omitempty"`
	InboundAuthenticationTypes  []string `xml:"inboundAuthenticationTypes" json:"inboundAuthenticationTypes"`
	OutboundAuthenticationTypes []string `xml:"outboundAuthenticationTypes" json:"outboundAuthenticationTypes"`
	PublicSignup                *bool    `xml:"publicSignup,omitempty" json:"publicSignup,omitzero"`
	URL                         string   `xml:"url" json:"url"`
	IconURL                     string   `xml:"iconUrl,omitempty" json:"iconUrl,omitempty"`
	IconURI                     string   `xml:"iconUri,omitempty" json:"iconUri,omitempty"`
}

// localManifest is the manifest this instance publishes about itself.
func (i *Instance) localManifest() manifestEntity {
	base := i.URL()
	images := pluginImagesURL(base, i.product)
	// The product fills the outbound set from the inbound types too, a bug
	// applinks keeps; both sets start with the placeholder.
	authTypes := javaHashSetOrder(append([]string{manifestPlaceholder}, localInboundProviders...))
	publicSignup := false
	return manifestEntity{
		ID:                          i.serverID,
		Name:                        i.product.name,
		TypeID:                      i.product.typeID,
		Version:                     i.product.version,
		BuildNumber:                 i.product.buildNumber,
		ApplinksVersion:             applinksVersion,
		InboundAuthenticationTypes:  authTypes,
		OutboundAuthenticationTypes: slices.Clone(authTypes),
		PublicSignup:                &publicSignup,
		URL:                         base,
		IconURL:                     images + "/types/16" + i.product.iconKey + ".png",
		IconURI:                     images + "/config/logos/128x128/128" + i.product.iconKey + ".png",
	}
}

// pluginImagesURL is where the applinks plugin's images are served from;
// the "/s/…/_/" segment is the products' cache-busting static prefix.
func pluginImagesURL(base string, p product) string {
	return fmt.Sprintf("%s/s/en_US-ecdfj6/%d/1/%s/_/download/resources/com.atlassian.applinks.applinks-plugin:applinks-images/images",
		base, p.buildNumber, applinksVersion)
}

func serveManifest(ex *exchange) {
	writeEntity(ex, http.StatusOK, ex.inst.localManifest())
}

// serveFrontPage answers the base URL, which is what peers' online checks
// request. Inferred: a product's base URL ends, after redirects the check
// follows, at a 200 HTML page.
func serveFrontPage(ex *exchange) {
	ex.w.Header().Set("Content-Type", contentTypeHTML)
	ex.w.WriteHeader(http.StatusOK)
	fmt.Fprintf(ex.w, "<!doctype html><html><head><title>%s</title></head><body><h1>%s</h1></body></html>",
		ex.inst.product.name, ex.inst.product.name)
}

// serveAuthenticationInfo is how a peer asks "are these credentials an
// admin here?": reaching it past the admin interceptor is the answer.
//
// The /authenticationinfo/id/{id}/url/{url} variant, which downloads a
// manifest from another server, arrives with the outbound manifest client.
func serveAuthenticationInfo(ex *exchange) {
	writeStatus(ex, statusEntity{StatusCode: http.StatusOK})
}

func serveCapabilities(ex *exchange) {
	writeEntity(ex, http.StatusOK, applinksCapabilities)
}

// serveCapability parses the name like applinks' RestEnumParser
// (upper-cased enum lookup).
func serveCapability(ex *exchange) {
	name := ex.param("capability")
	if slices.Contains(applinksCapabilities, strings.ToUpper(name)) {
		writeEntity(ex, http.StatusOK, []string{strings.ToUpper(name)})
		return
	}
	// The parser throws, so the no-cache interceptor never sees this
	// response. Inferred English for applinks.rest.capabilities.notfound.
	clearInterceptorHeaders(ex)
	writeRestErrors(ex, http.StatusNotFound, restError{
		Context: "capability",
		Summary: fmt.Sprintf("Capability '%s' not found", name),
	})
}

// consumerInfo is the OAuth consumer plugin's consumer-info document.
type consumerInfo struct {
	XMLName     xml.Name `xml:"consumer"`
	Key         string   `xml:"key"`
	Name        string   `xml:"name"`
	PublicKey   string   `xml:"publicKey"`
	Description string   `xml:"description"`
}

// serveConsumerInfo publishes the key peers store when they enable
// incoming OAuth from this instance. The public key is the base64 of the
// X.509 SubjectPublicKeyInfo DER, without PEM armour (RSAKeys.toPemEncoding).
func serveConsumerInfo(ex *exchange) {
	inst := ex.inst
	der, err := x509.MarshalPKIXPublicKey(&inst.privateKey.PublicKey)
	if err != nil {
		panic(fmt.Sprintf("encode public key: %v", err))
	}
	body, err := xml.Marshal(consumerInfo{
		Key:         consumerKey(inst.product.typeID, inst.serverID),
		Name:        inst.product.name,
		PublicKey:   base64.StdEncoding.EncodeToString(der),
		Description: "Atlassian " + inst.product.name + " at " + inst.URL(),
	})
	if err != nil {
		panic(fmt.Sprintf("encode consumer info: %v", err))
	}
	ex.w.Header().Set("Content-Type", "application/xml;charset=UTF-8")
	ex.w.WriteHeader(http.StatusOK)
	_, _ = ex.w.Write([]byte(xml.Header))
	_, _ = ex.w.Write(body)
}

// consumerKey derives a stable OAuth consumer key such as "jira:04812345".
// Inferred: the products pick a random number once and store it; deriving
// it from the server ID keeps it stable across restarts without storage.
func consumerKey(typeID, serverID string) string {
	sum := md5.Sum([]byte(serverID))
	return fmt.Sprintf("%s:%08d", typeID, binary.BigEndian.Uint64(sum[:8])%100_000_000)
}

// javaHashSetOrder returns values in the iteration order of the Java
// HashSet the manifest builds (Guava Sets.newHashSet of the first value,
// then addAll of the rest), so the XML and JSON list the types in the
// order the real products do.
func javaHashSetOrder(values []string) []string {
	// Guava sizes the set for one element: capacity 2, threshold 1; the
	// table doubles whenever the size exceeds 3/4 of the capacity.
	capacity, threshold := 2, 1
	for size := 1; size <= len(values); size++ {
		if size > threshold {
			capacity *= 2
			threshold = capacity * 3 / 4
		}
	}
	bucket := func(s string) uint32 {
		h := javaStringHash(s)
		return (h ^ h>>16) & uint32(capacity-1)
	}
	ordered := slices.Clone(values)
	// Within a bucket, entries keep insertion order, hence a stable sort.
	slices.SortStableFunc(ordered, func(a, b string) int { return int(bucket(a)) - int(bucket(b)) })
	return ordered
}

// javaStringHash is java.lang.String.hashCode over UTF-16 code units.
func javaStringHash(s string) uint32 {
	var h uint32
	for _, unit := range utf16.Encode([]rune(s)) {
		h = 31*h + uint32(unit)
	}
	return h
}

// msgNoManifestForLink and msgManifestNotRetrieved are ManifestResource's
// [SRC] texts.
const (
	msgNoManifestForLink    = "No application link with id %s"
	msgManifestNotRetrieved = "Couldn't retrieve manifest for link with id %s"
)

// getLinkedManifest is ManifestResource.getManifestFor: a malformed id is
// ApplicationId's uncaught IllegalArgumentException; an unknown link a 400
// ErrorListEntity; otherwise the manifest the instance gets live at the
// link's URL, which for an installed type is never missing: a peer that
// does not answer with a manifest of the link's type gets a synthesised
// one (design/api.md §9.2), with no applinks version and the URL-derived id.
func getLinkedManifest(ex *exchange) {
	id := ex.param("id")
	requireApplicationID(id)
	link, ok := ex.inst.link(id)
	if !ok {
		writeErrorList(ex, http.StatusBadRequest, []string{fmt.Sprintf(msgNoManifestForLink, id)}, nil)
		return
	}
	t, ok := linkTypeByID(link.TypeID)
	if !ok {
		// Inferred: only a type without a manifest producer, which the
		// emulator does not install, raises ManifestNotFoundException.
		writeStatus(ex, newStatus(http.StatusNotFound, fmt.Sprintf(msgManifestNotRetrieved, id)))
		return
	}
	manifest := synthesisedManifest(link.RPCURL, t)
	if t.typeID != genericTypeID {
		if downloaded, err := ex.inst.peers.downloadManifest(ex.r.Context(), link.RPCURL); err == nil && downloaded.TypeID == t.typeID {
			manifest = relayedManifest(downloaded)
		}
	}
	writeEntity(ex, http.StatusOK, manifest)
}
