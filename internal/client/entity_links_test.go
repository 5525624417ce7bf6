package client

import (
	"context"
	"errors"
	"testing"
)

// Refreshing many links of one local entity costs one listing, and the
// list's wrapper is read tolerantly.
func TestEntityLinksShareOneListingPerLocalEntity(t *testing.T) {
	c, count := countingServer(t, map[string]string{
		"/rest/applinks/1.0/entitylink/list/jira.project/PROJ": `{"entity":[
			{"applicationId":"ABC","typeId":"confluence.space","key":"DOCS","name":"Docs","isPrimary":true},
			{"applicationId":"abc","typeId":"confluence.space","key":"MORE","unknown":1}]}`,
		// One element as an object, as some JSON providers write it.
		"/rest/applinks/1.0/entitylink/list/jira.project/ONE":  `{"entity":{"applicationId":"abc","typeId":"stash.project","key":"CODE"}}`,
		"/rest/applinks/1.0/entitylink/list/jira.project/NONE": `{}`,
	})
	ctx := context.Background()
	proj := LocalEntity{TypeID: "jira.project", Key: "PROJ"}
	for _, key := range []string{"DOCS", "MORE"} {
		link, err := c.EntityLink(ctx, proj, "confluence.space", key, "abc")
		if err != nil || link.Key != key {
			t.Fatalf("EntityLink %s: %+v, %v", key, link, err)
		}
	}
	if _, err := c.EntityLink(ctx, proj, "confluence.space", "docs", "abc"); !errors.Is(err, ErrNotFound) {
		t.Errorf("a key in another case must not match: %v", err)
	}
	if n := count("GET /rest/applinks/1.0/entitylink/list/jira.project/PROJ"); n != 1 {
		t.Errorf("%d listings for three reads, want 1", n)
	}
	if links, err := c.EntityLinks(ctx, LocalEntity{TypeID: "jira.project", Key: "ONE"}); err != nil || len(links) != 1 || links[0].Primary {
		t.Errorf("one link as an object: %+v, %v", links, err)
	}
	if links, err := c.EntityLinks(ctx, LocalEntity{TypeID: "jira.project", Key: "NONE"}); err != nil || len(links) != 0 {
		t.Errorf("no list: %+v, %v", links, err)
	}
	// A write through the client empties the cache.
	if err := c.MakeEntityLinkPrimary(ctx, proj, "confluence.space", "MORE", "abc"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.EntityLink(ctx, proj, "confluence.space", "DOCS", "abc"); err != nil {
		t.Fatal(err)
	}
	if n := count("GET /rest/applinks/1.0/entitylink/list/jira.project/PROJ"); n != 2 {
		t.Errorf("%d listings after a write, want 2", n)
	}
}
