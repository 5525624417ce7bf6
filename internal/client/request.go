package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"slices"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// call describes one API operation. Every exported method builds one and
// hands it to do, so headers, auth, retries, errors and logging are the same
// for all of them.
type call struct {
	method string
	path   string // built with apiPath
	query  url.Values
	body   any // encoded to JSON once, so every attempt sends the same bytes

	// idempotent marks a PUT or DELETE whose repetition cannot do harm, so it
	// may be retried when its outcome is unknown. GET and HEAD always may.
	idempotent bool

	// ok lists the statuses that mean success. Empty means any 2xx, for calls
	// where product versions differ between 200, 201 and 204.
	ok []int
}

func (r call) repeatable() bool {
	return r.idempotent || r.reads()
}

// reads reports a call that changes nothing on the server.
func (r call) reads() bool {
	return r.method == http.MethodGet || r.method == http.MethodHead
}

func (r call) accepts(status int) bool {
	if len(r.ok) == 0 {
		return status >= 200 && status < 300
	}
	return slices.Contains(r.ok, status)
}

// attemptResult is what one try produced: a response, a transport error, or
// both when the body could not be read to the end.
type attemptResult struct {
	status   int
	header   http.Header
	body     []byte
	tooLarge bool
	err      error

	requestBytes int // the size of the request body sent

	sent     bool // a connection was obtained, so the server may have seen the request
	timedOut bool // this attempt's RequestTimeout expired
	canceled bool // the caller's context ended, so nothing more may be tried
}

// do runs r, retrying as the call allows, and decodes a successful JSON body
// into out (nil ignores the body). It returns the last HTTP status seen.
func (c *Client) do(ctx context.Context, r call, out any) (status int, err error) {
	ctx = c.logContext(ctx)
	u := c.url(r.path, r.query)
	payload, err := encodeBody(r.body)
	if err != nil {
		return 0, fmt.Errorf("%s %s: encoding request body: %w", r.method, u, err)
	}

	tflog.Debug(ctx, "Calling applinks API", map[string]any{"http_method": r.method, "http_url": u})
	if !r.reads() {
		// Also when the write fails: its outcome may be unknown.
		defer c.caches.invalidate()
	}
	start, attempt := time.Now(), 1
	defer func() { logFinish(ctx, r.method, u, status, attempt, time.Since(start), err) }()
	for ; ; attempt++ {
		res := c.attempt(ctx, r.method, u, payload)
		status = res.status
		next := judge(r.repeatable(), res)
		if next != retry || attempt > c.maxRetries {
			return status, c.finish(r, u, res, next, attempt, out)
		}
		if err := c.pause(ctx, r.method, u, attempt, res); err != nil {
			return status, err
		}
	}
}

func encodeBody(body any) ([]byte, error) {
	if body == nil {
		return nil, nil
	}
	return json.Marshal(body)
}

// attempt makes one request under its own RequestTimeout and reads the whole
// body inside it, so a server that stalls mid-body also times out.
func (c *Client) attempt(ctx context.Context, method, u string, payload []byte) attemptResult {
	actx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	var sent atomic.Bool
	actx = httptrace.WithClientTrace(actx, &httptrace.ClientTrace{
		GotConn: func(httptrace.GotConnInfo) { sent.Store(true) },
	})

	res := c.roundTrip(actx, method, u, payload)
	res.sent = sent.Load()
	res.requestBytes = len(payload)
	res.canceled = res.err != nil && ctx.Err() != nil
	res.timedOut = res.err != nil && !res.canceled && errors.Is(actx.Err(), context.DeadlineExceeded)
	return res
}

func (c *Client) roundTrip(ctx context.Context, method, u string, payload []byte) attemptResult {
	req, err := c.newRequest(ctx, method, u, payload)
	if err != nil {
		return attemptResult{err: err}
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return attemptResult{err: err}
	}
	defer resp.Body.Close()
	body, tooLarge, err := readBody(resp.Body, c.maxBody)
	return attemptResult{status: resp.StatusCode, header: resp.Header, body: body, tooLarge: tooLarge, err: err}
}

func (c *Client) newRequest(ctx context.Context, method, u string, payload []byte) (*http.Request, error) {
	var body io.Reader
	if payload != nil {
		// A fresh reader per attempt is what makes the body replayable.
		body = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return nil, err
	}
	// Without Accept, v1/v2 resources answer in XML.
	req.Header.Set("Accept", "application/json")
	// Body-less POSTs fail the XSRF check without it; it is harmless elsewhere.
	req.Header.Set("X-Atlassian-Token", "no-check")
	req.Header.Set("User-Agent", c.userAgent)
	if payload != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	c.authenticate(req)
	return req, nil
}

func (c *Client) authenticate(req *http.Request) {
	switch {
	case c.token != "":
		req.Header.Set("Authorization", "Bearer "+c.token)
	case c.username != "":
		req.SetBasicAuth(c.username, c.password)
	}
}

// readBody reads at most limit bytes; tooLarge reports a body that goes on.
func readBody(r io.Reader, limit int64) (body []byte, tooLarge bool, err error) {
	body, err = io.ReadAll(io.LimitReader(r, limit+1))
	if int64(len(body)) > limit {
		return nil, true, nil
	}
	return body, false, err
}

// finish turns the last attempt into the call's result.
func (c *Client) finish(r call, u string, res attemptResult, v verdict, attempts int, out any) error {
	err := c.attemptError(r, u, res)
	if err == nil {
		return c.decode(r.method, u, res, out)
	}
	if v == outcomeUnknown {
		err = fmt.Errorf("%w (%w: the server may or may not have carried it out)", err, ErrOutcomeUnknown)
	}
	if attempts > 1 {
		err = fmt.Errorf("%w (after %d attempts)", err, attempts)
	}
	return err
}

func (c *Client) attemptError(r call, u string, res attemptResult) error {
	switch {
	case res.err != nil && res.status != 0 && !res.timedOut && !res.canceled && !isNetTimeout(res.err):
		// The headers arrived but the body did not: say so rather than
		// quoting a bare "unexpected EOF".
		e := c.answerError(r.method, u, res, kindTruncated)
		e.cause = res.err
		e.detail = fmt.Sprintf("after %d bytes", len(res.body))
		if declared := res.header.Get("Content-Length"); declared != "" {
			e.detail += " of the " + declared + " it announced"
		}
		e.detail += " (" + res.err.Error() + ")"
		return e
	case res.err != nil:
		return c.transportError(r.method, u, res)
	case res.tooLarge:
		e := c.answerError(r.method, u, res, kindTooLarge)
		e.detail = strconv.FormatInt(c.maxBody, 10)
		return e
	case !r.accepts(res.status):
		return c.newAPIError(r.method, u, res)
	}
	return nil
}

func (c *Client) transportError(method, u string, res attemptResult) error {
	cause := res.err
	var urlErr *url.Error
	if errors.As(cause, &urlErr) {
		cause = urlErr.Err // it repeats the method and URL in its own style
	}
	switch {
	case res.timedOut:
		// The deadline error is not wrapped: callers must not mistake this
		// attempt's timeout for their own context's deadline.
		return fmt.Errorf("no response from %s %s within %s: %w", method, u, c.timeout, ErrTimeout)
	case isNetTimeout(cause):
		return fmt.Errorf("%s %s: %w: %w", method, u, ErrTimeout, cause)
	}
	return fmt.Errorf("%s %s: %w", method, u, cause)
}

// decode reads a success body into out. An empty or non-JSON body where JSON
// was expected is an error rather than a zero value, so a proxy's page is
// never mistaken for an object with no fields.
func (c *Client) decode(method, u string, res attemptResult, out any) error {
	if out == nil || res.status == http.StatusNoContent {
		return nil
	}
	if err := json.Unmarshal(res.body, out); err != nil {
		return c.notJSONError(method, u, res, err)
	}
	return nil
}

func logFinish(ctx context.Context, method, u string, status, attempts int, took time.Duration, err error) {
	fields := map[string]any{
		"http_method": method,
		"http_url":    u,
		"attempts":    attempts,
		"duration":    took.String(),
	}
	if status != 0 {
		fields["http_status"] = status
	}
	if err != nil {
		fields["error"] = err.Error()
		tflog.Debug(ctx, "applinks API call failed", fields)
		return
	}
	tflog.Debug(ctx, "applinks API call succeeded", fields)
}
