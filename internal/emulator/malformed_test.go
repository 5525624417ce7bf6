package emulator

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"
)

// No body, however malformed, takes an instance down: every route that
// takes a body answers each of these with an HTTP status and the instance
// keeps serving.
func TestMalformedBodiesNeverCrashAnInstance(t *testing.T) {
	t.Parallel()
	srv := startTestServer(t, Options{}, nil, loopback("jira", "jira"))
	base := srv.Instance("jira").URL()
	bodies := []struct{ contentType, body string }{
		{"application/json", `{"name":`},
		{"application/json", `[1,2,3]`},
		{"application/json", `{"name":{"nested":[null,{"x":1e999}]},"rpcUrl":12}`},
		{"application/json", "\x00\xff\xfe garbage"},
		{"application/json", `"just a string"`},
		{"application/xml", `<applicationLink><name>unterminated`},
		{"application/xml", `<!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;&a;&a;</x>`},
		{"text/plain", strings.Repeat("{", 10000)},
	}

	router := newRouter(nil)
	tried := 0
	for _, rt := range router.routes {
		if rt.method != http.MethodPost && rt.method != http.MethodPut {
			continue
		}
		path := strings.NewReplacer("{id}", "da2ba910-6b7f-3e7d-873f-9fc7a90c771b", "{typeId}", "jira",
			"{provider}", "x", "{url:.*}", "http://peer", "{name}", "x").Replace(rt.pattern)
		for _, b := range bodies {
			req, err := http.NewRequest(rt.method, base+path, bytes.NewReader([]byte(b.body)))
			if err != nil {
				t.Fatal(err)
			}
			req.SetBasicAuth("admin", "admin")
			req.Header.Set("Content-Type", b.contentType)
			req.Header.Set("Accept", "application/json")
			req.Header.Set("X-Atlassian-Token", "no-check")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatalf("%s %s with %q: no answer: %v", rt.method, path, b.body[:min(len(b.body), 20)], err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			tried++
		}
	}
	if tried < 50 {
		t.Fatalf("tried only %d requests; the route table was not read", tried)
	}
	resp, err := http.Get(base + "/rest/applinks/1.0/manifest")
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("the instance stopped serving after malformed bodies: %v %v", resp, err)
	}
	resp.Body.Close()
}
