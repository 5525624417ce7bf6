package emulator

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// Incoming OAuth 2.0 clients (design/api.md §10.2): the oauth2-provider
// plugin's ClientResource, through which a system administrator registers an
// external application that may then ask this instance for tokens
// (oauth2_server.go).

// oauth2State is what the OAuth 2.0 plugins keep: the provider's clients,
// codes and tokens, and the client plugin's configurations and flows
// (oauth2_client_config.go).
type oauth2State struct {
	Clients []storedOAuth2Client `json:"clients,omitempty"`
	Codes   []storedOAuth2Code   `json:"codes,omitempty"`
	Tokens  []storedOAuth2Token  `json:"tokens,omitempty"`

	Configs []storedOAuth2ClientConfig `json:"configs,omitempty"`
	Flows   []storedOAuth2Flow         `json:"flows,omitempty"`
}

// storedOAuth2Client is one incoming client (the entity of design/api.md
// §10.2).
type storedOAuth2Client struct {
	ID           string   `json:"id"`
	ClientID     string   `json:"client_id"`
	ClientSecret string   `json:"client_secret"`
	Name         string   `json:"name"`
	Redirects    []string `json:"redirects"`
	UserKey      string   `json:"user_key"`
	Scope        string   `json:"scope"`
}

// oauth2Scopes are the scopes of design/api.md §10.3, lowest first: each
// includes the ones before it.
var oauth2Scopes = []string{"READ", "WRITE", "ADMIN", "SYSTEM_ADMIN"}

// scopeRank orders scopes; an unknown scope is -1.
func scopeRank(scope string) int { return slices.Index(oauth2Scopes, scope) }

// The system properties that relax HTTPS (design/api.md §10.4).
const (
	propertySkipBaseURLHTTPS     = "atlassian.oauth2.provider.skip.base.url.https.requirement"
	propertySkipRedirectURLHTTPS = "atlassian.oauth2.provider.skip.redirect.url.https.requirement"
)

// Inferred English for the plugin's validation messages (design/api.md
// §10.2 has only their status).
const (
	msgOAuth2ClientNameRequired = "The name must not be empty."
	msgOAuth2ClientNameTaken    = "An incoming link with this name already exists."
	msgOAuth2RedirectRequired   = "At least one redirect URL is required."
	msgOAuth2RedirectInvalid    = "The redirect URL must be an absolute URI without a fragment: "
	msgOAuth2RedirectNotHTTPS   = "The redirect URL must use HTTPS (or set the system property " + propertySkipRedirectURLHTTPS + "=true): "
	msgOAuth2ScopeInvalid       = "The scope must be one of READ, WRITE, ADMIN, SYSTEM_ADMIN."
	msgOAuth2ClientNotFound     = "No OAuth 2.0 client with this id exists."
)

// oauth2ClientEntity is the wire form of a client.
type oauth2ClientEntity struct {
	ID           string   `json:"id"`
	ClientID     string   `json:"clientId"`
	ClientSecret string   `json:"clientSecret"`
	Name         string   `json:"name"`
	Redirects    []string `json:"redirects"`
	UserKey      string   `json:"userKey"`
	Scope        string   `json:"scope"`
}

// oauth2ClientInput is what POST and PUT take; the pointers tell a missing
// field from an empty one. Inferred: id, clientId, clientSecret and userKey
// are ignored when sent.
type oauth2ClientInput struct {
	Name      *string  `json:"name"`
	Redirects []string `json:"redirects"`
	Scope     *string  `json:"scope"`
}

func oauth2ClientEntityOf(c storedOAuth2Client) oauth2ClientEntity {
	return oauth2ClientEntity{
		ID: c.ID, ClientID: c.ClientID, ClientSecret: c.ClientSecret, Name: c.Name,
		Redirects: slices.Clone(c.Redirects), UserKey: c.UserKey, Scope: c.Scope,
	}
}

func (st *oauth2State) clientByID(id string) *storedOAuth2Client {
	for i := range st.Clients {
		if st.Clients[i].ID == id {
			return &st.Clients[i]
		}
	}
	return nil
}

func (st *oauth2State) clientByClientID(clientID string) *storedOAuth2Client {
	for i := range st.Clients {
		if st.Clients[i].ClientID == clientID {
			return &st.Clients[i]
		}
	}
	return nil
}

// randomHex returns n random bytes in hex.
func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

func listOAuth2Clients(ex *exchange) {
	entities := []oauth2ClientEntity{}
	ex.inst.store.View(func(st *state) {
		for _, c := range st.OAuth2.Clients {
			entities = append(entities, oauth2ClientEntityOf(c))
		}
	})
	writeEntity(ex, http.StatusOK, entities)
}

func getOAuth2Client(ex *exchange) {
	var found *oauth2ClientEntity
	ex.inst.store.View(func(st *state) {
		if c := st.OAuth2.clientByID(ex.param("id")); c != nil {
			e := oauth2ClientEntityOf(*c)
			found = &e
		}
	})
	if found == nil {
		writeRestErrors(ex, http.StatusNotFound, restError{Summary: msgOAuth2ClientNotFound})
		return
	}
	writeEntity(ex, http.StatusOK, found)
}

// createOAuth2Client answers 200, not 201, with the client and its secret.
func createOAuth2Client(ex *exchange) {
	var in oauth2ClientInput
	readEntity(ex, &in)
	var created storedOAuth2Client
	if !updateState(ex, func(st *state) error {
		if err := validateOAuth2Client(ex.inst, st, "", in); err != nil {
			return err
		}
		id, err := newRandomUUID()
		if err != nil {
			return err
		}
		created = storedOAuth2Client{
			ID: id, ClientID: randomHex(16), ClientSecret: randomHex(32),
			Name: *in.Name, Redirects: slices.Clone(in.Redirects), UserKey: ex.userName(), Scope: *in.Scope,
		}
		st.OAuth2.Clients = append(st.OAuth2.Clients, created)
		return nil
	}) {
		return
	}
	writeEntity(ex, http.StatusOK, oauth2ClientEntityOf(created))
}

// updateOAuth2Client answers 204; the client id and secret stay.
func updateOAuth2Client(ex *exchange) {
	var in oauth2ClientInput
	readEntity(ex, &in)
	if !updateState(ex, func(st *state) error {
		c := st.OAuth2.clientByID(ex.param("id"))
		if c == nil {
			return refuse(func(ex *exchange) {
				writeRestErrors(ex, http.StatusNotFound, restError{Summary: msgOAuth2ClientNotFound})
			})
		}
		if err := validateOAuth2Client(ex.inst, st, c.ID, in); err != nil {
			return err
		}
		c.Name, c.Redirects, c.Scope = *in.Name, slices.Clone(in.Redirects), *in.Scope
		return nil
	}) {
		return
	}
	ex.w.WriteHeader(http.StatusNoContent)
}

// resetOAuth2ClientSecret gives the client a new secret, keyed by its client
// id. The old secret stops working at once (oauth2_server.go checks the
// stored one); tokens already issued stay valid (Inferred, design/api.md
// §10.4).
func resetOAuth2ClientSecret(ex *exchange) {
	var reset storedOAuth2Client
	if !updateState(ex, func(st *state) error {
		c := st.OAuth2.clientByClientID(ex.param("clientId"))
		if c == nil {
			return refuse(func(ex *exchange) {
				writeRestErrors(ex, http.StatusNotFound, restError{Summary: msgOAuth2ClientNotFound})
			})
		}
		c.ClientSecret = randomHex(32)
		reset = *c
		return nil
	}) {
		return
	}
	writeEntity(ex, http.StatusOK, oauth2ClientEntityOf(reset))
}

// deleteOAuth2Client answers 200 and revokes the client's codes and tokens.
func deleteOAuth2Client(ex *exchange) {
	if !updateState(ex, func(st *state) error {
		c := st.OAuth2.clientByID(ex.param("id"))
		if c == nil {
			return refuse(func(ex *exchange) {
				writeRestErrors(ex, http.StatusNotFound, restError{Summary: msgOAuth2ClientNotFound})
			})
		}
		clientID := c.ClientID
		st.OAuth2.Clients = slices.DeleteFunc(st.OAuth2.Clients, func(s storedOAuth2Client) bool { return s.ClientID == clientID })
		st.OAuth2.Codes = slices.DeleteFunc(st.OAuth2.Codes, func(s storedOAuth2Code) bool { return s.ClientID == clientID })
		st.OAuth2.Tokens = slices.DeleteFunc(st.OAuth2.Tokens, func(s storedOAuth2Token) bool { return s.ClientID == clientID })
		return nil
	}) {
		return
	}
	ex.w.WriteHeader(http.StatusOK)
}

// validateOAuth2Client checks a client's fields in the order of the form;
// self is the id of the client being updated ("" on create).
func validateOAuth2Client(inst *Instance, st *state, self string, in oauth2ClientInput) error {
	fieldError := func(field, message string) error {
		return refuse(func(ex *exchange) {
			writeRestErrors(ex, http.StatusBadRequest, restError{Context: field, Summary: message})
		})
	}
	if in.Name == nil || strings.TrimSpace(*in.Name) == "" {
		return fieldError("name", msgOAuth2ClientNameRequired)
	}
	for _, c := range st.OAuth2.Clients {
		if c.ID != self && c.Name == *in.Name {
			return fieldError("name", msgOAuth2ClientNameTaken)
		}
	}
	if len(in.Redirects) == 0 {
		return fieldError("redirects", msgOAuth2RedirectRequired)
	}
	for _, redirect := range in.Redirects {
		u, err := url.Parse(redirect)
		if err != nil || !u.IsAbs() || u.Host == "" || u.Fragment != "" {
			return fieldError("redirects", msgOAuth2RedirectInvalid+redirect)
		}
		if u.Scheme != "https" && !inst.opts.OAuth2SkipRedirectURLHTTPS {
			return fieldError("redirects", msgOAuth2RedirectNotHTTPS+redirect)
		}
	}
	if in.Scope == nil || scopeRank(*in.Scope) < 0 {
		return fieldError("scope", msgOAuth2ScopeInvalid)
	}
	return nil
}
