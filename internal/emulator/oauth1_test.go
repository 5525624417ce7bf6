package emulator

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1" //nolint:gosec // RSA-SHA1 is OAuth 1.0a's
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// testKeys are RSA keys shared by the package's tests: generating one
// takes long enough under -race to matter.
var (
	testKeysOnce sync.Once
	testKeys     [2]*rsa.PrivateKey
)

func testKey(t *testing.T, i int) *rsa.PrivateKey {
	t.Helper()
	testKeysOnce.Do(func() {
		for n := range testKeys {
			key, err := rsa.GenerateKey(rand.Reader, 2048)
			if err != nil {
				panic(err)
			}
			testKeys[n] = key
		}
	})
	return testKeys[i]
}

func publicKeyDER(t *testing.T, key *rsa.PrivateKey) []byte {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

func publicKeyPEM(t *testing.T, key *rsa.PrivateKey) string {
	t.Helper()
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: publicKeyDER(t, key)}))
}

// signedRequest is a two-legged OAuth request as a third-party
// application sends it. The signer below is written apart from the
// emulator's verifier (its own encoding and sorting), so a mistake in one
// is not repeated in the other.
type signedRequest struct {
	method, rawURL string
	consumerKey    string
	key            *rsa.PrivateKey
	// protocol overrides or adds oauth_* parameters ("" value removes one).
	protocol map[string]string
	// inQuery sends the protocol parameters in the query string instead of
	// the Authorization header.
	inQuery bool
	// sentURL, when set, is requested instead of rawURL (to tamper).
	sentURL string
}

func testPercentEncode(s string) string {
	// QueryEscape leaves "-._~" and alphanumerics alone and writes a space
	// as "+", which OAuth wants as %20.
	return strings.ReplaceAll(url.QueryEscape(s), "+", "%20")
}

func (s signedRequest) build(t *testing.T) *http.Request {
	t.Helper()
	params := map[string]string{
		"oauth_consumer_key":     s.consumerKey,
		"oauth_signature_method": "RSA-SHA1",
		"oauth_timestamp":        strconv.FormatInt(time.Now().Unix(), 10),
		"oauth_nonce":            strconv.FormatInt(time.Now().UnixNano(), 36) + fmt.Sprint(nonceCounter.next()),
		"oauth_version":          "1.0",
	}
	for k, v := range s.protocol {
		if v == "" {
			delete(params, k)
		} else {
			params[k] = v
		}
	}
	u, err := url.Parse(s.rawURL)
	if err != nil {
		t.Fatal(err)
	}
	var all []string
	for k, v := range params {
		all = append(all, testPercentEncode(k)+"="+testPercentEncode(v))
	}
	for k, vs := range u.Query() {
		for _, v := range vs {
			all = append(all, testPercentEncode(k)+"="+testPercentEncode(v))
		}
	}
	sort.Strings(all) // the tests use names for which this equals name-then-value order
	base := s.method + "&" + testPercentEncode(u.Scheme+"://"+u.Host+u.EscapedPath()) + "&" + testPercentEncode(strings.Join(all, "&"))
	digest := sha1.Sum([]byte(base)) //nolint:gosec // the protocol's
	sig, err := signPKCS1v15SHA1(s.key, digest[:])
	if err != nil {
		t.Fatal(err)
	}
	if _, overridden := s.protocol["oauth_signature"]; !overridden {
		params["oauth_signature"] = base64.StdEncoding.EncodeToString(sig)
	}

	target := s.rawURL
	if s.sentURL != "" {
		target = s.sentURL
	}
	if s.inQuery {
		q := url.Values{}
		for k, v := range params {
			q.Set(k, v)
		}
		for k, vs := range u.Query() {
			q[k] = vs
		}
		target = strings.SplitN(target, "?", 2)[0] + "?" + q.Encode()
	}
	req, err := http.NewRequest(s.method, target, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !s.inQuery {
		var parts []string
		for k, v := range params {
			parts = append(parts, k+`="`+testPercentEncode(v)+`"`)
		}
		sort.Strings(parts)
		req.Header.Set("Authorization", `OAuth realm="test", `+strings.Join(parts, ", "))
	}
	req.Header.Set("Accept", "application/json")
	return req
}

// signPKCS1v15SHA1 signs as Java's SHA1withRSA does for every key Java
// takes; crypto/rsa refuses keys under 1024 bits, so those are signed by
// the RFC 8017 §8.2.1 steps.
func signPKCS1v15SHA1(key *rsa.PrivateKey, digest []byte) ([]byte, error) {
	if key.N.BitLen() >= 1024 {
		return rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA1, digest)
	}
	k := (key.N.BitLen() + 7) / 8
	prefix := []byte{0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00, 0x04, 0x14}
	em := append([]byte{0x00, 0x01}, bytes.Repeat([]byte{0xff}, k-3-len(prefix)-len(digest))...)
	em = append(append(append(em, 0x00), prefix...), digest...)
	sig := new(big.Int).Exp(new(big.Int).SetBytes(em), key.D, key.N)
	return sig.FillBytes(make([]byte, k)), nil
}

// shortTestKeyPEM is a 512-bit RSA key, the shortest Java takes: Go
// generates none that short without GODEBUG=rsa1024min=0.
const shortTestKeyPEM = `-----BEGIN PRIVATE KEY-----
MIIBVAIBADANBgkqhkiG9w0BAQEFAASCAT4wggE6AgEAAkEAwoqYy0sRYwrbGtHt
jnY0F4Ig67I+Sj6PRi1lbzijcvHYVZJNADpwhkFRNzBh5O0IsZ6XeXFaoGAdoYIF
Fug80wIDAQABAkAA083VaTj/KLIysXx3388qAKrN3QlOi6Jnu122/t9C0z5OI5gJ
pL6gHjV3rvoADqGr3fPraxMU+byE4ErrsV0pAiEA5qG+siMGfiiCKKO+aQa6m7fB
1KCYOAtndkXWUtDRNu8CIQDX8Jku4x8E3K3e6OaS/nb/kv3k5SEvuwDcYi8jH004
XQIgRvvjYJqNJgk7vlxff53Vk5XkL5haIW3JI0rtY0HoErsCIQCcTuWjQfY/H7qg
A3h76MScpXsxSAZotXWfEVdLlingZQIgVGBhgNPsncJGdnJXFUvFfrs+LUo2+yfK
VQtaqmyp6sQ=
-----END PRIVATE KEY-----
`

// The products parse a consumer's key with Java's RSA KeyFactory, which
// takes keys of 512 bits and more, and verify with SHA1withRSA, which has
// no minimum of its own: a 512-bit consumer works, a shorter key is
// refused when it is stored (design/api.md §6.1).
func TestOAuthConsumerKeyLengths(t *testing.T) {
	srv := startTestServer(t, Options{}, nil, loopback("jira", "jira"))
	jira := srv.Instance("jira")
	block, _ := pem.Decode([]byte(shortTestKeyPEM))
	parsed, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	short, _ := parsed.(*rsa.PrivateKey)
	if short == nil || short.N.BitLen() != 512 {
		t.Fatalf("the short test key is not a 512-bit RSA key: %T", parsed)
	}
	linkID := createLink(t, jira, linkBody("generic", "CI", "https://ci.example.com"))
	putConsumer(t, jira, linkID, consumerBody("ci-key", publicKeyPEM(t, short), `,"twoLOAllowed":true,"executingTwoLOUser":"user"`))
	req := signedRequest{method: http.MethodGet, rawURL: jira.URL() + "/rest/api/2/myself", consumerKey: "ci-key", key: short}.build(t)
	status, header, body := do(t, req)
	if status != http.StatusOK {
		t.Fatalf("a request signed with the 512-bit key: status %d, WWW-Authenticate %q, body %s; want 200", status, header, body)
	}

	tooShort := &rsa.PrivateKey{PublicKey: rsa.PublicKey{N: new(big.Int).Lsh(big.NewInt(1), 383), E: 65537}}
	tooShort.N.Add(tooShort.N, big.NewInt(1))
	otherLink := createLink(t, jira, linkBody("generic", "Build", "https://build.example.com"))
	got := expect(t, jira.URL(), jsonCall(http.MethodPut, "/rest/applinks-oauth/1.0/applicationlink/"+otherLink+"/authentication/consumer",
		"admin", consumerBody("build-key", publicKeyPEM(t, tooShort))), http.StatusBadRequest)
	if want := "is not a valid RSA public key."; !strings.Contains(got, want) {
		t.Errorf("a 384-bit key: body %s, want one saying %q", got, want)
	}
}

var nonceCounter counter

type counter struct {
	mu sync.Mutex
	n  int
}

func (c *counter) next() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n++
	return c.n
}

// do sends req and returns the status, the WWW-Authenticate header and
// the body.
func do(t *testing.T, req *http.Request) (int, string, string) {
	t.Helper()
	resp, err := testClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header.Get("WWW-Authenticate"), string(body)
}

// RFC 5849 §3.4.1.1's worked example: parameters from the header, the
// query and a form body, encoded, sorted and joined.
func TestSignatureBaseStringRFC5849Example(t *testing.T) {
	t.Parallel()
	r := httptest.NewRequest(http.MethodPost, "http://example.com/request?b5=%3D%253D&a3=a&c%40=&a2=r%20b", strings.NewReader("c2&a3=2+q"))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("Authorization", `OAuth realm="Example", oauth_consumer_key="9djdj82h48djs9d2", oauth_token="kkk9d7dh3k39sjv7", `+
		`oauth_signature_method="HMAC-SHA1", oauth_timestamp="137131201", oauth_nonce="7d8f3e4a", oauth_signature="bYT5CMsGcbgUdFHObYMEfcx6bsw%3D"`)
	req, problem := parseOAuthRequest(r)
	if problem != nil {
		t.Fatal(problem)
	}
	want := "POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q%26a3%3Da%26b5%3D%253D%25253D%26c%2540%3D%26c2%3D%26" +
		"oauth_consumer_key%3D9djdj82h48djs9d2%26oauth_nonce%3D7d8f3e4a%26oauth_signature_method%3DHMAC-SHA1%26" +
		"oauth_timestamp%3D137131201%26oauth_token%3Dkkk9d7dh3k39sjv7"
	if got := signatureBaseString(r, req.signed); got != want {
		t.Errorf("base string\n got %s\nwant %s", got, want)
	}
	if req.protocol["oauth_signature"] != "bYT5CMsGcbgUdFHObYMEfcx6bsw=" {
		t.Errorf("signature = %q, want it percent-decoded", req.protocol["oauth_signature"])
	}
	// The body is still there for the handler.
	if data := make([]byte, 9); true {
		n, _ := r.Body.Read(data)
		if string(data[:n]) != "c2&a3=2+q" {
			t.Errorf("body after parsing = %q", data[:n])
		}
	}
}

func TestOAuthEncode(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"Ladies + Gentlemen": "Ladies%20%2B%20Gentlemen",
		"Dogs, Cats & Mice":  "Dogs%2C%20Cats%20%26%20Mice",
		"-._~azAZ09":         "-._~azAZ09",
		"☃":                  "%E2%98%83",
		"a*b/c":              "a%2Ab%2Fc",
	} {
		if got := oauthEncode(in); got != want {
			t.Errorf("oauthEncode(%q) = %q, want %q", in, got, want)
		}
	}
}

// Parameters sort by name before value: "a" comes before "a1" although
// "a1=…" sorts before "a=…" as a string.
func TestSignatureBaseStringSortsByNameThenValue(t *testing.T) {
	t.Parallel()
	r := httptest.NewRequest(http.MethodGet, "http://h/p", nil)
	got := signatureBaseString(r, [][2]string{{"a1", "x"}, {"a", "z"}, {"a", "y"}})
	if want := "GET&http%3A%2F%2Fh%2Fp&a%3Dy%26a%3Dz%26a1%3Dx"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

func TestParseOAuthRequestRefusals(t *testing.T) {
	t.Parallel()
	for name, tt := range map[string]struct {
		header, query, problem string
	}{
		"unquoted header value": {header: `OAuth oauth_consumer_key=abc`, problem: problemParameterRejected},
		"duplicate parameter":   {header: `OAuth oauth_nonce="1", oauth_nonce="2"`, problem: problemParameterRejected},
		"bad escape":            {header: `OAuth oauth_nonce="%zz"`, problem: problemParameterRejected},
		"bad query":             {header: `OAuth oauth_nonce="1"`, query: "a=%zz", problem: problemParameterRejected},
	} {
		r := httptest.NewRequest(http.MethodGet, "http://h/p?"+tt.query, nil)
		r.Header.Set("Authorization", tt.header)
		if _, problem := parseOAuthRequest(r); problem == nil || problem.problem != tt.problem {
			t.Errorf("%s: problem %v, want %s", name, problem, tt.problem)
		}
	}
}

func TestNonceCacheForgetsExpiredNonces(t *testing.T) {
	t.Parallel()
	c := &nonceCache{seen: map[nonceKey]int64{}}
	now := time.Unix(1_000_000, 0)
	if !c.use("s", "k", "n", now.Unix(), now) || c.use("s", "k", "n", now.Unix(), now) {
		t.Fatal("a nonce must be accepted once and then refused")
	}
	if !c.use("other-server", "k", "n", now.Unix(), now) || !c.use("s", "k2", "n", now.Unix(), now) {
		t.Error("a nonce is per instance and consumer")
	}
	later := now.Add(oauthTimestampWindow + time.Second)
	c.use("s", "k", "fresh", later.Unix(), later)
	if len(c.seen) != 1 {
		t.Errorf("after the window, %d nonces are remembered, want only the fresh one", len(c.seen))
	}
}

// putConsumer stores an incoming consumer on a link through the REST API.
func putConsumer(t *testing.T, inst *Instance, id, body string) {
	t.Helper()
	expect(t, inst.URL(), jsonCall(http.MethodPut, "/rest/applinks-oauth/1.0/applicationlink/"+id+"/authentication/consumer", "admin", body), http.StatusCreated)
}

func consumerBody(key, publicKey string, extra ...string) string {
	encoded, _ := json.Marshal(publicKey)
	return fmt.Sprintf(`{"key":%q,"name":"CI","publicKey":%s%s}`, key, encoded, strings.Join(extra, ""))
}

func TestOAuthSignedRequests(t *testing.T) {
	srv := startTestServer(t, Options{}, nil, loopback("jira", "jira"),
		InstanceConfig{Name: "wiki", Type: "confluence", Addr: "127.0.0.1:0", ContextPath: "/wiki"})
	jira, wiki := srv.Instance("jira"), srv.Instance("wiki")
	good, other := testKey(t, 0), testKey(t, 1)
	linkID := createLink(t, jira, linkBody("generic", "CI", "https://ci.example.com"))
	putConsumer(t, jira, linkID, consumerBody("ci-key", publicKeyPEM(t, good), `,"twoLOAllowed":true,"executingTwoLOUser":"user"`))
	myself := jira.URL() + "/rest/api/2/myself"
	sign := func(s signedRequest) *http.Request {
		if s.method == "" {
			s.method = http.MethodGet
		}
		if s.rawURL == "" {
			s.rawURL = myself
		}
		if s.consumerKey == "" {
			s.consumerKey = "ci-key"
		}
		if s.key == nil {
			s.key = good
		}
		return s.build(t)
	}
	realm := `OAuth realm="` + jira.URL() + `", `

	acceptedAs := func(name string, req *http.Request, wantUser string) {
		t.Helper()
		status, _, body := do(t, req)
		if status != http.StatusOK {
			t.Fatalf("%s: status %d, body %s", name, status, body)
		}
		var me myselfEntity
		decodeJSON(t, body, &me)
		if me.Name != wantUser {
			t.Errorf("%s: acts as %q, want %q", name, me.Name, wantUser)
		}
	}
	// refused expects a 401 naming the problem (and the extra parameters)
	// in WWW-Authenticate and, first, in the body.
	refused := func(name string, req *http.Request, problem, extra string) {
		t.Helper()
		status, header, body := do(t, req)
		wantHeader := realm + `oauth_problem="` + problem + `"` + extra
		if status != http.StatusUnauthorized || header != wantHeader {
			t.Errorf("%s: status %d, WWW-Authenticate %q, want 401 and %q", name, status, header, wantHeader)
		}
		if !strings.HasPrefix(body, "oauth_problem="+problem) {
			t.Errorf("%s: body %q does not carry the problem", name, body)
		}
	}

	acceptedAs("two-legged as the executing user", sign(signedRequest{}), "user")
	acceptedAs("parameters in the query string", sign(signedRequest{inQuery: true}), "user")
	acceptedAs("query parameters are signed too", sign(signedRequest{rawURL: myself + "?expand=groups&a=b%20c"}), "user")
	// A requestor the consumer may not impersonate is refused, not ignored.
	refused("requestor without impersonation", sign(signedRequest{protocol: map[string]string{"xoauth_requestor_id": "admin"}}), "permission_denied", "")
	refused("requestor in the query without impersonation", sign(signedRequest{rawURL: myself + "?xoauth_requestor_id=admin"}), "permission_denied", "")

	replayed := sign(signedRequest{})
	acceptedAs("first use of a nonce", replayed, "user")
	refused("replayed nonce", replayed.Clone(replayed.Context()), "nonce_used", "")

	refused("another key", sign(signedRequest{key: other}), "signature_invalid", "")
	refused("tampered query", sign(signedRequest{rawURL: myself + "?a=1", sentURL: myself + "?a=2"}), "signature_invalid", "")
	refused("garbage signature", sign(signedRequest{protocol: map[string]string{"oauth_signature": "not base64!"}}), "signature_invalid", "")
	refused("unknown consumer", sign(signedRequest{consumerKey: "nobody"}), "consumer_key_unknown", "")
	stale := time.Now().Add(-10 * time.Minute).Unix()
	status, header, _ := do(t, sign(signedRequest{protocol: map[string]string{"oauth_timestamp": strconv.FormatInt(stale, 10)}}))
	if status != http.StatusUnauthorized || !strings.HasPrefix(header, realm+`oauth_problem="timestamp_refused", oauth_acceptable_timestamps="`) {
		t.Errorf("stale timestamp: %d %q", status, header)
	}
	refused("HMAC-SHA1", sign(signedRequest{protocol: map[string]string{"oauth_signature_method": "HMAC-SHA1"}}),
		"signature_method_rejected", `, oauth_acceptable_signature_methods="RSA-SHA1"`)
	refused("version 2.0", sign(signedRequest{protocol: map[string]string{"oauth_version": "2.0"}}),
		"version_rejected", `, oauth_acceptable_versions="1.0-1.0"`)
	refused("no nonce", sign(signedRequest{protocol: map[string]string{"oauth_nonce": ""}}),
		"parameter_absent", `, oauth_parameters_absent="oauth_nonce"`)
	refused("three-legged token", sign(signedRequest{protocol: map[string]string{"oauth_token": "t"}}), "token_rejected", "")

	// A signed request reaches admin endpoints when its user may.
	putConsumer(t, jira, linkID, consumerBody("ci-key", publicKeyPEM(t, good), `,"twoLOAllowed":true,"executingTwoLOUser":"admin"`))
	status, _, body := do(t, sign(signedRequest{rawURL: jira.URL() + "/rest/applinks/1.0/authenticationinfo"}))
	if status != http.StatusOK {
		t.Errorf("authenticationinfo as admin: %d %s", status, body)
	}

	// Impersonation: the requestor, who must exist.
	putConsumer(t, jira, linkID, consumerBody("ci-key", publicKeyPEM(t, good),
		`,"twoLOAllowed":true,"executingTwoLOUser":"user","twoLOImpersonationAllowed":true`))
	acceptedAs("impersonating", sign(signedRequest{protocol: map[string]string{"xoauth_requestor_id": "manager"}}), "manager")
	acceptedAs("requestor in the query", sign(signedRequest{rawURL: myself + "?xoauth_requestor_id=admin"}), "admin")
	acceptedAs("no requestor", sign(signedRequest{}), "user")
	refused("unknown requestor", sign(signedRequest{protocol: map[string]string{"xoauth_requestor_id": "ghost"}}), "user_refused", "")

	// Without an executing user a two-legged request is anonymous.
	putConsumer(t, jira, linkID, consumerBody("ci-key", publicKeyPEM(t, good), `,"twoLOAllowed":true`))
	status, _, body = do(t, sign(signedRequest{}))
	if status != http.StatusUnauthorized || !strings.Contains(body, msgAuthenticationRequired) {
		t.Errorf("anonymous two-legged request on /myself: %d %s", status, body)
	}

	// Without two-legged access nothing but three-legged requests pass.
	putConsumer(t, jira, linkID, consumerBody("ci-key", publicKeyPEM(t, good), `,"executingTwoLOUser":"user"`))
	refused("no two-legged access", sign(signedRequest{}), "permission_denied", "")

	// Removing the consumer (status API, incoming disabled) ends it all.
	expect(t, jira.URL(), jsonCall(http.MethodPut, "/rest/applinks/3.0/status/"+linkID+"/oauth", "admin",
		`{"incoming":{"enabled":false},"outgoing":{"enabled":false}}`), http.StatusNoContent)
	refused("removed consumer", sign(signedRequest{}), "consumer_key_unknown", "")

	// Under a context path the path signed includes it.
	wikiLink := createLink(t, wiki, linkBody("generic", "CI", "https://ci.example.com"))
	putConsumer(t, wiki, wikiLink, consumerBody("ci-key", publicKeyPEM(t, other), `,"twoLOAllowed":true,"executingTwoLOUser":"admin"`))
	acceptedAs("context path", sign(signedRequest{rawURL: wiki.URL() + "/rest/api/2/myself", key: other}), "admin")
}
