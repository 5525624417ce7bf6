package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/applinks-iac/terraform-provider-applinks/internal/emulator"
	"github.com/applinks-iac/terraform-provider-applinks/internal/tfcli"
)

// adopt is the second tour (make demo-adopt): an emulated Jira configured by
// hand through its REST API, as its administrators would, is adopted as the
// guide "Adopting an existing instance" says: examples/adoption/discover.tf
// writes the import blocks, one plan -generate-config-out writes the
// configuration, one apply imports, and the next plan is empty.
func adopt(opts options, out io.Writer) error {
	work, err := os.MkdirTemp("", "applinks-adopt-")
	if err != nil {
		return err
	}
	if opts.keep {
		fmt.Fprintf(out, "==> keeping %s\n", work)
	} else {
		defer os.RemoveAll(work)
	}
	step(out, "building the provider")
	binDir := filepath.Join(work, "bin")
	if err := tfcli.Build(opts.root, ".", binDir, "terraform-provider-applinks", out); err != nil {
		return err
	}
	step(out, "starting an emulated Jira and configuring it by hand over its REST API")
	server, err := emulator.Start(emulator.Options{}, emulator.InstanceConfig{Name: "jira", Type: "jira", Addr: "127.0.0.1:0"})
	if err != nil {
		return fmt.Errorf("starting the emulator: %w", err)
	}
	defer server.Close()
	jira := server.Instance("jira").URL()
	if err := seedByHand(jira, out); err != nil {
		return err
	}

	configDir := filepath.Join(work, "config")
	if err := copyConfiguration(filepath.Join(opts.root, "examples", "adoption"), configDir); err != nil {
		return err
	}
	cliEnv, err := tfcli.WriteCLIConfig(filepath.Join(work, "terraformrc"), tfcli.OnEveryRegistry(binDir, tfcli.ProviderSource))
	if err != nil {
		return err
	}
	tf := tfcli.Terraform{Path: opts.terraform, Dir: configDir, Stdout: out, Stderr: out,
		Env: append(append(os.Environ(), cliEnv...), "APPLINKS_URL="+jira, "APPLINKS_TOKEN=admin-token")}

	step(out, "discover.tf: listing the instance and writing an import block per object")
	if err := tf.Run("apply", "-auto-approve", "-input=false"); err != nil {
		return err
	}
	cmd := tf.Command("output", "-raw", "import_blocks")
	imports, err := cmd.Output()
	if err != nil {
		return fmt.Errorf("terraform output: %w", err)
	}
	fmt.Fprintf(out, "%s\n", imports)
	if err := os.Remove(filepath.Join(configDir, "discover.tf")); err != nil {
		return err
	}
	main := "terraform {\n  required_providers {\n    applinks = {\n      source = \"applinks-iac/applinks\"\n    }\n  }\n}\n\nprovider \"applinks\" {}\n"
	for name, content := range map[string][]byte{"imports.tf": imports, "main.tf": []byte(main)} {
		if err := os.WriteFile(filepath.Join(configDir, name), content, 0o600); err != nil {
			return err
		}
	}
	step(out, "terraform plan -generate-config-out=generated.tf")
	if err := tf.Run("plan", "-input=false", "-generate-config-out=generated.tf"); err != nil {
		return err
	}
	generated, err := os.ReadFile(filepath.Join(configDir, "generated.tf"))
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "%s\n", generated)
	step(out, "terraform apply: imports, changes nothing")
	if err := tf.Run("apply", "-auto-approve", "-input=false"); err != nil {
		return err
	}
	step(out, "terraform plan: it must be empty")
	if err := tf.Run("plan", "-detailed-exitcode", "-input=false"); err != nil {
		return fmt.Errorf("the plan after the adoption is not empty or failed: %w", err)
	}
	return nil
}

// seedByHand makes what administrators click together: two generic links,
// one with an incoming consumer, rules of every type, links allowed for
// anonymous users, and an incoming and an outgoing OAuth 2.0 link.
func seedByHand(jira string, out io.Writer) error {
	publicKey, err := newPublicKeyPEM()
	if err != nil {
		return err
	}
	block, _ := pem.Decode([]byte(publicKey))
	calls := []struct {
		method, path string
		body         any
	}{
		{http.MethodPut, "/rest/applinks/2.0/applicationlink", map[string]any{"typeId": "generic", "name": "CI",
			"rpcUrl": "https://ci.example.com", "displayUrl": "https://ci.example.com"}},
		{http.MethodPut, "/rest/applinks/2.0/applicationlink", map[string]any{"typeId": "generic", "name": "Monitoring",
			"rpcUrl": "https://monitoring.example.com", "displayUrl": "https://monitoring.example.com"}},
		{http.MethodPost, "/rest/whitelist/latest", map[string]any{"type": "whitelist.domain.name", "expression": "https://www.example.com"}},
		{http.MethodPost, "/rest/whitelist/latest", map[string]any{"type": "whitelist.exact.url", "expression": "https://feeds.example.com/rss.xml", "allowInbound": true}},
		{http.MethodPost, "/rest/whitelist/latest", map[string]any{"type": "whitelist.wildcard.expression", "expression": "https://docs.example.com/*"}},
		{http.MethodPost, "/rest/whitelist/latest", map[string]any{"type": "whitelist.regular.expression", "expression": `https://api\.example\.net/v[0-9]+/.*`, "allowAnonymousUser": true}},
		{http.MethodPut, "/rest/whitelist/latest/settings", map[string]any{"applicationLinkRestrictiveness": "ALLOW_ANONYMOUS"}},
		{http.MethodPost, "/rest/oauth2/latest/client", map[string]any{"name": "Build dashboard",
			"redirects": []string{"https://dashboard.example.com/oauth2/callback"}, "scope": "READ"}},
		{http.MethodPost, "/rest/oauth2-client/latest/config", map[string]any{"name": "Google mail", "type": "GOOGLE",
			"clientId": "jira-mail", "clientSecret": "demo-secret", "authorizationEndpoint": "https://accounts.google.com/o/oauth2/v2/auth",
			"tokenEndpoint": "https://oauth2.googleapis.com/token", "scopes": []string{"https://mail.google.com/"}}},
	}
	for _, c := range calls {
		if err := adminCall(jira, c.method, c.path, c.body); err != nil {
			return err
		}
		fmt.Fprintf(out, "    %s %s\n", c.method, c.path)
	}
	var links []struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	}
	if err := adminGet(jira, "/rest/applinks/3.0/applinks", &links); err != nil {
		return err
	}
	for _, link := range links {
		if link.Name != "CI" {
			continue
		}
		path := "/rest/applinks-oauth/1.0/applicationlink/" + link.ID + "/authentication/consumer"
		err := adminCall(jira, http.MethodPut, path, map[string]any{"key": "jenkins", "name": "Jenkins",
			"publicKey": base64.StdEncoding.EncodeToString(block.Bytes), "twoLOAllowed": true, "executingTwoLOUser": "admin"})
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "    PUT %s\n", path)
	}
	return nil
}

func adminCall(base, method, path string, body any) error {
	data, err := json.Marshal(body)
	if err != nil {
		return err
	}
	req, err := http.NewRequest(method, base+path, bytes.NewReader(data))
	if err != nil {
		return err
	}
	return adminDo(req, nil)
}

func adminGet(base, path string, out any) error {
	req, err := http.NewRequest(http.MethodGet, base+path, nil)
	if err != nil {
		return err
	}
	return adminDo(req, out)
}

func adminDo(req *http.Request, out any) error {
	req.SetBasicAuth("admin", "admin")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Atlassian-Token", "no-check")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode >= 300 {
		return fmt.Errorf("%s %s: HTTP %d: %s", req.Method, req.URL.Path, resp.StatusCode, strings.TrimSpace(string(data)))
	}
	if out != nil {
		return json.Unmarshal(data, out)
	}
	return nil
}
