package provider

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/applinks-iac/terraform-provider-applinks/internal/emulator"
)

// The diagnostics a failed API call gives, as the provider really gives
// them: each case makes an emulated instance (or the network) fail in one
// way, reads the applinks_application_links data source over the plugin
// protocol, and checks the one error it reports. The detail must say what
// failed, then the remedy for that kind of failure, then quote the client's
// error with the server's own words, so a remedy that changes wording, goes
// to the wrong kind of error or loses the server's words fails here.

// diagnosticCase is one way of failing and the diagnostic it must give.
type diagnosticCase struct {
	name string
	// provider starts what the provider talks to and returns its
	// configuration and the URL the read requests.
	provider func(t *testing.T) (attrs map[string]tftypes.Value, listURL string)
	// remedy holds phrases of the remedy paragraph, in order.
	remedy []string
	// said holds the client's and server's words that the last paragraph,
	// the client's error, must contain.
	said []string
	// not holds phrases of other remedies that must not appear.
	not []string
}

const listingPath = "/rest/applinks/3.0/applinks"

// failingListing starts a Jira whose listing of links meets the fault every
// time, and configures the provider as its administrator with no retries.
func failingListing(fault map[string]any, extra map[string]tftypes.Value) func(t *testing.T) (map[string]tftypes.Value, string) {
	return func(t *testing.T) (map[string]tftypes.Value, string) {
		jira := startEmulator(t, emulator.Options{Control: true}, "jira=jira").Instance("jira")
		fault["method"], fault["path_prefix"], fault["count"] = http.MethodGet, listingPath, 100
		injectEmulatorFault(t, jira, fault)
		return providerAttrs(jira.URL(), "admin", "admin", extra), jira.URL() + listingPath
	}
}

// asListingUser reads the links of a Jira without faults as the given user.
func asListingUser(username, password string) func(t *testing.T) (map[string]tftypes.Value, string) {
	return func(t *testing.T) (map[string]tftypes.Value, string) {
		jira := startEmulator(t, emulator.Options{}, "jira=jira").Instance("jira")
		return providerAttrs(jira.URL(), username, password, nil), jira.URL() + listingPath
	}
}

func providerAttrs(url, username, password string, extra map[string]tftypes.Value) map[string]tftypes.Value {
	attrs := map[string]tftypes.Value{
		"url":         str(url),
		"username":    str(username),
		"password":    str(password),
		"max_retries": tftypes.NewValue(tftypes.Number, 0),
	}
	for name, v := range extra {
		attrs[name] = v
	}
	return attrs
}

// tlsListing starts a Jira on TLS with the certificate issue gives it.
func tlsListing(issue func(t *testing.T, ca *testCA) *emulator.InstanceConfig, trustCA bool) func(t *testing.T) (map[string]tftypes.Value, string) {
	return func(t *testing.T) (map[string]tftypes.Value, string) {
		ca := newTestCA(t)
		server, err := emulator.Start(emulator.Options{}, *issue(t, ca))
		mustNotFail(t, err)
		t.Cleanup(func() { _ = server.Close() })
		jira := server.Instance("jira")
		var extra map[string]tftypes.Value
		if trustCA {
			extra = map[string]tftypes.Value{"ca_cert_pem": str(ca.pem())}
		}
		return providerAttrs(jira.URL(), "admin", "admin", extra), jira.URL() + listingPath
	}
}

func diagnosticCases() []diagnosticCase {
	loopback := []net.IP{net.ParseIP("127.0.0.1")}
	return []diagnosticCase{
		{
			// A timeout names the setting and says how to raise it, then
			// quotes the client's error.
			name: "timeout",
			provider: failingListing(map[string]any{"latency_ms": 3000},
				map[string]tftypes.Value{"request_timeout": str("1s")}),
			remedy: []string{"did not answer within the provider's", "`request_timeout`", "in the provider block",
				`request_timeout = "2m"`, "default is 30s"},
			said: []string{"no response from GET", "within 1s", "timed out"},
			not:  []string{"may or may not have taken effect"},
		},
		{
			name: "instance in maintenance",
			provider: failingListing(map[string]any{"status": 503, "content_type": "application/json",
				"body": `{"status-code":503,"message":"Jira is starting up."}`}, nil),
			remedy: []string{"The instance is unavailable (starting, in maintenance or overloaded)", "raise `max_retries`"},
			said:   []string{"HTTP 503 Service Unavailable", `"Jira is starting up."`},
		},
		{
			name: "uncaught server exception",
			provider: failingListing(map[string]any{"status": 500, "content_type": "application/json",
				"body": `{"status-code":500,"message":"java.lang.NullPointerException","stack-trace":"referral number: 0c0c"}`}, nil),
			remedy: []string{"The instance reported an internal error; its application log has the details."},
			said:   []string{"HTTP 500 Internal Server Error", `"java.lang.NullPointerException"`, `"referral number: 0c0c"`},
		},
		{
			name: "rate limited",
			provider: failingListing(map[string]any{"status": 429, "retry_after": "1", "content_type": "application/json",
				"body": `{"message":"Rate limit exceeded."}`}, nil),
			remedy: []string{"kept limiting the rate of requests through every retry", "raise `max_retries`"},
			said:   []string{"HTTP 429 Too Many Requests", `"Rate limit exceeded."`},
		},
		{
			name:     "wrong password",
			provider: asListingUser("admin", "wrong"),
			remedy:   []string{"did not accept the credentials: check `username` and `password`", "CAPTCHA"},
			said:     []string{"HTTP 401 Unauthorized", `"Client must be authenticated to access this resource."`},
			not:      []string{"accepted the login"},
		},
		{
			name:     "not an administrator",
			provider: asListingUser("user", "user"),
			remedy:   []string{"The user lacks a permission this operation needs: application links need an administrator"},
			said:     []string{"HTTP 403 Forbidden", `"You must be an administrator to perform this operation.`},
		},
		{
			// A 401 without Seraph's failed-login reason: the login worked.
			name: "login accepted but request refused",
			provider: failingListing(map[string]any{"status": 401, "content_type": "application/json",
				"body": `{"message":"This resource requires WebSudo."}`}, nil),
			remedy: []string{"accepted the login but refused the request, so the user lacks the right it needs",
				"Configure the provider with such a user's credentials."},
			said: []string{"HTTP 401 Unauthorized", `"This resource requires WebSudo."`},
			not:  []string{"did not accept the credentials"},
		},
		{
			name: "XSRF check failed",
			provider: failingListing(map[string]any{"status": 403, "content_type": "text/plain",
				"body": "XSRF check failed"}, nil),
			remedy: []string{"cross-site request forgery", "stripping the X-Atlassian-Token header"},
			said:   []string{"HTTP 403 Forbidden", `"XSRF check failed"`},
			not:    []string{"lacks a permission"},
		},
		{
			name: "product says not found",
			provider: failingListing(map[string]any{"status": 404, "content_type": "application/json",
				"body": `{"status-code":404,"message":"No such resource in this version."}`}, nil),
			remedy: []string{"The object or endpoint does not exist: check `url` (including any context path)"},
			said:   []string{"HTTP 404 Not Found", `"No such resource in this version."`},
		},
		{
			name: "proxy error page",
			provider: failingListing(map[string]any{"status": 500, "content_type": "text/html",
				"body": "<html><head><title>Proxy Error</title></head><body>upstream timed out</body></html>"}, nil),
			remedy: []string{"The answer was not the product's JSON; a proxy or load balancer"},
			said:   []string{"expected JSON from GET", "but got text/html (HTTP 500)", `a page titled "Proxy Error"`},
			not:    []string{"internal error"},
		},
		{
			name: "oversized answer",
			provider: failingListing(map[string]any{"status": 200, "content_type": "application/json",
				"body": "[]", "body_bytes": 11 << 20}, nil),
			remedy: []string{"larger than the provider reads", "check `url`"},
			said:   []string{"is larger than the 10485760-byte limit"},
		},
		{
			name: "rejected query",
			provider: failingListing(map[string]any{"status": 400, "content_type": "application/json",
				"body": `{"status-code":400,"message":"Invalid query parameter."}`}, nil),
			remedy: []string{"Check that `url` is right and the instance is reachable from where Terraform runs."},
			said:   []string{"HTTP 400 Bad Request", `"Invalid query parameter."`},
		},
		{
			name: "nothing listening",
			provider: func(t *testing.T) (map[string]tftypes.Value, string) {
				url := "http://" + refusedAddr(t)
				return providerAttrs(url, "admin", "admin", nil), url + listingPath
			},
			remedy: []string{"Nothing accepts connections at the host and port of `url`"},
			said:   []string{"connection refused"},
		},
		{
			name: "untrusted certificate",
			provider: tlsListing(func(t *testing.T, ca *testCA) *emulator.InstanceConfig {
				return &emulator.InstanceConfig{Name: "jira", Type: "jira", Addr: "127.0.0.1:0", TLSCert: ca.issue(t, nil, loopback)}
			}, false),
			remedy: []string{"not signed by an authority this machine trusts: set `ca_cert_pem`"},
			said:   []string{"certificate signed by unknown authority"},
		},
		{
			name: "expired certificate",
			provider: tlsListing(func(t *testing.T, ca *testCA) *emulator.InstanceConfig {
				return &emulator.InstanceConfig{Name: "jira", Type: "jira", Addr: "127.0.0.1:0",
					TLSCert: issueCertificate(t, ca, nil, loopback, time.Now().Add(-48*time.Hour), time.Now().Add(-24*time.Hour))}
			}, true),
			remedy: []string{"The instance's TLS certificate has expired or is not yet valid", "renew it", "`ca_cert_pem` cannot make an expired certificate valid"},
			said:   []string{"certificate has expired or is not yet valid"},
			not:    []string{"set `ca_cert_pem` to the PEM"},
		},
		{
			name: "certificate for another host",
			provider: tlsListing(func(t *testing.T, ca *testCA) *emulator.InstanceConfig {
				return &emulator.InstanceConfig{Name: "jira", Type: "jira", Addr: "127.0.0.1:0", TLSCert: ca.issue(t, []string{"jira.example.com"}, nil)}
			}, true),
			remedy: []string{"The instance's TLS certificate names another host: use the host name the certificate was issued for in `url`"},
			said:   []string{"cannot validate certificate for 127.0.0.1"},
		},
	}
}

func TestAPIErrorDiagnostics(t *testing.T) {
	t.Parallel()
	for _, tc := range diagnosticCases() {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			attrs, listURL := tc.provider(t)
			diags := readThroughProtocol(t, attrs, "applinks_application_links", nil)
			if len(diags) != 1 || diags[0].Severity != tfprotov6.DiagnosticSeverityError {
				t.Fatalf("want one error, got %s", describeDiags(diags))
			}
			d := diags[0]
			if d.Summary != "Error Reading Application Links" {
				t.Errorf("summary %q", d.Summary)
			}
			paragraphs := strings.Split(d.Detail, "\n\n")
			if len(paragraphs) < 2 {
				t.Fatalf("the detail has no separate paragraph for the client's error:\n%s", d.Detail)
			}
			remedy, clientError := paragraphs[0], paragraphs[len(paragraphs)-1]
			const what = "The provider could not list the instance's application links. "
			if !strings.HasPrefix(remedy, what) {
				t.Errorf("the detail does not start with %q:\n%s", what, d.Detail)
			}
			expectInOrder(t, "remedy", remedy, tc.remedy)
			expectInOrder(t, "client's error", clientError, tc.said)
			if !strings.Contains(clientError, listURL) {
				t.Errorf("the client's error does not name %s:\n%s", listURL, clientError)
			}
			for _, other := range tc.not {
				if strings.Contains(d.Detail, other) {
					t.Errorf("the detail gives another remedy (%q):\n%s", other, d.Detail)
				}
			}
		})
	}
}

// expectInOrder fails unless text holds each phrase, one after the other.
func expectInOrder(t *testing.T, what, text string, phrases []string) {
	t.Helper()
	rest := text
	for _, p := range phrases {
		i := strings.Index(rest, p)
		if i < 0 {
			t.Errorf("%s lacks %q (in this order):\n%s", what, p, text)
			return
		}
		rest = rest[i+len(p):]
	}
}

// readThroughProtocol configures the provider and reads a data source over
// the plugin protocol, as Terraform does for a plan, and returns every
// diagnostic.
func readThroughProtocol(t *testing.T, providerAttrs map[string]tftypes.Value, typeName string, attrs map[string]tftypes.Value) []*tfprotov6.Diagnostic {
	t.Helper()
	ctx := context.Background()
	server, diags := configuredServer(t, nil, providerAttrs)
	if hasError(diags) {
		t.Fatalf("configuring the provider: %s", describeDiags(diags))
	}
	schemas, err := server.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	mustNotFail(t, err)
	schema, ok := schemas.DataSourceSchemas[typeName]
	if !ok {
		t.Fatalf("the provider has no data source %s", typeName)
	}
	objectType, ok := schema.ValueType().(tftypes.Object)
	if !ok {
		t.Fatalf("%s has no object schema", typeName)
	}
	config := objectOf(t, typeName, objectType, attrs)
	resp, err := server.ReadDataSource(ctx, &tfprotov6.ReadDataSourceRequest{TypeName: typeName, Config: &config})
	if err != nil {
		t.Fatal(fmt.Errorf("reading %s: %w", typeName, err))
	}
	return append(diags, resp.Diagnostics...)
}
