package emulator

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// The OAuth 2.0 authorisation server (design/api.md §10.4): the authorize
// and token endpoints of the oauth2-provider plugin, and access tokens as
// Bearer credentials on every REST API, capped by their scope (§10.3).

// Lifetimes, the defaults of the system properties in design/api.md §10.4.
const (
	oauth2CodeLifetime         = 10 * time.Second
	oauth2AccessTokenLifetime  = time.Hour
	oauth2RefreshTokenLifetime = 90 * 24 * time.Hour
)

// storedOAuth2Code is an authorization code, single-use.
type storedOAuth2Code struct {
	Code          string    `json:"code"`
	ClientID      string    `json:"client_id"`
	RedirectURI   string    `json:"redirect_uri"`
	User          string    `json:"user"`
	Scope         string    `json:"scope"`
	CodeChallenge string    `json:"code_challenge,omitempty"`
	Expires       time.Time `json:"expires"`
}

// storedOAuth2Token is an access token with its refresh token.
type storedOAuth2Token struct {
	AccessToken    string    `json:"access_token"`
	RefreshToken   string    `json:"refresh_token"`
	ClientID       string    `json:"client_id"`
	User           string    `json:"user"`
	Scope          string    `json:"scope"`
	AccessExpires  time.Time `json:"access_expires"`
	RefreshExpires time.Time `json:"refresh_expires"`
}

// msgOAuth2BaseURLNotHTTPS is the products' text (design/api.md §10.4) with
// the property that lifts the rule; Inferred: the second sentence.
const msgOAuth2BaseURLNotHTTPS = "Please ensure that your server is using HTTPS and that your application base URL is configured appropriately. " +
	"To allow an HTTP base URL set the system property " + propertySkipBaseURLHTTPS + "=true."

// oauth2Error is RFC 6749's error body.
type oauth2Error struct {
	Error       string `json:"error"`
	Description string `json:"error_description,omitempty"`
}

func writeOAuth2Error(ex *exchange, status int, code, description string) {
	ex.w.Header().Set("Cache-Control", "no-store")
	writeBody(ex, mediaTypeJSON, status, oauth2Error{Error: code, Description: description})
}

// baseURLAllowsOAuth2 is the provider's HTTPS rule for the base URL.
func (i *Instance) baseURLAllowsOAuth2() bool {
	return i.opts.OAuth2SkipBaseURLHTTPS || strings.HasPrefix(i.URL(), "https://")
}

// ---- /authorize ----

// authorizeOAuth2 stands for the consent page: a user logged in with Basic
// auth consents at once (Inferred, design/api.md §10.4), and the answer is
// the redirect to the client's redirect URI with the code and the state.
func authorizeOAuth2(ex *exchange) {
	if !ex.inst.baseURLAllowsOAuth2() {
		writeOAuth2Error(ex, http.StatusBadRequest, "invalid_request", msgOAuth2BaseURLNotHTTPS)
		return
	}
	if ex.user == nil {
		loginRequired.refuse(ex)
		return
	}
	query := ex.r.URL.Query()
	var client storedOAuth2Client
	var known bool
	ex.inst.store.View(func(st *state) {
		if c := st.OAuth2.clientByClientID(query.Get("client_id")); c != nil {
			client, known = *c, true
		}
	})
	redirectURI := query.Get("redirect_uri")
	// Until the redirect URI is known to be the client's, errors are
	// answered here and never sent to it (RFC 6749 §4.1.2.1).
	switch {
	case !known:
		writeOAuth2Error(ex, http.StatusBadRequest, "invalid_request", "Unknown client_id.")
		return
	case !slices.Contains(client.Redirects, redirectURI):
		writeOAuth2Error(ex, http.StatusBadRequest, "invalid_request", "The redirect_uri does not match a redirect URL of the client.")
		return
	}
	redirect := func(params url.Values) {
		if state := query.Get("state"); state != "" {
			params.Set("state", state)
		}
		target := redirectURI
		if strings.Contains(target, "?") {
			target += "&" + params.Encode()
		} else {
			target += "?" + params.Encode()
		}
		ex.w.Header().Set("Location", target)
		ex.w.WriteHeader(http.StatusFound)
	}
	fail := func(code, description string) {
		redirect(url.Values{"error": {code}, "error_description": {description}})
	}
	scope := query.Get("scope")
	if scope == "" {
		scope = client.Scope
	}
	challenge, method := query.Get("code_challenge"), query.Get("code_challenge_method")
	switch {
	case query.Get("response_type") != "code":
		fail("unsupported_response_type", "Only response_type=code is supported.")
		return
	case scopeRank(scope) < 0 || scopeRank(scope) > scopeRank(client.Scope):
		fail("invalid_scope", "The scope must be the client's scope or one it includes.")
		return
	case challenge != "" && method != "S256":
		fail("invalid_request", "code_challenge_method must be S256.")
		return
	case challenge == "" && method != "":
		fail("invalid_request", "code_challenge_method without code_challenge.")
		return
	}
	code := storedOAuth2Code{
		Code: randomHex(24), ClientID: client.ClientID, RedirectURI: redirectURI, User: ex.user.name,
		Scope: scope, CodeChallenge: challenge, Expires: time.Now().Add(oauth2CodeLifetime),
	}
	if !updateState(ex, func(st *state) error {
		st.OAuth2.Codes = append(st.OAuth2.Codes, code)
		return nil
	}) {
		return
	}
	redirect(url.Values{"code": {code.Code}})
}

// ---- /token ----

// tokenResponse is RFC 6749 §5.1's answer.
type tokenResponse struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int64  `json:"expires_in"`
	RefreshToken string `json:"refresh_token"`
	Scope        string `json:"scope"`
}

// issueOAuth2Token exchanges a code or a refresh token. The client
// authenticates with HTTP Basic or with client_id and client_secret in the
// form (RFC 6749 §2.3.1); the route reads the Authorization header itself,
// so a client's Basic credentials are not taken for a user's.
func issueOAuth2Token(ex *exchange) {
	if !ex.inst.baseURLAllowsOAuth2() {
		writeOAuth2Error(ex, http.StatusBadRequest, "invalid_request", msgOAuth2BaseURLNotHTTPS)
		return
	}
	if err := ex.r.ParseForm(); err != nil {
		writeOAuth2Error(ex, http.StatusBadRequest, "invalid_request", "The body must be form-encoded.")
		return
	}
	form := ex.r.PostForm
	clientID, secret, basic := clientCredentials(ex.r)
	if !basic {
		clientID, secret = form.Get("client_id"), form.Get("client_secret")
	}
	var client storedOAuth2Client
	var known bool
	ex.inst.store.View(func(st *state) {
		if c := st.OAuth2.clientByClientID(clientID); c != nil {
			client, known = *c, true
		}
	})
	if !known || subtle.ConstantTimeCompare([]byte(client.ClientSecret), []byte(secret)) != 1 {
		if basic {
			ex.w.Header().Set("WWW-Authenticate", `Basic realm="OAuth 2.0"`)
		}
		writeOAuth2Error(ex, http.StatusUnauthorized, "invalid_client", "Client authentication failed.")
		return
	}
	switch form.Get("grant_type") {
	case "authorization_code":
		exchangeOAuth2Code(ex, client, form)
	case "refresh_token":
		refreshOAuth2Token(ex, client, form)
	case "":
		writeOAuth2Error(ex, http.StatusBadRequest, "invalid_request", "grant_type is required.")
	default:
		writeOAuth2Error(ex, http.StatusBadRequest, "unsupported_grant_type", "Only authorization_code and refresh_token are supported.")
	}
}

// clientCredentials reads HTTP Basic client credentials, whose parts are
// form-encoded (RFC 6749 §2.3.1).
func clientCredentials(r *http.Request) (clientID, secret string, ok bool) {
	id, pass, ok := r.BasicAuth()
	if !ok {
		return "", "", false
	}
	if decoded, err := url.QueryUnescape(id); err == nil {
		id = decoded
	}
	if decoded, err := url.QueryUnescape(pass); err == nil {
		pass = decoded
	}
	return id, pass, true
}

func invalidGrant(description string) error {
	return refuse(func(ex *exchange) { writeOAuth2Error(ex, http.StatusBadRequest, "invalid_grant", description) })
}

func exchangeOAuth2Code(ex *exchange, client storedOAuth2Client, form url.Values) {
	var issued storedOAuth2Token
	if !updateState(ex, func(st *state) error {
		i := slices.IndexFunc(st.OAuth2.Codes, func(c storedOAuth2Code) bool { return c.Code == form.Get("code") })
		if i < 0 {
			return invalidGrant("The authorization code is invalid or has been used.")
		}
		code := st.OAuth2.Codes[i]
		switch {
		case code.ClientID != client.ClientID:
			return invalidGrant("The authorization code was issued to another client.")
		case time.Now().After(code.Expires):
			return invalidGrant("The authorization code has expired.")
		case form.Get("redirect_uri") != code.RedirectURI:
			return invalidGrant("The redirect_uri does not match the one of the authorization request.")
		case code.CodeChallenge != "" && !pkceVerifies(code.CodeChallenge, form.Get("code_verifier")):
			return invalidGrant("The code_verifier does not match the code_challenge.")
		}
		// Single use: gone once redeemed.
		st.OAuth2.Codes = slices.Delete(st.OAuth2.Codes, i, i+1)
		issued = newOAuth2Token(client.ClientID, code.User, code.Scope)
		st.OAuth2.Tokens = append(st.OAuth2.Tokens, issued)
		return nil
	}) {
		// A refused code is spent all the same, so it cannot be guessed at.
		_ = ex.inst.store.Update(func(st *state) error {
			st.OAuth2.Codes = slices.DeleteFunc(st.OAuth2.Codes, func(c storedOAuth2Code) bool {
				return c.Code == form.Get("code") && c.ClientID == client.ClientID
			})
			return nil
		})
		return
	}
	writeTokenResponse(ex, issued)
}

// refreshOAuth2Token replaces the refresh token it redeems (Inferred:
// rotation, as the products issue a new pair).
func refreshOAuth2Token(ex *exchange, client storedOAuth2Client, form url.Values) {
	var issued storedOAuth2Token
	if !updateState(ex, func(st *state) error {
		i := slices.IndexFunc(st.OAuth2.Tokens, func(t storedOAuth2Token) bool { return t.RefreshToken == form.Get("refresh_token") })
		if i < 0 || st.OAuth2.Tokens[i].ClientID != client.ClientID || time.Now().After(st.OAuth2.Tokens[i].RefreshExpires) {
			return invalidGrant("The refresh token is invalid or has expired.")
		}
		old := st.OAuth2.Tokens[i]
		issued = newOAuth2Token(client.ClientID, old.User, old.Scope)
		st.OAuth2.Tokens[i] = issued
		return nil
	}) {
		return
	}
	writeTokenResponse(ex, issued)
}

func newOAuth2Token(clientID, userName, scope string) storedOAuth2Token {
	now := time.Now()
	return storedOAuth2Token{
		AccessToken: randomHex(32), RefreshToken: randomHex(32), ClientID: clientID, User: userName, Scope: scope,
		AccessExpires: now.Add(oauth2AccessTokenLifetime), RefreshExpires: now.Add(oauth2RefreshTokenLifetime),
	}
}

func writeTokenResponse(ex *exchange, t storedOAuth2Token) {
	ex.w.Header().Set("Cache-Control", "no-store")
	ex.w.Header().Set("Pragma", "no-cache")
	writeBody(ex, mediaTypeJSON, http.StatusOK, tokenResponse{
		AccessToken: t.AccessToken, TokenType: "bearer", ExpiresIn: int64(oauth2AccessTokenLifetime / time.Second),
		RefreshToken: t.RefreshToken, Scope: t.Scope,
	})
}

// pkceVerifies applies RFC 7636's S256 check.
func pkceVerifies(challenge, verifier string) bool {
	if verifier == "" {
		return false
	}
	sum := sha256.Sum256([]byte(verifier))
	want := base64.RawURLEncoding.EncodeToString(sum[:])
	return subtle.ConstantTimeCompare([]byte(want), []byte(challenge)) == 1
}

// ---- Access tokens as credentials ----

// oauth2BearerUser resolves "Authorization: Bearer <access token>" to the
// user who authorised it, with the rights the token's scope leaves
// (design/api.md §10.3). ok is false when the header holds no live access
// token of this instance, so that personal access tokens are tried next.
func (i *Instance) oauth2BearerUser(r *http.Request) (u *user, ok bool) {
	scheme, credentials, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	if !strings.EqualFold(scheme, "bearer") {
		return nil, false
	}
	credentials = strings.TrimSpace(credentials)
	var token storedOAuth2Token
	i.store.View(func(st *state) {
		for _, t := range st.OAuth2.Tokens {
			if subtle.ConstantTimeCompare([]byte(t.AccessToken), []byte(credentials)) == 1 && st.OAuth2.clientByClientID(t.ClientID) != nil {
				token, ok = t, true
			}
		}
	})
	if !ok || time.Now().After(token.AccessExpires) {
		return nil, false
	}
	owner := i.users.byName(token.User)
	if owner == nil {
		return nil, false
	}
	rank := scopeRank(token.Scope)
	return &user{
		name:                owner.name,
		administrator:       owner.isAdmin() && rank >= scopeRank("ADMIN"),
		systemAdministrator: owner.isSysadmin() && rank >= scopeRank("SYSTEM_ADMIN"),
		oauth2Scope:         token.Scope,
	}, true
}

// decodePeerJSON is json.Unmarshal for bodies of other servers.
func decodePeerJSON(data []byte, v any) error { return json.Unmarshal(data, v) }
