package emulator

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

func postFault(t *testing.T, base, body string) {
	t.Helper()
	resp, respBody := send(t, base, testRequest{method: http.MethodPost, path: "/_emulator/faults", body: body})
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("POST fault: status %d body %s", resp.StatusCode, respBody)
	}
}

func TestControlAPIIsAbsentByDefaultWithA404ThatNamesControl(t *testing.T) {
	srv := startTestServer(t, Options{}, nil,
		loopback("jira", "jira"),
		InstanceConfig{Name: "wiki", Type: "confluence", Addr: "127.0.0.1:0", ContextPath: "/wiki"})
	for _, tr := range []testRequest{
		{path: "/_emulator/requests"},
		{method: http.MethodPost, path: "/_emulator/faults", body: `{"status":503}`, headers: map[string]string{"Content-Type": "application/json"}},
		{method: http.MethodDelete, path: "/_emulator/faults"},
		{method: http.MethodPut, path: "/_emulator/links/x/legacy_authentication/basic"},
	} {
		for _, name := range []string{"jira", "wiki"} {
			resp, body := send(t, srv.Instance(name).URL(), tr)
			if resp.StatusCode != http.StatusNotFound || resp.Header.Get("Content-Type") != "application/json" ||
				!strings.Contains(body, "start the emulator with -control") {
				t.Errorf("%s %s on %s: status %d type %q body %s; want a JSON 404 naming -control",
					tr.method, tr.path, name, resp.StatusCode, resp.Header.Get("Content-Type"), body)
			}
		}
	}
	// Paths beside it keep the container's page.
	if resp, _ := send(t, srv.Instance("jira").URL(), testRequest{path: "/_emulatorx"}); resp.Header.Get("Content-Type") != contentTypeHTML {
		t.Errorf("/_emulatorx: type %q, want the container's HTML 404", resp.Header.Get("Content-Type"))
	}
}

func TestControlAddsAndRemovesLegacyAuthentication(t *testing.T) {
	srv := startTestServer(t, Options{Control: true}, nil, InstanceConfig{Name: "jira", Type: "jira", Addr: "127.0.0.1:0", ContextPath: "/jira"})
	inst := srv.Instance("jira")
	base := inst.URL()
	const id = "98d12f56-7880-4183-b619-3f5838feadab"
	addTestLink(t, inst, storedLink{ID: id, TypeID: "confluence", Name: "Confluence", RPCURL: "http://127.0.0.1:1", DisplayURL: "http://127.0.0.1:1"})
	providers := func() string {
		return expect(t, base, jsonCall(http.MethodGet, "/rest/applinks/2.0/applicationlink/"+id+"/authentication/provider", "admin", ""), http.StatusOK)
	}
	control := func(method, kind string, want int) string {
		t.Helper()
		resp, body := send(t, base, testRequest{method: method, path: "/_emulator/links/" + id + "/legacy_authentication/" + kind})
		if resp.StatusCode != want {
			t.Fatalf("%s %s: status %d body %s, want %d", method, kind, resp.StatusCode, body, want)
		}
		return body
	}

	control(http.MethodPut, "trusted_applications", http.StatusNoContent)
	control(http.MethodPut, "basic", http.StatusNoContent)
	control(http.MethodPut, "basic", http.StatusNoContent) // again: still one provider
	listed := providers()
	if strings.Count(listed, providerTrustedApps) != 1 || strings.Count(listed, providerBasic) != 1 {
		t.Fatalf("providers after adding both: %s", listed)
	}
	link, _ := inst.link(id)
	if err := checkLegacyAuthentication(link, applinkOAuthStatus{}); err == nil || err.errorType != "MANUAL_LEGACY_UPDATE" {
		t.Errorf("legacy check with both providers: %+v, want MANUAL_LEGACY_UPDATE", err)
	}

	control(http.MethodDelete, "trusted_applications", http.StatusNoContent)
	if listed := providers(); strings.Contains(listed, providerTrustedApps) || !strings.Contains(listed, providerBasic) {
		t.Errorf("providers after removing trusted_applications: %s", listed)
	}
	control(http.MethodDelete, "basic", http.StatusNoContent)
	control(http.MethodDelete, "basic", http.StatusNoContent) // nothing left to remove
	if listed := providers(); strings.Contains(listed, providerBasic) {
		t.Errorf("providers after removing basic: %s", listed)
	}

	if body := control(http.MethodPut, "kerberos", http.StatusBadRequest); !strings.Contains(body, "use basic or trusted_applications") {
		t.Errorf("unknown kind: %s", body)
	}
	resp, body := send(t, base, testRequest{method: http.MethodPut, path: "/_emulator/links/nope/legacy_authentication/basic"})
	if resp.StatusCode != http.StatusNotFound || !strings.Contains(body, `no application link with id \"nope\"`) {
		t.Errorf("unknown link: status %d body %s", resp.StatusCode, body)
	}
}

func TestFaultStatusRetryAfterAndCount(t *testing.T) {
	srv := startTestServer(t, Options{Control: true}, nil, loopback("jira", "jira"))
	base := srv.Instance("jira").URL()
	postFault(t, base, `{"method":"get","path_prefix":"/rest/applinks/","count":2,"status":503,"retry_after":"2","body":"{\"busy\":true}","content_type":"application/json"}`)

	for i := range 2 {
		// Faults come before authentication: even bad credentials see them.
		resp, body := send(t, base, testRequest{path: "/rest/applinks/1.0/manifest", headers: map[string]string{"Authorization": "Bearer wrong"}})
		if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") != "2" ||
			resp.Header.Get("Content-Type") != "application/json" || body != `{"busy":true}` {
			t.Fatalf("request %d: status %d, Retry-After %q, type %q, body %q", i, resp.StatusCode,
				resp.Header.Get("Retry-After"), resp.Header.Get("Content-Type"), body)
		}
	}
	resp, _ := send(t, base, testRequest{path: "/rest/applinks/1.0/manifest"})
	if resp.StatusCode != http.StatusOK {
		t.Errorf("third request: status %d, want the fault used up", resp.StatusCode)
	}
}

func TestFaultMatchesMethodAndPathPrefix(t *testing.T) {
	srv := startTestServer(t, Options{Control: true}, nil, InstanceConfig{Name: "jira", Type: "jira", Addr: "127.0.0.1:0", ContextPath: "/jira"})
	base := srv.Instance("jira").URL()
	postFault(t, base, `{"method":"PUT","path_prefix":"/rest/api/","status":500}`)

	if resp, _ := send(t, base, testRequest{path: "/rest/applinks/1.0/manifest"}); resp.StatusCode != http.StatusOK {
		t.Errorf("GET elsewhere: status %d", resp.StatusCode)
	}
	resp, body := send(t, base, testRequest{method: http.MethodPut, path: "/rest/api/2/settings/baseUrl"})
	if resp.StatusCode != http.StatusInternalServerError || body != "" {
		t.Errorf("matching PUT: status %d body %q, want the injected 500", resp.StatusCode, body)
	}
}

func TestFaultLatencyThenNormalHandling(t *testing.T) {
	srv := startTestServer(t, Options{Control: true}, nil, loopback("jira", "jira"))
	base := srv.Instance("jira").URL()
	postFault(t, base, `{"latency_ms":300}`)
	started := time.Now()
	resp, _ := send(t, base, testRequest{path: "/rest/applinks/1.0/manifest"})
	if elapsed := time.Since(started); elapsed < 300*time.Millisecond {
		t.Errorf("answered after %s, want at least 300ms", elapsed)
	}
	if resp.StatusCode != http.StatusOK {
		t.Errorf("status %d, want the normal 200 after the delay", resp.StatusCode)
	}
}

func TestFaultDropsConnection(t *testing.T) {
	srv := startTestServer(t, Options{Control: true}, nil, loopback("jira", "jira"))
	base := srv.Instance("jira").URL()
	postFault(t, base, `{"drop_connection":true}`)
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := client.Get(base + "/rest/applinks/1.0/manifest")
	if err == nil {
		resp.Body.Close()
		t.Fatalf("got status %d, want a dropped connection", resp.StatusCode)
	}
	if !errors.Is(err, io.EOF) && !strings.Contains(err.Error(), "EOF") && !strings.Contains(err.Error(), "reset") {
		t.Errorf("error = %v, want EOF or reset", err)
	}
	if resp, _ := send(t, base, testRequest{path: "/rest/applinks/1.0/manifest"}); resp.StatusCode != http.StatusOK {
		t.Errorf("next request: status %d", resp.StatusCode)
	}
}

// drop_response lets the product act and then hangs up: the rule is
// created although the client never hears so.
func TestFaultDropsResponseAfterTheProductActed(t *testing.T) {
	srv := startTestServer(t, Options{Control: true}, nil, loopback("jira", "jira"))
	base := srv.Instance("jira").URL()
	postFault(t, base, `{"method":"POST","path_prefix":"/rest/whitelist/","drop_response":true}`)
	req, err := http.NewRequest(http.MethodPost, base+"/rest/whitelist/latest",
		strings.NewReader(`{"expression":"https://acted.example.com","type":"whitelist.domain.name"}`))
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth("admin", "admin")
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Atlassian-Token", "no-check")
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := client.Do(req)
	if err == nil {
		resp.Body.Close()
		t.Fatalf("got status %d, want a dropped connection", resp.StatusCode)
	}
	_, body := send(t, base, testRequest{path: "/rest/whitelist/latest", user: "admin", headers: map[string]string{"Accept": "application/json"}})
	if strings.Count(body, `"expression":"https://acted.example.com"`) != 1 {
		t.Errorf("the product did not create the rule exactly once: %s", body)
	}
}

func TestFaultBodyBytesPadsTheBody(t *testing.T) {
	srv := startTestServer(t, Options{Control: true}, nil, loopback("jira", "jira"))
	base := srv.Instance("jira").URL()
	postFault(t, base, `{"status":200,"body":"{\"id\":1}","content_type":"application/json","body_bytes":100000}`)
	resp, body := send(t, base, testRequest{path: "/rest/applinks/1.0/manifest"})
	if resp.StatusCode != http.StatusOK || len(body) != 100000 || !strings.HasPrefix(body, `{"id":1} `) || strings.TrimSpace(body) != `{"id":1}` {
		t.Errorf("status %d, %d bytes starting %.20q; want 100000 bytes of the body and spaces", resp.StatusCode, len(body), body)
	}
}

func TestFaultTruncatesTheBody(t *testing.T) {
	srv := startTestServer(t, Options{Control: true}, nil, loopback("jira", "jira"))
	base := srv.Instance("jira").URL()
	postFault(t, base, `{"status":200,"body":"{\"id\":\"0123456789\"}","content_type":"application/json"}`)
	postFault(t, base, `{"status":200,"body":"{\"id\":\"0123456789\"}","content_type":"application/json","truncate":true}`)
	postFault(t, base, `{"status":200,"body":"[]","content_type":"application/json","body_bytes":4000,"truncate":true}`)
	if resp, body := send(t, base, testRequest{path: "/rest/applinks/1.0/manifest"}); resp.StatusCode != http.StatusOK || body != `{"id":"0123456789"}` {
		t.Fatalf("first fault: status %d body %q", resp.StatusCode, body)
	}
	for _, want := range []struct{ length, got int }{{19, 9}, {4000, 2000}} {
		resp, err := testClient.Get(base + "/rest/applinks/1.0/manifest")
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.ContentLength != int64(want.length) || len(data) != want.got || !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Errorf("Content-Length %d, read %d bytes, error %v; want %d, %d and an unexpected EOF",
				resp.ContentLength, len(data), err, want.length, want.got)
		}
	}
	if resp, _ := send(t, base, testRequest{path: "/rest/applinks/1.0/manifest"}); resp.StatusCode != http.StatusOK {
		t.Errorf("next request: status %d", resp.StatusCode)
	}
}

func TestRequestCountsAndReset(t *testing.T) {
	srv := startTestServer(t, Options{Control: true}, nil, InstanceConfig{Name: "wiki", Type: "confluence", Addr: "127.0.0.1:0", ContextPath: "/wiki"})
	base := srv.Instance("wiki").URL()
	send(t, base, testRequest{path: "/rest/applinks/1.0/manifest?x=1"})
	send(t, base, testRequest{path: "/rest/applinks/1.0/manifest"})
	send(t, base, testRequest{method: http.MethodPost, path: "/rest/applinks/1.0/manifest.json/"})
	postFault(t, base, `{"status":502,"count":5}`)

	_, body := send(t, base, testRequest{path: "/_emulator/requests"})
	want := `{"total":3,"requests":{"GET /rest/applinks/1.0/manifest":2,"POST /rest/applinks/1.0/manifest.json/":1}}`
	if body != want {
		t.Errorf("requests = %s\nwant       %s", body, want)
	}

	if resp, _ := send(t, base, testRequest{method: http.MethodDelete, path: "/_emulator/faults"}); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("DELETE faults: status %d", resp.StatusCode)
	}
	if resp, _ := send(t, base, testRequest{path: "/rest/applinks/1.0/manifest"}); resp.StatusCode != http.StatusOK {
		t.Errorf("after DELETE faults: status %d", resp.StatusCode)
	}
	_, body = send(t, base, testRequest{path: "/_emulator/requests"})
	if !strings.HasPrefix(body, `{"total":4,`) {
		t.Errorf("DELETE faults reset the counts: %s", body)
	}

	postFault(t, base, `{"status":502}`)
	if resp, _ := send(t, base, testRequest{method: http.MethodPost, path: "/_emulator/reset"}); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("reset: status %d", resp.StatusCode)
	}
	if _, body = send(t, base, testRequest{path: "/_emulator/requests"}); body != `{"total":0,"requests":{}}` {
		t.Errorf("after reset: %s", body)
	}
	if resp, _ := send(t, base, testRequest{path: "/rest/applinks/1.0/manifest"}); resp.StatusCode != http.StatusOK {
		t.Errorf("reset kept the fault: status %d", resp.StatusCode)
	}
}

func TestInvalidFaultsAreRejected(t *testing.T) {
	srv := startTestServer(t, Options{Control: true}, nil, loopback("jira", "jira"))
	base := srv.Instance("jira").URL()
	tests := map[string]string{
		`{"status":503,"retry_afer":"2"}`:       `{"error":"invalid fault: json: unknown field \"retry_afer\""}`,
		`{"status":99}`:                         `{"error":"invalid fault: status must be between 200 and 599"}`,
		`{"count":-1,"status":500}`:             `{"error":"invalid fault: count must not be negative"}`,
		`{"path_prefix":"/rest/"}`:              `{"error":"invalid fault: a fault needs a status, latency_ms, drop_connection or drop_response"}`,
		`{"status":500,"drop_connection":true}`: `{"error":"invalid fault: status and drop_connection exclude each other"}`,
		`{"status":502,"drop_response":true}`:   `{"error":"invalid fault: drop_response excludes status and drop_connection"}`,
		`{"latency_ms":10,"body":"x"}`:          `{"error":"invalid fault: retry_after, body, content_type, body_bytes and truncate need a status"}`,
		`{"latency_ms":10,"truncate":true}`:     `{"error":"invalid fault: retry_after, body, content_type, body_bytes and truncate need a status"}`,
		`{"status":200,"body_bytes":-1}`:        `{"error":"invalid fault: body_bytes must be between 0 and 67108864"}`,
		`{"status":200,"truncate":true}`:        `{"error":"invalid fault: truncate needs a body of at least 2 bytes"}`,
	}
	for fault, want := range tests {
		resp, body := send(t, base, testRequest{method: http.MethodPost, path: "/_emulator/faults", body: fault})
		if resp.StatusCode != http.StatusBadRequest || body != want {
			t.Errorf("%s: status %d body %s; want 400 %s", fault, resp.StatusCode, body, want)
		}
	}
	if resp, _ := send(t, base, testRequest{path: "/_emulator/faults"}); resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET faults: status %d, want 405", resp.StatusCode)
	}
}

func TestCloseIsNotHeldUpByInjectedLatency(t *testing.T) {
	srv, err := Start(Options{Control: true}, loopback("jira", "jira"))
	if err != nil {
		t.Fatal(err)
	}
	base := srv.Instance("jira").URL()
	postFault(t, base, `{"latency_ms":60000}`)
	done := make(chan struct{})
	go func() {
		defer close(done)
		if resp, err := testClient.Get(base + "/rest/applinks/1.0/manifest"); err == nil {
			resp.Body.Close()
		}
	}()
	time.Sleep(100 * time.Millisecond) // let the request reach the delay
	started := time.Now()
	if err := srv.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if elapsed := time.Since(started); elapsed > 2*time.Second {
		t.Errorf("Close took %s", elapsed)
	}
	<-done
}
