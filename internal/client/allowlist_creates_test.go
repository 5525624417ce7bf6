package client

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// ruleStore is an allowlist that numbers its rules as a database does and
// updates them partially, as the products do; on each POST, onCreate may act
// after the rule is stored (hang up, store a rule of someone else's), and
// refuseUpdates answers every PUT with the products' 400.
type ruleStore struct {
	mu            sync.Mutex
	rules         []AllowlistRule
	nextID        int64
	posts, puts   int
	refuseUpdates bool
	onCreate      func(post int, rule AllowlistRule, w http.ResponseWriter) (answered bool)
	// onList runs after each listing is taken, with its number.
	onList func(list int)
	lists  int
}

func (s *ruleStore) add(expression, typ string) AllowlistRule {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextID++
	rule := AllowlistRule{ID: s.nextID, Expression: expression, Type: typ}
	s.rules = append(s.rules, rule)
	return rule
}

func (s *ruleStore) snapshot() []AllowlistRule {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]AllowlistRule(nil), s.rules...)
}

func (s *ruleStore) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.ParseInt(r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:], 10, 64)
	var in AllowlistRuleInput
	_ = json.NewDecoder(r.Body).Decode(&in)
	switch r.Method {
	case http.MethodGet:
		s.mu.Lock()
		s.lists++
		list := s.lists
		s.mu.Unlock()
		body, _ := json.Marshal(allowlistListing{Rules: s.snapshot(), Page: 1, TotalPages: 1})
		if s.onList != nil {
			s.onList(list)
		}
		respond(w, 200, "application/json", string(body))
	case http.MethodPost:
		s.mu.Lock()
		s.posts++
		post := s.posts
		s.mu.Unlock()
		rule := s.add(*in.Expression, *in.Type)
		if s.onCreate != nil && s.onCreate(post, rule, w) {
			return
		}
		body, _ := json.Marshal(rule)
		respond(w, 200, "application/json", string(body))
	case http.MethodPut:
		s.mu.Lock()
		defer s.mu.Unlock()
		s.puts++
		if s.refuseUpdates {
			respond(w, 400, "application/json", `{"message":"Unclosed group near index 3"}`)
			return
		}
		for i := range s.rules {
			if s.rules[i].ID == id {
				s.rules[i].Expression, s.rules[i].Type = *in.Expression, *in.Type
				s.rules[i].AllowInbound, s.rules[i].AllowAnonymousUser = *in.AllowInbound, *in.AllowAnonymousUser
				body, _ := json.Marshal(s.rules[i])
				respond(w, 200, "application/json", string(body))
				return
			}
		}
		respond(w, 400, "application/json", `{"message":"The whitelist rule has been deleted."}`)
	case http.MethodDelete:
		s.mu.Lock()
		defer s.mu.Unlock()
		for i := range s.rules {
			if s.rules[i].ID == id {
				s.rules = append(s.rules[:i], s.rules[i+1:]...)
				break
			}
		}
		w.WriteHeader(http.StatusOK)
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

const feedsExpression = "https://feeds.example.com"

func createFeedsRule(c *Client) (*AllowlistRule, error) {
	expression, typ, yes, no := feedsExpression, AllowlistTypeDomainName, true, false
	return c.CreateAllowlistRuleOnce(context.Background(),
		AllowlistRuleInput{Expression: &expression, Type: &typ, AllowInbound: &yes, AllowAnonymousUser: &no})
}

// feedsRules are the rules with the expression of createFeedsRule.
func feedsRules(store *ruleStore) []AllowlistRule {
	var found []AllowlistRule
	for _, rule := range store.snapshot() {
		if rule.Expression == feedsExpression {
			found = append(found, rule)
		}
	}
	return found
}

// The rule asked for is the placeholder updated: one create, one update,
// and what the update answered.
func TestCreateAllowlistRuleOnceCreatesAPlaceholderAndUpdatesIt(t *testing.T) {
	t.Parallel()
	store := &ruleStore{}
	c := startRuleStore(t, store)
	var placeholder AllowlistRule
	store.onCreate = func(_ int, rule AllowlistRule, _ http.ResponseWriter) bool {
		placeholder = rule
		return false
	}
	rule, err := createFeedsRule(c)
	if err != nil {
		t.Fatal(err)
	}
	if rule.ID != 1 || rule.Type != AllowlistTypeDomainName || !rule.AllowInbound || store.posts != 1 || store.puts != 1 || len(store.snapshot()) != 1 {
		t.Fatalf("got %+v after %d creates and %d updates, rules %+v; want rule 1 as asked after one of each", rule, store.posts, store.puts, store.snapshot())
	}
	if placeholder.Type != AllowlistTypeExactURL || !strings.HasPrefix(placeholder.Expression, "https://applinks-create-") ||
		!strings.HasSuffix(placeholder.Expression, ".invalid") || placeholder.AllowInbound || placeholder.AllowAnonymousUser {
		t.Errorf("the create sent %+v; want an exact-URL rule for a host under .invalid that allows nothing", placeholder)
	}
}

// Another workspace creates the identical rule in the seconds the answer
// to this create is lost: each keeps its own rule. Without the placeholder
// the two could not be told apart.
func TestCreateAllowlistRuleOnceNeverAdoptsAnIdenticalRuleOfAnotherWorkspace(t *testing.T) {
	t.Parallel()
	store := &ruleStore{}
	c := startRuleStore(t, store)
	var theirs AllowlistRule
	store.onCreate = func(post int, _ AllowlistRule, w http.ResponseWriter) bool {
		if post > 1 {
			return false
		}
		theirs = store.add(feedsExpression, AllowlistTypeDomainName)
		hangUpOn(w)
		return true
	}
	rule, err := createFeedsRule(c)
	if err != nil {
		t.Fatal(err)
	}
	if rule.ID == theirs.ID || store.posts != 1 || len(feedsRules(store)) != 2 || len(store.snapshot()) != 2 {
		t.Fatalf("got rule %+v beside theirs %+v after %d creates, rules %+v; want our own rule and theirs untouched",
			rule, theirs, store.posts, store.snapshot())
	}
}

// A gateway error before the product acted: the listing shows no
// placeholder, so the rule is created again, once.
func TestCreateAllowlistRuleOnceCreatesAgainWhenNothingWasMade(t *testing.T) {
	t.Parallel()
	store := &ruleStore{}
	c := startRuleStore(t, store)
	store.add(feedsExpression, AllowlistTypeDomainName) // another workspace's, id 1
	store.onCreate = func(post int, _ AllowlistRule, w http.ResponseWriter) bool {
		if post > 1 {
			return false
		}
		store.mu.Lock()
		store.rules = store.rules[:len(store.rules)-1]
		store.mu.Unlock()
		w.WriteHeader(http.StatusBadGateway)
		return true
	}
	rule, err := createFeedsRule(c)
	if err != nil || rule.ID == 1 || store.posts != 2 || len(feedsRules(store)) != 2 {
		t.Fatalf("got rule %+v, err %v after %d creates, rules %+v; want one new rule beside rule 1", rule, err, store.posts, store.snapshot())
	}
}

// Two creates of one run, the first answer lost: each ends with its own rule.
func TestCreateAllowlistRuleOnceKeepsTheRulesOfOneRunApart(t *testing.T) {
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
		return false
	}
	first := make(chan *AllowlistRule, 1)
	go func() {
		rule, err := createFeedsRule(c)
		if err != nil {
			t.Error(err)
		}
		first <- rule
	}()
	for {
		store.mu.Lock()
		posts := store.posts
		store.mu.Unlock()
		if posts == 1 {
			break
		}
		time.Sleep(time.Millisecond)
	}
	second, err := createFeedsRule(c)
	if err != nil {
		t.Fatal(err)
	}
	got := <-first
	if got == nil || got.ID == second.ID || len(feedsRules(store)) != 2 || len(store.snapshot()) != 2 {
		t.Fatalf("the creates got %+v and %+v, rules %+v; want two rules, one each", got, second, store.snapshot())
	}
}

// An update the product refuses leaves nothing behind: the placeholder is
// deleted and the product's words reach the caller.
func TestCreateAllowlistRuleOnceDeletesThePlaceholderWhenTheUpdateFails(t *testing.T) {
	t.Parallel()
	store := &ruleStore{refuseUpdates: true}
	c := startRuleStore(t, store)
	_, err := createFeedsRule(c)
	if !errors.Is(err, ErrValidation) || !strings.Contains(err.Error(), "Unclosed group") {
		t.Fatalf("got %v; want the product's 400", err)
	}
	if rules := store.snapshot(); len(rules) != 0 {
		t.Fatalf("rules left behind: %+v", rules)
	}
}

// A repeated create may find the first attempt's placeholder landed late
// beside its own: both are this create's, one is kept, the other deleted.
func TestCreateAllowlistRuleOnceDeletesASecondPlaceholderOfItsOwn(t *testing.T) {
	t.Parallel()
	store := &ruleStore{}
	c := startRuleStore(t, store)
	store.onCreate = func(post int, rule AllowlistRule, w http.ResponseWriter) bool {
		if post == 1 {
			store.add(rule.Expression, rule.Type) // the same request, landed twice
			hangUpOn(w)
			return true
		}
		return false
	}
	rule, err := createFeedsRule(c)
	if err != nil || rule.Expression != feedsExpression || len(store.snapshot()) != 1 {
		t.Fatalf("got %+v, %v, rules %+v; want exactly the one rule asked for", rule, err, store.snapshot())
	}
}

// Every answer lost and every lookup empty, then the first create lands
// late, after the last lookup: the create fails, and the placeholder that
// landed is deleted by one last look instead of being left behind.
func TestCreateAllowlistRuleOnceDeletesAPlaceholderThatLandsLate(t *testing.T) {
	t.Parallel()
	store := &ruleStore{}
	c := startRuleStore(t, store)
	var first AllowlistRule
	store.onCreate = func(post int, rule AllowlistRule, w http.ResponseWriter) bool {
		store.mu.Lock()
		store.rules = store.rules[:len(store.rules)-1] // not made yet
		store.mu.Unlock()
		if post == 1 {
			first = rule
		}
		hangUpOn(w)
		return true
	}
	// MaxRetries 2: three creates, three lookups; the first create lands
	// once the third lookup has its (empty) listing.
	store.onList = func(list int) {
		if list == 3 {
			store.mu.Lock()
			store.rules = append(store.rules, first)
			store.mu.Unlock()
		}
	}
	_, err := createFeedsRule(c)
	if !errors.Is(err, ErrOutcomeUnknown) || store.posts != 3 {
		t.Fatalf("got %v after %d creates; want the lost create's error after 3", err, store.posts)
	}
	if rules := store.snapshot(); len(rules) != 0 {
		t.Fatalf("left behind: %+v", rules)
	}
}
