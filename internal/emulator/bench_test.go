package emulator

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
)

// The handlers a refreshing plan hits hardest, called in-process on an
// instance holding 500 links and 500 allowlist rules, so a regression in
// the emulator shows without Terraform and without the network.
func BenchmarkHotHandlers(b *testing.B) {
	srv, err := start(Options{}, nil, loopback("jira", "jira"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = srv.Close() })
	inst := srv.Instance("jira")
	var firstID string
	err = inst.store.Update(func(st *state) error {
		for i := range 500 {
			id := GenerateApplicationID(fmt.Sprintf("http://peer-%d.example.com", i))
			if firstID == "" {
				firstID = id
			}
			st.Links = append(st.Links, storedLink{ID: id, TypeID: "confluence", Name: fmt.Sprintf("Peer %d", i),
				RPCURL: fmt.Sprintf("http://peer-%d.example.com", i), DisplayURL: fmt.Sprintf("http://peer-%d.example.com", i)})
			addApplicationLinkRule(st, id)
			st.NextAllowlistRuleID++
			st.AllowlistRules = append(st.AllowlistRules, storedAllowlistRule{ID: st.NextAllowlistRuleID,
				Type: "DOMAIN_NAME", Expression: fmt.Sprintf("https://host-%d.example.com", i), AuthenticationRequired: true})
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	handler := inst.httpServer.Handler

	for _, bc := range []struct{ name, path string }{
		{"manifest", "/rest/applinks/1.0/manifest"},
		{"v3 link", "/rest/applinks/3.0/applinks/" + firstID},
		{"v3 link list", "/rest/applinks/3.0/applinks"},
		{"oauth status", "/rest/applinks/3.0/status/" + firstID + "/oauth"},
		{"allowlist", "/rest/whitelist/latest/"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			req := httptest.NewRequest(http.MethodGet, bc.path, nil)
			req.SetBasicAuth("admin", "admin")
			req.Header.Set("Accept", "application/json")
			b.ReportAllocs()
			for b.Loop() {
				rec := httptest.NewRecorder()
				handler.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					b.Fatalf("%s: HTTP %d: %s", bc.path, rec.Code, rec.Body.String())
				}
			}
		})
	}
}
