package client

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// The products keep one incoming consumer per key for the whole instance
// and store a key another link holds without a word, replacing that link's
// consumer (design/api.md §6.1). So before a consumer key is given to a
// link, the client checks that no other link holds it.
//
// Reading every link's authentication for each consumer would cost a
// request per link per consumer, so the client reads them once, at the
// first claim of a run, and from then on keeps the record up to date from
// its own writes. What another workspace does to the instance during the
// run is not seen; what it did before is.

// incomingKeys records which link holds each incoming consumer key.
type incomingKeys struct {
	mu      sync.Mutex
	read    bool
	holders map[string]ApplicationLink // consumer key -> the link holding it
}

// ConsumerKeyInUseError refuses a consumer key that another link holds.
type ConsumerKeyInUseError struct {
	Key    string
	Holder ApplicationLink
}

func (e *ConsumerKeyInUseError) Error() string {
	return fmt.Sprintf("the incoming consumer key %q is already held by application link %s (%q)", e.Key, e.Holder.ID, e.Holder.Name)
}

// ClaimIncomingConsumerKey reserves the key for linkID's incoming consumer,
// or returns a *ConsumerKeyInUseError naming the link that holds it. A
// claim made earlier in the run counts as held, so of two links claiming
// one key in parallel the second is refused before either writes. release
// gives the key up again, for a write that did not happen.
//
// The first claim reads the links' authentication without waiting for
// their locks: the caller may hold the lock of its own link, and waiting
// for another link's from there could wait forever on a caller that holds
// that one and waits here.
func (c *Client) ClaimIncomingConsumerKey(ctx context.Context, key, linkID string) (release func(), err error) {
	k := &c.incomingKeys
	k.mu.Lock()
	defer k.mu.Unlock()
	if !k.read {
		holders, err := c.readIncomingKeys(ctx)
		if err != nil {
			return nil, err
		}
		k.holders, k.read = holders, true
	}
	if holder, ok := k.holders[key]; ok {
		if linkKey(holder.ID) == linkKey(linkID) {
			return func() {}, nil
		}
		return nil, &ConsumerKeyInUseError{Key: key, Holder: holder}
	}
	// A link holds one incoming consumer: its old key is no longer its own.
	for other, holder := range k.holders {
		if linkKey(holder.ID) == linkKey(linkID) {
			delete(k.holders, other)
		}
	}
	k.holders[key] = ApplicationLink{ID: linkID}
	return func() {
		k.mu.Lock()
		defer k.mu.Unlock()
		if holder, ok := k.holders[key]; ok && linkKey(holder.ID) == linkKey(linkID) {
			delete(k.holders, key)
		}
	}, nil
}

func (c *Client) readIncomingKeys(ctx context.Context) (map[string]ApplicationLink, error) {
	links, err := c.ListApplicationLinks(ctx)
	if err != nil {
		return nil, err
	}
	holders := map[string]ApplicationLink{}
	for _, link := range links {
		auth, err := c.fetchLinkAuthentication(ctx, link.ID)
		if errors.Is(err, ErrNotFound) {
			continue // deleted since the listing
		}
		if err != nil {
			return nil, err
		}
		if consumer := auth.IncomingConsumer(); consumer != nil {
			holders[consumer.Key] = link
		}
	}
	return holders, nil
}

// forgetIncomingKeys drops the record of a link whose incoming consumer was
// removed; the products remove the key from the whole instance.
func (c *Client) forgetIncomingKeys(linkID string) {
	k := &c.incomingKeys
	k.mu.Lock()
	defer k.mu.Unlock()
	for key, holder := range k.holders {
		if linkKey(holder.ID) == linkKey(linkID) {
			delete(k.holders, key)
		}
	}
}
