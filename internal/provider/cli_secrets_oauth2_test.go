package provider

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/oauth2"

	"github.com/applinks-iac/terraform-provider-applinks/internal/emulator"
	"github.com/applinks-iac/terraform-provider-applinks/internal/tfcli"
)

// The OAuth 2.0 secrets (issue #13): an incoming client's secret, before and
// after a rotation, an outgoing link's write-only client secret, and the
// access token, refresh token and authorization code of a flow run against
// the client never appear in the stdout, stderr or TRACE log of a plan,
// an apply, a rotation or a destroy, in any spelling (secretForms). The
// access token is used as the provider's own credential in one provider
// block, so it really crosses the wire log. In the state only the incoming
// client's current secret appears, as its `client_secret` (the docs say so);
// the write-only secret and the tokens never do.
//
// The search must be able to fail: the client's name, a canary given as a
// plain variable, must be found in the plan output and the TRACE log.

const oauth2SecretsConfig = `
terraform {
  required_providers {
    applinks = {
      source = "applinks-iac/applinks"
    }
  }
}

variable "jira_url" {
  type = string
}
variable "password" {
  type      = string
  sensitive = true
}
variable "outgoing_secret" {
  type      = string
  sensitive = true
}
variable "access_token" {
  type      = string
  sensitive = true
  default   = ""
}
variable "secret_version" {
  type = number
}
variable "canary" {
  type = string
}

provider "applinks" {
  url         = var.jira_url
  username    = "admin"
  password    = var.password
  max_retries = 0
}

resource "applinks_oauth2_client" "ci" {
  name           = var.canary
  redirect_urls  = ["https://ci.example.com/oauth/callback"]
  scope          = "SYSTEM_ADMIN"
  secret_version = var.secret_version
}

resource "applinks_oauth2_outgoing_link" "mail" {
  name                     = "Mail"
  provider_type            = "google"
  client_id                = "mail-client"
  client_secret_wo         = var.outgoing_secret
  client_secret_wo_version = 1
  authorization_endpoint   = "https://accounts.google.com/o/oauth2/v2/auth"
  token_endpoint           = "https://oauth2.googleapis.com/token"
}
`

// withTokenProvider adds a provider block that calls the instance with the
// flow's access token, and a read through it.
const withTokenProvider = `
provider "applinks" {
  alias = "token"
  url   = var.jira_url
  token = var.access_token
}

data "applinks_server" "through_token" {
  provider = applinks.token
}
`

func TestAccProvider_oauth2SecretsNeverShown(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("set TF_ACC=1 to run the Terraform CLI")
	}
	t.Parallel()
	terraformPath := tfcli.ForTest(t)
	const (
		password       = `OAuth2-Adm1n<&>"é"/pw`
		outgoingSecret = `Outg0ing/Secret<&>"ü" 5d+=`
		canary         = "Canary CI & Co/7f2"
	)
	server := startEmulator(t, emulator.Options{
		OAuth2SkipBaseURLHTTPS: true,
		Users:                  []emulator.User{{Name: "admin2", Password: password, SystemAdmin: true}},
	}, "jira=jira")
	jira := server.Instance("jira")
	config := strings.ReplaceAll(oauth2SecretsConfig, `username    = "admin"`, `username    = "admin2"`)

	work := t.TempDir()
	binDir := filepath.Join(work, "bin")
	var buildOutput strings.Builder
	if err := tfcli.Build("../..", ".", binDir, "terraform-provider-applinks", &buildOutput); err != nil {
		t.Fatalf("%v\n%s", err, buildOutput.String())
	}
	cliEnv, err := tfcli.WriteCLIConfig(filepath.Join(work, "terraformrc"), map[string]string{tfcli.ProviderAddress: binDir})
	mustNotFail(t, err)
	configDir := filepath.Join(work, "config")
	mustNotFail(t, os.MkdirAll(configDir, 0o700))
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "TF_") && !strings.HasPrefix(kv, "APPLINKS_") {
			env = append(env, kv)
		}
	}
	env = append(append(env, cliEnv...), "TF_LOG=trace", "TF_VAR_jira_url="+jira.URL(), "TF_VAR_password="+password,
		"TF_VAR_outgoing_secret="+outgoingSecret, "TF_VAR_canary="+canary)

	var outputs []capturedOutput
	secrets := map[string]string{"password": password, "outgoing client secret": outgoingSecret}
	terraform := func(name, hcl string, extraEnv []string, args ...string) {
		t.Helper()
		mustNotFail(t, os.WriteFile(filepath.Join(configDir, "main.tf"), []byte(hcl), 0o600))
		logPath := filepath.Join(work, name+".log")
		tf := tfcli.Terraform{Path: terraformPath, Dir: configDir, Env: append(append(append([]string(nil), env...), extraEnv...), "TF_LOG_PATH="+logPath)}
		cmd := tf.Command(append(args, "-input=false", "-no-color")...)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("terraform %s: %v\n%s\n%s", name, err, stdout.String(), stderr.String())
		}
		logData, err := os.ReadFile(logPath)
		mustNotFail(t, err)
		outputs = append(outputs, capturedOutput{name + " stdout", stdout.Bytes()}, capturedOutput{name + " stderr", stderr.Bytes()},
			capturedOutput{name + " log", logData})
	}
	clientSecret := func() string {
		clients, err := emulatorOAuth2Clients(jira)
		mustNotFail(t, err)
		if len(clients) != 1 {
			t.Fatalf("jira holds %d OAuth 2.0 clients, want 1", len(clients))
		}
		return clients[0].ClientSecret
	}

	terraform("plan", config, []string{"TF_VAR_secret_version=0"}, "plan")
	terraform("apply", config, []string{"TF_VAR_secret_version=0"}, "apply", "-auto-approve")
	secrets["client secret"] = clientSecret()
	code, token := runOAuth2Flow(t, jira)
	secrets["authorization code"], secrets["access token"], secrets["refresh token"] = code, token.AccessToken, token.RefreshToken
	tokenEnv := []string{"TF_VAR_secret_version=0", "TF_VAR_access_token=" + token.AccessToken}
	terraform("apply-with-token", config+withTokenProvider, tokenEnv, "apply", "-auto-approve")
	terraform("plan-again", config+withTokenProvider, tokenEnv, "plan", "-detailed-exitcode")
	terraform("rotate", config+withTokenProvider, []string{"TF_VAR_secret_version=1", "TF_VAR_access_token=" + token.AccessToken}, "apply", "-auto-approve")
	rotated := clientSecret()
	if rotated == secrets["client secret"] {
		t.Fatal("the rotation did not change the client secret")
	}
	secrets["rotated client secret"] = rotated

	// In the state: the current client secret as client_secret, once, and
	// nothing else of the kind.
	state, err := os.ReadFile(filepath.Join(configDir, "terraform.tfstate"))
	mustNotFail(t, err)
	stateLeaks := 0
	for name, value := range secrets {
		want := 0
		if name == "rotated client secret" {
			want = 1
		}
		if n := bytes.Count(state, []byte(value)); n != want {
			stateLeaks += max(n-want, 0)
			t.Errorf("the state holds the %s %d times, want %d", name, n, want)
		}
	}
	if !bytes.Contains(state, []byte(`"client_secret": "`+rotated+`"`)) {
		t.Errorf("the state does not hold the rotated secret as client_secret")
	}
	terraform("destroy", config+withTokenProvider, []string{"TF_VAR_secret_version=1", "TF_VAR_access_token=" + token.AccessToken}, "destroy", "-auto-approve")

	// Self-check: the canary is found where it must be, and the wire log
	// carried the OAuth 2.0 calls with their secrets redacted.
	hits := map[string]bool{}
	for _, l := range findSecrets(outputs, secretForms("canary", canary)) {
		hits[l.output] = true
	}
	for _, where := range []string{"plan stdout", "apply log"} {
		if !hits[where] {
			t.Errorf("the canary %q is not found in the %s: the search or the capture is broken", canary, where)
		}
	}
	var applyLog, rotateLog string
	for _, out := range outputs {
		switch out.name {
		case "apply log":
			applyLog = string(out.data)
		case "rotate log":
			rotateLog = string(out.data)
		}
	}
	for _, want := range []string{"/rest/oauth2/latest/client", "/rest/oauth2-client/latest/config", "clientSecret", "[redacted]"} {
		if !strings.Contains(applyLog, want) {
			t.Errorf("the apply's TRACE log lacks %q; the provider's wire log is not in it", want)
		}
	}
	if !strings.Contains(rotateLog, "/rest/oauth2/latest/client/reset/") {
		t.Errorf("the rotation's TRACE log lacks the reset call")
	}

	var forms []secretForm
	for name, value := range secrets {
		forms = append(forms, secretForms(name, value)...)
	}
	leaks := findSecrets(outputs, forms)
	searched := 0
	for _, out := range outputs {
		searched += len(out.data)
	}
	reportFigure(t, "secrets", len(secrets), "forms", len(forms), "outputs", len(outputs), "bytes", searched,
		"leaks", len(leaks), "state_leaks", stateLeaks)
	for i, l := range leaks {
		if i == 20 {
			t.Errorf("and %d more leaks", len(leaks)-20)
			break
		}
		t.Errorf("the %s (%s) is in the %s: …%s…", l.form.secret, l.form.form, l.output, l.context)
	}
}

// runOAuth2Flow runs the authorization code flow against the instance's
// only client as admin, with golang.org/x/oauth2, and returns the code and
// the token.
func runOAuth2Flow(t *testing.T, inst *emulator.Instance) (string, *oauth2.Token) {
	t.Helper()
	clients, err := emulatorOAuth2Clients(inst)
	mustNotFail(t, err)
	cfg := &oauth2.Config{
		ClientID: clients[0].ClientID, ClientSecret: clients[0].ClientSecret, RedirectURL: ciRedirect,
		Scopes:   []string{"SYSTEM_ADMIN"},
		Endpoint: oauth2.Endpoint{AuthURL: inst.URL() + "/rest/oauth2/latest/authorize", TokenURL: inst.URL() + "/rest/oauth2/latest/token"},
	}
	ctx := context.Background()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, cfg.AuthCodeURL("state-7"), nil)
	mustNotFail(t, err)
	req.SetBasicAuth("admin", "admin")
	resp, err := noRedirects.Do(req)
	mustNotFail(t, err)
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("authorize: HTTP %d", resp.StatusCode)
	}
	location, err := url.Parse(resp.Header.Get("Location"))
	mustNotFail(t, err)
	code := location.Query().Get("code")
	token, err := cfg.Exchange(ctx, code)
	mustNotFail(t, err)
	if token.AccessToken == "" || token.RefreshToken == "" || code == "" {
		t.Fatalf("the flow gave code %t, access token %t, refresh token %t", code != "", token.AccessToken != "", token.RefreshToken != "")
	}
	return code, token
}
