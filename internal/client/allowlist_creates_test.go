package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// ruleStore is an allowlist that numbers its rules as a database does; on
// each POST, onCreate may act after the rule is stored (hang up, wait,
// store a rule of someone else's).
type ruleStore struct {
	mu       sync.Mutex
	rules    []AllowlistRule
	posts    int
	onCreate func(post int, rule AllowlistRule, w http.ResponseWriter) (answered bool)
}

func (s *ruleStore) add(expression string) AllowlistRule {
	s.mu.Lock()
	defer s.mu.Unlock()
	rule := AllowlistRule{ID: int64(len(s.rules) + 1), Expression: expression, Type: AllowlistTypeDomainName}
	s.rules = append(s.rules, rule)
	return rule
}

func (s *ruleStore) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet:
		s.mu.Lock()
		body, _ := json.Marshal(allowlistListing{Rules: s.rules, Page: 1, TotalPages: 1})
		s.mu.Unlock()
		respond(w, 200, "application/json", string(body))
	case http.MethodPost:
		var in AllowlistRuleInput
		_ = json.NewDecoder(r.Body).Decode(&in)
		s.mu.Lock()
		s.posts++
		post := s.posts
		s.mu.Unlock()
		rule := s.add(*in.Expression)
		if s.onCreate != nil && s.onCreate(post, rule, w) {
			return
		}
		body, _ := json.Marshal(rule)
		respond(w, 200, "application/json", string(body))
	}
}

func hangUpOn(w http.ResponseWriter) {
	if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
		_ = conn.Close()
	}
}

func startRuleStore(t *testing.T, store *ruleStore) *Client {
	t.Helper()
	server := httptest.NewServer(store)
	t.Cleanup(server.Close)
	c, err := New(Config{BaseURL: server.URL, Username: "admin", Password: "admin", MaxRetries: 2,
		RetryWaitMin: time.Millisecond, RetryWaitMax: 2 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func createFeedsRule(c *Client) (*AllowlistRule, bool, error) {
	expression, typ, no := "https://feeds.example.com", AllowlistTypeDomainName, false
	return c.CreateAllowlistRuleOnce(context.Background(),
		AllowlistRuleInput{Expression: &expression, Type: &typ, AllowInbound: &no, AllowAnonymousUser: &no},
		func(rule AllowlistRule) bool { return rule.Type == typ && rule.Expression == expression })
}

// A rule like the one being created that existed before the create is
// someone else's: after a gateway error that created nothing, the rule is
// created again rather than the old one adopted.
func TestCreateAllowlistRuleOnceLeavesOlderRulesAlone(t *testing.T) {
	t.Parallel()
	store := &ruleStore{}
	store.add("https://feeds.example.com") // another workspace's, id 1
	c := startRuleStore(t, store)
	store.onCreate = func(post int, rule AllowlistRule, w http.ResponseWriter) bool {
		if post > 1 {
			return false
		}
		// The gateway gave up before the product acted.
		store.mu.Lock()
		store.rules = store.rules[:len(store.rules)-1]
		store.mu.Unlock()
		w.WriteHeader(http.StatusBadGateway)
		return true
	}
	rule, adopted, err := createFeedsRule(c)
	if err != nil || adopted || rule.ID != 2 || len(store.rules) != 2 {
		t.Fatalf("got rule %+v, adopted %t, err %v, %d rules; want rule 2 created anew beside rule 1", rule, adopted, err, len(store.rules))
	}
}

// Two identical creates of one run, the first answer lost after the rule
// was made, the second made before the first's lookup but answered after
// it: each create ends with its own rule. The lookup waits for the second
// answer, whose rule is then claimed, instead of taking the newest rule.
func TestCreateAllowlistRuleOnceNeverAdoptsARuleOfTheSameRun(t *testing.T) {
	t.Parallel()
	store := &ruleStore{}
	c := startRuleStore(t, store)
	secondStored := make(chan struct{})
	store.onCreate = func(post int, _ AllowlistRule, w http.ResponseWriter) bool {
		if post == 1 {
			<-secondStored
			hangUpOn(w)
			return true
		}
		close(secondStored)
		time.Sleep(200 * time.Millisecond)
		return false
	}
	type result struct {
		rule    *AllowlistRule
		adopted bool
		err     error
	}
	first := make(chan result, 1)
	go func() {
		rule, adopted, err := createFeedsRule(c)
		first <- result{rule, adopted, err}
	}()
	// The second create starts once the first is at the instance.
	for {
		store.mu.Lock()
		posts := store.posts
		store.mu.Unlock()
		if posts == 1 {
			break
		}
		time.Sleep(time.Millisecond)
	}
	second, _, err := createFeedsRule(c)
	if err != nil {
		t.Fatal(err)
	}
	got := <-first
	if got.err != nil || !got.adopted || got.rule.ID != 1 || second.ID != 2 {
		t.Fatalf("first create got %+v (adopted %t, err %v), second %+v; want rules 1 and 2", got.rule, got.adopted, got.err, second)
	}
}

// When several unclaimed rules newer than anything seen match, which one
// the lost create made cannot be told: none is adopted, both are named.
func TestCreateAllowlistRuleOnceReportsAmbiguousRules(t *testing.T) {
	t.Parallel()
	store := &ruleStore{}
	c := startRuleStore(t, store)
	store.onCreate = func(_ int, _ AllowlistRule, w http.ResponseWriter) bool {
		store.add("https://feeds.example.com") // another workspace's, at the same moment
		hangUpOn(w)
		return true
	}
	_, adopted, err := createFeedsRule(c)
	var conflict *AllowlistRuleConflictError
	if adopted || !errors.As(err, &conflict) || len(conflict.Rules) != 2 || !errors.Is(err, ErrOutcomeUnknown) || store.posts != 1 {
		t.Fatalf("adopted %t, err %v after %d creates; want a conflict naming rules 1 and 2 after one create", adopted, err, store.posts)
	}
	if want := fmt.Sprintf("allowlist rules %d, %d all match", 1, 2); !strings.Contains(err.Error(), want) {
		t.Errorf("error %q does not say %q", err, want)
	}
}
