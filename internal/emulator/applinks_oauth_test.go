package emulator

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"strings"
	"testing"
)

const oauthBase = "/rest/applinks-oauth/1.0/applicationlink/"

// wireConsumer is ConsumerEntity as a client reads it; pointer fields tell
// an omitted field from an empty one.
type wireConsumer struct {
	Link []struct {
		Href string `json:"href"`
		Rel  string `json:"rel"`
	} `json:"link"`
	Key                       string  `json:"key"`
	Name                      string  `json:"name"`
	Description               *string `json:"description"`
	SignatureMethod           string  `json:"signatureMethod"`
	PublicKey                 *string `json:"publicKey"`
	SharedSecret              *string `json:"sharedSecret"`
	Callback                  *string `json:"callback"`
	TwoLOAllowed              *bool   `json:"twoLOAllowed"`
	ExecutingTwoLOUser        *string `json:"executingTwoLOUser"`
	TwoLOImpersonationAllowed *bool   `json:"twoLOImpersonationAllowed"`
	Outgoing                  *bool   `json:"outgoing"`
}

func getConsumers(t *testing.T, inst *Instance, id string) []wireConsumer {
	t.Helper()
	var list struct {
		Consumers []wireConsumer `json:"consumers"`
	}
	decodeJSON(t, expect(t, inst.URL(), jsonCall(http.MethodGet, oauthBase+id+"/authentication/consumer", "admin", ""), http.StatusOK), &list)
	return list.Consumers
}

func errorList(messages ...string) string {
	encoded, _ := json.Marshal(messages)
	return `{"status":400,"message":` + string(encoded) + `}`
}

func TestIncomingConsumerPublicKeys(t *testing.T) {
	jira := startTestServer(t, Options{}, nil, loopback("jira", "jira")).Instance("jira")
	id := createLink(t, jira, linkBody("generic", "CI", "https://ci.example.com"))
	key := testKey(t, 0)
	bare := base64.StdEncoding.EncodeToString(publicKeyDER(t, key))
	pemText := publicKeyPEM(t, key)
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ecDER, _ := x509.MarshalPKIXPublicKey(&ecKey.PublicKey)
	pkcs1 := pem.EncodeToMemory(&pem.Block{Type: "RSA PUBLIC KEY", Bytes: x509.MarshalPKCS1PublicKey(&key.PublicKey)})

	// Every spelling of the key is stored as the bare base64 of its DER.
	for name, spelling := range map[string]string{
		"PEM":                   pemText,
		"PEM on one line":       strings.ReplaceAll(pemText, "\n", ""),
		"PEM with CRLF":         strings.ReplaceAll(pemText, "\n", "\r\n"),
		"bare base64":           bare,
		"bare, wrapped":         bare[:64] + "\n" + bare[64:128] + "\n  " + bare[128:],
		"bare, without padding": strings.TrimRight(bare, "="),
	} {
		putConsumer(t, jira, id, consumerBody("ci", spelling))
		got := getConsumers(t, jira, id)
		if len(got) != 1 || got[0].PublicKey == nil || *got[0].PublicKey != bare {
			t.Errorf("%s: consumers %+v, want the key as %s", name, got, bare)
		}
	}

	invalid := errorList("The public key of the consumer for application link " + id + " is not a valid RSA public key.")
	path := oauthBase + id + "/authentication/consumer"
	for name, tt := range map[string]struct {
		body, want string
		status     int
	}{
		"not base64":          {consumerBody("ci", "not a key!"), invalid, http.StatusBadRequest},
		"base64 of garbage":   {consumerBody("ci", "Z2FyYmFnZQ=="), invalid, http.StatusBadRequest},
		"an EC key":           {consumerBody("ci", base64.StdEncoding.EncodeToString(ecDER)), invalid, http.StatusBadRequest},
		"a PKCS#1 RSA key":    {consumerBody("ci", string(pkcs1)), invalid, http.StatusBadRequest},
		"no public key":       {`{"key":"ci","name":"CI"}`, errorList(msgPublicKeyMissing), http.StatusBadRequest},
		"nothing at all":      {`{"name":"CI"}`, errorList(msgConsumerKeyRequired, msgPublicKeyMissing), http.StatusBadRequest},
		"no name is an NPE":   {`{"key":"ci","publicKey":"` + bare + `"}`, "", http.StatusInternalServerError},
		"outgoing, no secret": {`{"key":"ci","outgoing":true}`, errorList(msgConsumerNameRequired, msgSharedSecretRequired), http.StatusBadRequest},
	} {
		resp, body := send(t, jira.URL(), jsonCall(http.MethodPut, path, "admin", tt.body))
		if resp.StatusCode != tt.status || tt.want != "" && body != tt.want {
			t.Errorf("%s: %d %s, want %d %s", name, resp.StatusCode, body, tt.status, tt.want)
		}
	}
	// A refused PUT leaves the stored consumer alone.
	if got := getConsumers(t, jira, id); len(got) != 1 || *got[0].PublicKey != bare {
		t.Errorf("after refused PUTs: %+v", got)
	}
}

func TestConsumersOfAGenericLink(t *testing.T) {
	jira := startTestServer(t, Options{}, nil, loopback("jira", "jira")).Instance("jira")
	id := createLink(t, jira, linkBody("generic", "CI", "https://ci.example.com"))
	unknown := "00000000-0000-4000-8000-000000000000"
	bare := base64.StdEncoding.EncodeToString(publicKeyDER(t, testKey(t, 0)))
	path := oauthBase + id + "/authentication/consumer"

	// 404s, told apart only by their text.
	for _, tt := range []struct{ path, want string }{
		{oauthBase + unknown + "/authentication/consumer", `{"status-code":404,"message":"No application link with id ` + unknown + ` found."}`},
		{oauthBase + "nope/authentication", `{"status-code":404,"message":"No application link with id nope found."}`},
		{path, `{"status-code":404,"message":"Configure an authentication provider for the generic application link ` + id + ` first."}`},
	} {
		if body := expect(t, jira.URL(), jsonCall(http.MethodGet, tt.path, "admin", ""), http.StatusNotFound); body != tt.want {
			t.Errorf("GET %s: %s, want %s", tt.path, body, tt.want)
		}
	}

	// Incoming with every field, as design/api.md's body lists them.
	body := expect(t, jira.URL(), jsonCall(http.MethodPut, path, "admin", `{"key":"ci-in","name":"CI","description":"Jenkins","publicKey":"`+bare+
		`","callback":"https://ci.example.com/cb","twoLOAllowed":true,"executingTwoLOUser":"user","twoLOImpersonationAllowed":true}`), http.StatusCreated)
	if want := `{"status-code":201,"resources-created":[{"href":"applicationlink/` + id + `/authentication/consumer","rel":"self"}]}`; body != want {
		t.Errorf("PUT: %s, want %s", body, want)
	}
	// Outgoing: an HMAC consumer with a shared secret, which is never shown.
	expect(t, jira.URL(), jsonCall(http.MethodPut, path, "admin", `{"key":"ci-out","name":"Jira at CI","sharedSecret":"s3cret","outgoing":true}`), http.StatusCreated)
	got := getConsumers(t, jira, id)
	if len(got) != 1 {
		t.Fatalf("without a provider naming it, the outgoing consumer is not listed: %+v", got)
	}
	in := got[0]
	if in.Key != "ci-in" || in.SignatureMethod != "RSA_SHA1" || *in.Description != "Jenkins" || *in.Callback != "https://ci.example.com/cb" ||
		!*in.TwoLOAllowed || *in.ExecutingTwoLOUser != "user" || !*in.TwoLOImpersonationAllowed || *in.Outgoing ||
		len(in.Link) != 1 || in.Link[0].Href != "applicationlink/"+id+"/authentication/consumer" {
		t.Errorf("incoming consumer %+v", in)
	}

	expect(t, jira.URL(), jsonCall(http.MethodPut, "/rest/applinks/2.0/applicationlink/"+id+"/authentication/provider", "admin",
		`{"provider":"`+providerOAuth+`","config":{"consumerKey.outbound":"ci-out","serviceProvider.requestTokenUrl":"/oauth/request"}}`), http.StatusCreated)
	got = getConsumers(t, jira, id)
	if len(got) != 2 {
		t.Fatalf("consumers %+v, want incoming and outgoing", got)
	}
	out := got[1]
	if out.Key != "ci-out" || out.Name != "Jira at CI" || out.SignatureMethod != "HMAC_SHA1" || out.PublicKey != nil || out.SharedSecret != nil || out.Description != nil {
		t.Errorf("outgoing consumer %+v", out)
	}
	raw := expect(t, jira.URL(), jsonCall(http.MethodGet, oauthBase+id+"/authentication/consumer", "admin", ""), http.StatusOK)
	if strings.Contains(raw, "s3cret") {
		t.Errorf("the shared secret is returned: %s", raw)
	}

	var auth struct {
		Link                    []map[string]string `json:"link"`
		ConfiguredAuthProviders []struct {
			Provider string            `json:"provider"`
			Config   map[string]string `json:"config"`
		} `json:"configuredAuthProviders"`
		Consumers []wireConsumer `json:"consumers"`
	}
	decodeJSON(t, expect(t, jira.URL(), jsonCall(http.MethodGet, "/rest/applinks-oauth/latest/applicationlink/"+id+"/authentication", "admin", ""), http.StatusOK), &auth)
	if len(auth.Link) != 1 || auth.Link[0]["href"] != "applicationlink/"+id+"/authentication" || len(auth.ConfiguredAuthProviders) != 1 ||
		auth.ConfiguredAuthProviders[0].Config["consumerKey.outbound"] != "ci-out" || len(auth.Consumers) != 2 {
		t.Errorf("authentication %+v", auth)
	}

	// Disabling outgoing OAuth unregisters the provider and with it the
	// way to the outgoing consumer; the incoming one stays.
	expect(t, jira.URL(), jsonCall(http.MethodPut, "/rest/applinks/3.0/status/"+id+"/oauth", "admin",
		`{"incoming":{"enabled":true,"twoLoEnabled":true,"twoLoImpersonationEnabled":true},"outgoing":{"enabled":false}}`), http.StatusNoContent)
	if got := getConsumers(t, jira, id); len(got) != 1 || got[0].Key != "ci-in" || *got[0].ExecutingTwoLOUser != "user" {
		t.Errorf("after disabling outgoing: %+v", got)
	}
	// Disabling incoming removes the incoming consumer.
	expect(t, jira.URL(), jsonCall(http.MethodPut, "/rest/applinks/3.0/status/"+id+"/oauth", "admin",
		`{"incoming":{"enabled":false},"outgoing":{"enabled":false}}`), http.StatusNoContent)
	expect(t, jira.URL(), jsonCall(http.MethodGet, path, "admin", ""), http.StatusNotFound)

	// XML when the client states no preference.
	putConsumer(t, jira, id, consumerBody("ci-in", bare))
	resp, xmlBody := send(t, jira.URL(), testRequest{path: path, user: "admin"})
	if ct := resp.Header.Get("Content-Type"); ct != contentTypeXML || !strings.Contains(xmlBody, "<consumers><consumers><link href=\"applicationlink/"+id+"/authentication/consumer\" rel=\"self\"></link><key>ci-in</key>") {
		t.Errorf("XML: %s %s", ct, xmlBody)
	}
}

func TestConsumersOfAnAtlassianLink(t *testing.T) {
	jira := startTestServer(t, Options{}, nil, loopback("jira", "jira")).Instance("jira")
	wiki := startTestServer(t, Options{}, nil, loopback("wiki", "confluence")).Instance("wiki")
	id := createLink(t, jira, linkBody("confluence", "Wiki", wiki.URL(), `"id":"`+wiki.ServerID()+`"`))
	downID := createLink(t, jira, linkBody("confluence", "Gone", closedURL(t)))
	path := oauthBase + id + "/authentication/consumer"
	bare := base64.StdEncoding.EncodeToString(publicKeyDER(t, testKey(t, 1)))

	if body := expect(t, jira.URL(), jsonCall(http.MethodGet, path, "admin", ""), http.StatusNotFound); !strings.Contains(body, "No OAuth consumer is configured") {
		t.Errorf("no consumer: %s", body)
	}
	// Manual entry needs key, name and key, and ignores "outgoing".
	if body := expect(t, jira.URL(), jsonCall(http.MethodPut, path, "admin", `{"outgoing":true,"sharedSecret":"x"}`), http.StatusBadRequest); body != errorList(msgConsumerKeyRequired, msgConsumerNameRequired, msgPublicKeyRequired) {
		t.Errorf("manual entry without fields: %s", body)
	}
	putConsumer(t, jira, id, `{"key":"manual","name":"Wiki","publicKey":"`+bare+`","twoLOAllowed":true,"executingTwoLOUser":"admin"}`)
	if got := getConsumers(t, jira, id); len(got) != 1 || got[0].Key != "manual" || *got[0].ExecutingTwoLOUser != "admin" {
		t.Errorf("manual consumer: %+v", got)
	}

	// autoConfigure takes key and public key from the peer's consumer info
	// and the 2LO settings from the body, impersonation with no sysadmin.
	expect(t, jira.URL(), jsonCall(http.MethodPut, path+"?autoConfigure=true", "manager",
		`{"twoLOAllowed":true,"executingTwoLOUser":"user","twoLOImpersonationAllowed":true}`), http.StatusCreated)
	got := getConsumers(t, jira, id)
	wikiKey := base64.StdEncoding.EncodeToString(publicKeyDERFromPrivate(t, wiki))
	if len(got) != 1 || got[0].Key != consumerKey("confluence", wiki.ServerID()) || got[0].Name != "Confluence" || *got[0].PublicKey != wikiKey ||
		!*got[0].TwoLOImpersonationAllowed || *got[0].ExecutingTwoLOUser != "user" {
		t.Errorf("auto-configured consumer: %+v", got)
	}
	body := expect(t, jira.URL(), jsonCall(http.MethodPut, oauthBase+downID+"/authentication/consumer?autoConfigure=true", "admin", `{}`), http.StatusInternalServerError)
	if body != `{"status-code":500,"message":"`+msgAutoConfigureNoConsumer+`"}` {
		t.Errorf("autoConfigure with the peer down: %s", body)
	}

	// The admin interceptor: 401 for non-admins.
	expect(t, jira.URL(), jsonCall(http.MethodGet, path, "user", ""), http.StatusUnauthorized)
	expect(t, jira.URL(), jsonCall(http.MethodPut, path, "user", `{}`), http.StatusUnauthorized)
}

func publicKeyDERFromPrivate(t *testing.T, inst *Instance) []byte {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(&inst.privateKey.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

func TestConsumerToken(t *testing.T) {
	jira := startTestServer(t, Options{}, nil, loopback("jira", "jira")).Instance("jira")
	id := createLink(t, jira, linkBody("generic", "CI", "https://ci.example.com"))
	for _, tt := range []struct {
		path, user string
		want       int
	}{
		{"/rest/applinks-oauth/1.0/consumer-token/" + id, "admin", http.StatusNoContent},
		{"/rest/applinks-oauth/latest/consumer-token/" + id, "manager", http.StatusNoContent},
		{"/rest/applinks-oauth/1.0/consumer-token/nope", "admin", http.StatusBadRequest},
		{"/rest/applinks-oauth/1.0/consumer-token/" + id, "user", http.StatusUnauthorized},
		{"/rest/applinks-oauth/1.0/consumer-token/" + id, "", http.StatusUnauthorized},
	} {
		expect(t, jira.URL(), jsonCall(http.MethodDelete, tt.path, tt.user, ""), tt.want)
	}
}

// The module extends v1's applicationlink resource (design/api.md §6.1, Inferred).
func TestApplinksOAuthServesV1ApplicationLinks(t *testing.T) {
	jira := startTestServer(t, Options{}, nil, loopback("jira", "jira")).Instance("jira")
	id := createLink(t, jira, linkBody("generic", "CI", "https://ci.example.com"))
	var list struct {
		ApplicationLinks []struct {
			ID   string `json:"id"`
			Link []struct {
				Href string `json:"href"`
			} `json:"link"`
		} `json:"applicationLinks"`
	}
	decodeJSON(t, expect(t, jira.URL(), jsonCall(http.MethodGet, "/rest/applinks-oauth/1.0/applicationlink", "admin", ""), http.StatusOK), &list)
	if len(list.ApplicationLinks) != 1 || list.ApplicationLinks[0].ID != id ||
		list.ApplicationLinks[0].Link[0].Href != jira.URL()+"/rest/applinks-oauth/1.0/applicationlink/"+id {
		t.Errorf("list %+v", list)
	}
	expect(t, jira.URL(), jsonCall(http.MethodDelete, "/rest/applinks-oauth/latest/applicationlink/"+id, "admin", ""), http.StatusOK)
	if len(jira.links()) != 0 {
		t.Error("the link survived its DELETE")
	}
}

// The products keep one incoming consumer per key for the whole instance:
// storing a key that another link holds replaces that link's consumer too,
// so a request signed with it runs as the last one's executing user, and
// removing it from either link removes it from both (design/api.md §6.1).
func TestIncomingConsumerKeyIsOnePerInstance(t *testing.T) {
	jira := startTestServer(t, Options{}, nil, loopback("jira", "jira")).Instance("jira")
	first := createLink(t, jira, linkBody("generic", "CI", "https://ci.example.com"))
	second := createLink(t, jira, linkBody("generic", "Builds", "https://builds.example.com"))
	keyOf := func(i int) string { return base64.StdEncoding.EncodeToString(publicKeyDER(t, testKey(t, i))) }
	put := func(id, name, user string, key int) {
		expect(t, jira.URL(), jsonCall(http.MethodPut, oauthBase+id+"/authentication/consumer", "admin",
			`{"key":"shared","name":"`+name+`","publicKey":"`+keyOf(key)+`","twoLOAllowed":true,"executingTwoLOUser":"`+user+`"}`), http.StatusCreated)
	}
	put(first, "CI", "user", 0)
	put(second, "Builds", "manager", 1)

	for _, id := range []string{first, second} {
		got := getConsumers(t, jira, id)
		if len(got) != 1 || got[0].Name != "Builds" || *got[0].ExecutingTwoLOUser != "manager" || *got[0].PublicKey != keyOf(1) {
			t.Errorf("link %s lists %+v, want the consumer stored last", id, got)
		}
	}
	for _, c := range jira.incomingConsumers("shared") {
		if c.ExecutingTwoLOUser != "manager" || c.PublicKey != keyOf(1) {
			t.Errorf("a request signed with the key is checked against %+v, want the consumer stored last", c)
		}
	}

	// Disabling incoming OAuth on the first link removes the consumer from
	// the store, and so from the second link too.
	expect(t, jira.URL(), jsonCall(http.MethodPut, "/rest/applinks/3.0/status/"+first+"/oauth", "admin",
		`{"incoming":{"enabled":false},"outgoing":{"enabled":false}}`), http.StatusNoContent)
	for _, id := range []string{first, second} {
		if l := storedLinks(jira)[id]; l.IncomingConsumer != nil {
			t.Errorf("link %s still holds %+v", id, l.IncomingConsumer)
		}
	}
	if got := jira.incomingConsumers("shared"); len(got) != 0 {
		t.Errorf("the key still authenticates: %+v", got)
	}
}
