package provider

import (
	"bytes"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/applinks-iac/terraform-provider-applinks/internal/emulator"
	"github.com/applinks-iac/terraform-provider-applinks/internal/tfcli"
)

// ---- Where a secret could hide ----

// secretForm is one spelling of a secret that must not appear in output.
type secretForm struct {
	secret string // the secret's name, for the report
	form   string // how it is spelt: raw, base64, query-escaped, ...
	value  string
}

// secretForms lists the spellings in which a value could leak: raw, escaped
// for JSON (Go's encoder, with and without HTML escaping, with "/" as "\/",
// with non-ASCII as \uXXXX in either hex case), quoted as Go's %q does (a
// parse error), for a URL query, a URL path and OAuth 1.0a (in either hex
// case), and base64 in both alphabets at each of the three byte alignments,
// so that it is found inside any longer base64 text (a Basic header, an
// encoded body). Each is also listed as a log file holds it, JSON-escaped
// once or twice more, since the TRACE log quotes what the provider logs.
func secretForms(name, value string) []secretForm {
	forms := []secretForm{{name, "raw", value}}
	add := func(form, v string) {
		forms = addForm(forms, name, form, v)
	}
	html, plain := jsonEscaped(value, true), jsonEscaped(value, false)
	add("json", html)
	add("json-no-html-escape", plain)
	add("json-escaped-slash", strings.ReplaceAll(html, "/", `\/`))
	add("json-no-html-escaped-slash", strings.ReplaceAll(plain, "/", `\/`))
	add("json-ascii", asciiOnlyJSON(html, false))
	add("json-ascii-upper", asciiOnlyJSON(strings.ReplaceAll(html, "/", `\/`), true))
	add("json-no-html-ascii", asciiOnlyJSON(plain, false))
	quoted := strconv.Quote(value)
	add("go-quoted", quoted[1:len(quoted)-1])
	for form, v := range map[string]string{"query-escaped": url.QueryEscape(value), "path-escaped": url.PathEscape(value), "rfc5849": rfc5849Encode(value)} {
		add(form, v)
		add(form+"-lower-hex", lowerPercentHex(v))
	}
	forms = withLoggedForms(forms)
	for _, f := range base64Fragments([]byte(value)) {
		add("base64", f)
	}
	return forms
}

func addForm(forms []secretForm, name, form, v string) []secretForm {
	for _, f := range forms {
		if f.value == v {
			return forms
		}
	}
	return append(forms, secretForm{name, form, v})
}

// withLoggedForms adds each form as the TRACE log file writes it: a body
// the provider logs is a JSON string there, and Terraform may quote the
// provider's line once more, or write a field as "..." with only its quotes
// escaped (Terraform 1.11 does, leaving backslashes as they are).
func withLoggedForms(forms []secretForm) []secretForm {
	for _, f := range slices.Clone(forms) {
		forms = addForm(forms, f.secret, f.form+" quoted", strings.ReplaceAll(f.value, `"`, `\"`))
		for _, escapeHTML := range []bool{true, false} {
			once := jsonEscaped(f.value, escapeHTML)
			forms = addForm(forms, f.secret, f.form+" as logged", once)
			forms = addForm(forms, f.secret, f.form+" as logged twice", jsonEscaped(once, escapeHTML))
		}
	}
	return forms
}

// asciiOnlyJSON writes the non-ASCII characters of JSON text as \uXXXX,
// as Jackson's ESCAPE_NON_ASCII does (in upper case) and Python's
// json.dumps (in lower case); upper makes every \u escape upper case.
func asciiOnlyJSON(s string, upper bool) string {
	var b strings.Builder
	for _, r := range s {
		if r < 0x80 {
			b.WriteRune(r)
			continue
		}
		for _, unit := range utf16.Encode([]rune{r}) {
			fmt.Fprintf(&b, `\u%04x`, unit)
		}
	}
	if !upper {
		return b.String()
	}
	return regexp.MustCompile(`\\u[0-9a-f]{4}`).ReplaceAllStringFunc(b.String(), func(u string) string { return `\u` + strings.ToUpper(u[2:]) })
}

func lowerPercentHex(s string) string {
	return regexp.MustCompile(`%[0-9A-F]{2}`).ReplaceAllStringFunc(s, strings.ToLower)
}

func jsonEscaped(s string, escapeHTML bool) string {
	var b bytes.Buffer
	encoder := json.NewEncoder(&b)
	encoder.SetEscapeHTML(escapeHTML)
	_ = encoder.Encode(s)
	return strings.TrimSuffix(strings.TrimSpace(b.String()), `"`)[1:]
}

// base64Fragments returns, for each alignment of data in a longer byte
// stream, the part of its base64 encoding that does not depend on the bytes
// around it, in the standard and URL alphabets.
func base64Fragments(data []byte) []string {
	var fragments []string
	for offset := range 3 {
		padded := append(make([]byte, offset), data...)
		for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding} {
			text := enc.EncodeToString(padded)
			start := 0
			if offset > 0 {
				start = 4 // the first group mixes in the bytes before
			}
			end := len(text) - 4 // the last group may mix in the bytes after
			if end-start >= 12 {
				fragments = append(fragments, text[start:end])
			}
		}
	}
	return fragments
}

// privateKeyForms lists the spellings of an RSA private key: each line of
// its PEM text, and pieces of the base64 of its private exponent and primes,
// which any encoding of the key (PKCS #1 or #8, PEM or not) carries. Lines that
// the public key's own encodings contain as well are left out, since the
// public key may be shown.
func privateKeyForms(name string, key *rsa.PrivateKey, publicTexts ...string) ([]secretForm, error) {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, err
	}
	privatePEM := string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	var forms []secretForm
	for _, line := range strings.Split(privatePEM, "\n") {
		if len(line) < 16 || strings.HasPrefix(line, "-----") || containsAny(publicTexts, line) {
			continue
		}
		forms = append(forms, base64Spellings(name, "pem-line", line)...)
	}
	for _, part := range []struct {
		form  string
		bytes []byte
	}{{"exponent-base64", key.D.Bytes()}, {"prime-base64", key.Primes[0].Bytes()}, {"prime-base64", key.Primes[1].Bytes()}} {
		// In 32-character pieces, so that a piece lies whole within one
		// line of any PEM or other wrapped text.
		for _, f := range base64Fragments(part.bytes) {
			for i := 0; i+32 <= len(f); i += 32 {
				forms = append(forms, base64Spellings(name, part.form, f[i:i+32])...)
			}
		}
	}
	return forms, nil
}

// base64Spellings lists base64 text as it could leak: as it is, with "/"
// escaped for JSON ("\/"), with "=" escaped as Gson does ("\u003d"), and
// percent-encoded, each also as a log file holds it.
func base64Spellings(name, form, text string) []secretForm {
	forms := []secretForm{{name, form, text}}
	forms = addForm(forms, name, form+" json-escaped-slash", strings.ReplaceAll(text, "/", `\/`))
	forms = addForm(forms, name, form+" json-gson", strings.ReplaceAll(text, "=", `\u003d`))
	forms = addForm(forms, name, form+" query-escaped", url.QueryEscape(text))
	return withLoggedForms(forms)
}

func containsAny(texts []string, s string) bool {
	for _, text := range texts {
		if strings.Contains(text, s) {
			return true
		}
	}
	return false
}

// capturedOutput is one stream of one Terraform run: stdout, stderr or
// the TRACE log.
type capturedOutput struct {
	name string
	data []byte
}

type leak struct {
	form    secretForm
	output  string
	context string
}

// findSecrets returns every place where a form appears in an output.
func findSecrets(outputs []capturedOutput, forms []secretForm) []leak {
	var leaks []leak
	for _, out := range outputs {
		for _, form := range forms {
			data, from := out.data, 0
			for {
				i := bytes.Index(data[from:], []byte(form.value))
				if i < 0 {
					break
				}
				at := from + i
				leaks = append(leaks, leak{form, out.name, string(data[max(0, at-120):min(len(data), at+len(form.value)+40)])})
				from = at + len(form.value)
			}
		}
	}
	return leaks
}

func TestSecretFormsFindEveryEncoding(t *testing.T) {
	t.Parallel()
	const secret = `p&ss/w+rd=%Q "7"-Zx41-kk09`
	forms := append(secretForms("password", secret), secretForm{"password", "basic", basicAuthValue("someone", secret)})
	haystacks := map[string]string{
		"raw":           "password=" + secret + ";",
		"basic header":  "Authorization: Basic " + basicAuthValue("someone", secret),
		"base64 url":    base64.URLEncoding.EncodeToString([]byte("xy" + secret + "tail")),
		"query":         "?password=" + url.QueryEscape(secret) + "&x=1",
		"path":          "/users/" + url.PathEscape(secret),
		"go json":       mustJSON(t, map[string]string{"password": secret}),
		"oauth":         `oauth_signature="` + rfc5849Encode(secret) + `"`,
		"base64 offset": base64.StdEncoding.EncodeToString([]byte("a" + secret)),
	}
	for name, haystack := range haystacks {
		if leaks := findSecrets([]capturedOutput{{name, []byte(haystack)}}, forms); len(leaks) == 0 {
			t.Errorf("the %s form %q is not found", name, haystack)
		}
	}
	if leaks := findSecrets([]capturedOutput{{"clean", []byte("password=[redacted] Basic W3JlZGFjdGVkXQ==")}}, forms); len(leaks) != 0 {
		t.Errorf("a clean output has leaks: %+v", leaks)
	}

	// A secret every escaping changes, in the spellings servers, Go's
	// errors and the TRACE log give it.
	const escaping = `Pa55/w<rd> & "é"-8c21=%Q`
	escapingForms := secretForms("password", escaping)
	var slashed, ascii strings.Builder
	slashed.WriteString(strings.ReplaceAll(mustJSON(t, map[string]string{"password": escaping}), "/", `\/`))
	_ = json.NewEncoder(&ascii).Encode(asciiOnlyJSON(strings.ReplaceAll(jsonEscaped(escaping, true), "/", `\/`), true))
	for name, haystack := range map[string]string{
		"html-escaped body in a log line": mustJSON(t, map[string]string{"http_response_body": mustJSON(t, map[string]string{"echo": escaping})}),
		"escaped slash":                   slashed.String(),
		"ascii-only upper in a log line":  ascii.String(),
		"parse error":                     fmt.Sprintf("parse %q: net/url: invalid userinfo", "https://bob:"+escaping+"@jira.example.com"),
		"parse error in a log line":       mustJSON(t, map[string]string{"error": fmt.Sprintf("parse %q: invalid", "https://bob:"+escaping+"@h")}),
		"lower-case percent-encoding":     lowerPercentHex(url.QueryEscape(escaping)),
	} {
		if leaks := findSecrets([]capturedOutput{{name, []byte(haystack)}}, escapingForms); len(leaks) == 0 {
			t.Errorf("the %s form %q is not found", name, haystack)
		}
	}

	key := testConsumerKey(t, 1)
	keyForms, err := privateKeyForms("private key", key, publicKeyPEMOf(t, key), publicKeyBase64(t, key))
	if err != nil {
		t.Fatal(err)
	}
	pkcs1 := string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}))
	pkcs8, err := x509.MarshalPKCS8PrivateKey(key)
	mustNotFail(t, err)
	for name, haystack := range map[string]string{
		"pkcs1 pem":          pkcs1,
		"pkcs8 in json":      mustJSON(t, map[string]string{"public_key": string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8}))}),
		"pkcs8 base64 alone": base64.StdEncoding.EncodeToString(pkcs8),
		"pkcs8 escaped slash in a log line": mustJSON(t, map[string]string{"body": strings.ReplaceAll(
			mustJSON(t, map[string]string{"key": base64.StdEncoding.EncodeToString(pkcs8)}), "/", `\/`)}),
		"pkcs8 query-escaped": url.QueryEscape(base64.StdEncoding.EncodeToString(pkcs8)),
	} {
		if leaks := findSecrets([]capturedOutput{{name, []byte(haystack)}}, keyForms); len(leaks) == 0 {
			t.Errorf("the private key as %s is not found", name)
		}
	}
	public := publicKeyPEMOf(t, key) + publicKeyBase64(t, key)
	if leaks := findSecrets([]capturedOutput{{"public key", []byte(public)}}, keyForms); len(leaks) != 0 {
		t.Errorf("the public key counts as a leak of the private key: %+v", leaks[0])
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	data, err := json.Marshal(v)
	mustNotFail(t, err)
	return string(data)
}

// ---- The test ----

const cliSecretsConfig = `
terraform {
  required_providers {
    applinks = {
      source = "applinks-iac/applinks"
    }
  }
}

variable "jira_url" {
  type      = string
  sensitive = true
  default   = null
}
variable "ci_url" {
  type      = string
  sensitive = true
  default   = "https://ci.example.com"
}
variable "wiki_url" {
  type = string
}
variable "username" {
  type = string
}
variable "password" {
  type      = string
  sensitive = true
}
variable "token" {
  type      = string
  sensitive = true
}
variable "shared_secret" {
  type      = string
  sensitive = true
}
variable "new_shared_secret" {
  type      = string
  sensitive = true
}
variable "public_key" {
  type = string
}
variable "private_key" {
  type      = string
  sensitive = true
}
variable "canary" {
  type = string
}

provider "applinks" {
  url         = var.jira_url
  username    = var.username
  password    = var.password
  max_retries = 0
}

provider "applinks" {
  alias = "wiki"
  url   = var.wiki_url
  token = var.token
}

data "applinks_server" "jira" {}

data "applinks_server" "wiki" {
  provider = applinks.wiki
}

resource "applinks_application_link" "ci" {
  type    = "generic"
  name    = var.canary
  rpc_url = "https://ci.example.com"
}

resource "applinks_application_link" "wiki" {
  type    = "confluence"
  name    = "Wiki"
  rpc_url = data.applinks_server.wiki.base_url
}

resource "applinks_application_link" "ci_from_wiki" {
  provider = applinks.wiki
  type     = "generic"
  name     = "CI"
  rpc_url  = "https://ci.example.com"
}

resource "applinks_oauth_consumer" "ci_out" {
  application_link_id = applinks_application_link.ci.id
  direction           = "outgoing"
  consumer_key        = "jira-at-ci"
  name                = "Jira"
  shared_secret       = var.SHARED_SECRET_VARIABLE
  request_token_url   = "/oauth/request-token"
  access_token_url    = "/oauth/access-token"
  authorize_url       = "/oauth/authorize"
}

resource "applinks_oauth_consumer" "ci_in" {
  application_link_id = applinks_application_link.ci.id
  direction           = "incoming"
  consumer_key        = "ci-at-jira"
  name                = "CI"
  public_key          = var.PUBLIC_KEY_VARIABLE
  depends_on          = [applinks_oauth_consumer.ci_out]
}

resource "applinks_whitelist_rule" "ci" {
  type       = "domain"
  expression = "https://ci.example.com"
}

resource "applinks_whitelist_rule" "ci_from_wiki" {
  provider   = applinks.wiki
  type       = "exact_url"
  expression = "https://ci.example.com/job"
}

resource "applinks_whitelist" "wiki" {
  provider = applinks.wiki
  enabled  = true
}
`

// cliSecretsConfigWith fills in which variables the shared secret and the
// public key come from, so that a run can misconfigure them.
func cliSecretsConfigWith(sharedSecretVariable, publicKeyVariable string) string {
	return strings.NewReplacer("SHARED_SECRET_VARIABLE", sharedSecretVariable, "PUBLIC_KEY_VARIABLE", publicKeyVariable).Replace(cliSecretsConfig)
}

// No secret (password, token, shared secret, remote admin password,
// private key) appears in anything the Terraform CLI writes: the stdout,
// stderr and TRACE log of a plan, an apply, a second plan, runs that fail on
// a secret-bearing input (a private key given as a public key, a consumer
// write the instance rejects quoting the new secret and echoing it and the
// password in every JSON and URL spelling, a wrong password, error pages
// that echo the password and the token so, a URL holding a password that
// breaks it in `url`, APPLINKS_URL and a link's `rpc_url`), and a destroy, with the
// provider built from this tree. Every secret reaches Terraform as a
// sensitive variable, as in a pipeline, so a snippet of the configuration in
// a diagnostic shows no value. The state file is not searched: it holds the
// (sensitive) shared secret by design.
//
// The search must be able to fail: a canary given as a plain variable and
// used as a link name must be found by the same search in the plan and apply
// output and in the TRACE log.
func TestAccProvider_cliOutputHasNoSecrets(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("set TF_ACC=1 to run the Terraform CLI")
	}
	t.Parallel()
	terraformPath := tfcli.ForTest(t)

	const (
		username = "leaky"
		// The secrets hold what every escaping changes: "<", "&", ">", a
		// space, a non-ASCII letter, a quote, "/", "+" and "=".
		password        = `Pa55/w<rd>&Lk "é" 8c21=%Q`
		wrongPassword   = `Wr0ng/Pa55&Lk-77d0+x`
		token           = "leak-token<3f9e>&1a7b2c"
		sharedSecret    = `Sh4red<&>Secret/"é" 1b7+e=`
		newSharedSecret = `N3w&Sh4red/<Secret> "ü"-62c+`
		// A peer's admin password, written into a link's rpc_url.
		remoteAdminPassword = `R3mote Adm1n<&>"ø"/pw`
		canary              = "Canary & Co/4e1+k"
	)
	key := testConsumerKey(t, 1)
	publicKey := publicKeyPEMOf(t, key)
	privateDER, err := x509.MarshalPKCS8PrivateKey(key)
	mustNotFail(t, err)
	privateKey := string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: privateDER}))

	var forms []secretForm
	for name, value := range map[string]string{
		"password": password, "wrong password": wrongPassword, "token": token,
		"shared secret": sharedSecret, "new shared secret": newSharedSecret,
		"remote admin password": remoteAdminPassword,
	} {
		forms = append(forms, secretForms(name, value)...)
	}
	forms = append(forms,
		secretForm{"password", "basic", basicAuthValue(username, password)},
		secretForm{"wrong password", "basic", basicAuthValue(username, wrongPassword)})
	keyForms, err := privateKeyForms("private key", key, publicKey, publicKeyBase64(t, key))
	mustNotFail(t, err)
	forms = append(forms, keyForms...)
	secretNames := map[string]bool{}
	for _, f := range forms {
		secretNames[f.secret] = true
	}

	server := startEmulator(t, emulator.Options{
		Control:       true,
		AllowAllHosts: true,
		Users:         []emulator.User{{Name: username, Password: password, Token: token, SystemAdmin: true}},
	}, "jira=jira", "wiki=confluence")
	jira, wiki := server.Instance("jira"), server.Instance("wiki")

	work := t.TempDir()
	binDir := filepath.Join(work, "bin")
	var buildOutput strings.Builder
	if err := tfcli.Build("../..", ".", binDir, "terraform-provider-applinks", &buildOutput); err != nil {
		t.Fatalf("%v\n%s", err, buildOutput.String())
	}
	// The configurations write the source without a host, which each CLI
	// reads as its own registry's: the host the framework's variables name.
	cliEnv, err := tfcli.WriteCLIConfig(filepath.Join(work, "terraformrc"),
		map[string]string{tfcli.AccRegistryHost() + "/" + tfcli.ProviderSource: binDir})
	mustNotFail(t, err)
	configDir := filepath.Join(work, "config")
	mustNotFail(t, os.MkdirAll(configDir, 0o700))
	logDir := filepath.Join(work, "logs")
	mustNotFail(t, os.MkdirAll(logDir, 0o700))

	// Nothing from the caller's environment may change the run: no TF_*
	// or APPLINKS_* variable passes through.
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "TF_") && !strings.HasPrefix(kv, "APPLINKS_") {
			env = append(env, kv)
		}
	}
	env = append(append(env, cliEnv...),
		"TF_LOG=trace",
		"TF_VAR_jira_url="+jira.URL(),
		"TF_VAR_wiki_url="+wiki.URL(),
		"TF_VAR_username="+username,
		"TF_VAR_token="+token,
		"TF_VAR_shared_secret="+sharedSecret,
		"TF_VAR_new_shared_secret="+newSharedSecret,
		"TF_VAR_public_key="+publicKey,
		"TF_VAR_private_key="+privateKey,
		"TF_VAR_canary="+canary,
	)

	var outputs []capturedOutput
	type run struct {
		name          string
		config        string
		password      string
		env           []string // added to the run's environment
		dropEnv       string   // a variable to leave out of it
		args          []string
		wantFailure   string // a text stderr must hold, for the runs that must fail
		before, after func() error
		wantInStdout  string
	}
	good := cliSecretsConfigWith("shared_secret", "public_key")
	runs := []run{
		{name: "plan", config: good, password: password, args: []string{"plan", "-input=false"}, wantInStdout: "Plan: 8 to add"},
		{name: "apply", config: good, password: password, args: []string{"apply", "-auto-approve", "-input=false"}, wantInStdout: "Apply complete! Resources: 8 added"},
		{name: "plan-again", config: good, password: password, args: []string{"plan", "-input=false", "-detailed-exitcode"}, wantInStdout: "No changes."},
		{
			name: "apply-private-key-as-public-key", config: cliSecretsConfigWith("shared_secret", "private_key"), password: password,
			args: []string{"apply", "-auto-approve", "-input=false"}, wantFailure: "Private Key Given as Public Key",
		},
		{
			name: "apply-rejected-consumer-write", config: cliSecretsConfigWith("new_shared_secret", "public_key"), password: password,
			args: []string{"apply", "-auto-approve", "-input=false"}, wantFailure: "[redacted] is not accepted",
			before: func() error {
				// The instance refuses the new secret, quoting it, as a
				// product's validation message might, and echoes it and the
				// password in every spelling an encoder gives them.
				body, err := jsonNoHTMLEscape(map[string]any{"status": 400, "message": []string{"The shared secret " + newSharedSecret + " is not accepted."}})
				if err != nil {
					return err
				}
				body = strings.TrimSuffix(body, "}") + `,"echoes":[` + echoedSpellings(newSharedSecret, password) + `]}`
				_, err = emulatorCall(jira, http.MethodPost, "/_emulator/faults", map[string]any{
					"method": "PUT", "path_prefix": "/rest/applinks-oauth/1.0/applicationlink/",
					"status": 400, "body": body, "content_type": "application/json",
				}, nil)
				return err
			},
			after: func() error {
				_, err := emulatorCall(jira, http.MethodDelete, "/_emulator/faults", nil, nil)
				return err
			},
		},
		{
			name: "plan-wrong-password", config: good, password: wrongPassword,
			args: []string{"plan", "-input=false"}, wantFailure: "did not accept the credentials",
		},
		{
			// Both instances answer their first manifest read with an error
			// page that echoes the credentials in every spelling: Jira's
			// fails the plan, the wiki's is retried.
			name: "plan-echoed-credentials", config: good, password: password,
			args: []string{"plan", "-input=false"}, wantFailure: "echoes the credentials",
			before: func() error {
				for inst, secrets := range map[*emulator.Instance][]string{jira: {password, basicAuthValue(username, password)}, wiki: {token}} {
					body := `{"status-code":503,"message":"This page echoes the credentials: ` + echoMarker + `","echoes":[` + echoedSpellings(secrets...) + `]}`
					if _, err := emulatorCall(inst, http.MethodPost, "/_emulator/faults", map[string]any{
						"method": "GET", "path_prefix": "/rest/applinks/1.0/manifest", "count": 1,
						"status": 503, "body": body, "content_type": "application/json",
					}, nil); err != nil {
						return err
					}
				}
				return nil
			},
			after: func() error {
				for _, inst := range []*emulator.Instance{jira, wiki} {
					if _, err := emulatorCall(inst, http.MethodDelete, "/_emulator/faults", nil, nil); err != nil {
						return err
					}
				}
				return nil
			},
		},
		{
			// A password that breaks the URL, from a sensitive variable.
			name: "plan-password-in-url", config: good, password: password,
			env:  []string{"TF_VAR_jira_url=" + withUserinfo(jira.URL(), username, password)},
			args: []string{"plan", "-input=false"}, wantFailure: "Invalid Applinks URL",
		},
		{
			name: "plan-password-in-APPLINKS_URL", config: good, password: password,
			dropEnv: "TF_VAR_jira_url", env: []string{"APPLINKS_URL=" + withUserinfo(jira.URL(), username, password)},
			args: []string{"plan", "-input=false"}, wantFailure: "Invalid Applinks URL",
		},
		{
			name: "plan-password-in-rpc_url", config: strings.Replace(good, `rpc_url = "https://ci.example.com"`, `rpc_url = var.ci_url`, 1),
			password: password, env: []string{"TF_VAR_ci_url=" + withUserinfo("https://ci.example.com", "admin", remoteAdminPassword)},
			args: []string{"plan", "-input=false"}, wantFailure: "Invalid URL",
		},
		{name: "destroy", config: good, password: password, args: []string{"destroy", "-auto-approve", "-input=false"}, wantInStdout: "Destroy complete! Resources: 8 destroyed"},
	}
	for _, r := range runs {
		mustNotFail(t, os.WriteFile(filepath.Join(configDir, "main.tf"), []byte(r.config), 0o600))
		if r.before != nil {
			mustNotFail(t, r.before())
		}
		logPath := filepath.Join(logDir, r.name+".log")
		runEnv := slices.DeleteFunc(slices.Clone(env), func(kv string) bool { return r.dropEnv != "" && strings.HasPrefix(kv, r.dropEnv+"=") })
		runEnv = append(append(runEnv, r.env...), "TF_LOG_PATH="+logPath, "TF_VAR_password="+r.password)
		tf := tfcli.Terraform{Path: terraformPath, Dir: configDir, Env: runEnv}
		cmd := tf.Command(append(r.args, "-no-color")...)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		runErr := cmd.Run()
		if r.after != nil {
			mustNotFail(t, r.after())
		}
		logData, err := os.ReadFile(logPath)
		if err != nil {
			t.Fatalf("%s: no TRACE log: %v", r.name, err)
		}
		outputs = append(outputs,
			capturedOutput{r.name + " stdout", stdout.Bytes()},
			capturedOutput{r.name + " stderr", stderr.Bytes()},
			capturedOutput{r.name + " log", logData})

		var exitErr *exec.ExitError
		switch {
		case r.wantFailure == "" && runErr != nil:
			t.Fatalf("terraform %s: %v\n%s\n%s", r.name, runErr, stdout.String(), stderr.String())
		case r.wantFailure != "" && !errors.As(runErr, &exitErr):
			t.Fatalf("terraform %s succeeded (or did not start: %v); it must fail\n%s", r.name, runErr, stdout.String())
		case r.wantFailure != "" && !strings.Contains(collapseSpace(stderr.String()), r.wantFailure):
			t.Fatalf("terraform %s failed without %q in its error:\n%s", r.name, r.wantFailure, stderr.String())
		case r.wantInStdout != "" && !strings.Contains(stdout.String(), r.wantInStdout):
			t.Fatalf("terraform %s printed no %q:\n%s", r.name, r.wantInStdout, stdout.String())
		case r.wantFailure != "":
			t.Logf("terraform %s failed as it must: %s", r.name, errorSummaries(stderr.String()))
		}
	}

	// The instances are empty again, or the destroy proved little.
	for _, inst := range []*emulator.Instance{jira, wiki} {
		if links, err := emulatorLinks(inst); err != nil || len(links) != 0 {
			t.Errorf("after destroy instance %s holds links %+v (%v)", inst.Name(), links, err)
		}
	}

	// Self-check: the canary, a value Terraform and the provider may show,
	// is found by the same search where it must be, and the logs hold the
	// provider's wire log, so the absence of secrets means something.
	canaryHits := map[string]bool{}
	for _, l := range findSecrets(outputs, secretForms("canary", canary)) {
		canaryHits[l.output] = true
	}
	for _, where := range []string{"plan stdout", "apply stdout", "apply log"} {
		if !canaryHits[where] {
			t.Errorf("the canary %q is not found in the %s: the search or the capture is broken", canary, where)
		}
	}
	var logs, searched int
	for _, out := range outputs {
		searched += len(out.data)
		if strings.HasSuffix(out.name, " log") {
			logs += len(out.data)
		}
	}
	var applyLog string
	for _, out := range outputs {
		if out.name == "apply log" {
			applyLog = string(out.data)
		}
	}
	for _, want := range []string{"/rest/applinks-oauth/1.0/applicationlink/", "Authorization", "[redacted]"} {
		if !strings.Contains(applyLog, want) {
			t.Errorf("the apply's TRACE log lacks %q; the provider's wire log is not in it", want)
		}
	}
	// Both echoing error pages reached the wire log, or their run proved
	// nothing about escaped spellings.
	for _, out := range outputs {
		if out.name == "plan-echoed-credentials log" {
			if n := bytes.Count(out.data, []byte(echoMarker)); n < 2 {
				t.Errorf("the echoing error pages are in the TRACE log %d times, want both instances' bodies", n)
			}
		}
	}
	// Terraform versions quote the provider's log lines differently, so the
	// redacted body field may carry any number of escaping backslashes.
	if redactedBody := regexp.MustCompile(`sharedSecret\\*":\\*"\[redacted\]`); !redactedBody.MatchString(applyLog) {
		t.Errorf("the apply's TRACE log lacks the consumer body with %s; the provider's wire log is not in it", redactedBody)
	}

	leaks := findSecrets(outputs, forms)
	reportFigure(t,
		"secrets", len(secretNames),
		"forms", len(forms),
		"runs", len(runs),
		"outputs", len(outputs),
		"bytes", searched,
		"log_bytes", logs,
		"leaks", len(leaks),
	)
	sort.Slice(leaks, func(i, j int) bool { return leaks[i].output < leaks[j].output })
	for i, l := range leaks {
		if i == 20 {
			t.Errorf("and %d more leaks", len(leaks)-20)
			break
		}
		t.Errorf("the %s (%s) is in the %s: …%s…", l.form.secret, l.form.form, l.output, l.context)
	}
}

// echoMarker marks the error pages that echo credentials, so the test can
// see that their bodies reached the TRACE log.
const echoMarker = "echo-3b8f1c"

// echoedSpellings writes each secret as JSON string literals in the ways
// servers' encoders spell it: escaped for HTML, ASCII-only (upper and lower
// case hex), with "/" as "\/", and percent-encoded for a query and a path.
func echoedSpellings(secrets ...string) string {
	var literals []string
	for _, secret := range secrets {
		html, plain := jsonEscaped(secret, true), jsonEscaped(secret, false)
		for _, spelling := range []string{
			html, plain, strings.ReplaceAll(html, "/", `\/`), asciiOnlyJSON(plain, false),
			asciiOnlyJSON(strings.ReplaceAll(html, "/", `\/`), true), url.QueryEscape(secret), url.PathEscape(secret),
		} {
			literals = append(literals, `"`+spelling+`"`)
		}
	}
	return strings.Join(literals, ",")
}

// withUserinfo writes user:password@ into a URL as a person would by hand,
// unescaped, so that a password with a space or a quote breaks it.
func withUserinfo(rawURL, user, password string) string {
	scheme, rest, _ := strings.Cut(rawURL, "://")
	return scheme + "://" + user + ":" + password + "@" + rest
}

func jsonNoHTMLEscape(v any) (string, error) {
	var b bytes.Buffer
	encoder := json.NewEncoder(&b)
	encoder.SetEscapeHTML(false)
	if err := encoder.Encode(v); err != nil {
		return "", err
	}
	return strings.TrimSpace(b.String()), nil
}

// collapseSpace joins the lines Terraform wraps an error message over.
func collapseSpace(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// errorSummaries lists the summaries of the errors Terraform printed.
func errorSummaries(stderr string) string {
	var summaries []string
	for _, line := range strings.Split(stderr, "\n") {
		if _, summary, ok := strings.Cut(line, "Error: "); ok {
			summaries = append(summaries, strings.TrimSpace(summary))
		}
	}
	return strings.Join(summaries, "; ")
}

// ---- A password in a URL that does not parse ----

// A URL with a password that breaks parsing, given to the provider's `url`,
// to APPLINKS_URL or to a link's `rpc_url`, is refused with a diagnostic
// that says it holds credentials and never shows the password: not in the
// quoted URL, not in Go's parse error (which quotes the whole text), not
// as the "invalid port" Go makes of a password's start before a "/".
func TestProvider_brokenURLKeepsPasswordSecret(t *testing.T) {
	t.Parallel()
	const password = `Hunter2Secret x<&>"é"`
	brokenURLs := map[string]string{
		"space":          "https://bob:" + password + "@jira.example.com",
		"slash":          "https://bob:Hunter2Secret/x@jira.example.com",
		"hash":           "https://bob:Hunter2Secret#x@jira.example.com",
		"bad escape":     "https://bob:Hunter2Secret%zz@jira.example.com",
		"slash and more": "https://bob:Hunter2Secret/ <x>@jira.example.com/jira",
	}
	pieces := append([]string{"Hunter2Secret", "Hunt", "parse "}, secretFormValues(secretForms("password", password))...)
	check := func(t *testing.T, diags []*tfprotov6.Diagnostic, attribute, summary string, fix ...string) {
		t.Helper()
		if len(diags) == 0 {
			t.Fatal("no diagnostic")
		}
		for _, d := range diags {
			text := d.Summary + "\n" + d.Detail
			for _, piece := range pieces {
				if strings.Contains(text, piece) {
					t.Errorf("the diagnostic holds %q:\n%s", piece, text)
				}
			}
		}
		checkDiag(t, diags[0], wantDiag{tfprotov6.DiagnosticSeverityError, attribute, summary, append([]string{"contains credentials"}, fix...)})
	}
	for name, raw := range brokenURLs {
		t.Run("url/"+name, func(t *testing.T) {
			t.Parallel()
			diags := configureThroughProtocol(t, nil, map[string]tftypes.Value{"url": str(raw), "token": str("pat")})
			check(t, diags, "url", "Invalid Applinks URL", "`username` and `password`")
		})
		t.Run("APPLINKS_URL/"+name, func(t *testing.T) {
			t.Parallel()
			diags := configureThroughProtocol(t, map[string]string{envURL: raw, envToken: "pat"}, nil)
			check(t, diags, "url", "Invalid Applinks URL", envURL)
		})
		t.Run("rpc_url/"+name, func(t *testing.T) {
			t.Parallel()
			diags := validateResourceThroughProtocol(t, "applinks_application_link", map[string]tftypes.Value{
				"type": str("generic"), "name": str("CI"), "rpc_url": str(raw),
			})
			check(t, diags, "rpc_url", "Invalid URL")
		})
	}
}

func secretFormValues(forms []secretForm) []string {
	values := make([]string, len(forms))
	for i, f := range forms {
		values[i] = f.value
	}
	return values
}
