package client

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// countingServer answers GETs by path and counts the requests per
// "METHOD path"; it is safe for concurrent requests.
func countingServer(t *testing.T, answers map[string]string) (*Client, func(key string) int64) {
	t.Helper()
	var mu sync.Mutex
	counts := map[string]int64{}
	srv := quietServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		counts[r.Method+" "+r.URL.Path]++
		mu.Unlock()
		if r.Method != http.MethodGet {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		body, ok := answers[r.URL.Path]
		if !ok {
			respond(w, http.StatusNotFound, "application/json", `{"status-code":404,"message":"not found"}`)
			return
		}
		respond(w, http.StatusOK, "application/json", body)
	}))
	srv.Start()
	t.Cleanup(srv.Close)
	c, _ := newTestClient(t, srv.URL, nil)
	return c, func(key string) int64 {
		mu.Lock()
		defer mu.Unlock()
		return counts[key]
	}
}

const (
	linksPath = "/rest/applinks/3.0/applinks"
	linksKey  = "GET " + linksPath
)

func TestApplicationLinkListsOncePerRunUntilAWrite(t *testing.T) {
	t.Parallel()
	c, count := countingServer(t, map[string]string{
		linksPath: `[{"id":"id-1","name":"Jira","type":"jira","rpcUrl":"http://jira","displayUrl":"http://jira"},` +
			`{"id":"id-2","name":"Wiki","type":"confluence","rpcUrl":"http://wiki","displayUrl":"http://wiki"}]`,
	})
	ctx := context.Background()

	var wg sync.WaitGroup
	var failures atomic.Int64
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func(id string) {
			defer wg.Done()
			link, err := c.ApplicationLink(ctx, id)
			if err != nil || link.ID != id {
				failures.Add(1)
			}
		}([]string{"id-1", "id-2"}[i%2])
	}
	wg.Wait()
	if failures.Load() != 0 {
		t.Fatalf("%d concurrent reads failed", failures.Load())
	}
	if link, err := c.ApplicationLink(ctx, "ID-2"); err != nil || link.Name != "Wiki" {
		t.Fatalf("link %+v, err %v: ids are compared without case", link, err)
	}
	if got := count(linksKey); got != 1 {
		t.Fatalf("21 reads made %d listing requests, want 1", got)
	}

	if _, err := c.ApplicationLink(ctx, "id-3"); !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "id-3") {
		t.Errorf("unlisted link: err = %v, want ErrNotFound naming the id", err)
	}

	if err := c.DeleteApplicationLink(ctx, "id-1"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ApplicationLink(ctx, "id-2"); err != nil {
		t.Fatal(err)
	}
	if got := count(linksKey); got != 2 {
		t.Errorf("after a write the listing was requested %d times in all, want 2 (the write must invalidate it)", got)
	}
}

// The data sources and the create checks list the links too; they share
// the listing with the refresh of the links, and get their own copy of it.
func TestListApplicationLinksSharesTheListing(t *testing.T) {
	t.Parallel()
	c, count := countingServer(t, map[string]string{
		linksPath: `[{"id":"id-1","name":"Jira","type":"jira","rpcUrl":"http://jira","displayUrl":"http://jira"}]`,
	})
	ctx := context.Background()
	links, err := c.ListApplicationLinks(ctx)
	if err != nil || len(links) != 1 {
		t.Fatalf("links %+v, err %v", links, err)
	}
	links[0].Name = "changed by the caller"
	link, err := c.ApplicationLink(ctx, "id-1")
	if err != nil || link.Name != "Jira" {
		t.Errorf("link %+v, err %v: a caller's change to its listing must not reach the cache", link, err)
	}
	if got := count(linksKey); got != 1 {
		t.Errorf("a listing and a read made %d listing requests, want 1", got)
	}
}

func TestLinkAuthenticationIsCachedPerLink(t *testing.T) {
	t.Parallel()
	auth := `{"configuredAuthProviders":[],"consumers":[]}`
	c, count := countingServer(t, map[string]string{
		"/rest/applinks-oauth/1.0/applicationlink/id-1/authentication": auth,
		"/rest/applinks-oauth/1.0/applicationlink/id-2/authentication": auth,
	})
	ctx := context.Background()
	for _, id := range []string{"id-1", "id-2", "id-1", "id-2", "id-1"} {
		if _, err := c.LinkAuthentication(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range []string{"id-1", "id-2"} {
		if got := count("GET /rest/applinks-oauth/1.0/applicationlink/" + id + "/authentication"); got != 1 {
			t.Errorf("%s: %d requests, want 1", id, got)
		}
	}
	if _, err := c.LinkAuthentication(ctx, "gone"); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown link: err = %v, want ErrNotFound", err)
	}
	// A failed read is not cached.
	if _, err := c.LinkAuthentication(ctx, "gone"); !errors.Is(err, ErrNotFound) {
		t.Fatal(err)
	}
	if got := count("GET /rest/applinks-oauth/1.0/applicationlink/gone/authentication"); got != 2 {
		t.Errorf("a 404 was asked %d times, want 2: errors must not be cached", got)
	}
	// Link ids are compared without case, so this is the cached answer (a
	// request would be a 404 on this server).
	if _, err := c.LinkAuthentication(ctx, "ID-1"); err != nil {
		t.Fatalf("ids must share one cache entry whatever their case: %v", err)
	}
	// Confirming a write needs no uncached read: the write emptied the cache.
	if err := c.SetOAuthStatus(ctx, "id-1", OAuthStatus{}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.LinkAuthentication(ctx, "id-1"); err != nil {
		t.Fatal(err)
	}
	if got := count("GET /rest/applinks-oauth/1.0/applicationlink/id-1/authentication"); got != 2 {
		t.Errorf("the read after a write made %d requests in all, want 2", got)
	}
}

// Creating a link makes the products add an allowlist rule for it, so a
// write of any kind must invalidate the allowlist listing too.
func TestAnyWriteInvalidatesEveryListing(t *testing.T) {
	t.Parallel()
	c, count := countingServer(t, map[string]string{
		"/rest/whitelist/latest": `{"rules":[],"page":0,"totalPages":1}`,
		linksPath:                `[]`,
	})
	ctx := context.Background()
	read := func() {
		t.Helper()
		if _, err := c.AllowlistRules(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := c.ApplicationLink(ctx, "x"); !errors.Is(err, ErrNotFound) {
			t.Fatal(err)
		}
	}
	read()
	read()
	if err := c.SetOAuthStatus(ctx, "id-1", OAuthStatus{}); err != nil {
		t.Fatal(err)
	}
	read()
	if a, l := count("GET /rest/whitelist/latest"), count(linksKey); a != 2 || l != 2 {
		t.Errorf("allowlist listed %d times, links %d times; want 2 each (once before and once after the write)", a, l)
	}
}

func TestOAuthStatusIsDerivedAsTheStatusAPIDoes(t *testing.T) {
	t.Parallel()
	provider := func(class string) AuthenticationProvider { return AuthenticationProvider{Provider: class} }
	on3 := OAuthConfig{Enabled: true}
	on2 := OAuthConfig{Enabled: true, TwoLoEnabled: true}
	oni := OAuthConfig{Enabled: true, TwoLoEnabled: true, TwoLoImpersonationEnabled: true}
	for _, tc := range []struct {
		name string
		auth LinkAuthentication
		want OAuthStatus
	}{
		{"nothing", LinkAuthentication{}, OAuthStatus{}},
		{"legacy providers are not OAuth", LinkAuthentication{Providers: []AuthenticationProvider{provider(ProviderBasic), provider(ProviderTrustedApps)}}, OAuthStatus{}},
		{"3LO out", LinkAuthentication{Providers: []AuthenticationProvider{provider(ProviderOAuth)}}, OAuthStatus{Outgoing: on3}},
		{"2LO out", LinkAuthentication{Providers: []AuthenticationProvider{provider(ProviderOAuth), provider(ProviderTwoLeggedOAuth)}}, OAuthStatus{Outgoing: on2}},
		{"2LOi out implies 2LO", LinkAuthentication{Providers: []AuthenticationProvider{provider(ProviderOAuth), provider(ProviderTwoLeggedOAuthImpersonated)}}, OAuthStatus{Outgoing: oni}},
		{"2LO without 3LO is off", LinkAuthentication{Providers: []AuthenticationProvider{provider(ProviderTwoLeggedOAuth)}}, OAuthStatus{}},
		{"3LO in", LinkAuthentication{Consumers: []Consumer{{Key: "peer", SignatureMethod: SignatureRSASHA1}}}, OAuthStatus{Incoming: on3}},
		{"2LO in", LinkAuthentication{Consumers: []Consumer{{Key: "peer", TwoLOAllowed: true}}}, OAuthStatus{Incoming: on2}},
		{"2LOi in", LinkAuthentication{Consumers: []Consumer{{Key: "peer", TwoLOImpersonationAllowed: true}}}, OAuthStatus{Incoming: oni}},
		{"a generic link's outgoing consumer is not incoming", LinkAuthentication{
			Providers: []AuthenticationProvider{{Provider: ProviderOAuth, Config: map[string]string{ConfigConsumerKeyOutbound: "ours"}}},
			Consumers: []Consumer{{Key: "ours", SignatureMethod: SignatureHMACSHA1}},
		}, OAuthStatus{Outgoing: on3}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.auth.OAuthStatus(); got != tc.want {
				t.Errorf("OAuthStatus() = %+v, want %+v", got, tc.want)
			}
		})
	}
}

// Reading one rule from the shared listing copies that rule, not the
// listing: a refresh of N rules must not allocate N listings.
func TestAllowlistRuleDoesNotCopyTheListing(t *testing.T) {
	var listing strings.Builder
	listing.WriteString(`{"rules":[`)
	for i := 1; i <= 1000; i++ {
		if i > 1 {
			listing.WriteString(",")
		}
		fmt.Fprintf(&listing, `{"id":%d,"expression":"https://host-%d.example.com","type":"whitelist.domain.name"}`, i, i)
	}
	listing.WriteString(`],"page":0,"totalPages":1}`)
	c, _ := countingServer(t, map[string]string{"/rest/whitelist/latest": listing.String()})
	ctx := context.Background()
	if _, err := c.AllowlistRule(ctx, 1); err != nil {
		t.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for id := int64(1); id <= 100; id++ {
		if rule, err := c.AllowlistRule(ctx, id); err != nil || rule.ID != id {
			t.Fatalf("rule %d: %+v, %v", id, rule, err)
		}
	}
	runtime.ReadMemStats(&after)
	// A copy of the listing is about 100 kB; 100 reads of one rule each stay
	// far below one such copy.
	if allocated := after.TotalAlloc - before.TotalAlloc; allocated > 64<<10 {
		t.Errorf("100 reads of one rule allocated %d bytes: the listing is being copied", allocated)
	}
}
