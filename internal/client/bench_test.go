package client

import (
	"context"
	"net/http"
	"testing"
)

// The client's request path for one read: headers, the logging transport,
// the pooled keep-alive connection, error handling and JSON decoding.
func BenchmarkGetApplicationLink(b *testing.B) {
	const body = `{"id":"da2ba910-6b7f-3e7d-873f-9fc7a90c771b","name":"Wiki","type":"confluence",` +
		`"rpcUrl":"http://wiki:8090","displayUrl":"https://wiki.example.com","system":false,"primary":true,"properties":{},"data":{}}`
	srv := quietServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		respond(w, http.StatusOK, "application/json", body)
	}))
	srv.Start()
	b.Cleanup(srv.Close)
	c, err := New(Config{BaseURL: srv.URL, Token: "bench-token", MaxRetries: DefaultMaxRetries})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		link, err := c.GetApplicationLink(ctx, "da2ba910-6b7f-3e7d-873f-9fc7a90c771b")
		if err != nil || link.Name != "Wiki" {
			b.Fatalf("got %+v, %v", link, err)
		}
	}
}
