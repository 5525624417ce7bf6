package client

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
)

// A key another link holds is refused, one claimed earlier in the run too;
// the links are read once, and a released or removed key is free again.
func TestClaimIncomingConsumerKey(t *testing.T) {
	t.Parallel()
	srv, seen := recordingServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasSuffix(r.URL.Path, "/applinks"):
			respond(w, http.StatusOK, "application/json", `[{"id":"link-1","name":"CI","type":"generic"},{"id":"link-2","name":"Builds","type":"generic"}]`)
		case strings.Contains(r.URL.Path, "link-1"):
			respond(w, http.StatusOK, "application/json", `{"configuredAuthProviders":[],"consumers":[{"key":"jenkins","signatureMethod":"RSA_SHA1"}]}`)
		default:
			respond(w, http.StatusOK, "application/json", `{"configuredAuthProviders":[],"consumers":[]}`)
		}
	})
	c, _ := newTestClient(t, srv.URL, nil)
	ctx := context.Background()

	var inUse *ConsumerKeyInUseError
	if _, err := c.ClaimIncomingConsumerKey(ctx, "jenkins", "link-2"); !errors.As(err, &inUse) || inUse.Holder.Name != "CI" {
		t.Fatalf("a key link-1 holds, claimed for link-2: %v", err)
	}
	if _, err := c.ClaimIncomingConsumerKey(ctx, "jenkins", "LINK-1"); err != nil {
		t.Fatalf("the key of the link's own consumer: %v", err)
	}
	release, err := c.ClaimIncomingConsumerKey(ctx, "builds", "link-2")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.ClaimIncomingConsumerKey(ctx, "builds", "link-3"); !errors.As(err, &inUse) || inUse.Holder.ID != "link-2" {
		t.Fatalf("a key claimed earlier in the run: %v", err)
	}
	release()
	if _, err := c.ClaimIncomingConsumerKey(ctx, "builds", "link-3"); err != nil {
		t.Fatalf("a released key: %v", err)
	}
	c.forgetIncomingKeys("link-1")
	if _, err := c.ClaimIncomingConsumerKey(ctx, "jenkins", "link-2"); err != nil {
		t.Fatalf("the key of a removed consumer: %v", err)
	}
	if len(*seen) != 3 {
		t.Errorf("requests %+v, want the listing and each link's authentication once", *seen)
	}
}
