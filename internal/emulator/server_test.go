package emulator

import (
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// testClient never follows redirects, like the products' own peers.
var testClient = &http.Client{
	Timeout:       10 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// testRequest is one request a test sends to an instance.
type testRequest struct {
	method string // default GET
	path   string // appended to the base URL
	body   string
	// user authenticates with Basic auth; every fixed user's password is
	// its name.
	user    string
	headers map[string]string
}

func send(t *testing.T, baseURL string, tr testRequest) (*http.Response, string) {
	t.Helper()
	method := tr.method
	if method == "" {
		method = http.MethodGet
	}
	var body io.Reader
	if tr.body != "" {
		body = strings.NewReader(tr.body)
	}
	req, err := http.NewRequest(method, baseURL+tr.path, body)
	if err != nil {
		t.Fatal(err)
	}
	if tr.user != "" {
		req.SetBasicAuth(tr.user, tr.user)
	}
	for name, value := range tr.headers {
		req.Header.Set(name, value)
	}
	resp, err := testClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, tr.path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", method, tr.path, err)
	}
	return resp, string(data)
}

// startTestServer starts instances on loopback and closes them when the
// test ends.
func startTestServer(t *testing.T, opts Options, extraRoutes func(*router), configs ...InstanceConfig) *Server {
	t.Helper()
	srv, err := start(opts, extraRoutes, configs...)
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	t.Cleanup(func() {
		if err := srv.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return srv
}

func loopback(name, typeID string) InstanceConfig {
	return InstanceConfig{Name: name, Type: typeID, Addr: "127.0.0.1:0"}
}

var uuidV4Pattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestStartValidatesConfigurations(t *testing.T) {
	tests := []struct {
		name    string
		configs []InstanceConfig
		wantErr string
	}{
		{
			name:    "no instances",
			wantErr: "emulator: no instances configured",
		},
		{
			name:    "unknown type names the allowed types",
			configs: []InstanceConfig{loopback("jira", "jiraa")},
			wantErr: `emulator: instance "jira": unknown type "jiraa" (allowed: jira, confluence, stash, bamboo, fecru, crowd)`,
		},
		{
			name:    "duplicate names",
			configs: []InstanceConfig{loopback("a", "jira"), loopback("a", "confluence")},
			wantErr: `emulator: duplicate instance name "a"`,
		},
		{
			name:    "name unusable as a file name",
			configs: []InstanceConfig{loopback("../jira", "jira")},
			wantErr: `emulator: invalid instance name "../jira": use letters, digits, '.', '_' or '-'`,
		},
		{
			name:    "address without port",
			configs: []InstanceConfig{{Name: "jira", Type: "jira", Addr: "127.0.0.1"}},
			wantErr: `emulator: instance "jira": invalid address "127.0.0.1": address 127.0.0.1: missing port in address`,
		},
		{
			name:    "port out of range",
			configs: []InstanceConfig{{Name: "jira", Type: "jira", Addr: "127.0.0.1:70000"}},
			wantErr: `emulator: instance "jira": invalid port "70000"`,
		},
		{
			name:    "relative context path",
			configs: []InstanceConfig{{Name: "jira", Type: "jira", Addr: "127.0.0.1:0", ContextPath: "jira"}},
			wantErr: `emulator: instance "jira": context path "jira" must start with '/'`,
		},
		{
			name:    "context path with dot segment",
			configs: []InstanceConfig{{Name: "jira", Type: "jira", Addr: "127.0.0.1:0", ContextPath: "/a/../b"}},
			wantErr: `emulator: instance "jira": invalid context path "/a/../b"`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, err := Start(Options{}, tt.configs...)
			if err == nil {
				srv.Close()
				t.Fatal("Start succeeded")
			}
			if err.Error() != tt.wantErr {
				t.Errorf("error = %q, want %q", err, tt.wantErr)
			}
		})
	}
}

func TestParseInstanceFlag(t *testing.T) {
	tests := []struct {
		flag    string
		want    InstanceConfig
		wantErr string
	}{
		{flag: "jira=jira@127.0.0.1:0", want: InstanceConfig{Name: "jira", Type: "jira", Addr: "127.0.0.1:0"}},
		{flag: "bb=stash@localhost:7990/bitbucket", want: InstanceConfig{Name: "bb", Type: "stash", Addr: "localhost:7990", ContextPath: "/bitbucket"}},
		{flag: "wiki=confluence@[::1]:8090/wiki/", want: InstanceConfig{Name: "wiki", Type: "confluence", Addr: "[::1]:8090", ContextPath: "/wiki"}},
		{flag: "root=crowd@:0/", want: InstanceConfig{Name: "root", Type: "crowd", Addr: ":0"}},
		{flag: "jira@127.0.0.1:0", wantErr: `instance "jira@127.0.0.1:0": want NAME=TYPE@HOST:PORT[/CONTEXT]`},
		{flag: "jira=jira", wantErr: `instance "jira=jira": want NAME=TYPE@HOST:PORT[/CONTEXT]`},
		{flag: "x=svn@127.0.0.1:0", wantErr: `emulator: instance "x": unknown type "svn" (allowed: jira, confluence, stash, bamboo, fecru, crowd)`},
		{flag: "x=jira@127.0.0.1:port", wantErr: `emulator: instance "x": invalid port "port"`},
	}
	for _, tt := range tests {
		t.Run(tt.flag, func(t *testing.T) {
			got, err := ParseInstanceFlag(tt.flag)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestServerInstancesAndURLs(t *testing.T) {
	srv := startTestServer(t, Options{}, nil,
		loopback("jira", "jira"),
		InstanceConfig{Name: "wiki", Type: "confluence", Addr: "127.0.0.1:0", ContextPath: "/wiki/"},
	)
	instances := srv.Instances()
	if len(instances) != 2 || instances[0].Name() != "jira" || instances[1].Name() != "wiki" {
		t.Fatalf("Instances() = %v, want jira then wiki", instances)
	}
	wiki := srv.Instance("wiki")
	if wiki != instances[1] || wiki.Type() != "confluence" {
		t.Errorf("Instance(wiki) = %v, type %q", wiki, wiki.Type())
	}
	if srv.Instance("nope") != nil {
		t.Error("Instance(nope) is not nil")
	}
	if got := wiki.URL(); !regexp.MustCompile(`^http://127\.0\.0\.1:\d+/wiki$`).MatchString(got) {
		t.Errorf("URL() = %q, want http://127.0.0.1:<port>/wiki", got)
	}
	if instances[0].ServerID() == wiki.ServerID() || !uuidV4Pattern.MatchString(wiki.ServerID()) {
		t.Errorf("server IDs %q and %q: want distinct v4 UUIDs", instances[0].ServerID(), wiki.ServerID())
	}
	resp, _ := send(t, wiki.URL(), testRequest{path: "/rest/applinks/1.0/manifest"})
	if resp.StatusCode != http.StatusOK {
		t.Errorf("manifest under context path: status %d", resp.StatusCode)
	}
}

func TestCloseStopsListeningAndIsIdempotent(t *testing.T) {
	srv, err := Start(Options{}, loopback("jira", "jira"))
	if err != nil {
		t.Fatal(err)
	}
	addr := strings.TrimPrefix(srv.Instance("jira").URL(), "http://")
	if err := srv.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := srv.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if conn, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		conn.Close()
		t.Errorf("%s still accepts connections after Close", addr)
	}
}

func TestStartFailsWhenAddressIsTaken(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	_, err = Start(Options{}, loopback("a", "jira"), InstanceConfig{Name: "b", Type: "jira", Addr: taken.Addr().String()})
	if err == nil || !strings.Contains(err.Error(), `emulator: instance "b": listen tcp`) {
		t.Fatalf("error = %v, want a listen error for instance b", err)
	}
}

func TestDataDirKeepsIdentityAcrossRestartOnAnotherPort(t *testing.T) {
	dir := t.TempDir()
	first, err := Start(Options{DataDir: dir}, loopback("jira", "jira"))
	if err != nil {
		t.Fatal(err)
	}
	jira := first.Instance("jira")
	firstURL, firstID := jira.URL(), jira.ServerID()
	_, firstConsumer := send(t, firstURL, testRequest{path: "/plugins/servlet/oauth/consumer-info"})
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	if info, err := os.Stat(filepath.Join(dir, "jira.json")); err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("state file: %v, mode %v; want jira.json with mode 0600", err, info.Mode().Perm())
	}

	second := startTestServer(t, Options{DataDir: dir}, nil, loopback("jira", "jira"))
	jira = second.Instance("jira")
	if jira.URL() == firstURL {
		t.Fatalf("restart reused %s; the test needs another port", firstURL)
	}
	if jira.ServerID() != firstID {
		t.Errorf("server ID after restart = %q, want %q", jira.ServerID(), firstID)
	}
	_, secondConsumer := send(t, jira.URL(), testRequest{path: "/plugins/servlet/oauth/consumer-info"})
	if publicKeyOf(secondConsumer) != publicKeyOf(firstConsumer) || publicKeyOf(firstConsumer) == "" {
		t.Errorf("public key changed across restart:\n%s\n%s", firstConsumer, secondConsumer)
	}
}

func publicKeyOf(consumerInfo string) string {
	m := regexp.MustCompile(`<publicKey>([^<]+)</publicKey>`).FindStringSubmatch(consumerInfo)
	if m == nil {
		return ""
	}
	return m[1]
}

func TestAdvertisedHostPort(t *testing.T) {
	tests := []struct {
		configured string
		want       string
	}{
		{configured: "127.0.0.1:0", want: "127.0.0.1:4242"},
		{configured: "localhost:0", want: "localhost:4242"},
		{configured: ":0", want: "127.0.0.1:4242"},
		{configured: "0.0.0.0:0", want: "127.0.0.1:4242"},
		{configured: "[::]:0", want: "[::1]:4242"},
	}
	for _, tt := range tests {
		got := advertisedHostPort(tt.configured, &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 4242})
		if got != tt.want {
			t.Errorf("advertisedHostPort(%q) = %q, want %q", tt.configured, got, tt.want)
		}
	}
}

// A connection that never carries a request (Go's transports dial spares)
// must not make Close wait for it and fail.
func TestCloseWithUnusedConnection(t *testing.T) {
	t.Parallel()
	server, err := Start(Options{}, InstanceConfig{Name: "jira", Type: "jira", Addr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	conn, err := net.Dial("tcp", strings.TrimPrefix(server.Instance("jira").URL(), "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if err := server.Close(); err != nil {
		t.Fatalf("Close with an unused connection open: %v", err)
	}
}

// A test can stop an instance while it holds a request and start it again
// on the same address and data directory: Close is not held up, the address
// is free at once, and the state is kept.
func TestRestartOnSameAddressWhileARequestIsHeld(t *testing.T) {
	dir := t.TempDir()
	first, err := Start(Options{DataDir: dir, Control: true}, loopback("jira", "jira"))
	if err != nil {
		t.Fatal(err)
	}
	jira := first.Instance("jira")
	base, id := jira.URL(), jira.ServerID()
	resp, body := send(t, base, testRequest{method: http.MethodPost, path: "/rest/whitelist/latest", user: "admin",
		headers: map[string]string{"Content-Type": "application/json", "X-Atlassian-Token": "no-check"},
		body:    `{"expression":"https://kept.example.com","type":"whitelist.domain.name"}`})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("creating a rule: status %d: %s", resp.StatusCode, body)
	}
	postFault(t, base, `{"latency_ms":60000}`)
	held := make(chan error, 1)
	go func() {
		resp, err := testClient.Get(base + "/rest/applinks/1.0/manifest")
		if err == nil {
			resp.Body.Close()
			err = errors.New("the held request was answered")
		}
		held <- err
	}()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		_, counts := send(t, base, testRequest{path: "/_emulator/requests"})
		if strings.Contains(counts, `"GET /rest/applinks/1.0/manifest":1`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the request never arrived: %s", counts)
		}
	}
	if err := first.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := <-held; err == nil {
		t.Fatal("the held request did not fail")
	}

	second := startTestServer(t, Options{DataDir: dir, Control: true}, nil,
		InstanceConfig{Name: "jira", Type: "jira", Addr: strings.TrimPrefix(base, "http://")})
	jira = second.Instance("jira")
	if jira.URL() != base || jira.ServerID() != id {
		t.Errorf("restarted as %s (%s), want %s (%s)", jira.URL(), jira.ServerID(), base, id)
	}
	if _, body := send(t, base, testRequest{path: "/rest/whitelist/latest", user: "admin", headers: map[string]string{"Accept": "application/json"}}); !strings.Contains(body, "kept.example.com") {
		t.Errorf("the rule did not survive the restart: %s", body)
	}
	if _, counts := send(t, base, testRequest{path: "/_emulator/requests"}); strings.Contains(counts, "manifest") {
		t.Errorf("the new instance inherited the old request counts: %s", counts)
	}
}
