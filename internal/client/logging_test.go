package client

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode/utf16"

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

// The cost of scrubbing one logged body of the size the TRACE log keeps:
// a listing with no secret in it (the common case) and one where the
// server echoes the password, spelt as an HTML-escaping JSON encoder does.
func BenchmarkScrub(b *testing.B) {
	const password = `Pa55/w<rd>&Lk "é"-8c21`
	var listing strings.Builder
	listing.WriteString("[")
	for i := 0; listing.Len() < logBodyMax; i++ {
		fmt.Fprintf(&listing, `{"id":"00000000-0000-3000-8000-%012d","name":"Tool %d","rpcUrl":"https://tool-%d.example.com/a\/b"},`, i, i, i)
	}
	clean := listing.String()
	echoed := clean[:logBodyMax/2] + `"password":"` + jsonEscapedHTML(password) + `"` + clean[logBodyMax/2:]
	c, err := New(Config{BaseURL: "https://jira.example.com", Username: "admin", Password: password})
	if err != nil {
		b.Fatal(err)
	}
	for name, body := range map[string]string{"clean": clean, "echoed": echoed} {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				_ = c.scrub(body)
			}
		})
	}
}

func jsonEscapedHTML(s string) string {
	data, _ := json.Marshal(s)
	return string(data[1 : len(data)-1])
}

// decodedLog is the log's text with its own JSON quoting undone, as the
// spellings a server sends stand in its fields.
func decodedLog(t *testing.T, buf *bytes.Buffer) string {
	t.Helper()
	return fmt.Sprint(logEntries(t, buf))
}

// spellingsForTest writes a secret the ways a server may echo it, each
// built on its own (not by the code under test): Go's JSON encoder with and
// without HTML escaping, the same with "/" as "\/" (PHP, Jackson's option),
// ASCII-only \uXXXX for non-ASCII in both hex cases (Jackson's
// ESCAPE_NON_ASCII writes upper case), Go's %q, a query, a path and RFC 5849.
func spellingsForTest(secret string) map[string]string {
	encode := func(escapeHTML bool) string {
		var b bytes.Buffer
		e := json.NewEncoder(&b)
		e.SetEscapeHTML(escapeHTML)
		_ = e.Encode(secret)
		out := strings.TrimSpace(b.String())
		return out[1 : len(out)-1]
	}
	asciiOnly := func(s string, upper bool) string {
		var b strings.Builder
		for _, r := range s {
			if r < 0x80 {
				b.WriteRune(r)
				continue
			}
			for _, unit := range utf16.Encode([]rune{r}) {
				fmt.Fprintf(&b, `\u%04x`, unit)
			}
		}
		if upper {
			return regexp.MustCompile(`\\u[0-9a-f]{4}`).ReplaceAllStringFunc(b.String(), func(u string) string { return `\u` + strings.ToUpper(u[2:]) })
		}
		return b.String()
	}
	html, plain := encode(true), encode(false)
	quoted := strconv.Quote(secret)
	var oauth strings.Builder
	for _, c := range []byte(secret) {
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-._~", c) >= 0 {
			oauth.WriteByte(c)
		} else {
			fmt.Fprintf(&oauth, "%%%02X", c)
		}
	}
	return map[string]string{
		"raw":                        secret,
		"json":                       html,
		"json-no-html-escape":        plain,
		"json-escaped-slash":         strings.ReplaceAll(html, "/", `\/`),
		"json-no-html-escaped-slash": strings.ReplaceAll(plain, "/", `\/`),
		"json-ascii":                 asciiOnly(html, false),
		"json-ascii-upper":           asciiOnly(strings.ReplaceAll(html, "/", `\/`), true),
		"json-no-html-ascii":         asciiOnly(plain, false),
		"go-quoted":                  quoted[1 : len(quoted)-1],
		"query-escaped":              url.QueryEscape(secret),
		"path-escaped":               url.PathEscape(secret),
		"rfc5849":                    oauth.String(),
	}
}

// Secrets with every character an encoder escapes: "<", "&", ">", a
// space, quotes, a backslash, "/", a non-ASCII letter and one outside the
// Basic Multilingual Plane, so every spelling differs from the raw value.
const (
	escapingPassword = `Pa55/w<rd> & "é" \ 😀-x41`
	escapingToken    = `tok<en>&/é-5c1e0a "q"`
)

// A server that echoes a credential in any JSON or URL spelling leaves no
// trace of it in the TRACE log, nor in the error the call returns.
func TestWireLogScrubsEverySpellingOfACredential(t *testing.T) {
	cases := map[string]struct {
		edit    func(*Config)
		secrets []string
	}{
		"password": {func(c *Config) { c.Password = escapingPassword }, []string{escapingPassword, base64.StdEncoding.EncodeToString([]byte(testUser + ":" + escapingPassword))}},
		"token":    {func(c *Config) { c.Username, c.Password, c.Token = "", "", escapingToken }, []string{escapingToken}},
	}
	for name, tc := range cases {
		for _, secret := range tc.secrets {
			for form, spelling := range spellingsForTest(secret) {
				t.Run(name+"/"+form, func(t *testing.T) {
					srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
						respond(w, http.StatusBadRequest, "application/json",
							`{"status-code":400,"message":"rejected `+spelling+`","echo":"`+spelling+`"}`)
					}))
					defer srv.Close()
					var buf bytes.Buffer
					ctx := tflogtest.RootLogger(t.Context(), &buf)
					c, _ := newTestClient(t, srv.URL, tc.edit)
					_, err := c.GetManifest(ctx)
					if err == nil {
						t.Fatal("the call did not fail")
					}
					if !strings.Contains(buf.String(), "http_response_body") {
						t.Fatalf("no response body logged:\n%s", buf.String())
					}
					for where, text := range map[string]string{"log": decodedLog(t, &buf), "error": err.Error()} {
						if strings.Contains(text, spelling) {
							t.Errorf("the %s holds the %s spelling %q:\n%s", where, form, spelling, text)
						}
					}
				})
			}
		}
	}
}

// The spellings are found with the longest one first, so that a short one
// inside a longer one (the raw value inside its percent-encoding, say) can
// never leave a piece of the longer one behind.
func TestScrubLeavesNoPieceOfALongerSpelling(t *testing.T) {
	c, _ := newTestClient(t, "https://jira.example.com", func(c *Config) { c.Password = escapingPassword })
	for form, spelling := range spellingsForTest(escapingPassword) {
		got := c.scrub("a " + spelling + " b")
		if got != "a "+redacted+" b" {
			t.Errorf("%s: scrub = %q", form, got)
		}
	}
	if got := c.scrub(`{"name":"harmless \u003c text"}`); got != `{"name":"harmless \u003c text"}` {
		t.Errorf("scrub changed a body without secrets: %q", got)
	}
}

// An OAuth shared secret, which the client knows only during the call that
// sends it, is scrubbed in every spelling from that call's TRACE log and
// error, as the client's own credentials are.
func TestWireLogScrubsACallsSharedSecret(t *testing.T) {
	const sharedSecret = `Sh4red<&>Secret/"é" x`
	spellings := spellingsForTest(sharedSecret)
	var echo strings.Builder
	for _, s := range spellings {
		echo.WriteString(s + " | ")
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		respond(w, http.StatusBadRequest, "application/json", `{"status-code":400,"message":"not accepted: `+
			strings.ReplaceAll(echo.String(), `"`, `\"`)+`","echo":"`+echo.String()+`"}`)
	}))
	defer srv.Close()
	var buf bytes.Buffer
	ctx := tflogtest.RootLogger(t.Context(), &buf)
	c, _ := newTestClient(t, srv.URL, nil)
	err := c.PutOutgoingConsumer(ctx, "id-1", OutgoingConsumer{Key: "k", Name: "n", SharedSecret: sharedSecret})
	if err == nil {
		t.Fatal("the call did not fail")
	}
	for form, spelling := range spellings {
		for where, text := range map[string]string{"log": decodedLog(t, &buf), "error": err.Error() + fmt.Sprintf("%+v", err)} {
			if strings.Contains(text, spelling) {
				t.Errorf("the %s holds the %s spelling %q:\n%s", where, form, spelling, text)
			}
		}
	}
	if !strings.Contains(buf.String(), "not accepted") {
		t.Fatalf("the response body is not in the log:\n%s", buf.String())
	}
}

// Values the client does not know (a remote admin password, a shared
// secret) are found by the key that names them even when they carry JSON
// escapes, and inside JSON quoted in a JSON string, as an error message
// that repeats the request body holds it.
func TestScrubSecretJSONValuesWithEscapes(t *testing.T) {
	c := &Client{}
	const remoteAdminPassword = `R3mote<&>/"é" 😀`
	inner, _ := json.Marshal(map[string]string{"password": remoteAdminPassword, "sharedSecret": remoteAdminPassword, "name": "keep"})
	nested, _ := json.Marshal(map[string]string{"message": "bad request: " + string(inner)})
	doubly, _ := json.Marshal(map[string]string{"message": string(nested)})
	for name, in := range map[string]string{
		"escaped value":  `{"password":"` + jsonEscapedHTML(remoteAdminPassword) + `","name":"keep"}`,
		"ascii value":    `{"remoteAdminPassword":"R3mote\u003C\u0026\u003E\/\"\u00E9\" \uD83D\uDE00","name":"keep"}`,
		"nested":         string(nested),
		"nested spaced":  strings.ReplaceAll(string(nested), `\":\"`, `\" : \"`),
		"nested cut":     string(nested[:len(nested)-30]),
		"doubly by hand": string(doubly),
	} {
		got := c.scrub(in)
		for _, piece := range []string{"R3mote", `\u003c\u0026`, "00e9", "00E9"} {
			if strings.Contains(got, piece) {
				t.Errorf("%s: scrub(%s) = %s, still holds %q", name, in, got, piece)
			}
		}
		if name != "nested cut" && !strings.Contains(got, "keep") {
			t.Errorf("%s: scrub removed a harmless value: %s", name, got)
		}
	}
}

// A short password is scrubbed where it stands as a word, not inside
// longer words: with the password "admin", the products' "system
// administrator" must stay readable, and the password itself must not.
func TestScrubKeepsWordsThatContainAShortPassword(t *testing.T) {
	t.Parallel()
	s := newScrubber("admin")
	got := s.scrub(`user admin is not a system administrator; password=admin&x, "admin", admin1 or Admin`)
	want := `user [redacted] is not a system administrator; password=[redacted]&x, "[redacted]", admin1 or Admin`
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	// A long secret is scrubbed wherever it appears, inside words too.
	long := newScrubber("Hunter2Secret")
	if got := long.scrub("xHunter2Secretx"); got != "x[redacted]x" {
		t.Errorf("a long secret inside a word was left: %s", got)
	}
}
