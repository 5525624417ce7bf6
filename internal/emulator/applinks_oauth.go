package emulator

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"regexp"
	"strings"
)

// The applinks-oauth REST module (design/api.md §6): the OAuth 1.0a consumers
// of a link and the consumer tokens of its users. Incoming consumers are
// what oauth1.go verifies signed requests against; outgoing ones are this
// instance's identity towards a third-party service provider.

// Signature methods as Consumer.SignatureMethod names them.
const (
	signatureRSASHA1  = "RSA_SHA1"
	signatureHMACSHA1 = "HMAC_SHA1"
)

// consumerKeyOutbound is the provider configuration key naming a generic
// link's outgoing consumer (ApplinksOAuth.PROPERTY_CONSUMER_KEY_OUTBOUND).
const consumerKeyOutbound = "consumerKey.outbound"

// Inferred English for the resource's i18n keys (named beside each).
const (
	msgConsumerKeyRequired     = "Consumer key is required."                                                             // auth.oauth.config.consumer.serviceprovider.key.is.required
	msgConsumerNameRequired    = "Consumer name is required."                                                            // auth.oauth.config.consumer.serviceprovider.name.is.required
	msgSharedSecretRequired    = "Shared secret is required."                                                            // auth.oauth.config.consumer.serviceprovider.shared.secret.is.required
	msgPublicKeyMissing        = "Public key is required."                                                               // auth.oauth.config.serviceprovider.missing.public.key
	msgPublicKeyRequired       = "A public key is required."                                                             // applinks.consumer.publickey.required
	msgInvalidPublicKey        = "The public key of the consumer for application link %s is not a valid RSA public key." // applinks.invalid.consumer.publickey
	msgConsumerNotFound        = "No OAuth consumer is configured for application link %s."                              // applinks.consumer.notfound
	msgGenericNeedsProvider    = "Configure an authentication provider for the generic application link %s first."       // applinks.generic.consumer.needs.authenticationprovider
	msgAutoConfigureNoConsumer = "Could not retrieve the consumer information of the remote application."                // applinks.consumer.autoconfigure.consumerInfo.notfound
	msgNullConsumerName        = "name"                                                                                  // Inferred: the Consumer builder's null check
)

// ---- Entities ----

// consumerEntity is ConsumerEntity as ConsumerEntityBuilder fills it: the
// 2LO flags are always present, outgoing is always false (the builder uses
// the constructor that sets it so), null fields are left out and the
// shared secret is never returned. XMLName is set only on a root element.
type consumerEntity struct {
	XMLName                   xml.Name     `json:"-"`
	Link                      []linkEntity `xml:"link" json:"link,omitzero"`
	Key                       string       `xml:"key" json:"key"`
	Name                      string       `xml:"name" json:"name"`
	Description               *string      `xml:"description,omitempty" json:"description,omitzero"`
	SignatureMethod           string       `xml:"signatureMethod" json:"signatureMethod"`
	PublicKey                 *string      `xml:"publicKey,omitempty" json:"publicKey,omitzero"`
	Callback                  *string      `xml:"callback,omitempty" json:"callback,omitzero"`
	TwoLOAllowed              bool         `xml:"twoLOAllowed" json:"twoLOAllowed"`
	ExecutingTwoLOUser        *string      `xml:"executingTwoLOUser,omitempty" json:"executingTwoLOUser,omitzero"`
	TwoLOImpersonationAllowed bool         `xml:"twoLOImpersonationAllowed" json:"twoLOImpersonationAllowed"`
	Outgoing                  bool         `xml:"outgoing" json:"outgoing"`
}

// consumerInput is the same entity as a PUT body: every field optional.
type consumerInput struct {
	Key                       string `xml:"key" json:"key"`
	Name                      string `xml:"name" json:"name"`
	Description               string `xml:"description" json:"description"`
	PublicKey                 string `xml:"publicKey" json:"publicKey"`
	SharedSecret              string `xml:"sharedSecret" json:"sharedSecret"`
	Callback                  string `xml:"callback" json:"callback"`
	TwoLOAllowed              bool   `xml:"twoLOAllowed" json:"twoLOAllowed"`
	ExecutingTwoLOUser        string `xml:"executingTwoLOUser" json:"executingTwoLOUser"`
	TwoLOImpersonationAllowed bool   `xml:"twoLOImpersonationAllowed" json:"twoLOImpersonationAllowed"`
	Outgoing                  bool   `xml:"outgoing" json:"outgoing"`
}

// consumerListEntity is ConsumerEntityListEntity. Inferred: its XML root
// element name.
type consumerListEntity struct {
	XMLName   xml.Name         `xml:"consumers" json:"-"`
	Consumers []consumerEntity `xml:"consumers" json:"consumers"`
}

// linkAuthenticationEntity is ApplicationLinkAuthenticationEntity.
// Inferred: its XML root element name.
type linkAuthenticationEntity struct {
	XMLName                 xml.Name                       `xml:"applicationLinkAuthentication" json:"-"`
	Link                    []linkEntity                   `xml:"link" json:"link"`
	ConfiguredAuthProviders []authenticationProviderEntity `xml:"configuredAuthProviders" json:"configuredAuthProviders"`
	Consumers               []consumerEntity               `xml:"consumers" json:"consumers"`
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func newConsumerEntity(c storedConsumer, id string) consumerEntity {
	return consumerEntity{
		Link:                      []linkEntity{{Href: "applicationlink/" + id + "/authentication/consumer", Rel: "self"}},
		Key:                       c.Key,
		Name:                      c.Name,
		Description:               optional(c.Description),
		SignatureMethod:           c.SignatureMethod,
		PublicKey:                 optional(c.PublicKey),
		Callback:                  optional(c.Callback),
		TwoLOAllowed:              c.TwoLOAllowed,
		ExecutingTwoLOUser:        optional(c.ExecutingTwoLOUser),
		TwoLOImpersonationAllowed: c.TwoLOImpersonationAllowed,
	}
}

// configuredProviderEntities lists the link's outgoing providers with
// their configuration, as getConfiguredProviders does.
func configuredProviderEntities(l storedLink) []authenticationProviderEntity {
	entities := []authenticationProviderEntity{}
	for _, m := range configuredOutgoingModules(l) {
		p, _ := l.outgoingProvider(m.provider)
		config := xmlStringMap(maps.Clone(p.Config))
		if config == nil {
			config = xmlStringMap{}
		}
		entities = append(entities, authenticationProviderEntity{
			Link:     []linkEntity{{Href: "applicationlink/" + l.ID + "/authentication/provider", Rel: "self"}},
			Config:   config,
			Module:   m.module,
			Provider: m.provider,
		})
	}
	return entities
}

// linkConsumers is findConsumers: the incoming consumer, then, for generic
// links, the outgoing consumer each configured provider names in
// consumerKey.outbound. An outgoing consumer no provider names (after
// outgoing OAuth was disabled, which unregisters the providers) is not
// listed: the products keep it in their consumer store, out of reach.
func linkConsumers(l storedLink, providers []authenticationProviderEntity, id string) []consumerEntity {
	consumers := []consumerEntity{}
	if l.IncomingConsumer != nil {
		consumers = append(consumers, newConsumerEntity(*l.IncomingConsumer, id))
	}
	if l.TypeID != genericTypeID {
		return consumers
	}
	for _, p := range providers {
		key := p.Config[consumerKeyOutbound]
		if key != "" && l.OutgoingConsumer != nil && l.OutgoingConsumer.Key == key {
			consumers = append(consumers, newConsumerEntity(*l.OutgoingConsumer, id))
		}
	}
	return consumers
}

// ---- Handlers ----

func writeLinkNotFound(ex *exchange) {
	writeStatus(ex, newStatus(http.StatusNotFound, fmt.Sprintf(msgLinkNotFound, ex.param("id"))))
}

func getLinkAuthentication(ex *exchange) {
	link, ok := findLinkForProviders(ex)
	if !ok {
		writeLinkNotFound(ex)
		return
	}
	id := ex.param("id")
	providers := configuredProviderEntities(link)
	writeEntity(ex, http.StatusOK, linkAuthenticationEntity{
		Link:                    []linkEntity{{Href: "applicationlink/" + id + "/authentication", Rel: "self"}},
		ConfiguredAuthProviders: providers,
		Consumers:               linkConsumers(link, providers, id),
	})
}

// getLinkConsumers answers 404 in three cases told apart only by their
// text: no link, a generic link without providers, no consumer.
func getLinkConsumers(ex *exchange) {
	link, ok := findLinkForProviders(ex)
	if !ok {
		writeLinkNotFound(ex)
		return
	}
	id := ex.param("id")
	providers := configuredProviderEntities(link)
	consumers := linkConsumers(link, providers, id)
	switch {
	case len(consumers) == 0 && link.TypeID == genericTypeID && len(providers) == 0:
		writeStatus(ex, newStatus(http.StatusNotFound, fmt.Sprintf(msgGenericNeedsProvider, id)))
	case len(consumers) == 0:
		writeStatus(ex, newStatus(http.StatusNotFound, fmt.Sprintf(msgConsumerNotFound, id)))
	default:
		writeEntity(ex, http.StatusOK, consumerListEntity{Consumers: consumers})
	}
}

// putLinkConsumer stores a consumer on the link, in the product's order:
// the body is read, the link found, then autoConfigure fetches the peer's
// consumer info; otherwise a generic link takes a third-party consumer
// (incoming with an RSA key, or outgoing with a shared secret) and any
// other link a manually entered peer consumer.
//
// No branch checks for a system administrator, not even for
// twoLOImpersonationAllowed (design/api.md §12.11): only the v2 provider and v3 status
// resources do.
func putLinkConsumer(ex *exchange) {
	var in consumerInput
	readEntity(ex, &in)
	link, ok := findLinkForProviders(ex)
	if !ok {
		writeLinkNotFound(ex)
		return
	}
	id := ex.param("id")
	var incoming, outgoing *storedConsumer
	switch {
	case strings.EqualFold(ex.r.URL.Query().Get("autoConfigure"), "true"):
		fetched, err := ex.inst.peers.fetchConsumerInfo(ex.r.Context(), link.RPCURL)
		if err != nil {
			ex.inst.logf("consumer info of link %s: %v", link.ID, err)
			writeStatus(ex, newStatus(http.StatusInternalServerError, msgAutoConfigureNoConsumer))
			return
		}
		fetched.TwoLOAllowed = in.TwoLOAllowed
		fetched.ExecutingTwoLOUser = in.ExecutingTwoLOUser
		fetched.TwoLOImpersonationAllowed = in.TwoLOImpersonationAllowed
		incoming = &fetched
	case link.TypeID == genericTypeID:
		if errs := validateThirdPartyConsumer(in); len(errs) > 0 {
			writeErrorList(ex, http.StatusBadRequest, errs, nil)
			return
		}
		if in.Outgoing {
			outgoing = &storedConsumer{
				Key:             in.Key,
				Name:            in.Name,
				Description:     in.Description,
				SignatureMethod: signatureHMACSHA1,
				SharedSecret:    in.SharedSecret,
			}
			break
		}
		// Inferred: design/api.md's body lists the 2LO fields for this
		// case, and they are kept. (9.1.4's createBasicConsumer drops them
		// for generic links, leaving the 2LO flags to the v3 status API.)
		consumer, ok := newIncomingConsumer(ex, in, link.ID)
		if !ok {
			return
		}
		incoming = consumer
	default:
		if errs := validateAtlassianConsumer(in); len(errs) > 0 {
			writeErrorList(ex, http.StatusBadRequest, errs, nil)
			return
		}
		consumer, ok := newIncomingConsumer(ex, in, link.ID)
		if !ok {
			return
		}
		incoming = consumer
	}
	if !updateState(ex, func(st *state) error {
		l := st.linkByID(link.ID)
		if l == nil {
			return refuse(writeLinkNotFound)
		}
		if incoming != nil {
			storeIncomingConsumer(st, l, incoming)
		}
		if outgoing != nil {
			l.OutgoingConsumer = outgoing
		}
		return nil
	}) {
		return
	}
	writeStatus(ex, statusEntity{
		StatusCode:       http.StatusCreated,
		ResourcesCreated: []linkEntity{{Href: "applicationlink/" + id + "/authentication/consumer", Rel: "self"}},
	})
}

// storeIncomingConsumer is ServiceProviderStoreService.addConsumer, and
// with a nil consumer removeConsumer. The products keep incoming consumers in
// one store for the whole instance, keyed by consumer key
// (PluginSettingsServiceProviderConsumerStore), and a link only names its
// key; adding a consumer puts it without checking whether the key is taken
// (design/api.md §6.1). So every link that names the key sees the consumer
// stored last, a signed request with the key runs with that consumer's
// flags and executing user, and removing it from one link removes it from
// all of them. The emulator keeps a copy on each link naming the key, and
// changes them together.
//
// Where the emulator differs: the products keep a consumer whose link was
// given another key, or that a link still names after another link removed
// it, in their store; the emulator drops it.
func storeIncomingConsumer(st *state, l *storedLink, consumer *storedConsumer) {
	key := consumer
	if key == nil {
		key = l.IncomingConsumer
	}
	if key != nil {
		for i := range st.Links {
			if other := st.Links[i].IncomingConsumer; other != nil && other.Key == key.Key {
				st.Links[i].IncomingConsumer = copyConsumer(consumer)
			}
		}
	}
	l.IncomingConsumer = copyConsumer(consumer)
}

func copyConsumer(c *storedConsumer) *storedConsumer {
	if c == nil {
		return nil
	}
	copied := *c
	return &copied
}

func validateThirdPartyConsumer(in consumerInput) []string {
	var errs []string
	if in.Key == "" {
		errs = append(errs, msgConsumerKeyRequired)
	}
	if in.Outgoing {
		if in.Name == "" {
			errs = append(errs, msgConsumerNameRequired)
		}
		if in.SharedSecret == "" {
			errs = append(errs, msgSharedSecretRequired)
		}
	} else if in.PublicKey == "" {
		errs = append(errs, msgPublicKeyMissing)
	}
	return errs
}

func validateAtlassianConsumer(in consumerInput) []string {
	var errs []string
	if in.Key == "" {
		errs = append(errs, msgConsumerKeyRequired)
	}
	if in.Name == "" {
		errs = append(errs, msgConsumerNameRequired)
	}
	if in.PublicKey == "" {
		errs = append(errs, msgPublicKeyRequired)
	}
	return errs
}

// newIncomingConsumer builds an RSA-SHA1 consumer from the body, answering
// an unusable key with the 400 the products send for InvalidKeySpecException.
// A missing name passes validation for generic links but fails the
// Consumer builder's null check: an uncaught 500.
func newIncomingConsumer(ex *exchange, in consumerInput, linkID string) (*storedConsumer, bool) {
	publicKey, err := normalisePublicKey(in.PublicKey)
	if err != nil {
		writeErrorList(ex, http.StatusBadRequest, []string{fmt.Sprintf(msgInvalidPublicKey, linkID)}, nil)
		return nil, false
	}
	if in.Name == "" {
		panic(msgNullConsumerName)
	}
	return &storedConsumer{
		Key:                       in.Key,
		Name:                      in.Name,
		Description:               in.Description,
		SignatureMethod:           signatureRSASHA1,
		PublicKey:                 publicKey,
		Callback:                  in.Callback,
		TwoLOAllowed:              in.TwoLOAllowed,
		ExecutingTwoLOUser:        in.ExecutingTwoLOUser,
		TwoLOImpersonationAllowed: in.TwoLOImpersonationAllowed,
	}, true
}

// deleteConsumerToken removes the calling user's access token for the
// link (design/api.md §6.2). The emulator runs no three-legged dance, so no token is
// ever stored and there is nothing to remove; the answer is what the
// products send. Inferred: an id with no link is no error either.
func deleteConsumerToken(ex *exchange) {
	id := ex.param("id")
	if !isApplicationID(id) {
		writeServiceError(ex, http.StatusBadRequest, "InvalidApplicationIdException", fmt.Sprintf(msgV3InvalidID, id))
		return
	}
	ex.w.WriteHeader(http.StatusNoContent)
}

// ---- Public keys ----

// pemArmour matches "-----BEGIN PUBLIC KEY-----" and the like, wherever
// they are: users paste keys with and without line breaks.
var pemArmour = regexp.MustCompile(`-----[A-Z0-9 ]*-----`)

var errNotRSAPublicKey = errors.New("not an RSA public key")

// parsePublicKey is RSAKeys.fromPemEncodingToPublicKey: armour and
// whitespace are removed, the rest is base64 of an X.509
// SubjectPublicKeyInfo holding an RSA key. Padding may be left out, as
// commons-codec's lenient decoder allows.
func parsePublicKey(text string) (*rsa.PublicKey, error) {
	bare := strings.Join(strings.Fields(pemArmour.ReplaceAllString(text, "")), "")
	der, err := base64.StdEncoding.DecodeString(bare)
	if err != nil {
		der, err = base64.RawStdEncoding.DecodeString(strings.TrimRight(bare, "="))
	}
	if err != nil {
		return nil, err
	}
	parsed, err := x509.ParsePKIXPublicKey(der)
	if err != nil {
		return nil, err
	}
	key, ok := parsed.(*rsa.PublicKey)
	if !ok {
		return nil, errNotRSAPublicKey
	}
	if key.N.BitLen() < minRSAKeyBits {
		return nil, errRSAKeyTooShort
	}
	return key, nil
}

// minRSAKeyBits is the shortest modulus Java's RSA KeyFactory takes
// (sun.security.rsa.RSAKeyFactory, through RSAPublicKeyImpl): shorter keys
// fail X509EncodedKeySpec decoding, so RSAKeys refuses them as it refuses
// any bad key (design/api.md §6.1).
const minRSAKeyBits = 512

var errRSAKeyTooShort = errors.New("RSA keys must be at least 512 bits long")

// normalisePublicKey is the key as the products store and return it:
// base64 of the DER, without armour (RSAKeys.toPemEncoding).
func normalisePublicKey(text string) (string, error) {
	key, err := parsePublicKey(text)
	if err != nil {
		return "", err
	}
	der, err := x509.MarshalPKIXPublicKey(key)
	if err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(der), nil
}
