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
