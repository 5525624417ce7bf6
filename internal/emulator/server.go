package emulator

import (
	"context"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// InstanceConfig describes one emulated product instance.
type InstanceConfig struct {
	Name        string // instance name, e.g. "jira"
	Type        string // jira, confluence, stash, bamboo, fecru, crowd
	Addr        string // host:port to listen on; port 0 picks a free port
	ContextPath string // optional, e.g. "/jira"; "" for none
	// TLSCert, when set, makes the instance serve HTTPS with this
	// certificate (and its URL start with https://), so that peers can meet
	// untrusted or misnamed certificates.
	TLSCert *tls.Certificate
}

// Options apply to every instance of a Server.
type Options struct {
	DataDir       string      // optional; persist state here
	Control       bool        // serve /_emulator/
	AllowAllHosts bool        // lifts the applicationlinkForm SSRF blocklist, like -Dapplinks.allow.all.hosts=true
	Logger        *log.Logger // optional request log; nil = silent
	// Users adds accounts to every instance, next to the fixed admin
	// (system administrator, token "admin-token"), manager (administrator)
	// and user (no admin rights), whose passwords are their names.
	Users []User
	// PeerRootCAs are the certificate authorities the instances trust in
	// every call to another server, as a product's JVM trust store does; nil
	// means the system pool, in which a test CA is untrusted.
	PeerRootCAs *x509.CertPool
	// OAuth2SkipBaseURLHTTPS and OAuth2SkipRedirectURLHTTPS lift the OAuth
	// 2.0 provider's HTTPS rules, as the system properties
	// atlassian.oauth2.provider.skip.base.url.https.requirement and
	// atlassian.oauth2.provider.skip.redirect.url.https.requirement do
	// (design/api.md §10.4).
	OAuth2SkipBaseURLHTTPS     bool
	OAuth2SkipRedirectURLHTTPS bool
}

// product is what differs between the emulated product types.
type product struct {
	typeID      string
	name        string
	version     string
	buildNumber int64
	// iconKey names the type's icons in the applinks plugin's images.
	iconKey string
}

// products lists the emulated types in the order error messages name them.
var products = []product{
	{typeID: "jira", name: "Jira", version: "9.12.2", buildNumber: 9120002, iconKey: "jira"},
	{typeID: "confluence", name: "Confluence", version: "8.7.2", buildNumber: 9012, iconKey: "confluence"},
	// Inferred: the BITBUCKET_REBRAND feature is on, so the icons use the
	// "bitbucket" key; the type ID stays "stash" regardless.
	{typeID: "stash", name: "Bitbucket", version: "8.19.1", buildNumber: 8019001, iconKey: "bitbucket"},
	{typeID: "bamboo", name: "Bamboo", version: "9.6.0", buildNumber: 90600, iconKey: "bamboo"},
	{typeID: "fecru", name: "FishEye / Crucible", version: "4.8.14", buildNumber: 20231219, iconKey: "fecru"},
	{typeID: "crowd", name: "Crowd", version: "5.3.0", buildNumber: 1943, iconKey: "crowd"},
}

func productByType(typeID string) (product, bool) {
	for _, p := range products {
		if p.typeID == typeID {
			return p, true
		}
	}
	return product{}, false
}

func productTypeIDs() []string {
	ids := make([]string, len(products))
	for i, p := range products {
		ids[i] = p.typeID
	}
	return ids
}

// Server runs a set of instances, each on its own listener.
type Server struct {
	instances []*Instance
	closeOnce sync.Once
	closeErr  error
}

// Instance is one running emulated product.
type Instance struct {
	config     InstanceConfig
	product    product
	opts       Options
	users      userDirectory
	store      *store
	serverID   string
	privateKey *rsa.PrivateKey
	// listenURL is scheme, host, port and context path of the listener:
	// the base URL unless an override is stored.
	listenURL  string
	listener   net.Listener
	httpServer *http.Server
	control    *controlState // nil unless Options.Control
	// closing is closed when shutdown starts, so that injected latency does
	// not hold up a graceful shutdown.
	closing chan struct{}
	// peers makes the instance's calls to other servers.
	peers peerClients
	// unused holds the connections that have not carried a request yet.
	unused    unusedConns
	serveDone chan struct{}
}

// Start validates the configurations and starts every instance on a real
// TCP listener; when it returns without error all of them accept requests.
func Start(opts Options, instances ...InstanceConfig) (*Server, error) {
	return start(opts, nil, instances...)
}

// start is Start with a hook that lets tests add routes to every instance's
// router, to exercise the cross-cutting layer through routes of their own.
func start(opts Options, extraRoutes func(*router), configs ...InstanceConfig) (*Server, error) {
	if len(configs) == 0 {
		return nil, errors.New("emulator: no instances configured")
	}
	users, err := newUserDirectory(opts.Users)
	if err != nil {
		return nil, err
	}
	normalised := make([]InstanceConfig, len(configs))
	seen := make(map[string]bool)
	for i, cfg := range configs {
		n, err := normaliseConfig(cfg)
		if err != nil {
			return nil, err
		}
		if seen[n.Name] {
			return nil, fmt.Errorf("emulator: duplicate instance name %q", n.Name)
		}
		seen[n.Name] = true
		normalised[i] = n
	}
	srv := &Server{}
	for _, cfg := range normalised {
		inst, err := startInstance(opts, users, cfg, extraRoutes)
		if err != nil {
			_ = srv.Close()
			return nil, err
		}
		srv.instances = append(srv.instances, inst)
	}
	return srv, nil
}

// Instances returns the instances in the order they were configured.
func (s *Server) Instances() []*Instance {
	return append([]*Instance(nil), s.instances...)
}

// Instance returns the named instance, or nil.
func (s *Server) Instance(name string) *Instance {
	for _, inst := range s.instances {
		if inst.config.Name == name {
			return inst
		}
	}
	return nil
}

// shutdownTimeout bounds how long Close waits for in-flight requests.
const shutdownTimeout = 5 * time.Second

// Close shuts every instance down gracefully; it is safe to call twice.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		var errs []error
		for _, inst := range s.instances {
			if err := inst.shutdown(); err != nil {
				errs = append(errs, err)
			}
		}
		s.closeErr = errors.Join(errs...)
	})
	return s.closeErr
}

// Name returns the instance name.
func (i *Instance) Name() string { return i.config.Name }

// Type returns the application type ID, e.g. "jira" or "stash".
func (i *Instance) Type() string { return i.config.Type }

// ServerID returns the instance's server ID, the "id" of its manifest.
func (i *Instance) ServerID() string { return i.serverID }

// URL returns the base URL the instance reports (the stored override if any,
// else the listening URL), without a trailing slash.
func (i *Instance) URL() string {
	var override string
	i.store.View(func(st *state) { override = st.BaseURL })
	if override != "" {
		return override
	}
	return i.listenURL
}

func startInstance(opts Options, users userDirectory, cfg InstanceConfig, extraRoutes func(*router)) (*Instance, error) {
	prod, _ := productByType(cfg.Type) // validated by normaliseConfig
	st, err := openStore(opts.DataDir, cfg.Name)
	if err != nil {
		return nil, fmt.Errorf("emulator: instance %q: %w", cfg.Name, err)
	}
	inst := &Instance{
		config:    cfg,
		product:   prod,
		opts:      opts,
		users:     users,
		store:     st,
		closing:   make(chan struct{}),
		serveDone: make(chan struct{}),
		peers:     newPeerClients(opts.PeerRootCAs),
	}
	var keyPEM string
	st.View(func(s *state) { inst.serverID, keyPEM = s.ServerID, s.PrivateKeyPEM })
	// The key never changes, so it is parsed once here rather than per
	// request.
	if inst.privateKey, err = parsePrivateKey(keyPEM); err != nil {
		return nil, fmt.Errorf("emulator: instance %q: %w", cfg.Name, err)
	}
	if opts.Control {
		inst.control = newControlState()
	}
	inst.listener, err = net.Listen("tcp", cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("emulator: instance %q: %w", cfg.Name, err)
	}
	scheme := "http"
	if cfg.TLSCert != nil {
		inst.listener = tls.NewListener(inst.listener, &tls.Config{
			Certificates: []tls.Certificate{*cfg.TLSCert},
			MinVersion:   tls.VersionTLS12,
		})
		scheme = "https"
	}
	inst.listenURL = scheme + "://" + advertisedHostPort(cfg.Addr, inst.listener.Addr()) + cfg.ContextPath
	inst.httpServer = &http.Server{
		Handler:           inst.newHandler(extraRoutes),
		ReadHeaderTimeout: 10 * time.Second,
		// Dropped connections are deliberate; keep net/http quiet about them.
		ErrorLog:  log.New(io.Discard, "", 0),
		ConnState: inst.unused.track,
	}
	go func() {
		defer close(inst.serveDone)
		_ = inst.httpServer.Serve(inst.listener) // returns ErrServerClosed on shutdown
	}()
	inst.logf("listening on %s", inst.listenURL)
	return inst, nil
}

func (i *Instance) shutdown() error {
	close(i.closing)
	ctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- i.httpServer.Shutdown(ctx) }()
	// Go's HTTP transports dial spare connections that may never carry a
	// request. net/http counts such a connection as busy for five seconds,
	// which would stall every Close, so they are closed here: no request was
	// on them.
	ticker := time.NewTicker(10 * time.Millisecond)
	defer ticker.Stop()
	var err error
wait:
	for {
		select {
		case err = <-done:
			break wait
		case <-ticker.C:
			i.unused.closeAll()
		}
	}
	if err != nil {
		err = errors.Join(err, i.httpServer.Close())
	}
	<-i.serveDone
	if err != nil {
		return fmt.Errorf("emulator: instance %q: shutdown: %w", i.config.Name, err)
	}
	return nil
}

// advertisedHostPort keeps a configured host name (e.g. "localhost") but
// replaces a wildcard listen address by loopback, since a URL needs a host
// clients can reach.
func advertisedHostPort(configured string, actual net.Addr) string {
	tcp, ok := actual.(*net.TCPAddr)
	if !ok {
		return actual.String()
	}
	port := strconv.Itoa(tcp.Port)
	host, _, _ := net.SplitHostPort(configured)
	ip := net.ParseIP(host)
	switch {
	case host == "" || ip != nil && ip.Equal(net.IPv4zero):
		return net.JoinHostPort("127.0.0.1", port)
	case ip != nil && ip.IsUnspecified():
		return net.JoinHostPort("::1", port)
	default:
		return net.JoinHostPort(host, port)
	}
}

func (i *Instance) logf(format string, args ...any) {
	if i.opts.Logger != nil {
		i.opts.Logger.Printf("%s: "+format, append([]any{i.config.Name}, args...)...)
	}
}

// ParseInstanceFlag parses "NAME=TYPE@HOST:PORT[/CONTEXT]".
func ParseInstanceFlag(s string) (InstanceConfig, error) {
	name, rest, ok := strings.Cut(s, "=")
	if !ok {
		return InstanceConfig{}, fmt.Errorf("instance %q: want NAME=TYPE@HOST:PORT[/CONTEXT]", s)
	}
	typeID, location, ok := strings.Cut(rest, "@")
	if !ok {
		return InstanceConfig{}, fmt.Errorf("instance %q: want NAME=TYPE@HOST:PORT[/CONTEXT]", s)
	}
	addr, contextPath := location, ""
	if i := strings.Index(location, "/"); i >= 0 {
		addr, contextPath = location[:i], location[i:]
	}
	return normaliseConfig(InstanceConfig{Name: name, Type: typeID, Addr: addr, ContextPath: contextPath})
}

var (
	// instanceNamePattern keeps names usable as state file names.
	instanceNamePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]*$`)
	// contextSegmentPattern admits the characters a servlet context path
	// uses in practice, so the path needs no escaping.
	contextSegmentPattern = regexp.MustCompile(`^[A-Za-z0-9_.~-]+$`)
)

// normaliseConfig validates cfg and brings the context path to the
// canonical "/a/b" form ("" for the root context).
func normaliseConfig(cfg InstanceConfig) (InstanceConfig, error) {
	if !instanceNamePattern.MatchString(cfg.Name) {
		return cfg, fmt.Errorf("emulator: invalid instance name %q: use letters, digits, '.', '_' or '-'", cfg.Name)
	}
	if _, ok := productByType(cfg.Type); !ok {
		return cfg, fmt.Errorf("emulator: instance %q: unknown type %q (allowed: %s)",
			cfg.Name, cfg.Type, strings.Join(productTypeIDs(), ", "))
	}
	_, port, err := net.SplitHostPort(cfg.Addr)
	if err != nil {
		return cfg, fmt.Errorf("emulator: instance %q: invalid address %q: %w", cfg.Name, cfg.Addr, err)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return cfg, fmt.Errorf("emulator: instance %q: invalid port %q", cfg.Name, port)
	}
	contextPath := strings.TrimRight(cfg.ContextPath, "/")
	if contextPath != "" {
		if !strings.HasPrefix(contextPath, "/") {
			return cfg, fmt.Errorf("emulator: instance %q: context path %q must start with '/'", cfg.Name, cfg.ContextPath)
		}
		for _, segment := range strings.Split(contextPath[1:], "/") {
			if !contextSegmentPattern.MatchString(segment) || segment == "." || segment == ".." {
				return cfg, fmt.Errorf("emulator: instance %q: invalid context path %q", cfg.Name, cfg.ContextPath)
			}
		}
	}
	cfg.ContextPath = contextPath
	return cfg, nil
}

// unusedConns tracks connections in http.StateNew.
type unusedConns struct {
	mu    sync.Mutex
	conns map[net.Conn]struct{}
}

func (u *unusedConns) track(c net.Conn, state http.ConnState) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if state == http.StateNew {
		if u.conns == nil {
			u.conns = map[net.Conn]struct{}{}
		}
		u.conns[c] = struct{}{}
		return
	}
	delete(u.conns, c)
}

func (u *unusedConns) closeAll() {
	u.mu.Lock()
	defer u.mu.Unlock()
	for c := range u.conns {
		_ = c.Close()
		delete(u.conns, c)
	}
}
