package emulator

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Outgoing OAuth 2.0 client configurations (design/api.md §10.5): the
// oauth2-client plugin's ClientConfigurationResource, with which the
// instance becomes the client of an external authorisation server, and the
// flow that obtains a token there over real HTTP. Inferred: the module path
// /rest/oauth2-client/latest, the flow's entities and the callback servlet's
// path.

// oauth2ProviderTypes are the provider kinds the admin page offers
// (Inferred wire values, design/api.md §10.5).
var oauth2ProviderTypes = []string{"GOOGLE", "MICROSOFT", "STANDARD"}

// oauth2CallbackPath is where the provider sends the browser back; the
// configuration's redirect URI suffix follows it.
const oauth2CallbackPath = "/plugins/servlet/oauth2/client/callback/"

// Flow states (Inferred).
const (
	flowPending   = "PENDING"
	flowCompleted = "COMPLETED"
	flowFailed    = "FAILED"
)

// storedOAuth2ClientConfig is one outgoing configuration and the token its
// last completed flow obtained.
type storedOAuth2ClientConfig struct {
	ID                    string   `json:"id"`
	Name                  string   `json:"name"`
	Description           string   `json:"description,omitempty"`
	Type                  string   `json:"type"`
	ClientID              string   `json:"client_id"`
	ClientSecret          string   `json:"client_secret"`
	AuthorizationEndpoint string   `json:"authorization_endpoint"`
	TokenEndpoint         string   `json:"token_endpoint"`
	Scopes                []string `json:"scopes,omitempty"`
	RedirectURISuffix     string   `json:"redirect_uri_suffix"`

	AccessToken  string `json:"access_token,omitempty"`
	RefreshToken string `json:"refresh_token,omitempty"`
}

// storedOAuth2Flow is one run of the authorization code flow.
type storedOAuth2Flow struct {
	ID           string    `json:"id"`
	ConfigID     string    `json:"config_id"`
	State        string    `json:"state"`
	CodeVerifier string    `json:"code_verifier"`
	CallbackURL  string    `json:"callback_url,omitempty"`
	Status       string    `json:"status"`
	Error        string    `json:"error,omitempty"`
	Started      time.Time `json:"started"`
}

// oauth2ClientConfigEntity is RestClientConfiguration. Inferred: the secret
// is never returned.
type oauth2ClientConfigEntity struct {
	ID                    string   `json:"id"`
	Name                  string   `json:"name"`
	Description           string   `json:"description,omitempty"`
	Type                  string   `json:"type"`
	ClientID              string   `json:"clientId"`
	AuthorizationEndpoint string   `json:"authorizationEndpoint"`
	TokenEndpoint         string   `json:"tokenEndpoint"`
	Scopes                []string `json:"scopes"`
	RedirectURISuffix     string   `json:"redirectUriSuffix"`
}

type oauth2ClientConfigInput struct {
	Name                  *string  `json:"name"`
	Description           string   `json:"description"`
	Type                  *string  `json:"type"`
	ClientID              *string  `json:"clientId"`
	ClientSecret          *string  `json:"clientSecret"`
	AuthorizationEndpoint *string  `json:"authorizationEndpoint"`
	TokenEndpoint         *string  `json:"tokenEndpoint"`
	Scopes                []string `json:"scopes"`
	RedirectURISuffix     string   `json:"redirectUriSuffix"`
}

// Inferred English for the plugin's validation messages.
const (
	msgOAuth2ConfigNotFound      = "No OAuth 2.0 client configuration with this id exists."
	msgOAuth2ConfigNameRequired  = "The name must not be empty."
	msgOAuth2ConfigNameTaken     = "A configuration with this name already exists."
	msgOAuth2ConfigTypeInvalid   = "The type must be one of GOOGLE, MICROSOFT, STANDARD."
	msgOAuth2ConfigClientID      = "The client ID must not be empty."
	msgOAuth2ConfigClientSecret  = "The client secret must not be empty."
	msgOAuth2ConfigEndpoint      = "The endpoint must be an absolute http or https URL."
	msgOAuth2FlowNotFound        = "No flow with this id exists."
	msgOAuth2FlowCallbackInvalid = "The callbackUrl must be an absolute http or https URL."
)

func oauth2ClientConfigEntityOf(c storedOAuth2ClientConfig) oauth2ClientConfigEntity {
	scopes := slices.Clone(c.Scopes)
	if scopes == nil {
		scopes = []string{}
	}
	return oauth2ClientConfigEntity{
		ID: c.ID, Name: c.Name, Description: c.Description, Type: c.Type, ClientID: c.ClientID,
		AuthorizationEndpoint: c.AuthorizationEndpoint, TokenEndpoint: c.TokenEndpoint, Scopes: scopes,
		RedirectURISuffix: c.RedirectURISuffix,
	}
}

func (st *oauth2State) configByID(id string) *storedOAuth2ClientConfig {
	for i := range st.Configs {
		if st.Configs[i].ID == id {
			return &st.Configs[i]
		}
	}
	return nil
}

func configNotFound() error {
	return refuse(func(ex *exchange) {
		writeRestErrors(ex, http.StatusNotFound, restError{Summary: msgOAuth2ConfigNotFound})
	})
}

func listOAuth2ClientConfigs(ex *exchange) {
	entities := []oauth2ClientConfigEntity{}
	ex.inst.store.View(func(st *state) {
		for _, c := range st.OAuth2.Configs {
			entities = append(entities, oauth2ClientConfigEntityOf(c))
		}
	})
	writeEntity(ex, http.StatusOK, entities)
}

// findOAuth2ClientConfig answers GET /config/{id} and /config/name/{name}.
func findOAuth2ClientConfig(byName bool) func(*exchange) {
	return func(ex *exchange) {
		var found *oauth2ClientConfigEntity
		ex.inst.store.View(func(st *state) {
			for _, c := range st.OAuth2.Configs {
				if !byName && c.ID == ex.param("id") || byName && c.Name == ex.param("name") {
					e := oauth2ClientConfigEntityOf(c)
					found = &e
				}
			}
		})
		if found == nil {
			writeRestErrors(ex, http.StatusNotFound, restError{Summary: msgOAuth2ConfigNotFound})
			return
		}
		writeEntity(ex, http.StatusOK, found)
	}
}

func createOAuth2ClientConfig(ex *exchange) {
	var in oauth2ClientConfigInput
	readEntity(ex, &in)
	var created storedOAuth2ClientConfig
	if !updateState(ex, func(st *state) error {
		if err := validateOAuth2ClientConfig(st, "", in, true); err != nil {
			return err
		}
		id, err := newRandomUUID()
		if err != nil {
			return err
		}
		suffix := in.RedirectURISuffix
		if suffix == "" {
			suffix = randomHex(16)
		}
		created = storedOAuth2ClientConfig{ID: id, RedirectURISuffix: suffix}
		applyOAuth2ClientConfig(&created, in)
		st.OAuth2.Configs = append(st.OAuth2.Configs, created)
		return nil
	}) {
		return
	}
	writeEntity(ex, http.StatusCreated, oauth2ClientConfigEntityOf(created))
}

// updateOAuth2ClientConfig replaces the fields; a missing clientSecret
// keeps the stored one, and so does a missing redirectUriSuffix.
func updateOAuth2ClientConfig(ex *exchange) {
	var in oauth2ClientConfigInput
	readEntity(ex, &in)
	var updated storedOAuth2ClientConfig
	if !updateState(ex, func(st *state) error {
		c := st.OAuth2.configByID(ex.param("id"))
		if c == nil {
			return configNotFound()
		}
		if err := validateOAuth2ClientConfig(st, c.ID, in, false); err != nil {
			return err
		}
		applyOAuth2ClientConfig(c, in)
		if in.RedirectURISuffix != "" {
			c.RedirectURISuffix = in.RedirectURISuffix
		}
		updated = *c
		return nil
	}) {
		return
	}
	writeEntity(ex, http.StatusOK, oauth2ClientConfigEntityOf(updated))
}

func applyOAuth2ClientConfig(c *storedOAuth2ClientConfig, in oauth2ClientConfigInput) {
	c.Name, c.Description, c.Type = *in.Name, in.Description, *in.Type
	c.ClientID, c.AuthorizationEndpoint, c.TokenEndpoint = *in.ClientID, *in.AuthorizationEndpoint, *in.TokenEndpoint
	c.Scopes = slices.Clone(in.Scopes)
	if in.ClientSecret != nil {
		c.ClientSecret = *in.ClientSecret
	}
}

func deleteOAuth2ClientConfig(ex *exchange) {
	if !updateState(ex, func(st *state) error {
		if st.OAuth2.configByID(ex.param("id")) == nil {
			return configNotFound()
		}
		id := ex.param("id")
		st.OAuth2.Configs = slices.DeleteFunc(st.OAuth2.Configs, func(c storedOAuth2ClientConfig) bool { return c.ID == id })
		st.OAuth2.Flows = slices.DeleteFunc(st.OAuth2.Flows, func(f storedOAuth2Flow) bool { return f.ConfigID == id })
		return nil
	}) {
		return
	}
	ex.w.WriteHeader(http.StatusNoContent)
}

func validateOAuth2ClientConfig(st *state, self string, in oauth2ClientConfigInput, creating bool) error {
	fieldError := func(field, message string) error {
		return refuse(func(ex *exchange) {
			writeRestErrors(ex, http.StatusBadRequest, restError{Context: field, Summary: message})
		})
	}
	switch {
	case in.Name == nil || strings.TrimSpace(*in.Name) == "":
		return fieldError("name", msgOAuth2ConfigNameRequired)
	case !oauth2ConfigNameUnique(st, self, *in.Name):
		return fieldError("name", msgOAuth2ConfigNameTaken)
	case in.Type == nil || !slices.Contains(oauth2ProviderTypes, *in.Type):
		return fieldError("type", msgOAuth2ConfigTypeInvalid)
	case in.ClientID == nil || strings.TrimSpace(*in.ClientID) == "":
		return fieldError("clientId", msgOAuth2ConfigClientID)
	case creating && (in.ClientSecret == nil || *in.ClientSecret == "") || in.ClientSecret != nil && *in.ClientSecret == "":
		return fieldError("clientSecret", msgOAuth2ConfigClientSecret)
	case in.AuthorizationEndpoint == nil || !isAbsoluteHTTPURL(*in.AuthorizationEndpoint):
		return fieldError("authorizationEndpoint", msgOAuth2ConfigEndpoint)
	case in.TokenEndpoint == nil || !isAbsoluteHTTPURL(*in.TokenEndpoint):
		return fieldError("tokenEndpoint", msgOAuth2ConfigEndpoint)
	}
	return nil
}

func oauth2ConfigNameUnique(st *state, self, name string) bool {
	for _, c := range st.OAuth2.Configs {
		if c.ID != self && c.Name == name {
			return false
		}
	}
	return true
}

// redirectURIEntity is get-redirect-uri's answer (Inferred shape).
type redirectURIEntity struct {
	RedirectURI       string `json:"redirectUri"`
	RedirectURISuffix string `json:"redirectUriSuffix"`
}

func (i *Instance) oauth2RedirectURI(suffix string) string {
	return i.URL() + oauth2CallbackPath + suffix
}

// getOAuth2RedirectURI proposes a fresh suffix and its redirect URI, for a
// configuration still to be created with that suffix.
func getOAuth2RedirectURI(ex *exchange) {
	if endpoint := ex.r.URL.Query().Get("authorizationEndpoint"); !isAbsoluteHTTPURL(endpoint) {
		writeRestErrors(ex, http.StatusBadRequest, restError{Context: "authorizationEndpoint", Summary: msgOAuth2ConfigEndpoint})
		return
	}
	suffix := randomHex(16)
	writeEntity(ex, http.StatusOK, redirectURIEntity{RedirectURI: ex.inst.oauth2RedirectURI(suffix), RedirectURISuffix: suffix})
}

// isOAuth2ConfigNameUnique answers a bare JSON boolean (Inferred).
func isOAuth2ConfigNameUnique(ex *exchange) {
	query := ex.r.URL.Query()
	var unique bool
	ex.inst.store.View(func(st *state) { unique = oauth2ConfigNameUnique(st, query.Get("id"), query.Get("name")) })
	writeEntity(ex, http.StatusOK, unique)
}

// ---- The flow ----

type flowStartEntity struct {
	FlowRequestID    string `json:"flowRequestId"`
	AuthorizationURL string `json:"authorizationUrl"`
}

type flowEntity struct {
	ID     string `json:"id"`
	Status string `json:"status"`
	Error  string `json:"error,omitempty"`
}

// startOAuth2Flow answers the URL the admin's browser must open at the
// provider; the instance uses PKCE S256 and a random state (Inferred).
func startOAuth2Flow(ex *exchange) {
	query := ex.r.URL.Query()
	callback := query.Get("callbackUrl")
	if callback != "" && !isAbsoluteHTTPURL(callback) {
		writeRestErrors(ex, http.StatusBadRequest, restError{Context: "callbackUrl", Summary: msgOAuth2FlowCallbackInvalid})
		return
	}
	var started flowStartEntity
	base := ex.inst.URL() // read before the update, which holds the store's lock
	if !updateState(ex, func(st *state) error {
		c := st.OAuth2.configByID(query.Get("id"))
		if c == nil {
			return configNotFound()
		}
		id, err := newRandomUUID()
		if err != nil {
			return err
		}
		flow := storedOAuth2Flow{
			ID: id, ConfigID: c.ID, State: randomHex(16), CodeVerifier: randomHex(32),
			CallbackURL: callback, Status: flowPending, Started: time.Now(),
		}
		st.OAuth2.Flows = append(st.OAuth2.Flows, flow)
		sum := sha256.Sum256([]byte(flow.CodeVerifier))
		params := url.Values{
			"response_type":         {"code"},
			"client_id":             {c.ClientID},
			"redirect_uri":          {base + oauth2CallbackPath + c.RedirectURISuffix},
			"state":                 {flow.State},
			"code_challenge":        {base64.RawURLEncoding.EncodeToString(sum[:])},
			"code_challenge_method": {"S256"},
		}
		if len(c.Scopes) > 0 {
			params.Set("scope", strings.Join(c.Scopes, " "))
		}
		separator := "?"
		if strings.Contains(c.AuthorizationEndpoint, "?") {
			separator = "&"
		}
		started = flowStartEntity{FlowRequestID: id, AuthorizationURL: c.AuthorizationEndpoint + separator + params.Encode()}
		return nil
	}) {
		return
	}
	writeEntity(ex, http.StatusOK, started)
}

func getOAuth2Flow(ex *exchange) {
	var found *flowEntity
	ex.inst.store.View(func(st *state) {
		for _, f := range st.OAuth2.Flows {
			if f.ID == ex.param("flowRequestId") {
				found = &flowEntity{ID: f.ID, Status: f.Status, Error: f.Error}
			}
		}
	})
	if found == nil {
		writeRestErrors(ex, http.StatusNotFound, restError{Summary: msgOAuth2FlowNotFound})
		return
	}
	writeEntity(ex, http.StatusOK, found)
}

// completeOAuth2Flow is the callback servlet: it redeems the code at the
// provider's token endpoint (real HTTP, client credentials in the form),
// keeps the token and sends the browser on to the flow's callback URL.
func completeOAuth2Flow(ex *exchange) {
	query := ex.r.URL.Query()
	var flow storedOAuth2Flow
	var config storedOAuth2ClientConfig
	var found bool
	ex.inst.store.View(func(st *state) {
		for _, f := range st.OAuth2.Flows {
			if f.State == query.Get("state") && f.Status == flowPending {
				if c := st.OAuth2.configByID(f.ConfigID); c != nil && c.RedirectURISuffix == ex.param("suffix") {
					flow, config, found = f, *c, true
				}
			}
		}
	})
	if !found {
		writeContainerError(ex.w, http.StatusBadRequest)
		return
	}
	status, failure := flowCompleted, ""
	var token tokenResponse
	if e := query.Get("error"); e != "" {
		status, failure = flowFailed, e+": "+query.Get("error_description")
	} else if err := ex.inst.redeemOAuth2Code(ex.r.Context(), config, flow, query.Get("code"), &token); err != nil {
		status, failure = flowFailed, err.Error()
	}
	_ = ex.inst.store.Update(func(st *state) error {
		for i := range st.OAuth2.Flows {
			if st.OAuth2.Flows[i].ID == flow.ID {
				st.OAuth2.Flows[i].Status, st.OAuth2.Flows[i].Error = status, failure
			}
		}
		if c := st.OAuth2.configByID(config.ID); c != nil && status == flowCompleted {
			c.AccessToken, c.RefreshToken = token.AccessToken, token.RefreshToken
		}
		return nil
	})
	if flow.CallbackURL != "" {
		ex.w.Header().Set("Location", flow.CallbackURL)
		ex.w.WriteHeader(http.StatusFound)
		return
	}
	ex.w.Header().Set("Content-Type", contentTypeHTML)
	ex.w.WriteHeader(http.StatusOK)
	_, _ = fmt.Fprintf(ex.w, "<html><body>OAuth 2.0 flow %s</body></html>", strings.ToLower(status))
}

func (i *Instance) redeemOAuth2Code(ctx context.Context, config storedOAuth2ClientConfig, flow storedOAuth2Flow, code string, out *tokenResponse) error {
	form := url.Values{
		"grant_type":    {"authorization_code"},
		"code":          {code},
		"redirect_uri":  {i.oauth2RedirectURI(config.RedirectURISuffix)},
		"client_id":     {config.ClientID},
		"client_secret": {config.ClientSecret},
		"code_verifier": {flow.CodeVerifier},
	}
	resp, err := callPeer(ctx, i.peers.direct, peerRequest{
		method: http.MethodPost, url: config.TokenEndpoint, accept: mediaTypeJSON,
		contentType: "application/x-www-form-urlencoded", body: []byte(form.Encode()),
	})
	if err != nil {
		return fmt.Errorf("token endpoint unreachable: %w", err)
	}
	if !resp.successful() {
		var e oauth2Error
		_ = decodePeerJSON(resp.body, &e)
		return fmt.Errorf("token endpoint answered %d: %s %s", resp.status, e.Error, e.Description)
	}
	if err := decodePeerJSON(resp.body, out); err != nil || out.AccessToken == "" {
		return errors.New("token endpoint answered no access token")
	}
	return nil
}

// OAuth2Call makes the instance call path on the provider of an outgoing
// configuration as the user who completed its flow, with the token the flow
// obtained: what the products do when a feature uses an OAuth 2.0 link. It
// returns the provider's status and body.
func (i *Instance) OAuth2Call(ctx context.Context, configID, method, path string) (int, []byte, error) {
	var config storedOAuth2ClientConfig
	var found bool
	i.store.View(func(st *state) {
		if c := st.OAuth2.configByID(configID); c != nil {
			config, found = *c, true
		}
	})
	switch {
	case !found:
		return 0, nil, errors.New("emulator: no such OAuth 2.0 client configuration")
	case config.AccessToken == "":
		return 0, nil, errors.New("emulator: the configuration's flow has not completed")
	}
	base, err := url.Parse(config.TokenEndpoint)
	if err != nil {
		return 0, nil, err
	}
	// The provider's REST APIs live under its base URL, which the token
	// endpoint's path ends below.
	providerBase := base.Scheme + "://" + base.Host + strings.TrimSuffix(base.Path, "/rest/oauth2/latest/token")
	resp, err := callPeer(ctx, i.peers.direct, peerRequest{
		method: method, url: peerURL(providerBase, path), accept: mediaTypeJSON,
		authorization: "Bearer " + config.AccessToken,
	})
	if err != nil {
		return 0, nil, err
	}
	return resp.status, resp.body, nil
}
