package client

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// linkAuthenticationFixture is ApplicationLinkAuthenticationEntity as the
// design/api.md (design/api.md §6.1) describes it, for a generic link whose incoming and
// outgoing consumers share a key: the OAuth provider names the outgoing
// one, and every entry says "outgoing":false.
const linkAuthenticationFixture = `{"link":[{"href":"applicationlink/id-1/authentication","rel":"self"}],
"configuredAuthProviders":[
 {"link":[{"href":"applicationlink/id-1/authentication/provider","rel":"self"}],"module":"m2","provider":"` + ProviderTwoLeggedOAuth + `","config":{}},
 {"link":[{"href":"applicationlink/id-1/authentication/provider","rel":"self"}],"module":"m1","provider":"` + ProviderOAuth + `",
  "config":{"consumerKey.outbound":"jenkins","serviceProvider.requestTokenUrl":"/oauth/request","serviceProvider.accessTokenUrl":"https://ci/oauth/access","serviceProvider.authorizeUrl":"/oauth/authorize"}}],
"consumers":[
 {"link":[{"href":"applicationlink/id-1/authentication/consumer","rel":"self"}],"key":"jenkins","name":"Jenkins","description":"CI","signatureMethod":"RSA_SHA1",
  "publicKey":"MIIB","callback":"https://ci/cb","twoLOAllowed":true,"executingTwoLOUser":"svc","twoLOImpersonationAllowed":false,"outgoing":false},
 {"link":[{"href":"applicationlink/id-1/authentication/consumer","rel":"self"}],"key":"jenkins","name":"Jira at Jenkins","signatureMethod":"HMAC_SHA1",
  "twoLOAllowed":false,"twoLOImpersonationAllowed":false,"outgoing":false}]}`

func TestLinkAuthentication(t *testing.T) {
	t.Parallel()
	srv, seen := recordingServer(t, func(w http.ResponseWriter, _ *http.Request) {
		respond(w, http.StatusOK, "application/json", linkAuthenticationFixture)
	})
	c, _ := newTestClient(t, srv.URL+"/jira", nil)
	auth, err := c.LinkAuthentication(context.Background(), "id-1")
	if err != nil {
		t.Fatal(err)
	}
	if (*seen)[0].path != "/jira/rest/applinks-oauth/1.0/applicationlink/id-1/authentication" {
		t.Errorf("path %s", (*seen)[0].path)
	}
	in := auth.IncomingConsumer()
	want := Consumer{Key: "jenkins", Name: "Jenkins", Description: "CI", SignatureMethod: SignatureRSASHA1, PublicKey: "MIIB",
		Callback: "https://ci/cb", TwoLOAllowed: true, ExecutingTwoLOUser: "svc"}
	if in == nil || *in != want {
		t.Errorf("incoming %+v, want %+v", in, want)
	}
	out, provider := auth.OutgoingConsumer()
	if out == nil || out.Name != "Jira at Jenkins" || out.SignatureMethod != SignatureHMACSHA1 {
		t.Errorf("outgoing %+v", out)
	}
	wantSP := ServiceProvider{ConsumerKey: "jenkins", RequestTokenURL: "/oauth/request", AccessTokenURL: "https://ci/oauth/access", AuthorizeURL: "/oauth/authorize"}
	if provider == nil || ServiceProviderFromConfig(provider.Config) != wantSP {
		t.Errorf("provider %+v", provider)
	}
}

func TestLinkAuthenticationWithoutConsumers(t *testing.T) {
	t.Parallel()
	for name, tt := range map[string]struct {
		auth         LinkAuthentication
		wantIncoming bool
		wantOutgoing bool
	}{
		"nothing": {},
		"an HMAC consumer no provider names is incoming": {
			auth:         LinkAuthentication{Consumers: []Consumer{{Key: "k", SignatureMethod: SignatureHMACSHA1}}},
			wantIncoming: true,
		},
		"a provider naming another key": {
			auth: LinkAuthentication{
				Providers: []AuthenticationProvider{{Provider: ProviderOAuth, Config: map[string]string{ConfigConsumerKeyOutbound: "other"}}},
				Consumers: []Consumer{{Key: "k", SignatureMethod: SignatureRSASHA1}},
			},
			wantIncoming: true,
		},
		"only the outgoing one": {
			auth: LinkAuthentication{
				Providers: []AuthenticationProvider{{Provider: ProviderOAuth, Config: map[string]string{ConfigConsumerKeyOutbound: "k"}}},
				Consumers: []Consumer{{Key: "k", SignatureMethod: SignatureHMACSHA1}},
			},
			wantOutgoing: true,
		},
	} {
		out, _ := tt.auth.OutgoingConsumer()
		if (tt.auth.IncomingConsumer() != nil) != tt.wantIncoming || (out != nil) != tt.wantOutgoing {
			t.Errorf("%s: incoming %+v outgoing %+v", name, tt.auth.IncomingConsumer(), out)
		}
	}
}

func TestLinkAuthenticationOfUnknownLink(t *testing.T) {
	t.Parallel()
	srv, _ := recordingServer(t, func(w http.ResponseWriter, _ *http.Request) {
		respond(w, http.StatusNotFound, "application/json", `{"status-code":404,"message":"No application link with id id-1 found."}`)
	})
	c, _ := newTestClient(t, srv.URL, nil)
	if _, err := c.LinkAuthentication(context.Background(), "id-1"); !errors.Is(err, ErrNotFound) {
		t.Errorf("err = %v, want ErrNotFound", err)
	}
}

func TestPutConsumers(t *testing.T) {
	t.Parallel()
	srv, seen := recordingServer(t, func(w http.ResponseWriter, _ *http.Request) {
		respond(w, http.StatusCreated, "application/json", `{"status-code":201,"resources-created":[{"href":"applicationlink/id-1/authentication/consumer","rel":"self"}]}`)
	})
	c, _ := newTestClient(t, srv.URL, nil)
	ctx := context.Background()
	if err := c.PutIncomingConsumer(ctx, "id-1", Consumer{Key: "k", Name: "CI", PublicKey: "-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----\n",
		TwoLOAllowed: true, ExecutingTwoLOUser: "svc", SignatureMethod: "ignored"}); err != nil {
		t.Fatal(err)
	}
	if err := c.PutOutgoingConsumer(ctx, "id-1", OutgoingConsumer{Key: "k2", Name: "Jira", Description: "d", SharedSecret: "s3cret"}); err != nil {
		t.Fatal(err)
	}
	if err := c.ConfigureServiceProvider(ctx, "id-1", ServiceProvider{ConsumerKey: "k2", RequestTokenURL: "/r", AccessTokenURL: "/a", AuthorizeURL: "/z"}); err != nil {
		t.Fatal(err)
	}
	want := []recorded{
		{method: http.MethodPut, path: "/rest/applinks-oauth/1.0/applicationlink/id-1/authentication/consumer",
			body: `{"key":"k","name":"CI","publicKey":"-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----\n","twoLOAllowed":true,"executingTwoLOUser":"svc","twoLOImpersonationAllowed":false,"outgoing":false}`},
		{method: http.MethodPut, path: "/rest/applinks-oauth/1.0/applicationlink/id-1/authentication/consumer",
			body: `{"key":"k2","name":"Jira","description":"d","sharedSecret":"s3cret","twoLOAllowed":false,"twoLOImpersonationAllowed":false,"outgoing":true}`},
		{method: http.MethodPut, path: "/rest/applinks/2.0/applicationlink/id-1/authentication/provider",
			body: `{"provider":"` + ProviderOAuth + `","config":{"consumerKey.outbound":"k2","serviceProvider.accessTokenUrl":"/a","serviceProvider.authorizeUrl":"/z","serviceProvider.requestTokenUrl":"/r"}}`},
	}
	if len(*seen) != len(want) {
		t.Fatalf("requests %+v", *seen)
	}
	for i, w := range want {
		if (*seen)[i] != w {
			t.Errorf("request %d:\n got %+v\nwant %+v", i, (*seen)[i], w)
		}
	}
}

// A server that repeats the secret in its error (a misbehaving proxy, say)
// must not get it into the error the provider shows.
func TestPutOutgoingConsumerNeverQuotesTheSecret(t *testing.T) {
	t.Parallel()
	srv, _ := recordingServer(t, func(w http.ResponseWriter, _ *http.Request) {
		respond(w, http.StatusBadRequest, "application/json", `{"status":400,"message":["shared secret s3cret-value is too weak"],"echo":"s3cret-value"}`)
	})
	c, _ := newTestClient(t, srv.URL, func(cfg *Config) { cfg.MaxRetries = 0 })
	err := c.PutOutgoingConsumer(context.Background(), "id-1", OutgoingConsumer{Key: "k", Name: "n", SharedSecret: "s3cret-value"})
	if !errors.Is(err, ErrValidation) {
		t.Fatalf("err = %v", err)
	}
	var apiErr *APIError
	errors.As(err, &apiErr)
	if strings.Contains(err.Error(), "s3cret-value") || strings.Contains(apiErr.Body, "s3cret-value") || !strings.Contains(err.Error(), "too weak") {
		t.Errorf("error %q (body %q) quotes the secret or lost the message", err, apiErr.Body)
	}
}

// oauthServer fakes the status and authentication resources closely
// enough for the direction-preserving calls: a status PUT re-registers the
// outgoing providers with an empty configuration, as the products do.
type oauthServer struct {
	status         string
	authentication string
}

func (s *oauthServer) handle(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/oauth"):
		respond(w, http.StatusOK, "application/json", s.status)
	case r.Method == http.MethodGet:
		respond(w, http.StatusOK, "application/json", s.authentication)
	case r.Method == http.MethodPut && strings.HasSuffix(r.URL.Path, "/oauth"):
		w.WriteHeader(http.StatusNoContent)
	default:
		respond(w, http.StatusCreated, "application/json", `{"status-code":201}`)
	}
}

const (
	off    = `{"enabled":false,"twoLoEnabled":false,"twoLoImpersonationEnabled":false}`
	threeL = `{"enabled":true,"twoLoEnabled":false,"twoLoImpersonationEnabled":false}`
	twoL   = `{"enabled":true,"twoLoEnabled":true,"twoLoImpersonationEnabled":false}`
	twoLi  = `{"enabled":true,"twoLoEnabled":true,"twoLoImpersonationEnabled":true}`
)

func statusJSON(incoming, outgoing string) string {
	return `{"incoming":` + incoming + `,"outgoing":` + outgoing + `}`
}

func TestSetIncomingOAuthKeepsOutgoingConfiguration(t *testing.T) {
	t.Parallel()
	// Incoming 3LO+2LO (the consumer's flag), outgoing 3LO (the OAuth
	// provider alone).
	fake := &oauthServer{
		authentication: `{"configuredAuthProviders":[{"provider":"` + ProviderOAuth + `","config":{"consumerKey.outbound":"k","serviceProvider.requestTokenUrl":"/r"}},` +
			`{"provider":"` + ProviderBasic + `","config":{"username":"u"}}],` +
			`"consumers":[{"key":"peer","signatureMethod":"RSA_SHA1","twoLOAllowed":true}]}`,
	}
	srv, seen := recordingServer(t, fake.handle)
	c, _ := newTestClient(t, srv.URL, nil)
	// Impersonation implies two-legged access, whatever the caller says.
	if err := c.SetIncomingOAuth(context.Background(), "id-1", OAuthConfig{Enabled: true, TwoLoImpersonationEnabled: true}); err != nil {
		t.Fatal(err)
	}
	want := []recorded{
		{method: http.MethodGet, path: "/rest/applinks-oauth/1.0/applicationlink/id-1/authentication"},
		{method: http.MethodPut, path: "/rest/applinks/3.0/status/id-1/oauth", body: statusJSON(twoLi, threeL)},
		// Only the OAuth provider is put back: the status API never touches Basic.
		{method: http.MethodPut, path: "/rest/applinks/2.0/applicationlink/id-1/authentication/provider",
			body: `{"provider":"` + ProviderOAuth + `","config":{"consumerKey.outbound":"k","serviceProvider.requestTokenUrl":"/r"}}`},
	}
	if len(*seen) != len(want) {
		t.Fatalf("requests %+v", *seen)
	}
	for i, w := range want {
		if (*seen)[i] != w {
			t.Errorf("request %d:\n got %+v\nwant %+v", i, (*seen)[i], w)
		}
	}
}

// The write-back of the outgoing configuration that the status PUT emptied
// is made once more when it fails, even with a 500 that no retry repeats;
// failing twice, the error says which configuration the link lost.
func TestSetIncomingOAuthWritesBackOutgoingConfigurationTwice(t *testing.T) {
	t.Parallel()
	const config = `{"consumerKey.outbound":"k","serviceProvider.requestTokenUrl":"/r"}`
	for _, failures := range []int{1, 2} {
		t.Run(fmt.Sprint(failures), func(t *testing.T) {
			t.Parallel()
			fake := &oauthServer{authentication: `{"configuredAuthProviders":[{"provider":"` + ProviderOAuth + `","config":` + config + `}],` +
				`"consumers":[{"key":"peer","signatureMethod":"RSA_SHA1"}]}`}
			failed := 0
			srv, seen := recordingServer(t, func(w http.ResponseWriter, r *http.Request) {
				if strings.HasSuffix(r.URL.Path, "/authentication/provider") && failed < failures {
					failed++
					respond(w, http.StatusInternalServerError, "application/json", `{"status":500,"message":["boom"]}`)
					return
				}
				fake.handle(w, r)
			})
			c, _ := newTestClient(t, srv.URL, nil)
			err := c.SetIncomingOAuth(context.Background(), "id-1", OAuthConfig{})
			var providerPuts int
			for _, r := range *seen {
				if strings.HasSuffix(r.path, "/authentication/provider") {
					providerPuts++
				}
			}
			if providerPuts != 2 {
				t.Errorf("%d provider PUTs, want 2: %+v", providerPuts, *seen)
			}
			var lost *OutgoingConfigLostError
			switch {
			case failures == 1 && err != nil:
				t.Fatalf("one failed write-back: %v", err)
			case failures == 2 && !errors.As(err, &lost):
				t.Fatalf("two failed write-backs: err = %v, want an *OutgoingConfigLostError", err)
			case failures == 2:
				if lost.LinkID != "id-1" || lost.IncomingChanged != IncomingChanged || len(lost.Providers) != 1 ||
					lost.Providers[0].Config[ConfigConsumerKeyOutbound] != "k" || !errors.Is(err, ErrServer) {
					t.Errorf("lost = %+v", lost)
				}
			}
		})
	}
}

// A status PUT that fails after acting (its answer lost, say) has emptied
// the configuration too: the link is read again and the configuration
// written back.
func TestSetIncomingOAuthRestoresOutgoingConfigurationAfterFailedStatus(t *testing.T) {
	t.Parallel()
	before := `{"configuredAuthProviders":[{"provider":"` + ProviderOAuth + `","config":{"consumerKey.outbound":"k"}}],` +
		`"consumers":[{"key":"peer","signatureMethod":"RSA_SHA1"}]}`
	after := `{"configuredAuthProviders":[{"provider":"` + ProviderOAuth + `","config":{}}],"consumers":[]}`
	reads := 0
	srv, seen := recordingServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodGet:
			reads++
			if reads == 1 {
				respond(w, http.StatusOK, "application/json", before)
			} else {
				respond(w, http.StatusOK, "application/json", after)
			}
		case strings.HasSuffix(r.URL.Path, "/oauth"):
			respond(w, http.StatusInternalServerError, "application/json", `{"status":500,"message":["boom"]}`)
		default:
			respond(w, http.StatusCreated, "application/json", `{"status-code":201}`)
		}
	})
	c, _ := newTestClient(t, srv.URL, nil)
	err := c.SetIncomingOAuth(context.Background(), "id-1", OAuthConfig{})
	if !errors.Is(err, ErrServer) {
		t.Fatalf("err = %v, want the status PUT's 500", err)
	}
	last := (*seen)[len(*seen)-1]
	if !strings.HasSuffix(last.path, "/authentication/provider") || !strings.Contains(last.body, `"consumerKey.outbound":"k"`) {
		t.Errorf("requests %+v, want the configuration written back last", *seen)
	}
}

func TestSetIncomingOAuthDoesNothingWhenSet(t *testing.T) {
	t.Parallel()
	fake := &oauthServer{authentication: `{"configuredAuthProviders":[{"provider":"` + ProviderOAuth + `","config":{}}],"consumers":[]}`}
	srv, seen := recordingServer(t, fake.handle)
	c, _ := newTestClient(t, srv.URL, nil)
	// Flags without enabled normalise to off.
	if err := c.SetIncomingOAuth(context.Background(), "id-1", OAuthConfig{TwoLoEnabled: true}); err != nil {
		t.Fatal(err)
	}
	if len(*seen) != 1 {
		t.Errorf("requests %+v, want only the authentication read", *seen)
	}
}

func TestDisableOutgoingOAuth(t *testing.T) {
	t.Parallel()
	fake := &oauthServer{status: statusJSON(twoLi, threeL)}
	srv, seen := recordingServer(t, fake.handle)
	c, _ := newTestClient(t, srv.URL, nil)
	ctx := context.Background()
	if err := c.DisableOutgoingOAuth(ctx, "id-1"); err != nil {
		t.Fatal(err)
	}
	if len(*seen) != 2 || (*seen)[1].body != statusJSON(twoLi, off) {
		t.Errorf("requests %+v", *seen)
	}
	fake.status = statusJSON(twoLi, off)
	if err := c.DisableOutgoingOAuth(ctx, "id-1"); err != nil || len(*seen) != 3 {
		t.Errorf("already disabled: %v, requests %+v", err, *seen)
	}
}

func TestRemoveConsumerToken(t *testing.T) {
	t.Parallel()
	srv, seen := recordingServer(t, func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	})
	c, _ := newTestClient(t, srv.URL, nil)
	if err := c.RemoveConsumerToken(context.Background(), "id-1"); err != nil {
		t.Fatal(err)
	}
	if got := (*seen)[0]; got.method != http.MethodDelete || got.path != "/rest/applinks-oauth/1.0/consumer-token/id-1" {
		t.Errorf("request %+v", got)
	}
}
