package client

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// An id that contains "/", "?", "#", ".." or spaces must stay one path
// segment in every call that puts an id in a URL: it can neither address
// another resource nor leave the REST module.
func TestEveryIDIsOnePathSegment(t *testing.T) {
	t.Parallel()
	const evil = "../../x/y?z=1#w v/.."
	escaped := url.PathEscape(evil)

	var mu sync.Mutex
	var paths []string
	srv := quietServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		paths = append(paths, r.URL.EscapedPath()+"?"+r.URL.RawQuery)
		mu.Unlock()
		w.WriteHeader(http.StatusNotFound) // the answer does not matter here
	}))
	srv.Start()
	t.Cleanup(srv.Close)
	c, _ := newTestClient(t, srv.URL+"/jira", func(cfg *Config) { cfg.MaxRetries = 0 })
	ctx := context.Background()

	calls := map[string]func() error{
		"ApplicationLink": func() error { _, err := c.ApplicationLink(ctx, evil, Uncached); return err },
		"UpdateApplicationLink": func() error {
			_, err := c.UpdateApplicationLink(ctx, evil, ApplicationLinkUpdate{Name: "n", RPCURL: "http://a", DisplayURL: "http://a"})
			return err
		},
		"DeleteApplicationLink":   func() error { return c.DeleteApplicationLink(ctx, evil) },
		"MakePrimary":             func() error { return c.MakePrimary(ctx, evil) },
		"RelocateApplicationLink": func() error { return c.RelocateApplicationLink(ctx, evil, "http://new", true) },
		"GetOAuthStatus":          func() error { _, err := c.GetOAuthStatus(ctx, evil); return err },
		"SetOAuthStatus":          func() error { return c.SetOAuthStatus(ctx, evil, OAuthStatus{}) },
		"LinkAuthentication":      func() error { _, err := c.LinkAuthentication(ctx, evil); return err },
		"PutIncomingConsumer":     func() error { return c.PutIncomingConsumer(ctx, evil, Consumer{Key: "k", Name: "n"}) },
		"PutOutgoingConsumer":     func() error { return c.PutOutgoingConsumer(ctx, evil, OutgoingConsumer{}) },
		"RegisterAuthenticationProvider": func() error {
			return c.RegisterAuthenticationProvider(ctx, evil, ProviderOAuth, nil)
		},
		"RemoveConsumerToken":      func() error { return c.RemoveConsumerToken(ctx, evil) },
		"GetApplicationLinkStatus": func() error { _, err := c.GetApplicationLinkStatus(ctx, evil); return err },
		"GetApplicationLinkState":  func() error { _, err := c.GetApplicationLinkState(ctx, evil); return err },
		"GetLinkedManifest":        func() error { _, err := c.GetLinkedManifest(ctx, evil); return err },
	}
	for name, call := range calls {
		mu.Lock()
		before := len(paths)
		mu.Unlock()
		if err := call(); err == nil {
			t.Errorf("%s: the test server answers 404, so an error was expected", name)
		}
		mu.Lock()
		seen := append([]string(nil), paths[before:]...)
		mu.Unlock()
		if len(seen) == 0 {
			t.Errorf("%s sent no request", name)
		}
		for _, p := range seen {
			if !strings.HasPrefix(p, "/jira/rest/") {
				t.Errorf("%s: request %s left the context path or the REST modules", name, p)
			}
			if !strings.Contains(p, "/"+escaped) {
				t.Errorf("%s: request %s does not carry the id as one escaped segment %s", name, p, escaped)
			}
			if strings.Contains(strings.SplitN(p, "?", 2)[0], "/../") {
				t.Errorf("%s: request %s has a dot-dot segment", name, p)
			}
		}
	}
}
