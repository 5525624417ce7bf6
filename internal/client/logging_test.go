package client

import (
	"bytes"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-log/tflog"
	"github.com/hashicorp/terraform-plugin-log/tflogtest"
)

func logEntries(t *testing.T, buf *bytes.Buffer) []map[string]any {
	t.Helper()
	entries, err := tflogtest.MultilineJSONDecode(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatalf("decoding log: %v", err)
	}
	return entries
}

func TestWireLogRedactsCredentials(t *testing.T) {
	basic := base64.StdEncoding.EncodeToString([]byte(testUser + ":" + testPassword))
	// The server echoes what it received, as a careless error page might, so
	// the response side of the log is exercised as well as the request side.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "JSESSIONID", Value: "session-cookie-value"})
		respond(w, 200, "application/json", `{"echo":"`+r.Header.Get("Authorization")+`","password":"`+testPassword+`"}`)
	}))
	defer srv.Close()

	cases := map[string]struct {
		edit    func(*Config)
		secrets []string
	}{
		"basic":  {nil, []string{testPassword, basic}},
		"bearer": {func(c *Config) { c.Username, c.Password, c.Token = "", "", testToken }, []string{testToken}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			ctx := tflogtest.RootLogger(t.Context(), &buf)
			c, _ := newTestClient(t, srv.URL+"/jira", tc.edit)

			r := call{
				method: http.MethodPost,
				path:   apiPath("rest/applinks/1.0/applicationlinkForm/createAppLink"),
				body:   map[string]any{"username": "remote-admin", "password": "remote-secret-pw", "name": "Jira"},
			}
			if _, err := c.do(ctx, r, nil); err != nil {
				t.Fatal(err)
			}

			log := buf.String()
			for _, secret := range append(tc.secrets, "remote-secret-pw", "session-cookie-value") {
				if strings.Contains(log, secret) {
					t.Errorf("log contains %q:\n%s", secret, log)
				}
			}
			for _, want := range []string{
				"HTTP request: POST " + srv.URL + "/jira/rest/applinks/1.0/applicationlinkForm/createAppLink",
				"Authorization: [redacted]",
				"Set-Cookie: [redacted]",
				`\"name\":\"Jira\"`,
				`\"username\":\"remote-admin\"`,
			} {
				if !strings.Contains(log, want) {
					t.Errorf("log lacks %q:\n%s", want, log)
				}
			}
			assertEntry(t, logEntries(t, &buf), "trace", "HTTP response: POST", map[string]any{"http_status": float64(200)})
		})
	}
}

func TestLogContextMasksCredentials(t *testing.T) {
	var buf bytes.Buffer
	c, _ := newTestClient(t, "https://jira.example.com", nil)
	ctx := c.logContext(tflogtest.RootLogger(t.Context(), &buf))
	tflog.Debug(ctx, "oops "+testPassword, map[string]any{"detail": "was " + testPassword})
	if strings.Contains(buf.String(), testPassword) || !strings.Contains(buf.String(), "oops ***") {
		t.Fatalf("password not masked in message and fields:\n%s", buf.String())
	}
}

func TestLogContextWithoutCredentialsLeavesLogsAlone(t *testing.T) {
	var buf bytes.Buffer
	c, _ := newTestClient(t, "https://jira.example.com", func(c *Config) { c.Username, c.Password = "", "" })
	tflog.Debug(c.logContext(tflogtest.RootLogger(t.Context(), &buf)), "plain words")
	if !strings.Contains(buf.String(), `"plain words"`) {
		t.Fatalf("log mangled:\n%s", buf.String())
	}
}

func TestRetriesAndCallsLoggedAtDebug(t *testing.T) {
	f := &flaky{t: t, failures: 1, fail: status(503)}
	srv := httptest.NewServer(f)
	defer srv.Close()
	var buf bytes.Buffer
	ctx := tflogtest.RootLogger(t.Context(), &buf)
	c, waits := newTestClient(t, srv.URL, nil)
	if _, err := c.GetManifest(ctx); err != nil {
		t.Fatal(err)
	}
	entries := logEntries(t, &buf)
	u := srv.URL + "/rest/applinks/1.0/manifest"
	assertEntry(t, entries, "debug", "Calling applinks API", map[string]any{"http_method": "GET", "http_url": u})
	assertEntry(t, entries, "debug", "Retrying applinks API call", map[string]any{
		"attempt": float64(1), "wait": (*waits)[0].String(), "reason": "HTTP 503", "http_url": u,
	})
	assertEntry(t, entries, "debug", "applinks API call succeeded", map[string]any{"attempts": float64(2), "http_status": float64(200)})
}

func assertEntry(t *testing.T, entries []map[string]any, level, messagePrefix string, fields map[string]any) {
	t.Helper()
next:
	for _, e := range entries {
		msg, _ := e["@message"].(string)
		if e["@level"] != level || !strings.HasPrefix(msg, messagePrefix) {
			continue
		}
		for k, v := range fields {
			if e[k] != v {
				continue next
			}
		}
		return
	}
	t.Fatalf("no %s entry %q with %v among:\n%v", level, messagePrefix, fields, entries)
}

func TestLoggingKeepsLargeBodiesWhole(t *testing.T) {
	names := strings.Repeat(`"CAPABILITY_NAME",`, 1000) // far over logBodyMax
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		respond(w, 200, "application/json", "["+names+`"LAST"]`)
	}))
	defer srv.Close()
	var buf bytes.Buffer
	ctx := tflogtest.RootLogger(t.Context(), &buf)
	c, _ := newTestClient(t, srv.URL, nil)
	got, err := c.Capabilities(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1001 || got[1000] != "LAST" {
		t.Fatalf("body changed by logging: %d capabilities", len(got))
	}
	if !strings.Contains(buf.String(), "…(truncated)") {
		t.Fatal("logged body was not truncated")
	}
}

func TestHeadersRedacted(t *testing.T) {
	tr := &loggingTransport{scrub: func(s string) string { return s }}
	h := http.Header{}
	for _, name := range []string{"Authorization", "Cookie", "Set-Cookie", "Proxy-Authorization"} {
		h.Set(name, "sensitive-"+name)
	}
	h.Set("Accept", "application/json")
	got := tr.headers(h)
	if strings.Contains(got, "sensitive-") || !strings.Contains(got, "Accept: application/json") ||
		strings.Count(got, redacted) != 4 {
		t.Fatalf("headers = %q", got)
	}
}

func TestScrubSecretJSONValues(t *testing.T) {
	c := &Client{}
	in := `{"password":"p\"w","sharedSecret":"s","clientSecret": "c","name":"keep","token":"cut-off`
	got := c.scrub(in)
	for _, secret := range []string{`p\"w`, `"s"`, `"c"`, "cut-off"} {
		if strings.Contains(got, secret) {
			t.Fatalf("scrub(%s) = %s, still contains %s", in, got, secret)
		}
	}
	if !strings.Contains(got, `"name":"keep"`) {
		t.Fatalf("scrub removed a harmless value: %s", got)
	}
}

// A credential across the point where the logged body is cut is scrubbed
// whole: no prefix of it reaches the log, whatever the offset.
func TestWireLogScrubsASecretAcrossTheCut(t *testing.T) {
	for _, offset := range []int{1, len(testPassword) / 2, len(testPassword) - 1} {
		body := strings.Repeat("x", logBodyMax-offset) + testPassword + strings.Repeat("y", 100)
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			respond(w, http.StatusOK, "application/json", body)
		}))
		var buf bytes.Buffer
		ctx := tflogtest.RootLogger(t.Context(), &buf)
		c, _ := newTestClient(t, srv.URL, nil)
		_, _ = c.Capabilities(ctx)
		srv.Close()
		if prefix := testPassword[:offset]; strings.Contains(buf.String(), "x"+prefix+"…") {
			t.Errorf("offset %d: the log holds the secret's first %d bytes before the cut", offset, offset)
		}
		if !strings.Contains(buf.String(), "…(truncated)") {
			t.Errorf("offset %d: the body was not cut in the log", offset)
		}
	}
}

// A base URL that does not parse because of its password is refused
// without the password: Go's parse error quotes the whole text, and its
// reason may quote the password's start as an invalid port.
func TestNewKeepsAPasswordInABrokenURLOutOfItsError(t *testing.T) {
	for _, raw := range []string{
		"https://bob:Hunter2Secret x@jira.example.com",
		"https://bob:Hunter2Secret/x@jira.example.com",
	} {
		_, err := New(Config{BaseURL: raw, Token: testToken})
		if err == nil || strings.Contains(err.Error(), "Hunter") || !strings.Contains(err.Error(), "credentials") {
			t.Errorf("New(%q) = %v", raw, err)
		}
	}
	_, err := New(Config{BaseURL: "https://jira.example.com:99x", Token: testToken})
	if err == nil || err.Error() != `base URL is not a valid URL: invalid port ":99x" after host` {
		t.Errorf("without credentials, New = %v", err)
	}
}
