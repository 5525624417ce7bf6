package client

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// allowlistServer answers the allowlist list with rules and counts the
// requests it receives by method and path.
type allowlistServer struct {
	mu       sync.Mutex
	requests []string
	bodies   []string
	headers  []http.Header
	rules    string
	listGate chan struct{} // when set, listing waits for it
	lists    atomic.Int32
}

func (s *allowlistServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	s.requests = append(s.requests, r.Method+" "+r.URL.RequestURI())
	s.bodies = append(s.bodies, string(body))
	s.headers = append(s.headers, r.Header.Clone())
	rules := s.rules
	s.mu.Unlock()
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/rest/whitelist/latest":
		s.lists.Add(1)
		if s.listGate != nil {
			<-s.listGate
		}
		respond(w, 200, "application/json", `{"rules":[`+rules+`],"page":1,"totalPages":1}`)
	case r.Method == http.MethodPost && r.URL.Path == "/rest/whitelist/latest":
		respond(w, 200, "application/json", `{"id":9,"expression":"https://a.example","type":"whitelist.domain.name","iconUrl":"https://a.example/favicon.ico","allowInbound":false,"allowAnonymousUser":true,"allowEdit":true,"allowDelete":true}`)
	case r.Method == http.MethodPut && r.URL.Path == "/rest/whitelist/latest/9":
		respond(w, 200, "application/json", `{"id":9,"expression":"https://b.example","type":"whitelist.domain.name","iconUrl":"","allowInbound":true,"allowAnonymousUser":true,"allowEdit":true,"allowDelete":true}`)
	case r.Method == http.MethodPut && r.URL.Path == "/rest/whitelist/latest/404":
		respond(w, 400, "application/json", `{"message":"This rule does not exist any more."}`)
	case r.Method == http.MethodDelete, r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "able"):
		w.WriteHeader(200)
	case r.URL.Path == "/rest/whitelist/latest/settings":
		respond(w, 200, "application/json", `{"applicationLinkRestrictiveness":"DENY"}`)
	case r.URL.Path == "/rest/whitelist/latest/check":
		if r.URL.Query().Get("url") == "bad uri" {
			respond(w, 400, "application/json", `{"message":"Illegal character in path at index 3: bad uri"}`)
			return
		}
		respond(w, 200, "application/json", `{"outbound":false,"outboundWithAuth":true,"inbound":true}`)
	default:
		respond(w, 404, "text/plain", "no route "+r.Method+" "+r.URL.Path)
	}
}

func (s *allowlistServer) log() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.requests...)
}

func startAllowlistServer(t *testing.T, rules string) (*allowlistServer, *Client) {
	t.Helper()
	s := &allowlistServer{rules: rules}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	c, _ := newTestClient(t, srv.URL, nil)
	return s, c
}

const twoRules = `{"id":1,"expression":"Wiki (https://wiki.example.com)","type":"whitelist.application.link","iconUrl":"https://i/16confluence.png","allowInbound":false,"allowAnonymousUser":false,"allowEdit":false,"allowDelete":false},` +
	`{"id":2,"expression":"https://a.example","type":"whitelist.domain.name","iconUrl":"https://a.example/favicon.ico","allowInbound":true,"allowAnonymousUser":true,"allowEdit":true,"allowDelete":true}`

func TestAllowlistWireFormat(t *testing.T) {
	s, c := startAllowlistServer(t, twoRules)
	ctx := context.Background()

	rules, err := c.AllowlistRules(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []AllowlistRule{
		{ID: 1, Expression: "Wiki (https://wiki.example.com)", Type: AllowlistTypeApplicationLink, IconURL: "https://i/16confluence.png"},
		{ID: 2, Expression: "https://a.example", Type: AllowlistTypeDomainName, IconURL: "https://a.example/favicon.ico", AllowInbound: true, AllowAnonymousUser: true, AllowEdit: true, AllowDelete: true},
	}
	if len(rules) != 2 || rules[0] != want[0] || rules[1] != want[1] || !rules[0].Automatic() || rules[1].Automatic() {
		t.Fatalf("rules = %+v", rules)
	}

	expression, typ, yes, no := "https://a.example", AllowlistTypeDomainName, true, false
	created, err := c.CreateAllowlistRule(ctx, AllowlistRuleInput{Expression: &expression, Type: &typ, AllowInbound: &no, AllowAnonymousUser: &yes})
	if err != nil || created.ID != 9 || !created.AllowAnonymousUser {
		t.Fatalf("create = %+v, %v", created, err)
	}
	updated, err := c.UpdateAllowlistRule(ctx, 9, AllowlistRuleInput{AllowInbound: &yes})
	if err != nil || updated.Expression != "https://b.example" || !updated.AllowInbound {
		t.Fatalf("update = %+v, %v", updated, err)
	}
	if err := c.DeleteAllowlistRule(ctx, 9); err != nil {
		t.Fatal(err)
	}
	if err := c.SetAllowlistEnabled(ctx, false); err != nil {
		t.Fatal(err)
	}
	if err := c.SetAllowlistEnabled(ctx, true); err != nil {
		t.Fatal(err)
	}
	settings, err := c.GetAllowlistSettings(ctx)
	if err != nil || settings.ApplicationLinkRestrictiveness != RestrictivenessDeny {
		t.Fatalf("settings = %+v, %v", settings, err)
	}
	if _, err := c.SetAllowlistSettings(ctx, AllowlistSettings{ApplicationLinkRestrictiveness: RestrictivenessDeny}); err != nil {
		t.Fatal(err)
	}
	check, err := c.CheckAllowlist(ctx, "https://x.example/a b?c=d&e#f")
	if err != nil || *check != (AllowlistCheck{OutboundWithAuth: true, Inbound: true}) {
		t.Fatalf("check = %+v, %v", check, err)
	}

	wantRequests := []string{
		"GET /rest/whitelist/latest",
		"POST /rest/whitelist/latest",
		"PUT /rest/whitelist/latest/9",
		"DELETE /rest/whitelist/latest/9",
		"POST /rest/whitelist/latest/disable",
		"POST /rest/whitelist/latest/enable",
		"GET /rest/whitelist/latest/settings",
		"PUT /rest/whitelist/latest/settings",
		"GET /rest/whitelist/latest/check?url=https%3A%2F%2Fx.example%2Fa+b%3Fc%3Dd%26e%23f",
	}
	if got := s.log(); strings.Join(got, "\n") != strings.Join(wantRequests, "\n") {
		t.Errorf("requests:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(wantRequests, "\n"))
	}
	wantBodies := map[int]string{
		1: `{"expression":"https://a.example","type":"whitelist.domain.name","allowInbound":false,"allowAnonymousUser":true}`,
		2: `{"allowInbound":true}`, // partial: nothing else is sent
		4: "", 5: "",
		7: `{"applicationLinkRestrictiveness":"DENY"}`,
	}
	for i, want := range wantBodies {
		if s.bodies[i] != want {
			t.Errorf("request %d body %q, want %q", i, s.bodies[i], want)
		}
	}
	// Body-less switch POSTs carry the XSRF header and no content type.
	if h := s.headers[4]; h.Get("X-Atlassian-Token") != "no-check" || h.Get("Content-Type") != "" {
		t.Errorf("disable headers: %v", h)
	}
}

func TestAllowlistErrors(t *testing.T) {
	_, c := startAllowlistServer(t, "")
	ctx := context.Background()

	_, err := c.UpdateAllowlistRule(ctx, 404, AllowlistRuleInput{})
	var apiErr *APIError
	if !errors.Is(err, ErrValidation) || !errors.As(err, &apiErr) || apiErr.Messages[0] != "This rule does not exist any more." {
		t.Errorf("update unknown: %v", err)
	}
	_, err = c.CheckAllowlist(ctx, "bad uri")
	if !errors.Is(err, ErrValidation) || !strings.Contains(err.Error(), "Illegal character in path at index 3") {
		t.Errorf("check bad uri: %v", err)
	}
	_, err = c.AllowlistRule(ctx, 5)
	if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "allowlist rule 5 is not listed") {
		t.Errorf("missing rule: %v", err)
	}

	// The product's 401 and field errors keep their words and field.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			respond(w, 400, "application/json", `{"errors":{"expression":"Unclosed group near index 4\n(abc"}}`)
			return
		}
		respond(w, 401, "application/json", `{"status-code":401,"message":"The current user is not allowed to change the whitelist."}`)
	}))
	t.Cleanup(srv.Close)
	c2, _ := newTestClient(t, srv.URL, nil)
	_, err = c2.CreateAllowlistRule(ctx, AllowlistRuleInput{})
	if !errors.Is(err, ErrValidation) || !errors.As(err, &apiErr) || apiErr.Field != "expression" || !strings.Contains(apiErr.Messages[0], "Unclosed group") {
		t.Errorf("create bad regex: %v", err)
	}
	err = c2.DeleteAllowlistRule(ctx, 1)
	if !errors.Is(err, ErrUnauthorized) || !strings.Contains(err.Error(), "not allowed to change the whitelist") {
		t.Errorf("delete as manager: %v", err)
	}
}

// A create whose answer is lost is never repeated: the caller learns the
// outcome is unknown and must look before creating again. Update and the
// switch may be repeated.
func TestAllowlistRetries(t *testing.T) {
	var posts, puts atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodPost:
			if posts.Add(1) == 1 && r.URL.Path == "/rest/whitelist/latest" {
				respond(w, 502, "text/html", "<html><title>Bad Gateway</title></html>")
				return
			}
			w.WriteHeader(200)
		case http.MethodPut:
			if puts.Add(1) == 1 {
				respond(w, 503, "text/plain", "busy")
				return
			}
			respond(w, 200, "application/json", `{"id":3}`)
		}
	}))
	t.Cleanup(srv.Close)
	c, _ := newTestClient(t, srv.URL, nil)
	ctx := context.Background()

	_, err := c.CreateAllowlistRule(ctx, AllowlistRuleInput{})
	if !errors.Is(err, ErrOutcomeUnknown) || posts.Load() != 1 {
		t.Errorf("create after 502: %v (%d POSTs)", err, posts.Load())
	}
	if _, err := c.UpdateAllowlistRule(ctx, 3, AllowlistRuleInput{}); err != nil || puts.Load() != 2 {
		t.Errorf("update after 503: %v (%d PUTs)", err, puts.Load())
	}
	if err := c.SetAllowlistEnabled(ctx, true); err != nil {
		t.Errorf("enable: %v", err)
	}
}

func TestAllowlistListingCache(t *testing.T) {
	s, c := startAllowlistServer(t, twoRules)
	ctx := context.Background()
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	var clockMu sync.Mutex
	c.now = func() time.Time { clockMu.Lock(); defer clockMu.Unlock(); return now }
	advance := func(d time.Duration) { clockMu.Lock(); now = now.Add(d); clockMu.Unlock() }

	// Reads within the TTL share one listing; a caller changing its copy
	// does not change the cache.
	first, err := c.AllowlistRules(ctx)
	if err != nil {
		t.Fatal(err)
	}
	first[0].Expression = "changed by the caller"
	advance(readCacheTTL - time.Second)
	if rule, err := c.AllowlistRule(ctx, 1); err != nil || rule.Expression != "Wiki (https://wiki.example.com)" {
		t.Fatalf("cached rule = %+v, %v", rule, err)
	}
	if n := s.lists.Load(); n != 1 {
		t.Fatalf("%d listings, want 1", n)
	}
	// The listing expires.
	advance(2 * time.Second)
	if _, err := c.AllowlistRules(ctx); err != nil || s.lists.Load() != 2 {
		t.Fatalf("after expiry: %v, %d listings", err, s.lists.Load())
	}
	// Every write invalidates it, failed or not.
	writes := []func() error{
		func() error { _, err := c.CreateAllowlistRule(ctx, AllowlistRuleInput{}); return err },
		func() error { _, err := c.UpdateAllowlistRule(ctx, 9, AllowlistRuleInput{}); return err },
		func() error { _, err := c.UpdateAllowlistRule(ctx, 404, AllowlistRuleInput{}); return err },
		func() error { return c.DeleteAllowlistRule(ctx, 9) },
		func() error { return c.SetAllowlistEnabled(ctx, false) },
		func() error {
			_, err := c.SetAllowlistSettings(ctx, AllowlistSettings{ApplicationLinkRestrictiveness: RestrictivenessDeny})
			return err
		},
	}
	for i, write := range writes {
		before := s.lists.Load()
		_ = write()
		if _, err := c.AllowlistRules(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := c.AllowlistRules(ctx); err != nil {
			t.Fatal(err)
		}
		if got := s.lists.Load() - before; got != 1 {
			t.Errorf("write %d: %d listings after it, want 1", i, got)
		}
	}
	// Reads do not invalidate.
	before := s.lists.Load()
	if _, err := c.GetAllowlistSettings(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CheckAllowlist(ctx, "https://x"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.AllowlistRules(ctx); err != nil || s.lists.Load() != before {
		t.Errorf("reads invalidated the listing: %d listings", s.lists.Load()-before)
	}

	// Another client (another provider configuration) has its own cache.
	other, _ := newTestClient(t, c.base, nil)
	if _, err := other.AllowlistRules(ctx); err != nil || s.lists.Load() != before+1 {
		t.Errorf("second client: %v, %d listings", err, s.lists.Load()-before)
	}
}

// Concurrent readers, as in a plan refreshing many rules, share one request.
func TestAllowlistListingCoalescesConcurrentReads(t *testing.T) {
	s, c := startAllowlistServer(t, twoRules)
	s.listGate = make(chan struct{})
	ctx := context.Background()

	const readers = 50
	var wg sync.WaitGroup
	errs := make(chan error, readers)
	for i := 0; i < readers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rule, err := c.AllowlistRule(ctx, 2)
			if err == nil && rule.Expression != "https://a.example" {
				err = errors.New("wrong rule " + rule.Expression)
			}
			errs <- err
		}()
	}
	// Let every reader queue up behind the first request, then answer it.
	deadline := time.Now().Add(5 * time.Second)
	for s.lists.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(20 * time.Millisecond)
	close(s.listGate)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if n := s.lists.Load(); n != 1 {
		t.Errorf("%d listings for %d concurrent readers, want 1", n, readers)
	}
}

// A listing requested before a write must not be served after it.
func TestAllowlistListingStartedBeforeAWriteIsNotCached(t *testing.T) {
	s, c := startAllowlistServer(t, twoRules)
	s.listGate = make(chan struct{})
	ctx := context.Background()

	done := make(chan error, 1)
	go func() { _, err := c.AllowlistRules(ctx); done <- err }()
	for s.lists.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	if err := c.DeleteAllowlistRule(ctx, 2); err != nil {
		t.Fatal(err)
	}
	close(s.listGate)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if _, err := c.AllowlistRules(ctx); err != nil {
		t.Fatal(err)
	}
	if n := s.lists.Load(); n != 2 {
		t.Errorf("%d listings, want 2: the one started before the delete was reused", n)
	}
}

// A caller that gives up does not fail the others sharing its request.
func TestAllowlistListingSurvivesACanceledCaller(t *testing.T) {
	s, c := startAllowlistServer(t, twoRules)
	s.listGate = make(chan struct{})

	canceled, cancel := context.WithCancel(context.Background())
	first := make(chan error, 1)
	go func() { _, err := c.AllowlistRules(canceled); first <- err }()
	for s.lists.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	second := make(chan error, 1)
	go func() { _, err := c.AllowlistRules(context.Background()); second <- err }()
	time.Sleep(10 * time.Millisecond)
	cancel()
	if err := <-first; !errors.Is(err, context.Canceled) {
		t.Errorf("canceled caller: %v", err)
	}
	close(s.listGate)
	if err := <-second; err != nil {
		t.Errorf("waiting caller: %v", err)
	}
	if n := s.lists.Load(); n != 1 {
		t.Errorf("%d listings, want 1", n)
	}
}

// A failed listing is not cached.
func TestAllowlistListingErrorIsNotCached(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			respond(w, 401, "application/json", `{"status-code":401,"message":"Client must be authenticated to access this resource."}`)
			return
		}
		respond(w, 200, "application/json", `{"rules":[],"page":0,"totalPages":0}`)
	}))
	t.Cleanup(srv.Close)
	c, _ := newTestClient(t, srv.URL, nil)
	if _, err := c.AllowlistRules(context.Background()); !errors.Is(err, ErrUnauthorized) {
		t.Fatalf("first listing: %v", err)
	}
	if rules, err := c.AllowlistRules(context.Background()); err != nil || len(rules) != 0 || calls.Load() != 2 {
		t.Errorf("second listing: %v %v after %d calls", rules, err, calls.Load())
	}
}
