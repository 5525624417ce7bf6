package emulator

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sync"
	"testing"
)

func TestOpenStoreInMemory(t *testing.T) {
	s, err := openStore("", "jira")
	if err != nil {
		t.Fatal(err)
	}
	s.View(func(st *state) {
		if !uuidV4Pattern.MatchString(st.ServerID) {
			t.Errorf("server ID %q is not a v4 UUID", st.ServerID)
		}
		key, err := parsePrivateKey(st.PrivateKeyPEM)
		if err != nil || key.N.BitLen() != rsaKeyBits {
			t.Errorf("private key: %v", err)
		}
	})
}

func TestStorePersistsAndReloads(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "nested", "data")
	s, err := openStore(dir, "jira")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Update(func(st *state) error {
		st.BaseURL = "https://jira.example.com"
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	var before state
	s.View(func(st *state) { before = *st })

	data, err := os.ReadFile(filepath.Join(dir, "jira.json"))
	if err != nil {
		t.Fatal(err)
	}
	var onDisk state
	if err := json.Unmarshal(data, &onDisk); err != nil || !reflect.DeepEqual(onDisk, before) {
		t.Errorf("file holds %+v (%v), want %+v", onDisk, err, before)
	}

	reopened, err := openStore(dir, "jira")
	if err != nil {
		t.Fatal(err)
	}
	reopened.View(func(st *state) {
		if !reflect.DeepEqual(*st, before) {
			t.Errorf("reloaded %+v, want %+v", *st, before)
		}
	})
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("data dir holds %d entries, want only jira.json (no temp files)", len(entries))
	}
}

func TestFailedUpdateChangesNothing(t *testing.T) {
	dir := t.TempDir()
	s, err := openStore(dir, "jira")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "jira.json")
	fileBefore, _ := os.ReadFile(path)
	refused := errors.New("refused")
	err = s.Update(func(st *state) error {
		st.BaseURL = "https://half.example.com"
		st.ServerID = "changed"
		return refused
	})
	if !errors.Is(err, refused) {
		t.Fatalf("Update error = %v, want %v", err, refused)
	}
	s.View(func(st *state) {
		if st.BaseURL != "" || st.ServerID == "changed" {
			t.Errorf("state changed by a failed update: %+v", st)
		}
	})
	if fileAfter, _ := os.ReadFile(path); string(fileAfter) != string(fileBefore) {
		t.Error("file changed by a failed update")
	}
}

func TestOpenStoreRefusesDamagedState(t *testing.T) {
	tests := map[string]string{
		"not JSON":     "{",
		"no server ID": `{"private_key_pem":"x"}`,
		"bad key":      `{"server_id":"2b9ee2c4-1e6e-4a64-8f0e-0d6a0e6c2d11","private_key_pem":"x"}`,
	}
	for name, content := range tests {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "jira.json"), []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
			if _, err := openStore(dir, "jira"); err == nil {
				t.Error("openStore accepted a damaged state file")
			}
		})
	}
}

func TestStoreIsSafeForConcurrentUse(t *testing.T) {
	s, err := openStore(t.TempDir(), "jira")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(2)
		go func() {
			defer wg.Done()
			_ = s.Update(func(st *state) error {
				st.BaseURL = fmt.Sprintf("https://%d.example.com", i)
				return nil
			})
		}()
		go func() {
			defer wg.Done()
			s.View(func(st *state) { _ = st.BaseURL })
		}()
	}
	wg.Wait()
	var final string
	s.View(func(st *state) { final = st.BaseURL })
	if final == "" {
		t.Error("no update was applied")
	}
}

// A process killed in the middle of persist leaves its temporary file
// beside the state; the next start removes it and loads the state that the
// last completed write left.
func TestStartRemovesTempFilesLeftByAKilledWrite(t *testing.T) {
	dir := t.TempDir()
	s, err := openStore(dir, "jira")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Update(func(st *state) error {
		st.Links = append(st.Links, storedLink{ID: "da2ba910-6b7f-3e7d-873f-9fc7a90c771b", TypeID: "generic", Name: "CI",
			RPCURL: "http://jira.example.com", DisplayURL: "http://jira.example.com"})
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	var before state
	s.View(func(st *state) { before = *st })
	leftovers := []string{"jira.json.tmp-123456", "jira.json.tmp-987654"}
	for _, name := range leftovers {
		// Half a state file, as a write cut short leaves it.
		if err := os.WriteFile(filepath.Join(dir, name), []byte(`{"server_id":"0`), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	// Another instance's file in the same directory is left alone.
	other := filepath.Join(dir, "wiki.json")
	if err := os.WriteFile(other, []byte("{}"), 0o600); err != nil {
		t.Fatal(err)
	}

	server, err := Start(Options{DataDir: dir}, InstanceConfig{Name: "jira", Type: "jira", Addr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = server.Close() })

	for _, name := range leftovers {
		if _, err := os.Stat(filepath.Join(dir, name)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s is still in the data dir after the start (%v)", name, err)
		}
	}
	if _, err := os.Stat(other); err != nil {
		t.Errorf("another instance's state file went away: %v", err)
	}
	server.Instance("jira").store.View(func(st *state) {
		if !reflect.DeepEqual(*st, before) {
			t.Errorf("loaded %+v, want the last completed write %+v", *st, before)
		}
	})
}
