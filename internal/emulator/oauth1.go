package emulator

import (
	"bytes"
	"crypto"
	"crypto/rsa"
	"crypto/sha1" //nolint:gosec // OAuth 1.0a RSA-SHA1 is what the products verify
	"encoding/base64"
	"errors"
	"io"
	"math/big"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// OAuth 1.0a request verification (RFC 5849), as the products' OAuth
// service provider filter does it for requests signed by a link's incoming
// consumer: a consumer known by its key, an RSA-SHA1 signature over the
// signature base string, a timestamp inside a window and a nonce used
// once. The emulator issues no access tokens, so only two-legged requests
// (no oauth_token) can succeed; they act as the consumer's executing user,
// or as the xoauth_requestor_id user when the consumer allows
// impersonation. A requestor the consumer may not impersonate is refused,
// as the products' service-provider authenticator refuses it.
//
// A failure is a 401 with the OAuth Problem Reporting extension's
// parameters in WWW-Authenticate (which the products' peers parse, design/api.md §5.2)
// and, Inferred from net.oauth's OAuthServlet.handleException, repeated in
// a form-encoded body.

// oauthTimestampWindow is how far a request's timestamp may be from the
// server's clock (net.oauth SimpleOAuthValidator's default, 5 minutes).
const oauthTimestampWindow = 5 * time.Minute

// OAuth Problem Reporting values (oauth_problem). permission_denied for a
// consumer without two-legged access or one asked to impersonate without
// leave, and user_refused for an executing or impersonated user the
// instance does not know, are Inferred choices.
const (
	problemParameterAbsent   = "parameter_absent"
	problemParameterRejected = "parameter_rejected"
	problemVersionRejected   = "version_rejected"
	problemMethodRejected    = "signature_method_rejected"
	problemConsumerUnknown   = "consumer_key_unknown"
	problemTimestampRefused  = "timestamp_refused"
	problemSignatureInvalid  = "signature_invalid"
	problemNonceUsed         = "nonce_used"
	problemTokenRejected     = "token_rejected"
	problemPermissionDenied  = "permission_denied"
	problemUserRefused       = "user_refused"
)

// oauthProblem is why an OAuth request was refused, with the extra
// problem-reporting parameters (e.g. oauth_acceptable_timestamps).
type oauthProblem struct {
	problem string
	extra   [][2]string
}

func (p *oauthProblem) Error() string { return "oauth_problem=" + p.problem }

func refusedOAuth(problem string, extra ...[2]string) *oauthProblem {
	return &oauthProblem{problem: problem, extra: extra}
}

// authenticate resolves the caller: a request carrying OAuth parameters is
// verified as OAuth, anything else goes to the user directory (Basic,
// Bearer, anonymous).
func (i *Instance) authenticate(r *http.Request) (*user, error) {
	if isOAuthRequest(r) {
		return i.verifyOAuthRequest(r, time.Now())
	}
	return i.users.authenticate(r)
}

// rejectAuthentication answers a request whose credentials failed.
func rejectAuthentication(ex *exchange, err error) {
	var problem *oauthProblem
	if errors.As(err, &problem) {
		writeOAuthProblem(ex, problem)
		return
	}
	rejectCredentials(ex)
}

// writeOAuthProblem writes the 401 of a refused OAuth request.
func writeOAuthProblem(ex *exchange, p *oauthProblem) {
	params := append([][2]string{{"oauth_problem", p.problem}}, p.extra...)
	header := []string{`OAuth realm="` + ex.inst.URL() + `"`}
	var body []string
	for _, kv := range params {
		header = append(header, kv[0]+`="`+oauthEncode(kv[1])+`"`)
		body = append(body, oauthEncode(kv[0])+"="+oauthEncode(kv[1]))
	}
	ex.w.Header().Set("WWW-Authenticate", strings.Join(header, ", "))
	ex.w.Header().Set("X-AUSERNAME", "anonymous")
	ex.w.Header().Set("Content-Type", "application/x-www-form-urlencoded")
	ex.w.WriteHeader(http.StatusUnauthorized)
	_, _ = io.WriteString(ex.w, strings.Join(body, "&"))
}

// isOAuthRequest: an "Authorization: OAuth ..." header, or the protocol
// parameters in the query string (RFC 5849 §3.5.3).
func isOAuthRequest(r *http.Request) bool {
	if scheme, _, _ := strings.Cut(r.Header.Get("Authorization"), " "); strings.EqualFold(scheme, "OAuth") {
		return true
	}
	query := r.URL.Query()
	return query.Has("oauth_consumer_key") && query.Has("oauth_signature")
}

// oauthRequest is what a signed request carries.
type oauthRequest struct {
	// protocol holds the oauth_* parameters (each at most once).
	protocol map[string]string
	// signed are every parameter the signature covers: protocol parameters
	// other than oauth_signature, the query and a form-encoded body.
	signed [][2]string
}

// parseOAuthRequest collects the parameters as RFC 5849 §3.4.1.3.1 lists
// them. A form-encoded body is read and put back for the handler.
func parseOAuthRequest(r *http.Request) (oauthRequest, *oauthProblem) {
	req := oauthRequest{protocol: map[string]string{}}
	var protocolSource [][2]string
	if scheme, rest, _ := strings.Cut(r.Header.Get("Authorization"), " "); strings.EqualFold(scheme, "OAuth") {
		params, ok := parseOAuthHeader(rest)
		if !ok {
			return req, refusedOAuth(problemParameterRejected)
		}
		for _, kv := range params {
			if kv[0] != "realm" {
				protocolSource = append(protocolSource, kv)
			}
		}
	}
	query, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return req, refusedOAuth(problemParameterRejected)
	}
	other := valuePairs(query)
	if bareMediaType(r.Header.Get("Content-Type")) == "application/x-www-form-urlencoded" && r.Body != nil {
		data, err := io.ReadAll(r.Body)
		if err != nil {
			return req, refusedOAuth(problemParameterRejected)
		}
		r.Body = io.NopCloser(bytes.NewReader(data))
		form, err := url.ParseQuery(string(data))
		if err != nil {
			return req, refusedOAuth(problemParameterRejected)
		}
		other = append(other, valuePairs(form)...)
	}
	if protocolSource == nil {
		// No header: the protocol parameters travel with the others.
		for _, kv := range other {
			if strings.HasPrefix(kv[0], "oauth_") {
				protocolSource = append(protocolSource, kv)
			}
		}
		other = slices.DeleteFunc(other, func(kv [2]string) bool { return strings.HasPrefix(kv[0], "oauth_") })
	}
	for _, kv := range protocolSource {
		if _, seen := req.protocol[kv[0]]; seen {
			return req, refusedOAuth(problemParameterRejected, [2]string{"oauth_parameters_rejected", kv[0]})
		}
		req.protocol[kv[0]] = kv[1]
		if kv[0] != "oauth_signature" {
			req.signed = append(req.signed, kv)
		}
	}
	req.signed = append(req.signed, other...)
	return req, nil
}

func valuePairs(values url.Values) [][2]string {
	var pairs [][2]string
	for name, list := range values {
		for _, v := range list {
			pairs = append(pairs, [2]string{name, v})
		}
	}
	return pairs
}

// parseOAuthHeader reads the comma-separated name="value" list after the
// scheme; names and values are percent-encoded (RFC 5849 §3.5.1).
func parseOAuthHeader(s string) ([][2]string, bool) {
	var params [][2]string
	for _, item := range strings.Split(s, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		name, quoted, ok := strings.Cut(item, "=")
		if !ok || len(quoted) < 2 || quoted[0] != '"' || quoted[len(quoted)-1] != '"' {
			return nil, false
		}
		name, err := url.PathUnescape(strings.TrimSpace(name))
		if err != nil {
			return nil, false
		}
		value, err := url.PathUnescape(quoted[1 : len(quoted)-1])
		if err != nil {
			return nil, false
		}
		params = append(params, [2]string{name, value})
	}
	return params, true
}

// oauthEncode is RFC 5849 §3.6: everything but ALPHA, DIGIT and "-._~"
// becomes %XX with upper-case hex digits.
func oauthEncode(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '-', c == '.', c == '_', c == '~':
			b.WriteByte(c)
		default:
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&0x0f])
		}
	}
	return b.String()
}

// signatureBaseString is RFC 5849 §3.4.1. Inferred: the base string URI is
// the request's own (Host header and path as sent), not the configured
// base URL.
func signatureBaseString(r *http.Request, params [][2]string) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	host := strings.ToLower(r.Host)
	if scheme == "http" {
		host = strings.TrimSuffix(host, ":80")
	} else {
		host = strings.TrimSuffix(host, ":443")
	}
	// Parameters sort by encoded name, then encoded value (RFC 5849 §3.4.1.3.2).
	encoded := make([][2]string, len(params))
	for i, kv := range params {
		encoded[i] = [2]string{oauthEncode(kv[0]), oauthEncode(kv[1])}
	}
	slices.SortFunc(encoded, func(a, b [2]string) int {
		if c := strings.Compare(a[0], b[0]); c != 0 {
			return c
		}
		return strings.Compare(a[1], b[1])
	})
	pairs := make([]string, len(encoded))
	for i, kv := range encoded {
		pairs[i] = kv[0] + "=" + kv[1]
	}
	return strings.ToUpper(r.Method) + "&" + oauthEncode(scheme+"://"+host+r.URL.EscapedPath()) + "&" +
		oauthEncode(strings.Join(pairs, "&"))
}

// incomingConsumers returns copies of the incoming consumers with the key,
// one per link that holds one.
func (i *Instance) incomingConsumers(key string) []storedConsumer {
	var found []storedConsumer
	i.store.View(func(st *state) {
		for _, l := range st.Links {
			if c := l.IncomingConsumer; c != nil && c.Key == key {
				found = append(found, *c)
			}
		}
	})
	return found
}

// verifyOAuthRequest checks a signed request and returns the user it acts
// as; nil with no error is a two-legged request with no executing user,
// which runs anonymously (Inferred).
func (i *Instance) verifyOAuthRequest(r *http.Request, now time.Time) (*user, error) {
	req, problem := parseOAuthRequest(r)
	if problem != nil {
		return nil, problem
	}
	p := req.protocol
	var absent []string
	for _, name := range []string{"oauth_consumer_key", "oauth_signature_method", "oauth_signature", "oauth_timestamp", "oauth_nonce"} {
		if p[name] == "" {
			absent = append(absent, name)
		}
	}
	if len(absent) > 0 {
		return nil, refusedOAuth(problemParameterAbsent, [2]string{"oauth_parameters_absent", strings.Join(absent, "&")})
	}
	consumers := i.incomingConsumers(p["oauth_consumer_key"])
	if len(consumers) == 0 {
		return nil, refusedOAuth(problemConsumerUnknown)
	}
	if version, ok := p["oauth_version"]; ok && version != "1.0" {
		return nil, refusedOAuth(problemVersionRejected, [2]string{"oauth_acceptable_versions", "1.0-1.0"})
	}
	if p["oauth_signature_method"] != "RSA-SHA1" {
		return nil, refusedOAuth(problemMethodRejected, [2]string{"oauth_acceptable_signature_methods", "RSA-SHA1"})
	}
	timestamp, err := strconv.ParseInt(p["oauth_timestamp"], 10, 64)
	if err != nil {
		return nil, refusedOAuth(problemParameterRejected, [2]string{"oauth_parameters_rejected", "oauth_timestamp"})
	}
	window := int64(oauthTimestampWindow / time.Second)
	if nowSeconds := now.Unix(); timestamp < nowSeconds-window || timestamp > nowSeconds+window {
		return nil, refusedOAuth(problemTimestampRefused,
			[2]string{"oauth_acceptable_timestamps", strconv.FormatInt(nowSeconds-window, 10) + "-" + strconv.FormatInt(nowSeconds+window, 10)})
	}
	consumer, ok := verifyRSASHA1(consumers, signatureBaseString(r, req.signed), p["oauth_signature"])
	if !ok {
		return nil, refusedOAuth(problemSignatureInvalid)
	}
	// Only a request that proved its signature may use up a nonce, so that
	// forged requests cannot burn the nonces of genuine ones.
	if !usedNonces.use(i.serverID, consumer.Key, p["oauth_nonce"], timestamp, now) {
		return nil, refusedOAuth(problemNonceUsed)
	}
	if p["oauth_token"] != "" {
		return nil, refusedOAuth(problemTokenRejected)
	}
	return i.twoLeggedUser(consumer, req.param("xoauth_requestor_id"))
}

// param returns the first value of a signed parameter: xoauth_requestor_id
// travels in the query string as often as in the Authorization header.
func (req oauthRequest) param(name string) string {
	for _, kv := range req.signed {
		if kv[0] == name {
			return kv[1]
		}
	}
	return ""
}

// verifyRSASHA1 returns the consumer whose public key verifies the
// signature over base.
func verifyRSASHA1(consumers []storedConsumer, base, signature string) (storedConsumer, bool) {
	sig, err := base64.StdEncoding.DecodeString(signature)
	if err != nil {
		return storedConsumer{}, false
	}
	digest := sha1.Sum([]byte(base)) //nolint:gosec // RSA-SHA1 is the protocol's
	for _, c := range consumers {
		key, err := parsePublicKey(c.PublicKey)
		if err != nil {
			continue
		}
		if verifyPKCS1v15SHA1(key, digest[:], sig) {
			return c, true
		}
	}
	return storedConsumer{}, false
}

// sha1DigestInfo is the DER prefix of a SHA-1 DigestInfo (RFC 8017 §9.2).
var sha1DigestInfo = []byte{0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00, 0x04, 0x14}

// verifyPKCS1v15SHA1 checks an RSA-SHA1 signature as Java's SHA1withRSA
// does, for every key length Java takes (512 bits and up, design/api.md
// §6.1). crypto/rsa refuses keys under 1024 bits since Go 1.24, which would
// fail every request of a consumer the products serve; below that length
// the check is done here by the RFC 8017 §8.2.2 steps. A signature is
// public, so nothing here needs to run in constant time.
func verifyPKCS1v15SHA1(key *rsa.PublicKey, digest, sig []byte) bool {
	if key.N.BitLen() >= 1024 {
		return rsa.VerifyPKCS1v15(key, crypto.SHA1, digest, sig) == nil
	}
	k := (key.N.BitLen() + 7) / 8
	if len(sig) != k || k < len(sha1DigestInfo)+len(digest)+11 {
		return false
	}
	s := new(big.Int).SetBytes(sig)
	if s.Cmp(key.N) >= 0 {
		return false
	}
	em := new(big.Int).Exp(s, big.NewInt(int64(key.E)), key.N).FillBytes(make([]byte, k))
	want := make([]byte, 0, k)
	want = append(want, 0x00, 0x01)
	want = append(want, bytes.Repeat([]byte{0xff}, k-3-len(sha1DigestInfo)-len(digest))...)
	want = append(want, 0x00)
	want = append(append(want, sha1DigestInfo...), digest...)
	return bytes.Equal(em, want)
}

// twoLeggedUser decides whom a two-legged request acts as: the requestor
// when there is one, which the consumer must be allowed to impersonate
// (twoLOImpersonationAllowed), else its executing user. A refused
// impersonation does not fall back to the executing user.
func (i *Instance) twoLeggedUser(c storedConsumer, requestor string) (*user, error) {
	name := c.ExecutingTwoLOUser
	switch {
	case requestor != "" && !c.TwoLOImpersonationAllowed:
		return nil, refusedOAuth(problemPermissionDenied)
	case requestor != "":
		name = requestor
	case !c.TwoLOAllowed:
		return nil, refusedOAuth(problemPermissionDenied)
	}
	if name == "" {
		return nil, nil
	}
	u := i.users.byName(name)
	if u == nil {
		return nil, refusedOAuth(problemUserRefused)
	}
	return u, nil
}

// nonceCache remembers the nonces of verified requests until their
// timestamp leaves the window, after which the timestamp check refuses a
// replay anyway. It is shared by all instances (keyed by server ID), so it
// also outlives an instance restarted on the same state.
type nonceCache struct {
	mu   sync.Mutex
	seen map[nonceKey]int64 // nonce → its request's timestamp
}

type nonceKey struct {
	serverID, consumerKey, nonce string
	timestamp                    int64
}

var usedNonces = &nonceCache{seen: map[nonceKey]int64{}}

// use records the nonce and reports whether it was new.
func (c *nonceCache) use(serverID, consumerKey, nonce string, timestamp int64, now time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	oldest := now.Add(-oauthTimestampWindow).Unix()
	for k, ts := range c.seen {
		if ts < oldest {
			delete(c.seen, k)
		}
	}
	key := nonceKey{serverID: serverID, consumerKey: consumerKey, nonce: nonce, timestamp: timestamp}
	if _, replayed := c.seen[key]; replayed {
		return false
	}
	c.seen[key] = timestamp
	return true
}
