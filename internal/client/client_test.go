package client

import (
	"context"
	"crypto/tls"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

const (
	testUser     = "admin"
	testPassword = "pa55-w0rd-XYZZY"
	testToken    = "NjQ2MTc4OTk0NTI2OmPAT-token-value"
)

// newTestClient builds a client whose waits are recorded instead of slept,
// so retry tests assert the waits asked for without timing anything.
func newTestClient(t *testing.T, baseURL string, edit func(*Config)) (*Client, *[]time.Duration) {
	t.Helper()
	cfg := Config{
		BaseURL:        baseURL,
		Username:       testUser,
		Password:       testPassword,
		RequestTimeout: 5 * time.Second,
		MaxRetries:     DefaultMaxRetries,
		RetryWaitMin:   time.Millisecond,
		RetryWaitMax:   8 * time.Millisecond,
		UserAgent:      UserAgent("1.2.3", "1.9.0"),
	}
	if edit != nil {
		edit(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(c.http.CloseIdleConnections)
	var mu sync.Mutex
	waits := &[]time.Duration{}
	c.sleep = func(ctx context.Context, d time.Duration) error {
		mu.Lock()
		defer mu.Unlock()
		*waits = append(*waits, d)
		return ctx.Err()
	}
	return c, waits
}

func respond(w http.ResponseWriter, status int, contentType, body string) {
	if contentType != "" {
		w.Header().Set("Content-Type", contentType)
	}
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

func quietServer(h http.Handler) *httptest.Server {
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	return srv
}

func TestUserAgent(t *testing.T) {
	got := UserAgent("0.3.0", "1.9.2")
	want := "terraform-provider-applinks/0.3.0 (+https://registry.terraform.io/providers/applinks-iac/applinks) Terraform/1.9.2"
	if got != want {
		t.Fatalf("UserAgent = %q, want %q", got, want)
	}
}

func TestNewRejectsBadBaseURL(t *testing.T) {
	cases := map[string]struct {
		url  string
		want string
	}{
		"empty":       {"", "empty"},
		"no scheme":   {"jira.example.com", "http:// or https://"},
		"ftp":         {"ftp://jira.example.com", "http:// or https://"},
		"no host":     {"https:///jira", "no host"},
		"credentials": {"https://admin:hunter2@jira.example.com", "credentials"},
		"query":       {"https://jira.example.com/?os_authType=basic", "query"},
		"fragment":    {"https://jira.example.com/#x", "fragment"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := New(Config{BaseURL: tc.url})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("New(%q) error = %v, want it to mention %q", tc.url, err, tc.want)
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Fatalf("error leaks the password: %v", err)
			}
		})
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	base := "https://jira.example.com"
	cases := map[string]struct {
		cfg  Config
		want string
	}{
		"both auth kinds":   {Config{BaseURL: base, Username: "a", Password: "b", Token: "t"}, "not both"},
		"password alone":    {Config{BaseURL: base, Password: "b"}, "without a username"},
		"negative retries":  {Config{BaseURL: base, MaxRetries: -1}, "negative"},
		"negative timeout":  {Config{BaseURL: base, RequestTimeout: -time.Second}, "negative"},
		"min over max wait": {Config{BaseURL: base, RetryWaitMin: time.Minute, RetryWaitMax: time.Second}, "longer than the maximum"},
		"garbage PEM":       {Config{BaseURL: base, CACertPEM: "-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----\n"}, "PEM"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := New(tc.cfg)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error = %v, want it to mention %q", err, tc.want)
			}
		})
	}
}

func TestNewAppliesDefaults(t *testing.T) {
	c, err := New(Config{BaseURL: "https://jira.example.com/"})
	if err != nil {
		t.Fatal(err)
	}
	if c.timeout != DefaultRequestTimeout || c.waitMin != DefaultRetryWaitMin || c.waitMax != DefaultRetryWaitMax {
		t.Fatalf("defaults not applied: timeout %s, waits %s..%s", c.timeout, c.waitMin, c.waitMax)
	}
	if c.maxRetries != 0 {
		t.Fatalf("MaxRetries 0 must mean no retry, got %d", c.maxRetries)
	}
	logged, ok := c.http.Transport.(*loggingTransport)
	if !ok {
		t.Fatalf("transport %T does not log", c.http.Transport)
	}
	tr, ok := logged.next.(*http.Transport)
	if !ok {
		t.Fatalf("logged transport %T is not an *http.Transport", logged.next)
	}
	if tr.TLSClientConfig.MinVersion != tls.VersionTLS12 {
		t.Fatalf("TLS minimum version = %x, want TLS 1.2", tr.TLSClientConfig.MinVersion)
	}
	if tr.DisableKeepAlives || tr.MaxIdleConnsPerHost < 2 {
		t.Fatal("transport is not a pooled keep-alive transport")
	}
}

func TestEveryRequestCarriesHeaders(t *testing.T) {
	type seen struct{ accept, xsrf, agent, auth string }
	var mu sync.Mutex
	var got []seen
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got = append(got, seen{r.Header.Get("Accept"), r.Header.Get("X-Atlassian-Token"), r.Header.Get("User-Agent"), r.Header.Get("Authorization")})
		mu.Unlock()
		switch {
		case strings.HasSuffix(r.URL.Path, "/capabilities"):
			respond(w, 200, "application/json", `["STATUS_API"]`)
		default:
			respond(w, 200, "application/json", `{}`)
		}
	}))
	defer srv.Close()

	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte(testUser+":"+testPassword))
	cases := map[string]struct {
		edit func(*Config)
		auth string
	}{
		"basic":     {nil, basic},
		"bearer":    {func(c *Config) { c.Username, c.Password, c.Token = "", "", testToken }, "Bearer " + testToken},
		"anonymous": {func(c *Config) { c.Username, c.Password = "", "" }, ""},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			mu.Lock()
			got = nil
			mu.Unlock()
			c, _ := newTestClient(t, srv.URL, tc.edit)
			ctx := t.Context()
			if _, err := c.GetManifest(ctx); err != nil {
				t.Fatal(err)
			}
			if err := c.CheckAdmin(ctx); err != nil {
				t.Fatal(err)
			}
			if _, err := c.Capabilities(ctx); err != nil {
				t.Fatal(err)
			}
			mu.Lock()
			defer mu.Unlock()
			if len(got) != 3 {
				t.Fatalf("server saw %d requests, want 3", len(got))
			}
			want := seen{"application/json", "no-check", UserAgent("1.2.3", "1.9.0"), tc.auth}
			for i, s := range got {
				if s != want {
					t.Errorf("request %d headers = %+v, want %+v", i, s, want)
				}
			}
		})
	}
}

func TestBaseURLContextPathJoining(t *testing.T) {
	var path atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		path.Store(r.RequestURI)
		respond(w, 200, "application/json", `{}`)
	}))
	defer srv.Close()

	cases := map[string]string{
		"":        "/rest/applinks/1.0/manifest",
		"/":       "/rest/applinks/1.0/manifest",
		"/jira":   "/jira/rest/applinks/1.0/manifest",
		"/jira/":  "/jira/rest/applinks/1.0/manifest",
		"/jira//": "/jira/rest/applinks/1.0/manifest",
		"/a b":    "/a%20b/rest/applinks/1.0/manifest",
	}
	for suffix, want := range cases {
		t.Run(suffix, func(t *testing.T) {
			c, _ := newTestClient(t, srv.URL+suffix, nil)
			if _, err := c.GetManifest(t.Context()); err != nil {
				t.Fatal(err)
			}
			if got := path.Load(); got != want {
				t.Fatalf("server saw %q, want %q", got, want)
			}
		})
	}
}

func TestAPIPathEscapesSegmentsOnly(t *testing.T) {
	got := apiPath("/rest/applinks/3.0/applinks/", "a/b?c d#e%", "x")
	want := "rest/applinks/3.0/applinks/a%2Fb%3Fc%20d%23e%25/x"
	if got != want {
		t.Fatalf("apiPath = %q, want %q", got, want)
	}
}

func TestEscapedSegmentsAndQueryReachServer(t *testing.T) {
	var uri, newURL atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		uri.Store(r.RequestURI)
		newURL.Store(r.URL.Query().Get("newUrl"))
		respond(w, 204, "", "")
	}))
	defer srv.Close()

	c, _ := newTestClient(t, srv.URL+"/jira/", nil)
	r := call{
		method: http.MethodPost,
		path:   apiPath("rest/applinks/1.0/relocateApplicationlink", "../a/b?c d"),
		query:  url.Values{"newUrl": {"https://new.example.com/x?y=1&z"}},
	}
	if _, err := c.do(t.Context(), r, nil); err != nil {
		t.Fatal(err)
	}
	wantURI := "/jira/rest/applinks/1.0/relocateApplicationlink/..%2Fa%2Fb%3Fc%20d?newUrl=https%3A%2F%2Fnew.example.com%2Fx%3Fy%3D1%26z"
	if got := uri.Load(); got != wantURI {
		t.Fatalf("request URI = %q, want %q", got, wantURI)
	}
	if got := newURL.Load(); got != "https://new.example.com/x?y=1&z" {
		t.Fatalf("newUrl = %q", got)
	}
}

func TestGetManifest(t *testing.T) {
	cases := map[string]struct {
		body string
		want Manifest
	}{
		"full, numeric build number": {
			body: `{"id":"b3c1a6e2-0000-3000-8000-000000000001","name":"Confluence","typeId":"confluence","version":"8.7.2","buildNumber":9012,
				"applinksVersion":"9.1.4","inboundAuthenticationTypes":["com.atlassian.applinks.api.auth.types.OAuthAuthenticationProvider","placeholder.to.ensure.backwards.compatibility"],
				"outboundAuthenticationTypes":["placeholder.to.ensure.backwards.compatibility","com.atlassian.applinks.api.auth.types.BasicAuthenticationProvider"],
				"publicSignup":true,"url":"https://wiki.example.com","iconUrl":"https://wiki.example.com/i.png","iconUri":"https://wiki.example.com/u.png","somethingNew":[1,2]}`,
			want: Manifest{
				ID: "b3c1a6e2-0000-3000-8000-000000000001", Name: "Confluence", TypeID: "confluence", Version: "8.7.2", BuildNumber: 9012,
				ApplinksVersion:             "9.1.4",
				InboundAuthenticationTypes:  []string{"com.atlassian.applinks.api.auth.types.OAuthAuthenticationProvider"},
				OutboundAuthenticationTypes: []string{"com.atlassian.applinks.api.auth.types.BasicAuthenticationProvider"},
				PublicSignup:                true, URL: "https://wiki.example.com", IconURL: "https://wiki.example.com/i.png", IconURI: "https://wiki.example.com/u.png",
			},
		},
		"string build number": {
			body: `{"id":"x","buildNumber":"712003"}`,
			want: Manifest{ID: "x", BuildNumber: 712003},
		},
		"missing fields": {
			body: `{"id":"x","buildNumber":null}`,
			want: Manifest{ID: "x"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Method != http.MethodGet || r.URL.Path != "/rest/applinks/1.0/manifest" {
					t.Errorf("unexpected %s %s", r.Method, r.URL.Path)
				}
				respond(w, 200, "application/json", tc.body)
			}))
			defer srv.Close()
			c, _ := newTestClient(t, srv.URL, nil)
			got, err := c.GetManifest(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			if !manifestsEqual(*got, tc.want) {
				t.Fatalf("manifest = %+v\nwant       %+v", *got, tc.want)
			}
		})
	}
}

func manifestsEqual(a, b Manifest) bool {
	return strings.Join(a.InboundAuthenticationTypes, ",") == strings.Join(b.InboundAuthenticationTypes, ",") &&
		strings.Join(a.OutboundAuthenticationTypes, ",") == strings.Join(b.OutboundAuthenticationTypes, ",") &&
		a.ID == b.ID && a.Name == b.Name && a.TypeID == b.TypeID && a.Version == b.Version &&
		a.BuildNumber == b.BuildNumber && a.ApplinksVersion == b.ApplinksVersion && a.PublicSignup == b.PublicSignup &&
		a.URL == b.URL && a.IconURL == b.IconURL && a.IconURI == b.IconURI
}

func TestManifestRejectsNonNumericBuildNumber(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		respond(w, 200, "application/json", `{"id":"x","buildNumber":"nine"}`)
	}))
	defer srv.Close()
	c, _ := newTestClient(t, srv.URL, nil)
	_, err := c.GetManifest(t.Context())
	if !errors.Is(err, ErrUnexpectedResponse) || !strings.Contains(err.Error(), "buildNumber") {
		t.Fatalf("error = %v, want ErrUnexpectedResponse naming buildNumber", err)
	}
}

func TestCheckAdmin(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/rest/applinks/1.0/authenticationinfo" {
			t.Errorf("unexpected path %s", r.URL.Path)
		}
		if user, _, _ := r.BasicAuth(); user == testUser {
			respond(w, 200, "", "")
			return
		}
		respond(w, 401, "application/json", `{"status-code":401,"message":"You must be an administrator to use this resource."}`)
	}))
	defer srv.Close()

	admin, _ := newTestClient(t, srv.URL, nil)
	if err := admin.CheckAdmin(t.Context()); err != nil {
		t.Fatalf("admin: %v", err)
	}

	other, _ := newTestClient(t, srv.URL, func(c *Config) { c.Username = "jdoe" })
	err := other.CheckAdmin(t.Context())
	var apiErr *APIError
	if !errors.Is(err, ErrUnauthorized) || !errors.As(err, &apiErr) {
		t.Fatalf("non-admin: error = %v, want an *APIError matching ErrUnauthorized", err)
	}
	if apiErr.StatusCode != 401 || len(apiErr.Messages) != 1 || apiErr.Messages[0] != "You must be an administrator to use this resource." {
		t.Fatalf("APIError = %+v", apiErr)
	}
}

func TestCapabilities(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/rest/applinks/3.0/capabilities" {
			t.Errorf("unexpected path %s", r.URL.Path)
		}
		respond(w, 200, "application/json", `["STATUS_API","MIGRATION_API"]`)
	}))
	defer srv.Close()
	c, _ := newTestClient(t, srv.URL, nil)
	got, err := c.Capabilities(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, ",") != "STATUS_API,MIGRATION_API" {
		t.Fatalf("capabilities = %v", got)
	}
}

func TestAcceptedStatuses(t *testing.T) {
	var status atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s := int(status.Load()); s == http.StatusNoContent {
			w.WriteHeader(s)
		} else {
			respond(w, s, "application/json", `{"status-code":201}`)
		}
	}))
	defer srv.Close()
	c, _ := newTestClient(t, srv.URL, nil)
	ctx := t.Context()

	for _, s := range []int{200, 201, 204} {
		status.Store(int32(s))
		out := map[string]any{"untouched": true}
		got, err := c.do(ctx, call{method: http.MethodPut, path: "x", body: map[string]string{}, ok: []int{200, 201, 204}}, &out)
		if err != nil || got != s {
			t.Fatalf("HTTP %d: status %d, error %v", s, got, err)
		}
		if s == 204 && out["untouched"] != true {
			t.Fatal("a 204 must leave out untouched")
		}
	}

	status.Store(202)
	_, err := c.do(ctx, call{method: http.MethodPut, path: "x", ok: []int{200, 201}}, nil)
	if !errors.Is(err, ErrUnexpectedResponse) || !strings.Contains(err.Error(), "unexpected HTTP 202") {
		t.Fatalf("HTTP 202 outside the accepted set: error = %v", err)
	}
}

func TestRedirectIsReportedNotFollowed(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		http.Redirect(w, r, "https://sso.example.com/login", http.StatusFound)
	}))
	defer srv.Close()
	c, _ := newTestClient(t, srv.URL, nil)
	_, err := c.GetManifest(t.Context())
	if !errors.Is(err, ErrUnexpectedResponse) || !strings.Contains(err.Error(), "https://sso.example.com/login") {
		t.Fatalf("error = %v, want ErrUnexpectedResponse naming the target", err)
	}
	if hits.Load() != 1 {
		t.Fatalf("server saw %d requests, want 1", hits.Load())
	}
}

func TestTLS(t *testing.T) {
	srv := quietServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		respond(w, 200, "application/json", `{"id":"tls"}`)
	}))
	srv.StartTLS()
	defer srv.Close()
	caPEM := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}))

	t.Run("unknown CA fails without retrying", func(t *testing.T) {
		c, waits := newTestClient(t, srv.URL, nil)
		_, err := c.GetManifest(t.Context())
		var verr *tls.CertificateVerificationError
		if !errors.As(err, &verr) {
			t.Fatalf("error = %v, want a certificate verification error", err)
		}
		if len(*waits) != 0 {
			t.Fatalf("retried a certificate error %d times", len(*waits))
		}
	})
	t.Run("custom CA", func(t *testing.T) {
		c, _ := newTestClient(t, srv.URL, func(c *Config) { c.CACertPEM = caPEM })
		if m, err := c.GetManifest(t.Context()); err != nil || m.ID != "tls" {
			t.Fatalf("manifest %+v, error %v", m, err)
		}
	})
	t.Run("insecure skip verify", func(t *testing.T) {
		c, _ := newTestClient(t, srv.URL, func(c *Config) { c.InsecureSkipVerify = true })
		if _, err := c.GetManifest(t.Context()); err != nil {
			t.Fatal(err)
		}
	})
}

func TestTLS11OnlyServerRefused(t *testing.T) {
	srv := quietServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		respond(w, 200, "application/json", `{}`)
	}))
	srv.TLS = &tls.Config{MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS11}
	srv.StartTLS()
	defer srv.Close()

	// Control: the server does speak TLS 1.1, so the refusal below is the
	// client's minimum version at work and not a broken server.
	conn, err := tls.Dial("tcp", srv.Listener.Addr().String(), &tls.Config{
		MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS11, InsecureSkipVerify: true, //nolint:gosec // test control
	})
	if err != nil {
		t.Skipf("this Go build cannot speak TLS 1.1 at all: %v", err)
	}
	_ = conn.Close()

	c, waits := newTestClient(t, srv.URL, func(c *Config) { c.InsecureSkipVerify = true })
	_, err = c.GetManifest(t.Context())
	if err == nil || !strings.Contains(err.Error(), "protocol version") {
		t.Fatalf("error = %v, want a protocol version failure", err)
	}
	if len(*waits) != 0 {
		t.Fatalf("retried a TLS version failure %d times", len(*waits))
	}
}
