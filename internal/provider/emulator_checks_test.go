package provider

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/applinks-iac/terraform-provider-applinks/internal/emulator"
)

// These helpers read and change an emulated instance over its HTTP API, as an
// administrator working outside Terraform would. They decode into their own
// structs rather than the client's, so a field the client gets wrong cannot
// pass here too.

type emulatedLink struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	Type       string `json:"type"`
	RPCURL     string `json:"rpcUrl"`
	DisplayURL string `json:"displayUrl"`
	Primary    bool   `json:"primary"`
	System     bool   `json:"system"`
}

type emulatedOAuthDirection struct {
	Enabled                   bool `json:"enabled"`
	TwoLoEnabled              bool `json:"twoLoEnabled"`
	TwoLoImpersonationEnabled bool `json:"twoLoImpersonationEnabled"`
}

type emulatedOAuthStatus struct {
	Incoming emulatedOAuthDirection `json:"incoming"`
	Outgoing emulatedOAuthDirection `json:"outgoing"`
}

// emulatorCall sends one request as the instance's system administrator and
// decodes a JSON answer into out (when not nil). It returns the status. A
// body is sent as JSON; a json.RawMessage goes as written.
func emulatorCall(inst *emulator.Instance, method, path string, body, out any) (int, error) {
	var reader io.Reader
	if body != nil {
		encoded, err := json.Marshal(body)
		if err != nil {
			return 0, err
		}
		reader = bytes.NewReader(encoded)
	}
	req, err := http.NewRequest(method, inst.URL()+path, reader)
	if err != nil {
		return 0, err
	}
	req.SetBasicAuth("admin", "admin")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("X-Atlassian-Token", "no-check")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp.StatusCode, err
	}
	if resp.StatusCode >= 300 {
		return resp.StatusCode, fmt.Errorf("%s %s: HTTP %d: %s", method, path, resp.StatusCode, data)
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			return resp.StatusCode, fmt.Errorf("%s %s: %w: %s", method, path, err, data)
		}
	}
	return resp.StatusCode, nil
}

// emulatorLinks lists an instance's links, sorted by name.
func emulatorLinks(inst *emulator.Instance) ([]emulatedLink, error) {
	var links []emulatedLink
	if _, err := emulatorCall(inst, http.MethodGet, "/rest/applinks/3.0/applinks", nil, &links); err != nil {
		return nil, err
	}
	sort.Slice(links, func(i, j int) bool { return links[i].Name < links[j].Name })
	return links, nil
}

func emulatorOAuthStatus(inst *emulator.Instance, id string) (emulatedOAuthStatus, error) {
	var status emulatedOAuthStatus
	_, err := emulatorCall(inst, http.MethodGet, "/rest/applinks/3.0/status/"+id+"/oauth", nil, &status)
	return status, err
}

// expectEmulatorLinks checks that the instance holds exactly the links
// described, by name: no duplicate, no orphan, nothing lost.
func expectEmulatorLinks(inst *emulator.Instance, want ...emulatedLink) func() error {
	return func() error {
		got, err := emulatorLinks(inst)
		if err != nil {
			return err
		}
		sort.Slice(want, func(i, j int) bool { return want[i].Name < want[j].Name })
		if len(got) != len(want) {
			return fmt.Errorf("instance %s holds %d links, want %d: %+v", inst.Name(), len(got), len(want), got)
		}
		for i := range want {
			if problems := diffLink(got[i], want[i]); problems != "" {
				return fmt.Errorf("instance %s, link %q: %s", inst.Name(), want[i].Name, problems)
			}
		}
		return nil
	}
}

// diffLink compares the fields that want sets (empty strings are skipped;
// Primary is compared always).
func diffLink(got, want emulatedLink) string {
	var problems []string
	check := func(field, g, w string) {
		if w != "" && g != w {
			problems = append(problems, fmt.Sprintf("%s is %q, want %q", field, g, w))
		}
	}
	check("id", got.ID, want.ID)
	check("name", got.Name, want.Name)
	check("type", got.Type, want.Type)
	check("rpcUrl", got.RPCURL, want.RPCURL)
	check("displayUrl", got.DisplayURL, want.DisplayURL)
	if got.Primary != want.Primary {
		problems = append(problems, fmt.Sprintf("primary is %t, want %t", got.Primary, want.Primary))
	}
	return strings.Join(problems, "; ")
}

func expectOAuthStatus(inst *emulator.Instance, id *string, want emulatedOAuthStatus) func() error {
	return func() error {
		got, err := emulatorOAuthStatus(inst, *id)
		if err != nil {
			return err
		}
		if got != want {
			return fmt.Errorf("instance %s link %s: OAuth status %+v, want %+v", inst.Name(), *id, got, want)
		}
		return nil
	}
}

// checks runs each emulator check in order, for a TestStep's Check.
func checks(fns ...func() error) resource.TestCheckFunc {
	return func(*terraform.State) error {
		for _, fn := range fns {
			if err := fn(); err != nil {
				return err
			}
		}
		return nil
	}
}

func mustNotFail(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
