package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// flaky answers the first failures requests with fail, then with OK. It
// counts every request and checks each carries the same body.
type flaky struct {
	t        *testing.T
	failures int32
	fail     func(w http.ResponseWriter)
	ok       func(w http.ResponseWriter)
	hits     atomic.Int32
	wantBody string
}

func (f *flaky) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	if string(body) != f.wantBody {
		f.t.Errorf("request %d body = %q, want %q", f.hits.Load()+1, body, f.wantBody)
	}
	if f.hits.Add(1) <= f.failures {
		f.fail(w)
		return
	}
	if f.ok != nil {
		f.ok(w)
		return
	}
	respond(w, 200, "application/json", `{"id":"ok"}`)
}

func status(code int, headers ...string) func(http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		for i := 0; i+1 < len(headers); i += 2 {
			w.Header().Set(headers[i], headers[i+1])
		}
		respond(w, code, "application/json", `{}`)
	}
}

// hangUp closes the connection without answering; with reset it sends a TCP
// RST instead of a FIN, as a crashed proxy would.
func hangUp(reset bool) func(http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		conn, _, err := http.NewResponseController(w).Hijack()
		if err != nil {
			panic(err)
		}
		if tcp, ok := conn.(*net.TCPConn); ok && reset {
			_ = tcp.SetLinger(0)
		}
		_ = conn.Close()
	}
}

var (
	getCall    = call{method: http.MethodGet, path: apiPath("rest/applinks/3.0/applinks", "1")}
	createCall = call{method: http.MethodPut, path: apiPath("rest/applinks/3.0/applicationlink"), body: map[string]string{"name": "Jira"}}
	createBody = `{"name":"Jira"}`
)

func TestIdempotentCallsRetryTransientFailures(t *testing.T) {
	cases := map[string]func(http.ResponseWriter){
		"502":              status(502),
		"503":              status(503),
		"504":              status(504),
		"429":              status(429),
		"connection reset": hangUp(true),
		"EOF":              hangUp(false),
	}
	for name, fail := range cases {
		for _, r := range []call{getCall, {method: http.MethodPut, path: "rest/x", body: map[string]string{"name": "Jira"}, idempotent: true}} {
			t.Run(name+" "+r.method, func(t *testing.T) {
				f := &flaky{t: t, failures: 2, fail: fail}
				if r.body != nil {
					f.wantBody = createBody
				}
				srv := quietServer(f)
				srv.Start()
				defer srv.Close()
				c, waits := newTestClient(t, srv.URL, nil)

				if _, err := c.do(t.Context(), r, nil); err != nil {
					t.Fatalf("error = %v, want success on the third attempt", err)
				}
				if f.hits.Load() != 3 || len(*waits) != 2 {
					t.Fatalf("server saw %d requests after %d waits, want 3 after 2", f.hits.Load(), len(*waits))
				}
				for _, w := range *waits {
					if w < c.waitMin || w > c.waitMax {
						t.Fatalf("wait %s outside [%s, %s]", w, c.waitMin, c.waitMax)
					}
				}
			})
		}
	}
}

func TestCreateNotRetriedWhenOutcomeUnknown(t *testing.T) {
	cases := map[string]struct {
		fail   func(http.ResponseWriter)
		alsoIs error
	}{
		"502":              {status(502), ErrServer},
		"503":              {status(503, "Retry-After", "1"), ErrServer},
		"504":              {status(504), ErrServer},
		"connection reset": {hangUp(true), nil},
		"EOF":              {hangUp(false), nil},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			f := &flaky{t: t, failures: 1, fail: tc.fail, wantBody: createBody}
			srv := quietServer(f)
			srv.Start()
			defer srv.Close()
			c, waits := newTestClient(t, srv.URL, nil)

			_, err := c.do(t.Context(), createCall, nil)
			if !errors.Is(err, ErrOutcomeUnknown) {
				t.Fatalf("error = %v, want ErrOutcomeUnknown", err)
			}
			if tc.alsoIs != nil && !errors.Is(err, tc.alsoIs) {
				t.Fatalf("error = %v, want it to still match %v", err, tc.alsoIs)
			}
			if f.hits.Load() != 1 || len(*waits) != 0 {
				t.Fatalf("create was sent %d times after %d waits, want once", f.hits.Load(), len(*waits))
			}
		})
	}
}

func TestCreateRetriedOn429(t *testing.T) {
	f := &flaky{t: t, failures: 1, fail: status(429, "Retry-After", "2"), wantBody: createBody}
	srv := httptest.NewServer(f)
	defer srv.Close()
	c, waits := newTestClient(t, srv.URL, func(c *Config) { c.RetryWaitMax = time.Minute })

	if _, err := c.do(t.Context(), createCall, nil); err != nil {
		t.Fatal(err)
	}
	if f.hits.Load() != 2 || len(*waits) != 1 || (*waits)[0] != 2*time.Second {
		t.Fatalf("hits %d, waits %v; want 2 hits after one 2s wait", f.hits.Load(), *waits)
	}
}

func TestCreateRetriedWhenConnectionRefused(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close() // nothing listens now: the first attempt is refused

	f := &flaky{t: t, wantBody: createBody}
	srv := &http.Server{Handler: f, ReadHeaderTimeout: time.Second}
	defer srv.Close()
	c, waits := newTestClient(t, "http://"+addr, nil)
	record := c.sleep
	c.sleep = func(ctx context.Context, d time.Duration) error {
		if len(*waits) == 0 {
			ln, err := net.Listen("tcp", addr)
			if err != nil {
				t.Skipf("port %s was taken meanwhile: %v", addr, err)
			}
			go func() { _ = srv.Serve(ln) }()
		}
		return record(ctx, d)
	}

	if _, err := c.do(t.Context(), createCall, nil); err != nil {
		t.Fatalf("error = %v, want the create retried after the refusal", err)
	}
	if f.hits.Load() != 1 || len(*waits) != 1 {
		t.Fatalf("server saw %d creates after %d waits, want 1 after 1", f.hits.Load(), len(*waits))
	}
}

// An instance that stops while a read waits on a kept-alive connection:
// Go's Transport sees the connection close, dials again and is refused.
// The read is retried once the instance is back, as when it restarts.
func TestReadRetriedWhenTheInstanceStopsMidRequest(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	var hits atomic.Int32
	handler := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if hits.Add(1) == 2 {
			_ = ln.Close() // nothing listens any more
			conn, _, err := http.NewResponseController(w).Hijack()
			if err == nil {
				_ = conn.Close()
			}
			return
		}
		respond(w, 200, "application/json", `{"id":"ok"}`)
	})
	first := &http.Server{Handler: handler, ReadHeaderTimeout: time.Second}
	go func() { _ = first.Serve(ln) }()
	defer first.Close()
	second := &http.Server{Handler: handler, ReadHeaderTimeout: time.Second}
	defer second.Close()

	c, waits := newTestClient(t, "http://"+addr, nil)
	read := call{method: http.MethodGet, path: apiPath("rest/applinks/3.0/applinks")}
	if _, err := c.do(t.Context(), read, nil); err != nil {
		t.Fatal(err) // leaves the connection idle in the pool
	}
	record := c.sleep
	c.sleep = func(ctx context.Context, d time.Duration) error {
		if len(*waits) == 0 {
			ln, err := net.Listen("tcp", addr)
			if err != nil {
				t.Skipf("port %s was taken meanwhile: %v", addr, err)
			}
			go func() { _ = second.Serve(ln) }()
		}
		return record(ctx, d)
	}
	if _, err := c.do(t.Context(), read, nil); err != nil {
		t.Fatalf("error = %v, want the read retried once the instance is back", err)
	}
	if hits.Load() != 3 || len(*waits) != 1 {
		t.Fatalf("%d requests after %d waits, want 3 after 1", hits.Load(), len(*waits))
	}
}

func TestConnectionRefusedIsNotOutcomeUnknown(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()

	c, waits := newTestClient(t, "http://"+addr, func(c *Config) { c.MaxRetries = 2 })
	_, err = c.do(t.Context(), createCall, nil)
	if err == nil || errors.Is(err, ErrOutcomeUnknown) || !strings.Contains(err.Error(), "refused") {
		t.Fatalf("error = %v, want a refusal that is certain not to have created anything", err)
	}
	if len(*waits) != 2 {
		t.Fatalf("waited %d times, want MaxRetries = 2", len(*waits))
	}
}

func TestMaxRetriesBound(t *testing.T) {
	for _, maxRetries := range []int{0, 1, 3} {
		f := &flaky{t: t, failures: 1000, fail: status(503)}
		srv := httptest.NewServer(f)
		c, waits := newTestClient(t, srv.URL, func(c *Config) { c.MaxRetries = maxRetries })
		_, err := c.do(t.Context(), getCall, nil)
		srv.Close()
		if !errors.Is(err, ErrServer) {
			t.Fatalf("MaxRetries %d: error = %v, want ErrServer", maxRetries, err)
		}
		if int(f.hits.Load()) != maxRetries+1 || len(*waits) != maxRetries {
			t.Fatalf("MaxRetries %d: %d requests, %d waits", maxRetries, f.hits.Load(), len(*waits))
		}
		if maxRetries > 0 && !strings.Contains(err.Error(), "after") {
			t.Fatalf("error = %q, want it to say how many attempts were made", err)
		}
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	cases := map[string]struct {
		status     int
		retryAfter string
		want       time.Duration
	}{
		"429 seconds":           {429, "3", 3 * time.Second},
		"503 seconds":           {503, "7", 7 * time.Second},
		"zero":                  {429, "0", 0},
		"HTTP date":             {503, now.Add(9 * time.Second).Format(http.TimeFormat), 9 * time.Second},
		"date in the past":      {429, now.Add(-time.Hour).Format(http.TimeFormat), 0},
		"capped at maximum":     {429, "86400", time.Minute},
		"capped date":           {503, now.Add(24 * time.Hour).Format(http.TimeFormat), time.Minute},
		"huge number is capped": {429, "99999999999999999999", time.Minute},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			f := &flaky{t: t, failures: 1, fail: status(tc.status, "Retry-After", tc.retryAfter)}
			srv := httptest.NewServer(f)
			defer srv.Close()
			c, waits := newTestClient(t, srv.URL, func(c *Config) {
				c.RetryWaitMin, c.RetryWaitMax = time.Millisecond, time.Minute
			})
			c.now = func() time.Time { return now }
			if _, err := c.do(t.Context(), getCall, nil); err != nil {
				t.Fatal(err)
			}
			if len(*waits) != 1 || (*waits)[0] != tc.want {
				t.Fatalf("waits = %v, want [%s]", *waits, tc.want)
			}
		})
	}
}

func TestRetryAfterIgnoredOutside429And503(t *testing.T) {
	f := &flaky{t: t, failures: 1, fail: status(502, "Retry-After", "30")}
	srv := httptest.NewServer(f)
	defer srv.Close()
	c, waits := newTestClient(t, srv.URL, func(c *Config) { c.RetryWaitMax = time.Minute })
	if _, err := c.do(t.Context(), getCall, nil); err != nil {
		t.Fatal(err)
	}
	if len(*waits) != 1 || (*waits)[0] > 2*time.Millisecond {
		t.Fatalf("waits = %v, want a first backoff step, not the 502's Retry-After", *waits)
	}
}

func TestBackoffGrowsWithinBounds(t *testing.T) {
	c := &Client{waitMin: 100 * time.Millisecond, waitMax: 1 * time.Second}
	ms := time.Millisecond
	ceilings := []time.Duration{100 * ms, 200 * ms, 400 * ms, 800 * ms, 1000 * ms, 1000 * ms, 1000 * ms}
	for i, ceiling := range ceilings {
		attempt := i + 1
		var seen []time.Duration
		for range 200 {
			w := c.backoff(attempt)
			if w < c.waitMin || w < ceiling/2 || w > ceiling {
				t.Fatalf("attempt %d: wait %s outside [max(%s, %s), %s]", attempt, w, c.waitMin, ceiling/2, ceiling)
			}
			seen = append(seen, w)
		}
		if attempt > 1 && allEqual(seen) {
			t.Fatalf("attempt %d: no jitter, every wait was %s", attempt, seen[0])
		}
	}
	if w := c.backoff(1000); w > c.waitMax {
		t.Fatalf("a late attempt waits %s, over the maximum", w)
	}
}

func allEqual(ds []time.Duration) bool {
	for _, d := range ds {
		if d != ds[0] {
			return false
		}
	}
	return true
}

func TestCancelStopsRetrying(t *testing.T) {
	first := make(chan struct{}, 1)
	f := &flaky{t: t, failures: 1000, fail: func(w http.ResponseWriter) {
		select {
		case first <- struct{}{}:
		default:
		}
		respond(w, 503, "application/json", `{}`)
	}}
	srv := httptest.NewServer(f)
	defer srv.Close()
	c, _ := newTestClient(t, srv.URL, func(c *Config) { c.RetryWaitMin, c.RetryWaitMax = time.Hour, time.Hour })
	c.sleep = sleepContext // really wait, so only the cancellation can end it

	ctx, cancel := context.WithCancel(t.Context())
	go func() {
		<-first
		cancel()
	}()
	done := make(chan error, 1)
	go func() {
		_, err := c.do(ctx, getCall, nil)
		done <- err
	}()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("error = %v, want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("cancellation did not stop the retry wait")
	}
	if f.hits.Load() != 1 {
		t.Fatalf("server saw %d requests, want 1", f.hits.Load())
	}
}

func TestCancelDuringRequestIsNotRetried(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		cancel()
		select {
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
		}
	}))
	defer srv.Close()
	c, waits := newTestClient(t, srv.URL, nil)
	_, err := c.do(ctx, getCall, nil)
	if !errors.Is(err, context.Canceled) || errors.Is(err, ErrTimeout) {
		t.Fatalf("error = %v, want context.Canceled", err)
	}
	if hits.Load() != 1 || len(*waits) != 0 {
		t.Fatalf("%d requests, %d waits; want 1 and none", hits.Load(), len(*waits))
	}
}

func TestRequestTimeout(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		// Only once the body is consumed does the server notice the client
		// hanging up, which ends this handler.
		_, _ = io.Copy(io.Discard, r.Body)
		select {
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
		}
	}))
	defer srv.Close()

	t.Run("idempotent call is retried", func(t *testing.T) {
		hits.Store(0)
		c, waits := newTestClient(t, srv.URL, func(c *Config) { c.RequestTimeout, c.MaxRetries = 50*time.Millisecond, 1 })
		_, err := c.do(t.Context(), getCall, nil)
		want := "no response from GET " + srv.URL + "/rest/applinks/3.0/applinks/1 within 50ms"
		if !errors.Is(err, ErrTimeout) || !strings.Contains(err.Error(), want) {
			t.Fatalf("error = %v, want ErrTimeout saying %q", err, want)
		}
		if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, ErrOutcomeUnknown) {
			t.Fatalf("error = %v must not look like the caller's deadline or an unknown outcome", err)
		}
		if hits.Load() != 2 || len(*waits) != 1 {
			t.Fatalf("%d requests, %d waits; want 2 and 1", hits.Load(), len(*waits))
		}
	})
	t.Run("create is not retried", func(t *testing.T) {
		hits.Store(0)
		c, waits := newTestClient(t, srv.URL, func(c *Config) { c.RequestTimeout = 50 * time.Millisecond })
		_, err := c.do(t.Context(), createCall, nil)
		if !errors.Is(err, ErrTimeout) || !errors.Is(err, ErrOutcomeUnknown) {
			t.Fatalf("error = %v, want ErrTimeout and ErrOutcomeUnknown", err)
		}
		if hits.Load() != 1 || len(*waits) != 0 {
			t.Fatalf("%d requests, %d waits; want 1 and none", hits.Load(), len(*waits))
		}
	})
}

func TestTimeoutWhileReadingBody(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `["STATUS_API",`)
		_ = http.NewResponseController(w).Flush()
		select {
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
		}
	}))
	defer srv.Close()
	c, _ := newTestClient(t, srv.URL, func(c *Config) { c.RequestTimeout, c.MaxRetries = 50*time.Millisecond, 0 })
	_, err := c.Capabilities(t.Context())
	if !errors.Is(err, ErrTimeout) {
		t.Fatalf("error = %v, want ErrTimeout for a body that stalls", err)
	}
}

func TestJudge(t *testing.T) {
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
	reset := &net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET}
	cases := []struct {
		name       string
		res        attemptResult
		repeatable verdict
		create     verdict
	}{
		{"429", attemptResult{status: 429}, retry, retry},
		{"502", attemptResult{status: 502}, retry, outcomeUnknown},
		{"503", attemptResult{status: 503}, retry, outcomeUnknown},
		{"504", attemptResult{status: 504}, retry, outcomeUnknown},
		{"500", attemptResult{status: 500}, final, final},
		{"404", attemptResult{status: 404}, final, final},
		{"200", attemptResult{status: 200}, final, final},
		{"refused", attemptResult{err: refused}, retry, retry},
		// Go's Transport found the reused connection closed and dialled
		// again, which it does only for a request that it may replay or
		// that it had not written: nothing reached a server.
		{"refused after a reused connection closed", attemptResult{err: refused, sent: true}, retry, retry},
		{"canceled while dialling", attemptResult{err: &net.OpError{Op: "dial", Err: context.Canceled}, canceled: true}, final, final},
		{"unknown host", attemptResult{err: &net.OpError{Op: "dial", Err: &net.DNSError{Err: "no such host", IsNotFound: true}}}, final, final},
		{"certificate before sending", attemptResult{err: errors.New("tls: failed to verify certificate")}, final, final},
		{"reset after sending", attemptResult{err: reset, sent: true}, retry, outcomeUnknown},
		{"EOF after sending", attemptResult{err: io.EOF, sent: true}, retry, outcomeUnknown},
		{"timeout after sending", attemptResult{err: context.DeadlineExceeded, sent: true, timedOut: true}, retry, outcomeUnknown},
		{"malformed answer", attemptResult{err: errors.New("malformed HTTP response"), sent: true}, final, outcomeUnknown},
		{"canceled after sending", attemptResult{err: context.Canceled, sent: true, canceled: true}, final, outcomeUnknown},
	}
	for _, tc := range cases {
		if got := judge(true, tc.res); got != tc.repeatable {
			t.Errorf("%s, repeatable call: verdict %d, want %d", tc.name, got, tc.repeatable)
		}
		if got := judge(false, tc.res); got != tc.create {
			t.Errorf("%s, create: verdict %d, want %d", tc.name, got, tc.create)
		}
	}
}

func TestCreateOnce(t *testing.T) {
	t.Parallel()
	unknown := fmt.Errorf("PUT x: %w", ErrOutcomeUnknown)
	for _, tc := range []struct {
		name        string
		outcomes    []error // of each create, in turn
		exists      []bool  // what each lookup finds, in turn
		wantCreates int
		wantAdopted bool
		wantErr     error
	}{
		{"plain success", []error{nil}, nil, 1, false, nil},
		{"a plain failure is not looked up", []error{ErrValidation}, nil, 1, false, ErrValidation},
		{"lost, then found", []error{unknown}, []bool{true}, 1, true, nil},
		{"lost twice, then made", []error{unknown, unknown, nil}, []bool{false, false}, 3, false, nil},
		{"lost more often than retries", []error{unknown, unknown, unknown}, []bool{false, false, false}, 3, false, ErrOutcomeUnknown},
		{"lost, then a plain failure", []error{unknown, ErrConflict}, []bool{false}, 2, false, ErrConflict},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := &Client{maxRetries: 2, waitMin: time.Millisecond, waitMax: time.Millisecond, sleep: func(context.Context, time.Duration) error { return nil }}
			creates, lookups := 0, 0
			got, adopted, err := CreateOnce(context.Background(), c,
				func(context.Context) (string, error) {
					creates++
					if err := tc.outcomes[creates-1]; err != nil {
						return "", err
					}
					return "made", nil
				},
				func(context.Context) (string, bool, error) {
					lookups++
					return "found", tc.exists[lookups-1], nil
				})
			if creates != tc.wantCreates || adopted != tc.wantAdopted || !errors.Is(err, tc.wantErr) || (tc.wantErr == nil && err != nil) {
				t.Errorf("%d creates, adopted %t, %q, err %v; want %d creates, adopted %t, err %v",
					creates, adopted, got, err, tc.wantCreates, tc.wantAdopted, tc.wantErr)
			}
		})
	}
}

// Giving up while waiting to create again reports both causes.
func TestCreateOnceStopsWhenTheCallerGivesUp(t *testing.T) {
	t.Parallel()
	c := &Client{maxRetries: 5, waitMin: time.Millisecond, waitMax: time.Millisecond,
		sleep: func(context.Context, time.Duration) error { return context.Canceled }}
	creates := 0
	_, _, err := CreateOnce(context.Background(), c,
		func(context.Context) (int, error) { creates++; return 0, ErrOutcomeUnknown },
		func(context.Context) (int, bool, error) { return 0, false, nil })
	if creates != 1 || !errors.Is(err, ErrOutcomeUnknown) || !errors.Is(err, context.Canceled) {
		t.Errorf("%d creates, err %v; want 1 and both causes", creates, err)
	}
}
