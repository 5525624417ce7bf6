package client

import (
	"context"
	"fmt"
	"strings"
	"sync"
)

// Terraform applies resources in parallel (-parallelism=10 by default), and
// several resources configure the same link: the link itself and its
// incoming and outgoing consumers. Some of their changes are
// read-modify-write sequences on the link's authentication: the status API
// sets both directions at once and empties the outgoing providers'
// configuration, which SetIncomingOAuth reads first and writes back after
// (design/api.md §5.3). Another write to the link between that read and that
// write-back would be undone, and a read in the middle would see the
// configuration emptied. So the client serialises its writes to each link,
// and reads of a link's authentication wait for a write in progress.
//
// The lock is the client's, not the resources', so no resource has to
// remember to take it, and one provider block's client never waits for
// another's (each talks to its own instance).

// linkLocks hands out one lock per link. An entry lives while someone holds
// or waits for its lock, so the table stays as small as the writes in
// progress however many links a run touches.
type linkLocks struct {
	mu    sync.Mutex
	links map[string]*linkLock
}

type linkLock struct {
	// token is full while the lock is held; a channel rather than a mutex,
	// so that a caller whose context ends stops waiting.
	token chan struct{}
	// users counts the callers holding or waiting for the lock; the entry
	// is removed when the last one leaves.
	users int
}

// linkKey normalises a link id: the products compare ids without case
// (they are UUIDs), so "ABC" and "abc" must share one lock and one cache
// entry.
func linkKey(id string) string {
	return strings.ToLower(id)
}

// lock waits until the caller may change the link, or until ctx ends. The
// returned function releases the lock and must be called exactly once.
func (l *linkLocks) lock(ctx context.Context, linkID string) (unlock func(), err error) {
	key := linkKey(linkID)
	l.mu.Lock()
	entry := l.links[key]
	if entry == nil {
		entry = &linkLock{token: make(chan struct{}, 1)}
		if l.links == nil {
			l.links = make(map[string]*linkLock)
		}
		l.links[key] = entry
	}
	entry.users++
	l.mu.Unlock()

	select {
	case entry.token <- struct{}{}:
		return func() {
			<-entry.token
			l.leave(key, entry)
		}, nil
	case <-ctx.Done():
		l.leave(key, entry)
		return nil, fmt.Errorf("waiting for another change to application link %s to finish: %w", linkID, ctx.Err())
	}
}

func (l *linkLocks) leave(key string, entry *linkLock) {
	l.mu.Lock()
	defer l.mu.Unlock()
	entry.users--
	if entry.users == 0 {
		delete(l.links, key)
	}
}

// size is how many links have a lock entry, for tests.
func (l *linkLocks) size() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.links)
}

// changeLink runs change while holding the link's lock. Every exported
// method that writes to one link goes through it, for its whole sequence of
// calls; what runs inside must use the unlocked helpers, since the lock is
// not reentrant, except for a caller inside Exclusive, which holds it
// already.
func (c *Client) changeLink(ctx context.Context, linkID string, change func() error) error {
	if c.holds(ctx, linkID) {
		return change()
	}
	unlock, err := c.linkLocks.lock(ctx, linkID)
	if err != nil {
		return err
	}
	defer unlock()
	return change()
}

// Exclusive runs steps while holding the link's lock, for a caller whose
// check and writes must not interleave with another change to the link:
// creating a consumer checks that the direction is free, then writes it,
// and two resources claiming the same direction must not both pass the
// check. The client's methods called with the ctx that steps receives run
// under the lock without taking it again; reads still come from the cache,
// which every write clears, so a check made inside sees every change that
// finished before the lock was taken.
func (c *Client) Exclusive(ctx context.Context, linkID string, steps func(ctx context.Context) error) error {
	if c.holds(ctx, linkID) {
		return steps(ctx)
	}
	unlock, err := c.linkLocks.lock(ctx, linkID)
	if err != nil {
		return err
	}
	defer unlock()
	return steps(context.WithValue(ctx, heldLinkKey{&c.linkLocks, linkKey(linkID)}, true))
}

// heldLinkKey marks, in a context, a link whose lock the caller holds
// through Exclusive; the table in it keeps two clients' marks apart.
type heldLinkKey struct {
	table *linkLocks
	link  string
}

func (c *Client) holds(ctx context.Context, linkID string) bool {
	held, _ := ctx.Value(heldLinkKey{&c.linkLocks, linkKey(linkID)}).(bool)
	return held
}
