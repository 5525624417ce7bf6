package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// maxSeconds is the longest Retry-After that fits in a time.Duration.
const maxSeconds = uint64(math.MaxInt64 / int64(time.Second))

type verdict int

const (
	final          verdict = iota // the attempt's result is the call's result
	retry                         // repeating is safe and may succeed
	outcomeUnknown                // a create may have happened: the caller must look before repeating
)

// judge decides what follows an attempt. A call that is not repeatable is
// only repeated when the server certainly did not act on it, because a
// repeated create makes a duplicate (or a "name - 2") link.
func judge(repeatable bool, res attemptResult) verdict {
	if res.err != nil {
		return judgeError(repeatable, res)
	}
	switch res.status {
	case http.StatusTooManyRequests:
		// Rate limiting rejects a request before it is acted on.
		return retry
	case http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		if repeatable {
			return retry
		}
		// A proxy may have given up while the product went on to act.
		return outcomeUnknown
	}
	return final
}

func judgeError(repeatable bool, res attemptResult) verdict {
	switch {
	case !res.sent || isDial(res.err):
		// Nothing reached the server, so even a create may be repeated; but a
		// missing host, a certificate or a TLS version will not heal by waiting.
		// A dial error after a connection was obtained means Go's Transport
		// found that kept-alive connection closed and dialled again, which it
		// does only for a request it had not written or may replay: an
		// instance that stopped meanwhile, and may be restarting.
		if !res.canceled && !hostNotFound(res.err) && (isDial(res.err) || transient(res)) {
			return retry
		}
		return final
	case !repeatable:
		// Even when the caller gave up, the server may have acted.
		return outcomeUnknown
	case !res.canceled && transient(res):
		return retry
	}
	return final
}

// transient reports failures after which the same request may well succeed:
// resets, early EOFs and timeouts.
func transient(res attemptResult) bool {
	err := res.err
	return res.timedOut || isNetTimeout(err) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNABORTED) ||
		errors.Is(err, syscall.EPIPE)
}

func isDial(err error) bool {
	var opErr *net.OpError
	return errors.As(err, &opErr) && opErr.Op == "dial"
}

func isNetTimeout(err error) bool {
	var netErr net.Error
	return errors.As(err, &netErr) && netErr.Timeout()
}

func hostNotFound(err error) bool {
	var dnsErr *net.DNSError
	return errors.As(err, &dnsErr) && dnsErr.IsNotFound
}

// pause logs why the call is repeated and waits, unless ctx ends first.
func (c *Client) pause(ctx context.Context, method, u string, attempt int, res attemptResult) error {
	wait := c.retryWait(attempt, res)
	why := reason(res)
	tflog.Debug(ctx, "Retrying applinks API call", map[string]any{
		"http_method": method,
		"http_url":    u,
		"attempt":     attempt,
		"wait":        wait.String(),
		"reason":      why,
	})
	if err := c.sleep(ctx, wait); err != nil {
		return fmt.Errorf("%s %s: stopped retrying after attempt %d (%s): %w", method, u, attempt, why, err)
	}
	return nil
}

func reason(res attemptResult) string {
	if res.err != nil {
		return res.err.Error()
	}
	return fmt.Sprintf("HTTP %d", res.status)
}

// retryWait prefers the server's Retry-After, capped so a misconfigured
// server cannot stall a plan for hours, and otherwise backs off.
func (c *Client) retryWait(attempt int, res attemptResult) time.Duration {
	if d, ok := c.retryAfter(res); ok {
		return min(d, c.waitMax)
	}
	return c.backoff(attempt)
}

func (c *Client) retryAfter(res attemptResult) (time.Duration, bool) {
	if res.err != nil || (res.status != http.StatusTooManyRequests && res.status != http.StatusServiceUnavailable) {
		return 0, false
	}
	v := strings.TrimSpace(res.header.Get("Retry-After"))
	// An absurd number of seconds overflows to the maximum, which the cap
	// then shortens, rather than falling back to a short backoff.
	if secs, err := strconv.ParseUint(v, 10, 64); err == nil || errors.Is(err, strconv.ErrRange) {
		return time.Duration(min(secs, maxSeconds)) * time.Second, true
	}
	if at, err := http.ParseTime(v); err == nil {
		return max(at.Sub(c.now()), 0), true
	}
	return 0, false
}

// backoff doubles a ceiling from RetryWaitMin up to RetryWaitMax per attempt
// and waits a random time in its upper half ("equal jitter"): clients that
// failed together spread out, yet none retries almost at once.
func (c *Client) backoff(attempt int) time.Duration {
	ceiling := c.waitMin
	for i := 1; i < attempt && ceiling < c.waitMax; i++ {
		ceiling *= 2
	}
	ceiling = min(ceiling, c.waitMax)
	half := ceiling / 2
	return max(half+rand.N(ceiling-half+1), c.waitMin)
}

func sleepContext(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// CreateOnce runs create, a call the client never repeats by itself. While
// its outcome is unknown (ErrOutcomeUnknown: a gateway error or a lost
// answer), it asks lookup whether the object exists: a found object is
// adopted, and otherwise create runs again after the same wait as a retry,
// up to the client's MaxRetries times. So a burst of gateway errors on a
// create neither fails the apply nor makes a duplicate. adopted reports
// whether the result came from lookup.
//
// lookup must find only what the evidence says this create made: an object
// that may be someone else's is reported as an error matching
// ErrCreateConflict, which CreateOnce returns with the create's own failure
// and without creating again.
func CreateOnce[T any](ctx context.Context, c *Client, create func(context.Context) (T, error),
	lookup func(context.Context) (found T, ok bool, err error),
) (result T, adopted bool, err error) {
	result, err = create(ctx)
	for attempt := 1; errors.Is(err, ErrOutcomeUnknown); attempt++ {
		found, ok, lookupErr := lookup(ctx)
		switch {
		case errors.Is(lookupErr, ErrCreateConflict):
			return result, false, fmt.Errorf("%w; the create had failed with: %w", lookupErr, err)
		case lookupErr != nil:
			return result, false, fmt.Errorf("%w; looking for the object afterwards failed too: %w", err, lookupErr)
		case ok:
			tflog.Debug(ctx, "The create's outcome was unknown; the object exists and is adopted")
			return found, true, nil
		case attempt > c.maxRetries:
			return result, false, err
		}
		wait := c.backoff(attempt)
		tflog.Info(ctx, "The create's outcome was unknown and nothing was created; creating again",
			map[string]any{"attempt": attempt, "wait": wait.String(), "reason": err.Error()})
		if sleepErr := c.sleep(ctx, wait); sleepErr != nil {
			return result, false, fmt.Errorf("%w; stopped before creating again: %w", err, sleepErr)
		}
		result, err = create(ctx)
	}
	return result, false, err
}
