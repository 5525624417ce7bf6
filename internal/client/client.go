// Package client talks to the admin REST APIs that Atlassian Data Center
// products (Jira, Confluence, Bitbucket, ...) expose for Application Links:
// applinks, applinks-oauth and the URL allowlist ("whitelist").
//
// It writes the wire format from the API reference on its own and knows
// nothing about Terraform, so the provider can word errors for its users and
// the emulator cannot hide a wrong field name by sharing code with it.
package client

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/hashicorp/go-cleanhttp"
)

// Defaults the provider passes when its user sets nothing. MaxRetries has no
// implicit default because 0 is a meaningful choice (no retries).
const (
	DefaultRequestTimeout = 30 * time.Second
	DefaultMaxRetries     = 4
	DefaultRetryWaitMin   = 500 * time.Millisecond
	DefaultRetryWaitMax   = 10 * time.Second
)

// maxBodyBytes bounds what is read from one response, so a misbehaving proxy
// streaming garbage cannot exhaust the provider's memory.
const maxBodyBytes = 10 << 20

// Config describes one product instance and how patient to be with it.
type Config struct {
	// BaseURL is the product's base URL, including any context path
	// (https://host/jira). It is used as an opaque prefix.
	BaseURL string

	// Username and Password select HTTP Basic auth; Token selects a personal
	// access token (Bearer). Basic auth is what bypasses WebSudo.
	Username, Password string
	Token              string

	// CACertPEM adds certificates to the system pool, for products behind a
	// private CA.
	CACertPEM          string
	InsecureSkipVerify bool

	// RequestTimeout bounds each attempt, including reading the body; 0 means
	// DefaultRequestTimeout.
	RequestTimeout time.Duration

	// MaxRetries is how many times a failed call may be repeated; 0 means no
	// retry.
	MaxRetries int

	// RetryWaitMin and RetryWaitMax bound the backoff between attempts and
	// cap the server's Retry-After; 0 means the defaults.
	RetryWaitMin, RetryWaitMax time.Duration

	// UserAgent is sent on every request; see UserAgent.
	UserAgent string
}

// Client calls one product instance. It is safe for concurrent use.
type Client struct {
	base       string // scheme://host[:port][/context path], no trailing slash
	http       *http.Client
	username   string
	password   string
	token      string
	userAgent  string
	timeout    time.Duration
	maxRetries int
	waitMin    time.Duration
	waitMax    time.Duration
	secrets    []string // credential values that must never reach a log or an error
	scrubber   scrubber // removes them from text in every spelling
	maxBody    int64

	// caches share listings among the reads of one Terraform run (cache.go).
	caches readCaches
	// linkLocks serialise the writes to each link (linklocks.go).
	linkLocks linkLocks
	// incomingKeys records which link holds each incoming consumer key
	// (consumer_keys.go).
	incomingKeys incomingKeys

	// sleep and now are replaced by tests so waits are recorded instead of
	// slept and Retry-After dates are computed against a fixed clock.
	sleep func(ctx context.Context, d time.Duration) error
	now   func() time.Time
}

// UserAgent builds the User-Agent header value, so the product's access log
// tells which provider and Terraform versions made a change.
func UserAgent(providerVersion, terraformVersion string) string {
	return fmt.Sprintf("terraform-provider-applinks/%s (+https://registry.terraform.io/providers/applinks-iac/applinks) Terraform/%s",
		providerVersion, terraformVersion)
}

// New validates cfg and builds a client with a pooled, keep-alive transport.
func New(cfg Config) (*Client, error) {
	base, err := parseBaseURL(cfg.BaseURL)
	if err != nil {
		return nil, err
	}
	if err := validateCredentials(cfg); err != nil {
		return nil, err
	}
	timeout, waitMin, waitMax, err := durations(cfg)
	if err != nil {
		return nil, err
	}
	if cfg.MaxRetries < 0 {
		return nil, fmt.Errorf("max retries must not be negative, got %d", cfg.MaxRetries)
	}
	tlsCfg, err := tlsConfig(cfg)
	if err != nil {
		return nil, err
	}

	c := &Client{
		base:       base,
		username:   cfg.Username,
		password:   cfg.Password,
		token:      cfg.Token,
		userAgent:  cfg.UserAgent,
		timeout:    timeout,
		maxRetries: cfg.MaxRetries,
		waitMin:    waitMin,
		waitMax:    waitMax,
		secrets:    secretValues(cfg),
		maxBody:    maxBodyBytes,
		sleep:      sleepContext,
		now:        time.Now,
	}
	c.scrubber = newScrubber(c.secrets...)
	c.caches.name()
	if c.userAgent == "" {
		c.userAgent = UserAgent("dev", "unknown")
	}

	transport := cleanhttp.DefaultPooledTransport()
	transport.TLSClientConfig = tlsCfg
	c.http = &http.Client{
		Transport: &loggingTransport{next: transport, scrub: c.scrub, longestSecret: c.scrubber.longest},
		// A redirect means the base URL is not the product's: following it
		// would silently turn a POST into a GET and drop the credentials on a
		// host change, so it is reported instead.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return c, nil
}

func parseBaseURL(raw string) (string, error) {
	if strings.TrimSpace(raw) == "" {
		return "", errors.New("base URL is empty")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", baseURLParseError(raw, err)
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return "", fmt.Errorf("base URL %q must be absolute and start with http:// or https://", u.Redacted())
	case u.Host == "":
		return "", fmt.Errorf("base URL %q has no host", u.Redacted())
	case u.User != nil:
		return "", fmt.Errorf("base URL %q must not contain credentials; pass them separately", u.Redacted())
	case u.RawQuery != "" || u.Fragment != "":
		return "", fmt.Errorf("base URL %q must not have a query or fragment", u.Redacted())
	}
	return strings.TrimRight(u.Scheme+"://"+u.Host+u.EscapedPath(), "/"), nil
}

// baseURLParseError words a url.Parse failure without the text it refused,
// which Go's error quotes whole: a password that broke parsing would be in
// it, and Go's reason itself may quote the password's start (a "/" in it
// ends the host early, so it is reported as an invalid port).
func baseURLParseError(raw string, err error) error {
	if _, afterScheme, ok := strings.Cut(raw, "//"); ok && strings.Contains(afterScheme, "@") {
		return errors.New("base URL is not a valid URL and seems to contain credentials before \"@\"; remove them and pass them separately")
	}
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		err = urlErr.Err
	}
	return fmt.Errorf("base URL is not a valid URL: %w", err)
}

func validateCredentials(cfg Config) error {
	switch {
	case cfg.Token != "" && (cfg.Username != "" || cfg.Password != ""):
		return errors.New("use either username and password or a token, not both")
	case cfg.Password != "" && cfg.Username == "":
		return errors.New("a password was given without a username")
	}
	return nil
}

func durations(cfg Config) (timeout, waitMin, waitMax time.Duration, err error) {
	timeout = orDefault(cfg.RequestTimeout, DefaultRequestTimeout)
	waitMin = orDefault(cfg.RetryWaitMin, DefaultRetryWaitMin)
	waitMax = orDefault(cfg.RetryWaitMax, DefaultRetryWaitMax)
	switch {
	case timeout < 0 || waitMin < 0 || waitMax < 0:
		err = errors.New("request timeout and retry waits must not be negative")
	case waitMin > waitMax:
		err = fmt.Errorf("minimum retry wait %s is longer than the maximum %s", waitMin, waitMax)
	}
	return timeout, waitMin, waitMax, err
}

func orDefault(d, def time.Duration) time.Duration {
	if d == 0 {
		return def
	}
	return d
}

func tlsConfig(cfg Config) (*tls.Config, error) {
	tlsCfg := &tls.Config{
		MinVersion:         tls.VersionTLS12,
		InsecureSkipVerify: cfg.InsecureSkipVerify, //nolint:gosec // explicit opt-in by the user, for test instances
	}
	if cfg.CACertPEM == "" {
		return tlsCfg, nil
	}
	// Starting from the system pool keeps publicly signed products working
	// when a private CA is added for another one.
	pool, err := x509.SystemCertPool()
	if err != nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM([]byte(cfg.CACertPEM)) {
		return nil, errors.New("CA certificate PEM contains no parsable certificate")
	}
	tlsCfg.RootCAs = pool
	return tlsCfg, nil
}

// secretValues lists the credentials as the client sends them: the raw
// values and the Basic header's base64 encoding of both. The scrubber adds
// every spelling of each (escaped, percent-encoded).
func secretValues(cfg Config) []string {
	var s []string
	for _, v := range []string{cfg.Password, cfg.Token} {
		if v != "" {
			s = append(s, v)
		}
	}
	if cfg.Username != "" && cfg.Password != "" {
		s = append(s, base64.StdEncoding.EncodeToString([]byte(cfg.Username+":"+cfg.Password)))
	}
	return s
}

// apiPath joins a fixed path, written literally by the caller, with segments
// that come from ids or names. Only the segments are escaped, so a "/", "?"
// or "#" inside an id can never change which resource is addressed.
func apiPath(fixed string, segments ...string) string {
	var b strings.Builder
	b.WriteString(strings.Trim(fixed, "/"))
	for _, s := range segments {
		b.WriteByte('/')
		b.WriteString(url.PathEscape(s))
	}
	return b.String()
}

// url appends an apiPath result, which has no leading slash, to the base URL
// as text: parsing and re-serialising would undo the escaping of segments.
func (c *Client) url(path string, query url.Values) string {
	u := c.base + "/" + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	return u
}
