package client

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
)

// The client's request path for one read: headers, the logging transport,
// the pooled keep-alive connection, error handling and JSON decoding.
func BenchmarkApplicationLinkUncached(b *testing.B) {
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
		link, err := c.ApplicationLink(ctx, "da2ba910-6b7f-3e7d-873f-9fc7a90c771b", Uncached)
		if err != nil || link.Name != "Wiki" {
			b.Fatalf("got %+v, %v", link, err)
		}
	}
}

// A refresh of one link out of 500 from the listing the run's reads share:
// after the first read, no request and a scan of the listing.
func BenchmarkApplicationLink(b *testing.B) {
	var body strings.Builder
	body.WriteString("[")
	for i := range 500 {
		if i > 0 {
			body.WriteString(",")
		}
		fmt.Fprintf(&body, `{"id":"00000000-0000-3000-8000-%012d","name":"Tool %d","type":"generic","rpcUrl":"https://tool-%d.example.com",`+
			`"displayUrl":"https://tool-%d.example.com","system":false,"primary":%t}`, i, i, i, i, i == 0)
	}
	body.WriteString("]")
	var requests atomic.Int64
	srv := quietServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		requests.Add(1)
		respond(w, http.StatusOK, "application/json", body.String())
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
		link, err := c.ApplicationLink(ctx, "00000000-0000-3000-8000-000000000499")
		if err != nil || link.Name != "Tool 499" {
			b.Fatalf("got %+v, %v", link, err)
		}
	}
	b.ReportMetric(float64(requests.Load()), "requests")
}
