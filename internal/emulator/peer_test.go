package emulator

import (
	"context"
	"encoding/xml"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
)

func TestCheckHostAllowed(t *testing.T) {
	srv := startTestServer(t, Options{}, nil, loopback("jira", "jira"))
	open := startTestServer(t, Options{AllowAllHosts: true}, nil, loopback("open", "jira"))
	strict, lenient := srv.Instance("jira"), open.Instance("open")
	if strict.AllowAllHosts() || !lenient.AllowAllHosts() {
		t.Fatalf("AllowAllHosts: %v, %v", strict.AllowAllHosts(), lenient.AllowAllHosts())
	}
	tests := []struct {
		url  string
		want error
	}{
		{"http://127.0.0.1:8080", errHostBlocked},
		{"http://127.1.2.3", errHostBlocked},
		{"http://localhost:8090/jira", errHostBlocked},
		{"http://169.254.169.254/latest", errHostBlocked},
		{"http://0.0.0.0", errHostBlocked},
		{"http://[::1]:8080", errHostBlocked},
		{"jira", errHostBlocked}, // no host: Java resolves null to the loopback
		{"http://192.0.2.10", nil},
		{"http://[2001:db8::1]", nil},
		{"http://no-such-host.invalid", errHostInvalid},
		{"http://%zz", errHostInvalid},
	}
	for _, tt := range tests {
		if got := strict.checkHostAllowed(context.Background(), tt.url); !errors.Is(got, tt.want) {
			t.Errorf("checkHostAllowed(%q) = %v, want %v", tt.url, got, tt.want)
		}
		if got := lenient.checkHostAllowed(context.Background(), tt.url); got != nil {
			t.Errorf("with AllowAllHosts, checkHostAllowed(%q) = %v", tt.url, got)
		}
	}
}

func TestJavaHostAddress(t *testing.T) {
	for ip, want := range map[string]string{
		"127.0.0.1":           "127.0.0.1",
		"::1":                 "0:0:0:0:0:0:0:1",
		"::ffff:10.0.0.1":     "10.0.0.1",
		"2001:db8::ff00:42:8": "2001:db8:0:0:0:ff00:42:8",
	} {
		if got := javaHostAddress(net.ParseIP(ip)); got != want {
			t.Errorf("javaHostAddress(%s) = %s, want %s", ip, got, want)
		}
	}
}

func TestDownloadManifest(t *testing.T) {
	srv := startTestServer(t, Options{}, nil, loopback("wiki", "confluence"))
	wiki := srv.Instance("wiki")
	peer := newFakePeer(t, map[string]fakeAnswer{
		"GET /redirect/rest/applinks/1.0/manifest":   {status: http.StatusMovedPermanently, location: "https://new.example.com/rest/applinks/1.0/manifest"},
		"GET /nolocation/rest/applinks/1.0/manifest": {status: http.StatusFound},
		"GET /broken/rest/applinks/1.0/manifest":     {status: http.StatusOK, body: `{"id":`},
		"GET /badid/rest/applinks/1.0/manifest":      {status: http.StatusOK, body: `{"id":"nope","typeId":"jira"}`},
		"GET /accepted/rest/applinks/1.0/manifest":   {status: http.StatusAccepted, body: `{"id":"0c0c0c0c-0000-4000-8000-000000000001","typeId":"jira"}`},
		"GET /trailing/x/rest/applinks/1.0/manifest": {status: http.StatusOK, body: `{"id":"0c0c0c0c-0000-4000-8000-000000000002","typeId":"jira","url":"http://x"}`},
	})
	ctx := context.Background()

	m, err := systemTrustPeers.downloadManifest(ctx, wiki.URL())
	if err != nil || m.ID != wiki.ServerID() || m.TypeID != "confluence" || m.URL != wiki.URL() {
		t.Errorf("emulated peer: %+v, %v", m, err)
	}
	if m, err := systemTrustPeers.downloadManifest(ctx, peer.URL+"/trailing/x/"); err != nil || m.ID != "0c0c0c0c-0000-4000-8000-000000000002" {
		t.Errorf("base with a trailing slash: %+v, %v", m, err)
	}
	var redirected *errManifestRedirected
	if _, err := systemTrustPeers.downloadManifest(ctx, peer.URL+"/redirect"); !errors.As(err, &redirected) || redirected.location != "https://new.example.com/rest/applinks/1.0/manifest" {
		t.Errorf("redirect: %v", err)
	}
	for _, path := range []string{"/nolocation", "/broken", "/badid", "/accepted", "/missing"} {
		if _, err := systemTrustPeers.downloadManifest(ctx, peer.URL+path); !errors.Is(err, errManifestNotFound) {
			t.Errorf("%s: %v, want not found", path, err)
		}
	}
	var unreachable *errPeerUnreachable
	if _, err := systemTrustPeers.downloadManifest(ctx, closedURL(t)); !errors.As(err, &unreachable) {
		t.Errorf("closed port: %v, want unreachable", err)
	}
}

func TestManifestFor(t *testing.T) {
	srv := startTestServer(t, Options{}, nil, loopback("wiki", "confluence"))
	wiki := srv.Instance("wiki")
	confluence, _ := linkTypeByID("confluence")
	jira, _ := linkTypeByID("jira")
	generic, _ := linkTypeByID("generic")
	ctx := context.Background()
	if m := systemTrustPeers.manifestFor(ctx, wiki.URL(), confluence); m.ID != wiki.ServerID() || m.BuildNumber != 9012 {
		t.Errorf("matching type: %+v", m)
	}
	// A manifest of another type, an offline peer and a generic link all
	// get the synthesised manifest (design/api.md §9.2).
	for _, tt := range []struct {
		url string
		t   linkType
	}{{wiki.URL(), jira}, {closedURL(t), confluence}, {wiki.URL(), generic}} {
		want := manifestEntity{ID: GenerateApplicationID(tt.url), Name: tt.t.name, TypeID: tt.t.typeID, URL: tt.url}
		if m := systemTrustPeers.manifestFor(ctx, tt.url, tt.t); m.ID != want.ID || m.Name != want.Name || m.TypeID != want.TypeID || m.BuildNumber != 0 || m.URL != want.URL || m.ApplinksVersion != "" {
			t.Errorf("%s as %s: %+v, want %+v", tt.url, tt.t.typeID, m, want)
		}
	}
}

func TestPeerAvailable(t *testing.T) {
	srv := startTestServer(t, Options{}, nil, InstanceConfig{Name: "wiki", Type: "confluence", Addr: "127.0.0.1:0", ContextPath: "/wiki"})
	wiki := srv.Instance("wiki")
	peer := newFakePeer(t, map[string]fakeAnswer{
		"GET /ok":       {status: http.StatusNoContent},
		"GET /error":    {status: http.StatusInternalServerError},
		"GET /redirect": {status: http.StatusFound, location: "/ok"},
	})
	for url, want := range map[string]bool{
		wiki.URL():             true, // the front page of an emulated product
		peer.URL + "/ok":       true,
		peer.URL + "/redirect": true, // the online check follows redirects
		peer.URL + "/error":    false,
		closedURL(t):           false,
	} {
		if got := systemTrustPeers.peerAvailable(context.Background(), url); got != want {
			t.Errorf("peerAvailable(%s) = %v, want %v", url, got, want)
		}
	}
}

func TestFetchConsumerInfo(t *testing.T) {
	srv := startTestServer(t, Options{}, nil, loopback("bb", "stash"))
	bb := srv.Instance("bb")
	peer := newFakePeer(t, map[string]fakeAnswer{
		"GET /text/plugins/servlet/oauth/consumer-info":  {status: http.StatusOK, contentType: "text/xml", body: `<consumer><key>k</key><name>n</name><publicKey>p</publicKey></consumer>`},
		"GET /error/plugins/servlet/oauth/consumer-info": {status: http.StatusInternalServerError, contentType: "application/xml", body: `<consumer><key>k</key><name>n</name><publicKey>p</publicKey></consumer>`},
		"GET /empty/plugins/servlet/oauth/consumer-info": {status: http.StatusOK, contentType: "application/xml", body: `<consumer></consumer>`},
	})
	ctx := context.Background()
	c, err := systemTrustPeers.fetchConsumerInfo(ctx, bb.URL())
	if err != nil || c.Key != consumerKey("stash", bb.ServerID()) || c.Name != "Bitbucket" || c.PublicKey == "" || c.SignatureMethod != "RSA_SHA1" {
		t.Errorf("emulated peer: %+v, %v", c, err)
	}
	for _, path := range []string{"/text", "/error", "/empty", "/missing"} {
		if _, err := systemTrustPeers.fetchConsumerInfo(ctx, peer.URL+path); err == nil {
			t.Errorf("%s: accepted", path)
		}
	}
}

func TestIsAdminOnPeer(t *testing.T) {
	srv := startTestServer(t, Options{}, nil, loopback("jira", "jira"))
	jira := srv.Instance("jira")
	ctx := context.Background()
	for _, tt := range []struct {
		user, password string
		want           bool
	}{{"admin", "admin", true}, {"manager", "manager", true}, {"user", "user", false}, {"admin", "wrong", false}} {
		if got, err := systemTrustPeers.isAdminOnPeer(ctx, jira.URL(), tt.user, tt.password); err != nil || got != tt.want {
			t.Errorf("%s/%s: %v, %v; want %v", tt.user, tt.password, got, err, tt.want)
		}
	}
	if _, err := systemTrustPeers.isAdminOnPeer(ctx, closedURL(t), "admin", "admin"); err == nil {
		t.Error("closed port: no error")
	}
}

// The front page is what a peer's online check and a user's browser get at
// the base URL: anonymously, a 200 HTML page naming the product, with or
// without the trailing slash. Outside the context path there is none, so a
// link whose URL lacks it does not look online.
func TestFrontPage(t *testing.T) {
	for typeID, name := range map[string]string{
		"jira": "Jira", "confluence": "Confluence", "stash": "Bitbucket",
		"bamboo": "Bamboo", "fecru": "FishEye / Crucible", "crowd": "Crowd",
	} {
		t.Run(typeID, func(t *testing.T) {
			srv := startTestServer(t, Options{}, nil, InstanceConfig{Name: "peer", Type: typeID, Addr: "127.0.0.1:0", ContextPath: "/app"})
			inst := srv.Instance("peer")
			for _, path := range []string{"", "/"} {
				resp, body := send(t, inst.URL()+path, testRequest{})
				if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != contentTypeHTML {
					t.Fatalf("GET %s%s: %d %q", inst.URL(), path, resp.StatusCode, resp.Header.Get("Content-Type"))
				}
				title, heading, err := pageTitleAndHeading(body)
				if err != nil {
					t.Fatalf("GET %s%s: %v in %q", inst.URL(), path, err, body)
				}
				if title != name || heading != name {
					t.Errorf("GET %s%s: title %q and heading %q, want %q for both", inst.URL(), path, title, heading, name)
				}
			}
			if !systemTrustPeers.peerAvailable(context.Background(), inst.URL()) {
				t.Errorf("a peer's online check finds %s unavailable", inst.URL())
			}
			root := strings.TrimSuffix(inst.URL(), "/app")
			if resp, body := send(t, root, testRequest{}); resp.StatusCode == http.StatusOK {
				t.Errorf("GET %s, outside the context path, answers the front page: %q", root, body)
			}
		})
	}
}

// pageTitleAndHeading reads an HTML document's <title> and first <h1>,
// failing when the markup is not a complete, well-formed document.
func pageTitleAndHeading(page string) (title, heading string, err error) {
	decoder := xml.NewDecoder(strings.NewReader(page))
	decoder.Strict = true
	var open []string
	seenHTML, headingDone := false, false
	for {
		token, err := decoder.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return "", "", err
		}
		switch tok := token.(type) {
		case xml.StartElement:
			open = append(open, tok.Name.Local)
			seenHTML = seenHTML || tok.Name.Local == "html"
		case xml.EndElement:
			open = open[:len(open)-1]
			headingDone = headingDone || tok.Name.Local == "h1"
		case xml.CharData:
			if len(open) == 0 {
				continue
			}
			switch open[len(open)-1] {
			case "title":
				title += string(tok)
			case "h1":
				if !headingDone {
					heading += string(tok)
				}
			}
		}
	}
	if !seenHTML {
		return "", "", errors.New("no <html> element")
	}
	return title, heading, nil
}

// systemTrustPeers makes calls the way an instance without PeerRootCAs does.
var systemTrustPeers = newPeerClients(nil)
