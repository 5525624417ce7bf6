package emulator

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"
)

// A client that gives up during a fault's latency takes its request with
// it: the latency stands for the way to the product, so a request whose
// client is gone by then never reaches it.
func TestLatencyFaultDropsARequestWhoseClientGaveUp(t *testing.T) {
	srv := startTestServer(t, Options{Control: true}, nil, loopback("jira", "jira"))
	base := srv.Instance("jira").URL()
	postFault(t, base, `{"method":"POST","path_prefix":"/rest/whitelist/latest","count":1,"latency_ms":800}`)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, base+"/rest/whitelist/latest",
		strings.NewReader(`{"expression":"https://late.example.com","type":"whitelist.exact.url"}`))
	req.SetBasicAuth("admin", "admin")
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	if resp, err := http.DefaultClient.Do(req); err == nil {
		_ = resp.Body.Close()
		t.Fatal("the request was answered within its timeout")
	}
	time.Sleep(1200 * time.Millisecond)
	list := expect(t, base, jsonCall(http.MethodGet, "/rest/whitelist/latest", "admin", ""), http.StatusOK)
	if strings.Contains(list, "late.example.com") {
		t.Fatalf("the abandoned request reached the product: %s", list)
	}
}
