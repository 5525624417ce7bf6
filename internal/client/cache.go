package client

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// Terraform configures one client per provider block for a whole run, and
// a refreshing plan reads every object of the run through it. Answers that
// serve many objects (the allowlist listing, the link listing, a link's
// authentication that both the link and its consumers read) are therefore
// shared by the reads of one run: concurrent callers wait for one request,
// later callers within readCacheTTL get its answer, and any write through
// the client invalidates every cached answer, since one write can change
// what several listings show (creating a link adds an allowlist rule).
//
// Every read of these answers goes through the cache: there is no uncached
// twin for "fresh" reads, because a read after a write through the client
// cannot get an answer from before it (the write empties the cache before
// it returns, and an answer fetched across a write is not kept). A read back
// of a link right after writing it may pass Uncached, for the cost reason
// given there.

// readCacheTTL bounds how long an answer is reused. Writes through the
// client invalidate at once; the expiry only limits how stale a long run
// may see changes made outside it (by people or other tools) meanwhile.
const readCacheTTL = 30 * time.Second

// readCache holds answers by key. Callers must not modify what get returns,
// as every caller of the same key shares it.
type readCache[K comparable, V any] struct {
	what string // for the logs: "allowlist listing"

	mu      sync.Mutex
	entries map[K]cachedAnswer[V]
	// generation counts writes: an answer fetched across a write is not
	// stored, and callers after the write do not join its request.
	generation uint64
	inflight   map[K]*cacheFetch[V]
}

type cachedAnswer[V any] struct {
	value   V
	fetched time.Time
}

type cacheFetch[V any] struct {
	generation uint64
	done       chan struct{}
	value      V
	err        error
}

// readCaches are every cache of one client, so a write can clear them all.
type readCaches struct {
	allowlist          readCache[struct{}, []AllowlistRule]
	links              readCache[struct{}, []ApplicationLink]
	linkAuthentication readCache[string, *LinkAuthentication]
	entityLinks        readCache[LocalEntity, []EntityLink]
}

// ReadOption changes how one read uses the cache.
type ReadOption int

// Uncached makes ApplicationLink ask for the one link by its id and leave
// the cache alone. Freshness is no reason to pass it, since every write
// empties the cache; it is for reading a link back right after writing it,
// when the cache has just been emptied and refilling it would fetch the
// listing of every link to look at one: an apply that creates or updates n
// links would fetch n listings of up to n links each.
const Uncached ReadOption = 1

func uncached(opts []ReadOption) bool {
	return slices.Contains(opts, Uncached)
}

func (rc *readCaches) name() {
	rc.allowlist.what = "allowlist listing"
	rc.links.what = "application link listing"
	rc.linkAuthentication.what = "link authentication"
	rc.entityLinks.what = "entity link listing"
}

func (rc *readCaches) invalidate() {
	rc.allowlist.invalidate()
	rc.links.invalidate()
	rc.linkAuthentication.invalidate()
	rc.entityLinks.invalidate()
}

func (rc *readCache[K, V]) invalidate() {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.generation++
	rc.entries = nil
	rc.inflight = nil
}

// get returns the cached answer for key, or fetches it once for every
// caller waiting at the same time.
func (rc *readCache[K, V]) get(ctx context.Context, now func() time.Time, key K, fetch func(context.Context) (V, error)) (V, error) {
	rc.mu.Lock()
	if answer, ok := rc.entries[key]; ok && now().Sub(answer.fetched) < readCacheTTL {
		rc.mu.Unlock()
		tflog.Debug(ctx, "Using cached answer", map[string]any{"cache": rc.what, "age": now().Sub(answer.fetched).String()})
		return answer.value, nil
	}
	f := rc.inflight[key]
	if f == nil {
		f = &cacheFetch[V]{generation: rc.generation, done: make(chan struct{})}
		if rc.inflight == nil {
			rc.inflight = make(map[K]*cacheFetch[V])
		}
		rc.inflight[key] = f
		// The request outlives a caller that gives up, since others may be
		// waiting for it; the client's timeouts still bound it.
		go rc.fetch(context.WithoutCancel(ctx), now, key, f, fetch)
	} else {
		tflog.Debug(ctx, "Waiting for a request already in progress", map[string]any{"cache": rc.what})
	}
	rc.mu.Unlock()

	select {
	case <-f.done:
		return f.value, f.err
	case <-ctx.Done():
		var zero V
		return zero, ctx.Err()
	}
}

func (rc *readCache[K, V]) fetch(ctx context.Context, now func() time.Time, key K, f *cacheFetch[V], fetch func(context.Context) (V, error)) {
	value, err := fetch(ctx)
	rc.mu.Lock()
	if rc.inflight[key] == f {
		delete(rc.inflight, key)
	}
	if err == nil && rc.generation == f.generation {
		if rc.entries == nil {
			rc.entries = make(map[K]cachedAnswer[V])
		}
		rc.entries[key] = cachedAnswer[V]{value: value, fetched: now()}
	}
	rc.mu.Unlock()
	f.value, f.err = value, err
	close(f.done)
}
