package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// linkFake is a product holding links named "link-<n>". It records, per
// link, whether two of the link's requests were ever in progress at once,
// and how many links had a request in progress at the same time.
type linkFake struct {
	t *testing.T
	// delay keeps each request in progress for a while, so that unserialised
	// requests overlap.
	delay time.Duration
	// linksAtOnce makes every write wait until that many links have a
	// request in progress (or a few seconds pass).
	linksAtOnce int
	// beforeWriteBack, when set, runs before a provider registration is
	// applied, outside the fake's lock.
	beforeWriteBack func()

	mu             sync.Mutex
	inFlight       map[string]int
	overlaps       map[string]int
	mostLinksAtSet int
	names          map[string]string
	// providerConfig is the OAuth provider's configuration of each link, nil
	// when the provider is not registered.
	providerConfig map[string]map[string]string
	incoming       map[string]bool
}

func newLinkFake(t *testing.T) (*linkFake, *Client) {
	t.Helper()
	f := &linkFake{t: t, inFlight: map[string]int{}, overlaps: map[string]int{}, names: map[string]string{},
		providerConfig: map[string]map[string]string{}, incoming: map[string]bool{}}
	srv := quietServer(f)
	srv.Start()
	t.Cleanup(srv.Close)
	c, _ := newTestClient(t, srv.URL, nil)
	return f, c
}

// linkOf returns the link a path is about, in lower case, or "".
func linkOf(path string) string {
	for _, segment := range strings.Split(path, "/") {
		if strings.HasPrefix(strings.ToLower(segment), "link-") {
			return strings.ToLower(segment)
		}
	}
	return ""
}

func (f *linkFake) enter(link string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.inFlight[link]++
	if f.inFlight[link] > 1 {
		f.overlaps[link]++
	}
	busy := 0
	for _, n := range f.inFlight {
		if n > 0 {
			busy++
		}
	}
	f.mostLinksAtSet = max(f.mostLinksAtSet, busy)
}

func (f *linkFake) leave(link string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.inFlight[link]--
}

type leavingWriter struct {
	http.ResponseWriter
	leave func()
	once  sync.Once
}

func (w *leavingWriter) done() { w.once.Do(w.leave) }

func (w *leavingWriter) WriteHeader(status int) {
	w.done()
	w.ResponseWriter.WriteHeader(status)
}

func (w *leavingWriter) Write(b []byte) (int, error) {
	w.done()
	return w.ResponseWriter.Write(b)
}

// figures reads the overlaps of a link and the most links busy at once.
func (f *linkFake) figures(link string) (overlaps, linksAtOnce int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.overlaps[link], f.mostLinksAtSet
}

func (f *linkFake) waitForOtherLinks() {
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		f.mu.Lock()
		reached := f.mostLinksAtSet >= f.linksAtOnce
		f.mu.Unlock()
		if reached {
			return
		}
	}
}

func (f *linkFake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	link := linkOf(r.URL.Path)
	if link != "" {
		// The request counts as finished before its answer is sent, since
		// the client may send the next one as soon as it has the answer.
		f.enter(link)
		lw := &leavingWriter{ResponseWriter: w, leave: func() { f.leave(link) }}
		defer lw.done()
		w = lw
	}
	time.Sleep(f.delay)
	if r.Method != http.MethodGet && f.linksAtOnce > 0 {
		f.waitForOtherLinks()
	}
	var body map[string]json.RawMessage
	_ = json.NewDecoder(r.Body).Decode(&body)

	switch path := r.URL.Path; {
	case r.Method == http.MethodGet && path == "/rest/applinks/3.0/applinks":
		f.mu.Lock()
		var links []string
		for id, name := range f.names {
			links = append(links, fmt.Sprintf(`{"id":%q,"name":%q,"type":"generic"}`, id, name))
		}
		f.mu.Unlock()
		respond(w, http.StatusOK, "application/json", "["+strings.Join(links, ",")+"]")
	case r.Method == http.MethodGet && strings.HasSuffix(path, "/authentication"):
		respond(w, http.StatusOK, "application/json", f.authentication(link))
	case r.Method == http.MethodGet && strings.HasSuffix(path, "/oauth"):
		f.mu.Lock()
		outgoing := f.providerConfig[link] != nil
		f.mu.Unlock()
		respond(w, http.StatusOK, "application/json", fmt.Sprintf(`{"incoming":{"enabled":false},"outgoing":{"enabled":%t}}`, outgoing))
	case r.Method == http.MethodPut && strings.HasSuffix(path, "/oauth"):
		// Like the products, the status API registers the outgoing provider
		// with an empty configuration (design/api.md §5.3).
		var status OAuthStatus
		_ = json.Unmarshal([]byte(`{"incoming":`+string(body["incoming"])+`,"outgoing":`+string(body["outgoing"])+`}`), &status)
		f.mu.Lock()
		f.incoming[link] = status.Incoming.Enabled
		if status.Outgoing.Enabled {
			f.providerConfig[link] = map[string]string{}
		} else {
			delete(f.providerConfig, link)
		}
		f.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	case r.Method == http.MethodPut && strings.HasSuffix(path, "/authentication/provider"):
		if f.beforeWriteBack != nil {
			f.beforeWriteBack()
		}
		var config map[string]string
		_ = json.Unmarshal(body["config"], &config)
		f.mu.Lock()
		f.providerConfig[link] = config
		f.mu.Unlock()
		respond(w, http.StatusCreated, "application/json", `{"status-code":201}`)
	case r.Method == http.MethodPut && strings.HasPrefix(path, "/rest/applinks/3.0/applinks/"):
		var name string
		_ = json.Unmarshal(body["name"], &name)
		f.mu.Lock()
		f.names[link] = name
		f.mu.Unlock()
		respond(w, http.StatusOK, "application/json", fmt.Sprintf(`{"id":%q,"name":%q,"type":"generic"}`, link, name))
	default:
		w.WriteHeader(http.StatusNoContent)
	}
}

func (f *linkFake) authentication(link string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	auth := LinkAuthentication{Providers: []AuthenticationProvider{}, Consumers: []Consumer{}}
	if config := f.providerConfig[link]; config != nil {
		auth.Providers = append(auth.Providers, AuthenticationProvider{Provider: ProviderOAuth, Config: config})
	}
	if f.incoming[link] {
		auth.Consumers = append(auth.Consumers, Consumer{Key: "peer", SignatureMethod: SignatureRSASHA1})
	}
	out, err := json.Marshal(auth)
	if err != nil {
		f.t.Error(err)
	}
	return string(out)
}

// everyLinkWrite calls each exported method that writes to one link, with
// the id in a different case on every other call, since the products
// compare ids without case.
func everyLinkWrite(c *Client, link string) []func(context.Context) error {
	upper := strings.ToUpper(link)
	return []func(context.Context) error{
		func(ctx context.Context) error {
			return c.SetIncomingOAuth(ctx, link, OAuthConfig{Enabled: true, TwoLoEnabled: true})
		},
		func(ctx context.Context) error {
			return c.ConfigureServiceProvider(ctx, upper, ServiceProvider{ConsumerKey: "k", RequestTokenURL: "/r"})
		},
		func(ctx context.Context) error { return c.SetIncomingOAuth(ctx, upper, OAuthConfig{}) },
		func(ctx context.Context) error {
			return c.PutOutgoingConsumer(ctx, link, OutgoingConsumer{Key: "k", Name: "n", SharedSecret: "s"})
		},
		func(ctx context.Context) error { return c.DisableOutgoingOAuth(ctx, upper) },
		func(ctx context.Context) error {
			return c.PutIncomingConsumer(ctx, link, Consumer{Key: "peer", Name: "Peer", PublicKey: "MIIB"})
		},
		func(ctx context.Context) error {
			return c.RegisterAuthenticationProvider(ctx, upper, ProviderTwoLeggedOAuth, nil)
		},
		func(ctx context.Context) error { return c.SetOAuthStatus(ctx, link, OAuthStatus{}) },
		func(ctx context.Context) error {
			_, err := c.UpdateApplicationLink(ctx, upper, ApplicationLinkUpdate{Name: "n", RPCURL: "http://a", DisplayURL: "http://a"})
			return err
		},
		func(ctx context.Context) error { return c.MakePrimary(ctx, link) },
		func(ctx context.Context) error { return c.RelocateApplicationLink(ctx, upper, "http://b", true) },
		func(ctx context.Context) error { return c.RemoveConsumerToken(ctx, link) },
		func(ctx context.Context) error { return c.DeleteApplicationLink(ctx, upper) },
		func(ctx context.Context) error { _, err := c.LinkAuthentication(ctx, link); return err },
	}
}

func runAll(t *testing.T, calls []func(context.Context) error) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, len(calls))
	for _, call := range calls {
		wg.Go(func() { errs <- call(context.Background()) })
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
}

// Terraform applies a link and its consumers in parallel; the client must
// not let their writes to the link interleave, not even inside a
// read-modify-write sequence.
func TestWritesToOneLinkAreSerialised(t *testing.T) {
	t.Parallel()
	f, c := newLinkFake(t)
	f.delay = 2 * time.Millisecond
	var calls []func(context.Context) error
	for range 3 {
		calls = append(calls, everyLinkWrite(c, "link-1")...)
	}
	runAll(t, calls)
	if n, _ := f.figures("link-1"); n != 0 {
		t.Errorf("requests to one link overlapped %d times, want none", n)
	}
	if n := c.linkLocks.size(); n != 0 {
		t.Errorf("%d lock entries are left after every write finished, want none", n)
	}
}

// Writes to different links do not wait for each other: each write here is
// held by the server until both links have one in progress.
func TestWritesToDifferentLinksRunConcurrently(t *testing.T) {
	t.Parallel()
	f, c := newLinkFake(t)
	f.linksAtOnce = 2
	start := time.Now()
	runAll(t, []func(context.Context) error{
		func(ctx context.Context) error { return c.SetOAuthStatus(ctx, "link-1", OAuthStatus{}) },
		func(ctx context.Context) error { return c.SetOAuthStatus(ctx, "link-2", OAuthStatus{}) },
	})
	if _, n := f.figures(""); n < 2 {
		t.Errorf("at most %d links had a write in progress at once, want 2", n)
	}
	if took := time.Since(start); took > 4*time.Second {
		t.Errorf("two writes to two links took %s: one waited for the other", took)
	}
	if n := c.linkLocks.size(); n != 0 {
		t.Errorf("%d lock entries are left after the writes finished, want none", n)
	}
}

// A write waiting for the link gives up with its context, and leaves no
// lock entry behind.
func TestWriteWaitingForALinkStopsWithItsContext(t *testing.T) {
	t.Parallel()
	_, c := newLinkFake(t)
	unlock, err := c.linkLocks.lock(context.Background(), "link-1")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	err = c.SetOAuthStatus(ctx, "LINK-1", OAuthStatus{})
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "LINK-1") {
		t.Errorf("err = %v, want the context's deadline, naming the link", err)
	}
	unlock()
	if n := c.linkLocks.size(); n != 0 {
		t.Errorf("%d lock entries are left, want none", n)
	}
	if err := c.SetOAuthStatus(context.Background(), "link-1", OAuthStatus{}); err != nil {
		t.Errorf("after the lock was released: %v", err)
	}
}

// Reads use the cache, and a read after a write sees the write.
func TestReadsAfterAWriteSeeIt(t *testing.T) {
	t.Parallel()
	f, c := newLinkFake(t)
	f.names["link-1"] = "Old"
	ctx := context.Background()

	if auth, err := c.LinkAuthentication(ctx, "link-1"); err != nil || auth.Provider(ProviderOAuth) != nil {
		t.Fatalf("before: %+v, %v", auth, err)
	}
	if err := c.ConfigureServiceProvider(ctx, "link-1", ServiceProvider{ConsumerKey: "k"}); err != nil {
		t.Fatal(err)
	}
	auth, err := c.LinkAuthentication(ctx, "LINK-1")
	if err != nil {
		t.Fatal(err)
	}
	if p := auth.Provider(ProviderOAuth); p == nil || p.Config[ConfigConsumerKeyOutbound] != "k" {
		t.Errorf("the read after the provider's registration got %+v", auth)
	}

	if link, err := c.ApplicationLink(ctx, "link-1"); err != nil || link.Name != "Old" {
		t.Fatalf("before: %+v, %v", link, err)
	}
	if _, err := c.UpdateApplicationLink(ctx, "link-1", ApplicationLinkUpdate{Name: "New", RPCURL: "http://a", DisplayURL: "http://a"}); err != nil {
		t.Fatal(err)
	}
	if link, err := c.ApplicationLink(ctx, "link-1"); err != nil || link.Name != "New" {
		t.Errorf("the read after the rename got %+v, %v", link, err)
	}
}

// SetIncomingOAuth empties the outgoing provider's configuration and writes
// it back; a read of the link's authentication in between waits for the
// write-back instead of reporting the configuration gone.
func TestReadDuringReadModifyWriteWaitsForIt(t *testing.T) {
	t.Parallel()
	f, c := newLinkFake(t)
	f.providerConfig["link-1"] = map[string]string{ConfigConsumerKeyOutbound: "k"}
	writingBack := make(chan struct{})
	var once sync.Once
	f.beforeWriteBack = func() {
		once.Do(func() { close(writingBack) })
		time.Sleep(100 * time.Millisecond)
	}
	ctx := context.Background()

	done := make(chan error, 1)
	go func() { done <- c.SetIncomingOAuth(ctx, "link-1", OAuthConfig{Enabled: true}) }()
	<-writingBack
	auth, err := c.LinkAuthentication(ctx, "link-1")
	if err != nil {
		t.Fatal(err)
	}
	if p := auth.Provider(ProviderOAuth); p == nil || p.Config[ConfigConsumerKeyOutbound] != "k" {
		t.Errorf("a read during SetIncomingOAuth saw %+v, want the configuration written back", auth.Providers)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// Two callers that each check that a link's outgoing side is free and then
// claim it, as two consumer resources of one link do: inside Exclusive only
// one passes the check, and the client's own writes inside it do not wait
// for the lock their caller holds.
func TestExclusiveLetsOneOfTwoClaimsPass(t *testing.T) {
	t.Parallel()
	f, c := newLinkFake(t)
	f.delay = 5 * time.Millisecond
	errTaken := errors.New("taken")
	claim := func(key string) func(context.Context) error {
		return func(ctx context.Context) error {
			return c.Exclusive(ctx, "Link-1", func(ctx context.Context) error {
				auth, err := c.LinkAuthentication(ctx, "link-1")
				if err != nil {
					return err
				}
				if p := auth.Provider(ProviderOAuth); p != nil && p.Config[ConfigConsumerKeyOutbound] != "" {
					return errTaken
				}
				return c.ConfigureServiceProvider(ctx, "LINK-1", ServiceProvider{ConsumerKey: key})
			})
		}
	}
	results := make(chan error, 2)
	for _, key := range []string{"a", "b"} {
		go func() { results <- claim(key)(context.Background()) }()
	}
	var passed, refused int
	for range 2 {
		switch err := <-results; {
		case err == nil:
			passed++
		case errors.Is(err, errTaken):
			refused++
		default:
			t.Fatal(err)
		}
	}
	if passed != 1 || refused != 1 {
		t.Errorf("%d claims passed and %d were refused, want one of each", passed, refused)
	}
	if n, _ := f.figures("link-1"); n != 0 {
		t.Errorf("requests to the link overlapped %d times, want none", n)
	}
	if n := c.linkLocks.size(); n != 0 {
		t.Errorf("%d lock entries are left, want none", n)
	}
}
