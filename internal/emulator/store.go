package emulator

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
)

// state is everything an instance remembers. It is persisted as JSON, so
// every field that must survive a restart needs a JSON tag; Update relies on
// the JSON form to copy the state, so unexported fields would be lost.
//
// Extension point: later API families add their collections here as
// JSON-tagged fields (application links, OAuth consumers, allowlist rules and
// settings). Older state files simply lack those keys and load as empty.
type state struct {
	// ServerID is the instance's server ID (a random v4 UUID), published
	// as the manifest "id"; peers use it as the ID of their link to us.
	ServerID string `json:"server_id"`
	// PrivateKeyPEM is the instance's RSA key pair (PKCS#8), whose public
	// half is the OAuth consumer key published by consumer-info.
	PrivateKeyPEM string `json:"private_key_pem"`
	// BaseURL overrides the URL the instance reports as its base URL; empty
	// means the URL it listens on.
	BaseURL string `json:"base_url,omitempty"`

	// Links are the instance's application links, in creation order.
	Links []storedLink `json:"links,omitempty"`

	// AllowlistRules are the URL allowlist ("whitelist") rules, the
	// automatic application-link rules included, in creation order.
	AllowlistRules []storedAllowlistRule `json:"allowlist_rules,omitempty"`
	// NextAllowlistRuleID is the last id handed out: ids come from a database
	// sequence in the products, so a deleted rule's id is never reused.
	NextAllowlistRuleID int64 `json:"next_allowlist_rule_id,omitempty"`
	// AllowlistDisabled is the inverse of the plugin setting
	// whitelist.enabled, whose default is "true".
	AllowlistDisabled bool `json:"allowlist_disabled,omitempty"`
	// AllowlistLinkRestrictiveness is ALLOW_AUTHENTICATED (the default, also
	// when empty), ALLOW_ANONYMOUS or DENY.
	AllowlistLinkRestrictiveness string `json:"allowlist_link_restrictiveness,omitempty"`
}

// storedLink is one application link as the products keep it: the link
// itself, the outgoing authentication providers registered on it, and the
// peer's OAuth consumer that authenticates incoming requests.
type storedLink struct {
	ID         string `json:"id"`
	TypeID     string `json:"type_id"`
	Name       string `json:"name"`
	RPCURL     string `json:"rpc_url"`
	DisplayURL string `json:"display_url"`
	Primary    bool   `json:"primary,omitempty"`
	System     bool   `json:"system,omitempty"`

	// OutgoingProviders are the authentication providers this instance uses
	// when it calls the peer, by provider class name (design/api.md §2.3), with
	// their configuration (e.g. consumerKey.outbound for generic links).
	OutgoingProviders []storedProvider `json:"outgoing_providers,omitempty"`

	// IncomingConsumer is the OAuth consumer that lets the peer (or a
	// third-party application) call this instance; nil when none is stored.
	IncomingConsumer *storedConsumer `json:"incoming_consumer,omitempty"`
	// OutgoingConsumer is this instance's own consumer identity towards a
	// third-party service provider (generic links, HMAC-SHA1 shared secret).
	OutgoingConsumer *storedConsumer `json:"outgoing_consumer,omitempty"`
}

type storedProvider struct {
	Class  string            `json:"class"`
	Config map[string]string `json:"config,omitempty"`
}

// storedConsumer is an OAuth 1.0a consumer (design/api.md §6.1 ConsumerEntity).
type storedConsumer struct {
	Key                       string `json:"key"`
	Name                      string `json:"name"`
	Description               string `json:"description,omitempty"`
	SignatureMethod           string `json:"signature_method"`     // RSA_SHA1 or HMAC_SHA1
	PublicKey                 string `json:"public_key,omitempty"` // base64 X.509 SubjectPublicKeyInfo DER
	SharedSecret              string `json:"shared_secret,omitempty"`
	Callback                  string `json:"callback,omitempty"`
	TwoLOAllowed              bool   `json:"two_lo_allowed,omitempty"`
	ExecutingTwoLOUser        string `json:"executing_two_lo_user,omitempty"`
	TwoLOImpersonationAllowed bool   `json:"two_lo_impersonation_allowed,omitempty"`
}

// storedAllowlistRule is one allowlist rule. Type is the enum name
// (APPLICATION_LINK, DOMAIN_NAME, EXACT_URL, WILDCARD_EXPRESSION,
// REGULAR_EXPRESSION); for APPLICATION_LINK rules Expression is the link id.
type storedAllowlistRule struct {
	ID                     int64  `json:"id"`
	Type                   string `json:"type"`
	Expression             string `json:"expression"`
	AllowInbound           bool   `json:"allow_inbound,omitempty"`
	AuthenticationRequired bool   `json:"authentication_required,omitempty"`
}

// linkByID returns the stored link with the id, or nil.
func (st *state) linkByID(id string) *storedLink {
	for i := range st.Links {
		if st.Links[i].ID == id {
			return &st.Links[i]
		}
	}
	return nil
}

// store guards one instance's state and writes it through to disk.
type store struct {
	mu   sync.RWMutex
	path string // empty: memory only
	st   state
}

const rsaKeyBits = 2048

// openStore loads the state for the named instance from dir, or creates a
// fresh identity (server ID and RSA key) when there is none yet. An empty dir
// keeps the state in memory only.
func openStore(dir, name string) (*store, error) {
	s := &store{}
	if dir != "" {
		s.path = filepath.Join(dir, name+".json")
		if err := removeLeftoverTempFiles(s.path); err != nil {
			return nil, err
		}
		data, err := os.ReadFile(s.path)
		switch {
		case err == nil:
			if err := json.Unmarshal(data, &s.st); err != nil {
				return nil, fmt.Errorf("read state %s: %w", s.path, err)
			}
			// A damaged identity must not be silently replaced: peers
			// would see a different server and key.
			if s.st.ServerID == "" {
				return nil, fmt.Errorf("read state %s: no server_id", s.path)
			}
			if _, err := parsePrivateKey(s.st.PrivateKeyPEM); err != nil {
				return nil, fmt.Errorf("read state %s: %w", s.path, err)
			}
			return s, nil
		case !errors.Is(err, fs.ErrNotExist):
			return nil, fmt.Errorf("read state: %w", err)
		}
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("create data dir: %w", err)
		}
	}
	id, err := newRandomUUID()
	if err != nil {
		return nil, err
	}
	keyPEM, err := generatePrivateKeyPEM()
	if err != nil {
		return nil, err
	}
	s.st = state{ServerID: id, PrivateKeyPEM: keyPEM}
	if err := s.persist(&s.st); err != nil {
		return nil, err
	}
	return s, nil
}

// View calls fn with the current state under a read lock. fn must neither
// modify the state nor keep references into it after returning.
func (s *store) View(fn func(*state)) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	fn(&s.st)
}

// Update applies fn to a copy of the state and, when fn succeeds, persists
// the copy and makes it current. A failing fn or a failed write leaves the
// state unchanged, so handlers may validate while they mutate.
func (s *store) Update(fn func(*state) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	draft, err := cloneState(&s.st)
	if err != nil {
		return err
	}
	if err := fn(draft); err != nil {
		return err
	}
	if err := s.persist(draft); err != nil {
		return err
	}
	s.st = *draft
	return nil
}

// cloneState deep-copies through JSON, which keeps Update correct for the
// slices and maps later fields will add without per-field copy code.
func cloneState(st *state) (*state, error) {
	data, err := json.Marshal(st)
	if err != nil {
		return nil, fmt.Errorf("copy state: %w", err)
	}
	var copied state
	if err := json.Unmarshal(data, &copied); err != nil {
		return nil, fmt.Errorf("copy state: %w", err)
	}
	return &copied, nil
}

// persist writes st atomically: a crash leaves either the old or the new
// file, never a truncated one, because the data is synced before the rename
// replaces the old file and the directory is synced after.
func (s *store) persist(st *state) error {
	if s.path == "" {
		return nil
	}
	data, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return fmt.Errorf("encode state: %w", err)
	}
	dir := filepath.Dir(s.path)
	tmp, err := os.CreateTemp(dir, filepath.Base(s.path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("write state: %w", err)
	}
	defer os.Remove(tmp.Name()) // no-op after a successful rename
	if _, err := tmp.Write(append(data, '\n')); err != nil {
		tmp.Close()
		return fmt.Errorf("write state: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("write state: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write state: %w", err)
	}
	if err := os.Rename(tmp.Name(), s.path); err != nil {
		return fmt.Errorf("write state: %w", err)
	}
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync() // best effort: not every filesystem supports it
		d.Close()
	}
	return nil
}

// removeLeftoverTempFiles deletes the temporary files of persist that a
// process killed mid-write (kill -9, a crash, a power cut) left beside the
// state file. None of them is ever the state: persist renames a file into
// place only once it is complete, so the state file holds the last whole
// write, and the leftovers would otherwise pile up in -data forever.
func removeLeftoverTempFiles(statePath string) error {
	leftovers, err := filepath.Glob(statePath + ".tmp-*")
	if err != nil {
		return fmt.Errorf("look for leftover state files: %w", err)
	}
	for _, leftover := range leftovers {
		if err := os.Remove(leftover); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("remove leftover state file: %w", err)
		}
	}
	return nil
}

func generatePrivateKeyPEM() (string, error) {
	key, err := rsa.GenerateKey(rand.Reader, rsaKeyBits)
	if err != nil {
		return "", fmt.Errorf("generate RSA key: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return "", fmt.Errorf("encode RSA key: %w", err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})), nil
}

func parsePrivateKey(keyPEM string) (*rsa.PrivateKey, error) {
	block, _ := pem.Decode([]byte(keyPEM))
	if block == nil {
		return nil, errors.New("private key: no PEM block")
	}
	parsed, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("private key: %w", err)
	}
	key, ok := parsed.(*rsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("private key: %T is not RSA", parsed)
	}
	return key, nil
}

// ---- Updates from handlers ----

// refusal is a response decided inside a store update; it is written once
// the update has been abandoned, so a refused request changes nothing.
type refusal struct{ write func(*exchange) }

func (r *refusal) Error() string { return "request refused" }

func refuse(write func(*exchange)) error { return &refusal{write: write} }

// updateState runs fn in a store update and reports whether it succeeded;
// a refusal is written, any other failure is the product's uncaught 500.
func updateState(ex *exchange, fn func(*state) error) bool {
	err := ex.inst.store.Update(fn)
	var r *refusal
	switch {
	case err == nil:
		return true
	case errors.As(err, &r):
		r.write(ex)
		return false
	default:
		panic(err)
	}
}
