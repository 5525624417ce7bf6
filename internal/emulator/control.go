package emulator

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The test-control API under <context path>/_emulator/, served only when
// Options.Control is set. It lets tests inject faults (status codes,
// latency, dropped connections) ahead of the product's own handling, count
// the requests an instance received, and give a link the legacy
// authentication (Trusted Applications, Basic) that only the products'
// admin pages set, so that a migration away from it can be rehearsed. It
// needs no authentication. Without Options.Control its paths answer 404
// with a JSON body saying how to turn it on (serveControlAPIOff).

const controlPrefix = "/_emulator/"

// maxFaultBody bounds body_bytes: enough to exceed any client's read limit.
const maxFaultBody = 64 << 20

// fault is one injected failure, as posted to /_emulator/faults.
type fault struct {
	// Method restricts the fault to one HTTP method; empty matches any.
	Method string `json:"method"`
	// PathPrefix matches the path below the context path; empty matches any.
	PathPrefix string `json:"path_prefix"`
	// Count is how many matching requests the fault affects (default 1).
	Count int `json:"count"`
	// Status, when set, is answered instead of the product's response,
	// with RetryAfter as the Retry-After header and Body/ContentType.
	Status      int    `json:"status"`
	RetryAfter  string `json:"retry_after"`
	Body        string `json:"body"`
	ContentType string `json:"content_type"`
	// BodyBytes pads Body with trailing spaces to this many bytes (which
	// keeps a JSON body valid), for answers larger than a client reads.
	BodyBytes int `json:"body_bytes"`
	// Truncate declares the whole body's Content-Length but closes the
	// connection after sending half of it, as a proxy that drops an answer
	// midway does.
	Truncate bool `json:"truncate"`
	// LatencyMS delays the request before any other handling.
	LatencyMS int `json:"latency_ms"`
	// DropConnection closes the connection without any response. Go's
	// Transport silently retries an idempotent request once when a reused
	// connection closes before answering, so a Go client only sees the
	// failure on a fresh connection or with a count of 2.
	DropConnection bool `json:"drop_connection"`
	// DropResponse lets the product handle the request, then closes the
	// connection without its answer, as when a proxy or the network fails
	// after the server acted: a create happened, but the client cannot
	// know.
	DropResponse bool `json:"drop_response"`
}

func (f *fault) validate() error {
	f.Method = strings.ToUpper(f.Method)
	switch {
	case f.Count < 0:
		return errors.New("count must not be negative")
	case f.Status != 0 && (f.Status < 200 || f.Status > 599):
		return errors.New("status must be between 200 and 599")
	case f.LatencyMS < 0:
		return errors.New("latency_ms must not be negative")
	case f.Status != 0 && f.DropConnection:
		return errors.New("status and drop_connection exclude each other")
	case f.DropResponse && (f.Status != 0 || f.DropConnection):
		return errors.New("drop_response excludes status and drop_connection")
	case f.Status == 0 && (f.RetryAfter != "" || f.Body != "" || f.ContentType != "" || f.BodyBytes != 0 || f.Truncate):
		return errors.New("retry_after, body, content_type, body_bytes and truncate need a status")
	case f.BodyBytes < 0 || f.BodyBytes > maxFaultBody:
		return fmt.Errorf("body_bytes must be between 0 and %d", maxFaultBody)
	case f.Truncate && max(len(f.Body), f.BodyBytes) < 2:
		return errors.New("truncate needs a body of at least 2 bytes")
	case f.Status == 0 && f.LatencyMS == 0 && !f.DropConnection && !f.DropResponse:
		return errors.New("a fault needs a status, latency_ms, drop_connection or drop_response")
	}
	if f.Count == 0 {
		f.Count = 1
	}
	return nil
}

func (f *fault) matches(method, path string) bool {
	return (f.Method == "" || f.Method == method) && strings.HasPrefix(path, f.PathPrefix)
}

// controlState is one instance's faults and request counts.
type controlState struct {
	// inst is the instance whose links the legacy authentication
	// endpoints change; set by wrap.
	inst   *Instance
	mu     sync.Mutex
	faults []*fault
	counts map[string]int
	total  int
}

func newControlState() *controlState {
	return &controlState{counts: make(map[string]int)}
}

// wrap puts the control API and fault injection in front of the product.
func (c *controlState) wrap(inst *Instance, product http.Handler) http.Handler {
	base := inst.config.ContextPath + controlPrefix
	c.inst = inst
	mux := controlRoutes(c, base)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, base) {
			mux.ServeHTTP(w, r)
			return
		}
		path := r.URL.EscapedPath()
		if rest, ok := stripContextPath(path, inst.config.ContextPath); ok {
			path = rest
		}
		if f := c.record(r.Method, path); f != nil && !c.inject(inst, f, product, w, r) {
			return
		}
		product.ServeHTTP(w, r)
	})
}

// record counts the request and claims one use of the first matching
// fault, returning a copy of it.
func (c *controlState) record(method, path string) *fault {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.counts[method+" "+path]++
	c.total++
	for i, f := range c.faults {
		if !f.matches(method, path) {
			continue
		}
		claimed := *f
		f.Count--
		if f.Count == 0 {
			c.faults = append(c.faults[:i], c.faults[i+1:]...)
		}
		return &claimed
	}
	return nil
}

// inject applies f and reports whether the product should still handle
// the request.
func (c *controlState) inject(inst *Instance, f *fault, product http.Handler, w http.ResponseWriter, r *http.Request) bool {
	if f.LatencyMS > 0 {
		// The latency stands for the way to the product: a request whose
		// client gives up meanwhile never arrives. Go's server notices a
		// client that hung up only once the body has been read, so it is
		// read first; otherwise an abandoned create reached the product
		// after the latency, as a late duplicate.
		bufferRequestBody(r)
		timer := time.NewTimer(time.Duration(f.LatencyMS) * time.Millisecond)
		defer timer.Stop()
		select {
		case <-timer.C:
		case <-r.Context().Done():
			panic(http.ErrAbortHandler)
		case <-inst.closing:
			panic(http.ErrAbortHandler)
		}
	}
	switch {
	case f.DropConnection:
		hangUp(w)
		return false
	case f.DropResponse:
		product.ServeHTTP(&discardedResponse{header: http.Header{}}, r)
		hangUp(w)
		return false
	case f.Status != 0:
		if f.RetryAfter != "" {
			w.Header().Set("Retry-After", f.RetryAfter)
		}
		if f.ContentType != "" {
			w.Header().Set("Content-Type", f.ContentType)
		} else if f.Body != "" {
			w.Header().Set("Content-Type", "text/plain;charset=utf-8")
		}
		body := []byte(f.Body)
		if pad := f.BodyBytes - len(body); pad > 0 {
			body = append(body, bytes.Repeat([]byte(" "), pad)...)
		}
		if f.Truncate {
			w.Header().Set("Content-Length", strconv.Itoa(len(body)))
			w.WriteHeader(f.Status)
			_, _ = w.Write(body[:len(body)/2])
			_ = http.NewResponseController(w).Flush()
			panic(http.ErrAbortHandler) // closes the connection mid-body
		}
		w.WriteHeader(f.Status)
		_, _ = w.Write(body)
		return false
	}
	return true
}

// hangUp closes the connection without any response.
func hangUp(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler) // still ends the exchange without a response
	}
	_ = conn.Close()
}

// discardedResponse is where the product writes an answer that a
// drop_response fault keeps from the client.
type discardedResponse struct{ header http.Header }

func (d *discardedResponse) Header() http.Header         { return d.header }
func (d *discardedResponse) Write(p []byte) (int, error) { return len(p), nil }
func (d *discardedResponse) WriteHeader(int)             {}

func (c *controlState) addFault(w http.ResponseWriter, r *http.Request) {
	var f fault
	decoder := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20))
	decoder.DisallowUnknownFields() // a misspelt field must not pass silently
	if err := decoder.Decode(&f); err != nil {
		writeControlError(w, fmt.Errorf("invalid fault: %w", err))
		return
	}
	if err := f.validate(); err != nil {
		writeControlError(w, fmt.Errorf("invalid fault: %w", err))
		return
	}
	c.mu.Lock()
	c.faults = append(c.faults, &f)
	c.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

func (c *controlState) clearFaults(w http.ResponseWriter, _ *http.Request) {
	c.mu.Lock()
	c.faults = nil
	c.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

func (c *controlState) reset(w http.ResponseWriter, _ *http.Request) {
	c.mu.Lock()
	c.faults = nil
	c.counts = make(map[string]int)
	c.total = 0
	c.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

// requestCounts is the body of GET /_emulator/requests.
type requestCounts struct {
	Total    int            `json:"total"`
	Requests map[string]int `json:"requests"`
}

func (c *controlState) listRequests(w http.ResponseWriter, _ *http.Request) {
	c.mu.Lock()
	body := requestCounts{Total: c.total, Requests: make(map[string]int, len(c.counts))}
	for key, n := range c.counts {
		body.Requests[key] = n
	}
	c.mu.Unlock()
	writeControlJSON(w, http.StatusOK, body)
}

// legacyAuthenticationProviders are the legacy providers the control API
// registers on a link, by the names the provider's legacy_authentication
// attribute gives them. Inferred: a Basic provider's username and password
// are not modelled, since no emulated request ever uses them; the products'
// legacy check only asks whether the provider is registered (status.go).
var legacyAuthenticationProviders = map[string]string{
	"basic":                providerBasic,
	"trusted_applications": providerTrustedApps,
}

// errNoSuchLink is a control request naming a link the instance lacks.
var errNoSuchLink = errors.New("no such application link")

// addLegacyAuthentication registers a legacy outgoing provider on a link,
// as configuring it in the products' admin pages does:
// PUT /_emulator/links/{id}/legacy_authentication/{kind}.
func (c *controlState) addLegacyAuthentication(w http.ResponseWriter, r *http.Request) {
	c.changeLegacyAuthentication(w, r, func(l *storedLink, class string) { registerProvider(l, class, nil) })
}

// removeLegacyAuthentication is its removal, the migration's last step:
// DELETE /_emulator/links/{id}/legacy_authentication/{kind}.
func (c *controlState) removeLegacyAuthentication(w http.ResponseWriter, r *http.Request) {
	c.changeLegacyAuthentication(w, r, unregisterProvider)
}

func (c *controlState) changeLegacyAuthentication(w http.ResponseWriter, r *http.Request, change func(*storedLink, string)) {
	id, kind := r.PathValue("id"), r.PathValue("kind")
	class, ok := legacyAuthenticationProviders[kind]
	if !ok {
		writeControlError(w, fmt.Errorf("unknown legacy authentication %q: use basic or trusted_applications", kind))
		return
	}
	err := c.inst.store.Update(func(st *state) error {
		link := st.linkByID(id)
		if link == nil {
			return errNoSuchLink
		}
		change(link, class)
		return nil
	})
	switch {
	case errors.Is(err, errNoSuchLink):
		writeControlJSON(w, http.StatusNotFound, map[string]string{
			"error": fmt.Sprintf("no application link with id %q on this instance: a link's id is its peer's server id", id),
		})
	case err != nil:
		writeControlJSON(w, http.StatusInternalServerError, map[string]string{"error": err.Error()})
	default:
		w.WriteHeader(http.StatusNoContent)
	}
}

// serveControlAPIOff answers the control API's paths on an instance
// started without Options.Control: still the 404 a product gives for a
// path it lacks, but saying why, since the paths the docs show would
// otherwise meet a bare container error page.
func serveControlAPIOff(ex *exchange) {
	writeControlJSON(ex.w, http.StatusNotFound, map[string]string{
		"error": "the test-control API is off on this instance: start the emulator with -control " +
			"(emulator.Options.Control in Go) to serve " + controlPrefix + "faults, requests, reset and links",
	})
}

func writeControlError(w http.ResponseWriter, err error) {
	writeControlJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
}

func writeControlJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// bufferRequestBody reads a body of up to one byte over the product's limit
// into memory, leaving the limit for the product to enforce.
func bufferRequestBody(r *http.Request) {
	if r.Body == nil || r.Body == http.NoBody {
		return
	}
	data, err := io.ReadAll(io.LimitReader(r.Body, maxRequestBody+1))
	if err != nil {
		panic(http.ErrAbortHandler) // the client went away
	}
	r.Body = io.NopCloser(bytes.NewReader(data))
}
