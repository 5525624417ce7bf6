package provider

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1" //nolint:gosec // OAuth 1.0a RSA-SHA1 is what the products verify
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/config"
	tfresource "github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/applinks-iac/terraform-provider-applinks/internal/emulator"
)

// ---- Keys and an OAuth 1.0a signer ----

// The signer below signs requests as a third-party application would, with
// Go's crypto and its own RFC 5849 encoding, written apart from the
// emulator's verifier so that a mistake on one side shows on the other.

var (
	consumerKeysOnce sync.Once
	consumerKeys     [2]*rsa.PrivateKey
)

// testConsumerKey returns one of two RSA key pairs shared by these tests.
func testConsumerKey(t *testing.T, i int) *rsa.PrivateKey {
	t.Helper()
	consumerKeysOnce.Do(func() {
		for n := range consumerKeys {
			key, err := rsa.GenerateKey(rand.Reader, 2048)
			if err != nil {
				panic(err)
			}
			consumerKeys[n] = key
		}
	})
	return consumerKeys[i]
}

func publicKeyBase64(t *testing.T, key *rsa.PrivateKey) string {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(der)
}

func publicKeyPEMOf(t *testing.T, key *rsa.PrivateKey) string {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}

// rfc5849Encode percent-encodes all but the unreserved characters.
func rfc5849Encode(s string) string {
	var b strings.Builder
	for _, c := range []byte(s) {
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("-._~", c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// signedGet sends a two-legged GET signed with RSA-SHA1 by the consumer and
// returns the status, the WWW-Authenticate header and the body. A requestor
// goes into the query as xoauth_requestor_id.
func signedGet(inst *emulator.Instance, path, consumerKey string, key *rsa.PrivateKey, requestor string) (int, string, []byte, error) {
	target, err := url.Parse(inst.URL() + path)
	if err != nil {
		return 0, "", nil, err
	}
	if requestor != "" {
		target.RawQuery = url.Values{"xoauth_requestor_id": {requestor}}.Encode()
	}
	nonce := make([]byte, 12)
	if _, err := rand.Read(nonce); err != nil {
		return 0, "", nil, err
	}
	protocol := map[string]string{
		"oauth_consumer_key":     consumerKey,
		"oauth_nonce":            hex.EncodeToString(nonce),
		"oauth_signature_method": "RSA-SHA1",
		"oauth_timestamp":        strconv.FormatInt(time.Now().Unix(), 10),
		"oauth_version":          "1.0",
	}
	var pairs []string
	for k, v := range protocol {
		pairs = append(pairs, rfc5849Encode(k)+"="+rfc5849Encode(v))
	}
	for k, vs := range target.Query() {
		for _, v := range vs {
			pairs = append(pairs, rfc5849Encode(k)+"="+rfc5849Encode(v))
		}
	}
	sort.Strings(pairs) // no name here is a prefix of another, so this is name order
	base := "GET&" + rfc5849Encode(target.Scheme+"://"+target.Host+target.EscapedPath()) + "&" + rfc5849Encode(strings.Join(pairs, "&"))
	digest := sha1.Sum([]byte(base)) //nolint:gosec // the protocol's
	signature, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA1, digest[:])
	if err != nil {
		return 0, "", nil, err
	}
	protocol["oauth_signature"] = base64.StdEncoding.EncodeToString(signature)
	var header []string
	for k, v := range protocol {
		header = append(header, fmt.Sprintf(`%s="%s"`, k, rfc5849Encode(v)))
	}
	req, err := http.NewRequest(http.MethodGet, target.String(), nil)
	if err != nil {
		return 0, "", nil, err
	}
	req.Header.Set("Authorization", "OAuth "+strings.Join(header, ", "))
	req.Header.Set("Accept", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, "", nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("WWW-Authenticate"), body, err
}

// expectSignedAs checks that a request signed with key is accepted and acts
// as wantUser (Jira's /myself names the user).
func expectSignedAs(inst *emulator.Instance, consumerKey string, key *rsa.PrivateKey, requestor, wantUser string) func() error {
	return func() error {
		status, _, body, err := signedGet(inst, "/rest/api/2/myself", consumerKey, key, requestor)
		if err != nil {
			return err
		}
		if status != http.StatusOK {
			return fmt.Errorf("signed request (requestor %q) refused: HTTP %d %s", requestor, status, body)
		}
		var me struct {
			Name string `json:"name"`
		}
		if err := json.Unmarshal(body, &me); err != nil {
			return err
		}
		if me.Name != wantUser {
			return fmt.Errorf("signed request (requestor %q) acts as %q, want %q", requestor, me.Name, wantUser)
		}
		return nil
	}
}

// expectSignedRefused checks that a signed request is refused with the
// OAuth problem.
func expectSignedRefused(inst *emulator.Instance, consumerKey string, key *rsa.PrivateKey, problem string) func() error {
	return expectSignedRefusedFor(inst, consumerKey, key, "", problem)
}

// expectSignedRefusedFor checks that a signed request naming requestor
// (none when empty) is refused with the OAuth problem.
func expectSignedRefusedFor(inst *emulator.Instance, consumerKey string, key *rsa.PrivateKey, requestor, problem string) func() error {
	return func() error {
		status, header, body, err := signedGet(inst, "/rest/api/2/myself", consumerKey, key, requestor)
		if err != nil {
			return err
		}
		if status != http.StatusUnauthorized || !strings.Contains(header, `oauth_problem="`+problem+`"`) {
			return fmt.Errorf("signed request: HTTP %d, WWW-Authenticate %q, body %s; want 401 with %s", status, header, body, problem)
		}
		return nil
	}
}

// ---- Reading the emulator ----

type emulatedConsumer struct {
	Key                       string `json:"key"`
	Name                      string `json:"name"`
	Description               string `json:"description"`
	SignatureMethod           string `json:"signatureMethod"`
	PublicKey                 string `json:"publicKey"`
	TwoLOAllowed              bool   `json:"twoLOAllowed"`
	ExecutingTwoLOUser        string `json:"executingTwoLOUser"`
	TwoLOImpersonationAllowed bool   `json:"twoLOImpersonationAllowed"`
}

type emulatedAuthentication struct {
	Providers []struct {
		Provider string            `json:"provider"`
		Config   map[string]string `json:"config"`
	} `json:"configuredAuthProviders"`
	Consumers []emulatedConsumer `json:"consumers"`
}

func emulatorAuthentication(inst *emulator.Instance, linkID string) (emulatedAuthentication, error) {
	var auth emulatedAuthentication
	_, err := emulatorCall(inst, http.MethodGet, "/rest/applinks-oauth/1.0/applicationlink/"+linkID+"/authentication", nil, &auth)
	return auth, err
}

// createLinkOutOfBand makes a link outside Terraform (a generic one, or an
// Atlassian one with a fixed id) and returns its id.
func createLinkOutOfBand(t *testing.T, inst *emulator.Instance, typeID, rpcURL string) string {
	t.Helper()
	var created struct {
		Resources []struct {
			Href string `json:"href"`
		} `json:"resources-created"`
	}
	body := map[string]string{"typeId": typeID, "name": rpcURL, "rpcUrl": rpcURL, "displayUrl": rpcURL}
	if typeID != genericType {
		body["id"] = "11111111-2222-3333-4444-555555555555"
	}
	_, err := emulatorCall(inst, http.MethodPut, "/rest/applinks/latest/applicationlink", body, &created)
	mustNotFail(t, err)
	if len(created.Resources) != 1 {
		t.Fatalf("create link: %+v", created)
	}
	return created.Resources[0].Href[strings.LastIndex(created.Resources[0].Href, "/")+1:]
}

// expectConsumers checks the keys of the consumers the link lists, in order.
func expectConsumers(inst *emulator.Instance, linkID string, wantKeys ...string) func() error {
	return func() error {
		auth, err := emulatorAuthentication(inst, linkID)
		if err != nil {
			return err
		}
		var keys []string
		for _, c := range auth.Consumers {
			keys = append(keys, c.Key)
		}
		if strings.Join(keys, ",") != strings.Join(wantKeys, ",") {
			return fmt.Errorf("link %s lists consumers %v, want %v", linkID, keys, wantKeys)
		}
		return nil
	}
}

// expectServiceProvider checks the outgoing OAuth provider's configuration.
func expectServiceProvider(inst *emulator.Instance, linkID string, want map[string]string) func() error {
	return func() error {
		auth, err := emulatorAuthentication(inst, linkID)
		if err != nil {
			return err
		}
		for _, p := range auth.Providers {
			if p.Provider == "com.atlassian.applinks.api.auth.types.OAuthAuthenticationProvider" {
				if fmt.Sprint(p.Config) != fmt.Sprint(want) {
					return fmt.Errorf("OAuth provider config %v, want %v", p.Config, want)
				}
				return nil
			}
		}
		return fmt.Errorf("link %s has no OAuth provider: %+v", linkID, auth.Providers)
	}
}

// expectStoredSecret reads the emulator's persisted state, the only place
// outside the instance's memory where the shared secret is visible: the API
// never returns it, as in the products.
func expectStoredSecret(dataDir, instance, linkID, want string) func() error {
	return func() error {
		data, err := os.ReadFile(filepath.Join(dataDir, instance+".json"))
		if err != nil {
			return err
		}
		var st struct {
			Links []struct {
				ID               string `json:"id"`
				OutgoingConsumer *struct {
					SharedSecret string `json:"shared_secret"`
				} `json:"outgoing_consumer"`
			} `json:"links"`
		}
		if err := json.Unmarshal(data, &st); err != nil {
			return err
		}
		for _, l := range st.Links {
			if l.ID == linkID && l.OutgoingConsumer != nil {
				if l.OutgoingConsumer.SharedSecret != want {
					return fmt.Errorf("the instance holds another shared secret than %q", want)
				}
				return nil
			}
		}
		return fmt.Errorf("link %s has no outgoing consumer", linkID)
	}
}

func outOfBandOAuthStatus(inst *emulator.Instance, linkID string, status emulatedOAuthStatus) func() error {
	return func() error {
		_, err := emulatorCall(inst, http.MethodPut, "/rest/applinks/3.0/status/"+linkID+"/oauth", status, nil)
		return err
	}
}

// ---- Secret checks on the plan and state JSON ----

type secretAbsent struct{ secrets []string }

// planHasNoSecret fails when a secret appears anywhere in the plan.
func planHasNoSecret(secrets ...string) plancheck.PlanCheck { return secretAbsent{secrets} }

// stateHasNoSecret fails when a secret appears anywhere in the state.
func stateHasNoSecret(secrets ...string) statecheck.StateCheck { return secretAbsent{secrets} }

func (s secretAbsent) find(v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	for _, secret := range s.secrets {
		if i := bytes.Index(data, []byte(secret)); i >= 0 {
			return fmt.Errorf("the secret %q is in the JSON: %s", secret, data[max(0, i-600):i+50])
		}
	}
	return nil
}

func (s secretAbsent) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	resp.Error = s.find(req.Plan)
}

func (s secretAbsent) CheckState(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	resp.Error = s.find(req.State)
}

// ---- Configurations ----

const consumerAddr = "applinks_oauth_consumer.ci"

func testAccOAuthConsumerResourceConfig_incoming(instanceURL, linkID, publicKey, extra string) string {
	return testAccProviderConfig(instanceURL) + fmt.Sprintf(`
resource "applinks_oauth_consumer" "ci" {
  application_link_id = %[1]q
  direction           = "incoming"
  consumer_key        = "jenkins"
  name                = "Jenkins"
  public_key          = %[2]q
  %[3]s
}
`, linkID, publicKey, extra)
}

func testAccOAuthConsumerResourceConfig_outgoing(instanceURL, linkID, secret, extra string) string {
	return testAccProviderConfig(instanceURL) + fmt.Sprintf(`
resource "applinks_oauth_consumer" "out" {
  application_link_id = %[1]q
  direction           = "outgoing"
  consumer_key        = "jira-at-ci"
  name                = "Jira"
  %[2]s
  request_token_url   = "/oauth/request-token"
  access_token_url    = "https://ci.example.com/oauth/access-token"
  authorize_url       = "/oauth/authorize"
  %[3]s
}
`, linkID, secret, extra)
}

// ---- Tests ----

// An incoming consumer really authenticates: the matching key is accepted,
// another is refused, and after destroy the consumer is gone while the link
// stays. execute_as and impersonation change whom requests act as.
func TestAccOAuthConsumerResource_incoming(t *testing.T) {
	jira := startEmulator(t, emulator.Options{}, "jira=jira").Instance("jira")
	linkID := createLinkOutOfBand(t, jira, genericType, "https://ci.example.com")
	key, otherKey := testConsumerKey(t, 0), testConsumerKey(t, 1)
	bare, pemKey := publicKeyBase64(t, key), publicKeyPEMOf(t, key)
	config := func(publicKey, extra string) string {
		return testAccOAuthConsumerResourceConfig_incoming(jira.URL(), linkID, publicKey, extra)
	}
	executeAsUser := "two_legged_allowed = true\n  execute_as = \"user\""
	impersonating := "two_legged_allowed = true\n  execute_as = \"admin\"\n  impersonation_allowed = true\n  description = \"CI server\""

	tfresource.ParallelTest(t, tfresource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy: checks(
			expectSignedRefused(jira, "jenkins", key, "consumer_key_unknown"),
			expectEmulatorLinks(jira, emulatedLink{ID: linkID, Primary: true}),
		),
		Steps: []tfresource.TestStep{
			{
				Config: config(bare, executeAsUser),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(consumerAddr, tfjsonpath.New("id"), knownvalue.StringExact(linkID+"/incoming")),
					statecheck.ExpectKnownValue(consumerAddr, tfjsonpath.New("public_key"), knownvalue.StringExact(bare)),
					statecheck.ExpectKnownValue(consumerAddr, tfjsonpath.New("two_legged_allowed"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(consumerAddr, tfjsonpath.New("impersonation_allowed"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(consumerAddr, tfjsonpath.New("execute_as"), knownvalue.StringExact("user")),
					statecheck.ExpectKnownValue(consumerAddr, tfjsonpath.New("description"), knownvalue.Null()),
				},
				Check: checks(
					expectConsumers(jira, linkID, "jenkins"),
					expectSignedAs(jira, "jenkins", key, "", "user"),
					// Without impersonation the products refuse a requestor
					// (design/api.md §6.4) rather than ignore it.
					expectSignedRefusedFor(jira, "jenkins", key, "admin", "permission_denied"),
					expectSignedRefused(jira, "jenkins", otherKey, "signature_invalid"),
				),
			},
			{
				// The same key in PEM: nothing to do.
				Config:   config(pemKey, executeAsUser),
				PlanOnly: true,
			},
			{
				ResourceName:      consumerAddr,
				ImportState:       true,
				ImportStateVerify: true,
			},
			{
				Config: config(pemKey, impersonating),
				ConfigPlanChecks: tfresource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(consumerAddr, plancheck.ResourceActionUpdate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					// The state keeps its spelling of the key.
					statecheck.ExpectKnownValue(consumerAddr, tfjsonpath.New("public_key"), knownvalue.StringExact(bare)),
					statecheck.ExpectKnownValue(consumerAddr, tfjsonpath.New("impersonation_allowed"), knownvalue.Bool(true)),
				},
				Check: checks(
					expectSignedAs(jira, "jenkins", key, "", "admin"),
					expectSignedAs(jira, "jenkins", key, "manager", "manager"),
				),
			},
			{
				// Removed outside Terraform (incoming OAuth disabled): drift.
				Config:             config(pemKey, impersonating),
				Check:              checks(outOfBandOAuthStatus(jira, linkID, emulatedOAuthStatus{})),
				ExpectNonEmptyPlan: true,
			},
			{
				Config: config(pemKey, impersonating),
				Check: checks(
					expectConsumers(jira, linkID, "jenkins"),
					expectSignedAs(jira, "jenkins", key, "manager", "manager"),
				),
			},
		},
	})
}

// A write-only shared secret reaches the instance but neither the plan nor
// the state; bumping the version sends a new one.
func TestAccOAuthConsumerResource_outgoingWriteOnlySecret(t *testing.T) {
	dataDir := t.TempDir()
	jira := startEmulator(t, emulator.Options{DataDir: dataDir}, "jira=jira").Instance("jira")
	linkID := createLinkOutOfBand(t, jira, genericType, "https://ci.example.com")
	const first, second = "first-secret-Xq7Kp2", "second-secret-Vd9Lm4"
	const addr = "applinks_oauth_consumer.out"
	// The secret comes in as an ephemeral variable, as it would from a
	// vault, so the plan has no copy of the configuration's literal.
	hcl := func(version int) string {
		return testAccOAuthConsumerResourceConfig_outgoing(jira.URL(), linkID,
			fmt.Sprintf("shared_secret_wo = var.shared_secret\n  shared_secret_wo_version = %d", version), "") + `
variable "shared_secret" {
  type      = string
  sensitive = true
  ephemeral = true
}
`
	}
	secret := func(value string) config.Variables {
		return config.Variables{"shared_secret": config.StringVariable(value)}
	}
	wantProvider := map[string]string{
		"consumerKey.outbound":            "jira-at-ci",
		"serviceProvider.requestTokenUrl": "/oauth/request-token",
		"serviceProvider.accessTokenUrl":  "https://ci.example.com/oauth/access-token",
		"serviceProvider.authorizeUrl":    "/oauth/authorize",
	}

	tfresource.ParallelTest(t, tfresource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
		CheckDestroy:             checks(expectConsumers(jira, linkID)),
		Steps: []tfresource.TestStep{
			{
				Config:          hcl(1),
				ConfigVariables: secret(first),
				ConfigPlanChecks: tfresource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{planHasNoSecret(first)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					stateHasNoSecret(first),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("shared_secret_wo"), knownvalue.Null()),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("shared_secret"), knownvalue.Null()),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("shared_secret_wo_version"), knownvalue.Int64Exact(1)),
				},
				Check: checks(
					expectConsumers(jira, linkID, "jira-at-ci"),
					expectServiceProvider(jira, linkID, wantProvider),
					expectStoredSecret(dataDir, "jira", linkID, first),
				),
			},
			{
				// A new value alone is not sent: the version says when.
				Config:          hcl(1),
				ConfigVariables: secret(second),
				PlanOnly:        true,
			},
			{
				Config:          hcl(2),
				ConfigVariables: secret(second),
				ConfigPlanChecks: tfresource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
						planHasNoSecret(first, second),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{stateHasNoSecret(first, second)},
				Check:             checks(expectStoredSecret(dataDir, "jira", linkID, second)),
			},
			{
				Config:                  hcl(2),
				ConfigVariables:         secret(second),
				ResourceName:            addr,
				ImportState:             true,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"shared_secret_wo_version"},
			},
		},
	})
}

// Both directions on one link. The incoming consumer is created after the
// outgoing one and with impersonation, so the status call that grants it
// empties the outgoing provider's configuration, which must come back.
func TestAccOAuthConsumerResource_bothDirections(t *testing.T) {
	jira := startEmulator(t, emulator.Options{}, "jira=jira").Instance("jira")
	linkID := createLinkOutOfBand(t, jira, genericType, "https://ci.example.com")
	key := testConsumerKey(t, 0)
	const outAddr = "applinks_oauth_consumer.out"
	config := func(outgoingExtra string) string {
		return testAccOAuthConsumerResourceConfig_outgoing(jira.URL(), linkID, `shared_secret = "s3cret-in-state"`, outgoingExtra) +
			fmt.Sprintf(`
resource "applinks_oauth_consumer" "ci" {
  application_link_id   = %[1]q
  direction             = "incoming"
  consumer_key          = "jenkins"
  name                  = "Jenkins"
  public_key            = %[2]q
  two_legged_allowed    = true
  execute_as            = "user"
  impersonation_allowed = true
  depends_on            = [applinks_oauth_consumer.out]
}
`, linkID, publicKeyBase64(t, key))
	}
	provider := func(authorizeURL string) map[string]string {
		return map[string]string{
			"consumerKey.outbound":            "jira-at-ci",
			"serviceProvider.requestTokenUrl": "/oauth/request-token",
			"serviceProvider.accessTokenUrl":  "https://ci.example.com/oauth/access-token",
			"serviceProvider.authorizeUrl":    authorizeURL,
		}
	}
	updated := `description = "Jira's identity at CI"`

	tfresource.ParallelTest(t, tfresource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy: checks(
			expectConsumers(jira, linkID),
			expectOAuthStatus(jira, &linkID, emulatedOAuthStatus{}),
		),
		Steps: []tfresource.TestStep{
			{
				Config: config(""),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(outAddr, tfjsonpath.New("shared_secret"), knownvalue.StringExact("s3cret-in-state")),
					statecheck.ExpectKnownValue(outAddr, tfjsonpath.New("two_legged_allowed"), knownvalue.Bool(false)),
				},
				Check: checks(
					expectConsumers(jira, linkID, "jenkins", "jira-at-ci"),
					expectServiceProvider(jira, linkID, provider("/oauth/authorize")),
					expectSignedAs(jira, "jenkins", key, "manager", "manager"),
				),
			},
			{
				ResourceName:            outAddr,
				ImportState:             true,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"shared_secret"},
			},
			{
				Config: config(updated),
				ConfigPlanChecks: tfresource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(outAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectResourceAction(consumerAddr, plancheck.ResourceActionNoop),
					},
				},
				Check: checks(expectServiceProvider(jira, linkID, provider("/oauth/authorize"))),
			},
			{
				// Outgoing OAuth disabled outside Terraform: drift.
				Config: config(updated),
				Check: checks(outOfBandOAuthStatus(jira, linkID, emulatedOAuthStatus{Incoming: oauth2LOi}),
					expectConsumers(jira, linkID, "jenkins")),
				ExpectNonEmptyPlan: true,
			},
			{
				Config: config(updated),
				Check: checks(
					expectConsumers(jira, linkID, "jenkins", "jira-at-ci"),
					expectServiceProvider(jira, linkID, provider("/oauth/authorize")),
					expectSignedAs(jira, "jenkins", key, "manager", "manager"),
				),
			},
		},
	})
}

// Impersonation needs a system administrator; a plain administrator gets
// a message naming that right, and nothing is left behind.
func TestAccOAuthConsumerResource_impersonationNeedsSysadmin(t *testing.T) {
	jira := startEmulator(t, emulator.Options{}, "jira=jira").Instance("jira")
	linkID := createLinkOutOfBand(t, jira, genericType, "https://ci.example.com")
	key := testConsumerKey(t, 0)
	config := func(extra string) string {
		return strings.Replace(testAccOAuthConsumerResourceConfig_incoming(jira.URL(), linkID, publicKeyBase64(t, key), extra),
			`username = "admin"
  password = "admin"`, `username = "manager"
  password = "manager"`, 1)
	}

	tfresource.ParallelTest(t, tfresource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checks(expectConsumers(jira, linkID)),
		Steps: []tfresource.TestStep{
			{
				Config:      config("two_legged_allowed = true\n  execute_as = \"user\"\n  impersonation_allowed = true"),
				ExpectError: regexp.MustCompile(`Impersonation Needs a System Administrator(?s:.*)system administrator's\s+credentials`),
			},
			{
				// The refused create took its consumer back with it, or
				// this create would find it and refuse.
				Config: config("two_legged_allowed = true\n  execute_as = \"user\""),
				Check:  checks(expectSignedAs(jira, "jenkins", key, "", "user")),
			},
		},
	})
}

// Bad input fails with a message that says what is wrong, at plan time
// where the value is known then.
func TestAccOAuthConsumerResource_validation(t *testing.T) {
	jira := startEmulator(t, emulator.Options{}, "jira=jira").Instance("jira")
	linkID := createLinkOutOfBand(t, jira, genericType, "https://ci.example.com")
	jiraLinkID := createLinkOutOfBand(t, jira, "confluence", "http://wiki.example.com")
	key := testConsumerKey(t, 0)
	bare := publicKeyBase64(t, key)
	der, err := x509.MarshalPKCS8PrivateKey(key)
	mustNotFail(t, err)
	privatePEM := string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	incoming := func(publicKey, extra string) string {
		return testAccOAuthConsumerResourceConfig_incoming(jira.URL(), linkID, publicKey, extra)
	}
	outgoing := func(link, extra string) string {
		return strings.ReplaceAll(testAccOAuthConsumerResourceConfig_outgoing(jira.URL(), link, `shared_secret = "s"`, extra),
			`"out"`, `"ci"`)
	}
	planFails := func(config, pattern string) tfresource.TestStep {
		return tfresource.TestStep{Config: config, PlanOnly: true, ExpectError: regexp.MustCompile(pattern)}
	}

	tfresource.ParallelTest(t, tfresource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checks(expectConsumers(jira, linkID)),
		Steps: []tfresource.TestStep{
			planFails(incoming("not a key", ""), `Invalid RSA Public Key(?s:.*)public_key does not parse`),
			planFails(incoming(privatePEM, ""), `Private Key Given as Public Key(?s:.*)the value is not shown`),
			planFails(strings.Replace(incoming(bare, ""), `"jenkins"`, `""`, 1), `consumer_key must not be empty or blank`),
			planFails(incoming(bare, `callback_url = "ci.example.com/cb"`), `Invalid URL(?s:.*)is not absolute`),
			planFails(incoming(bare, "impersonation_allowed = true"), `Impersonation Needs Two-Legged OAuth`),
			planFails(incoming(bare, `shared_secret = "s"`), `Attribute Not Used by Incoming Consumers`),
			planFails(strings.Replace(incoming(bare, ""), "public_key", "# public_key", 1), `Missing Public Key`),
			planFails(strings.Replace(outgoing(linkID, ""), `"/oauth/authorize"`, `"oauth/authorize"`, 1), `Invalid URL`),
			planFails(strings.Replace(outgoing(linkID, ""), `shared_secret = "s"`, "", 1), `Missing Shared Secret`),
			{
				Config:        incoming(bare, ""),
				ResourceName:  consumerAddr,
				ImportState:   true,
				ImportStateId: linkID + "/sideways",
				ExpectError:   regexp.MustCompile(`Invalid OAuth Consumer Import ID(?s:.*)<application_link_id>/<direction>`),
			},
			{
				Config:      outgoing(jiraLinkID, ""),
				ExpectError: regexp.MustCompile(`Outgoing Consumer Needs a Generic Link`),
			},
			{
				Config:      testAccOAuthConsumerResourceConfig_incoming(jira.URL(), "00000000-0000-4000-8000-000000000000", bare, ""),
				ExpectError: regexp.MustCompile(`Application Link Not Found`),
			},
		},
	})
}

// An instance that accepts a consumer but stores something else (here it
// answers the update without storing it, keeping the previous consumer)
// fails the apply with the differences, attribute by attribute, rather than
// recording what the instance holds as if it were the configuration. The
// state keeps the previous values, so the next apply tries again.
func TestAccOAuthConsumerResource_notStoredAsConfigured(t *testing.T) {
	jira := faultInstance(t, emulator.Options{}, "jira=jira").Instance("jira")
	run := newFaultRun(t)
	linkID := createLinkOutOfBand(t, jira, genericType, "https://ci.example.com")
	publicKey := publicKeyBase64(t, testConsumerKey(t, 0))
	config := func(description string) string {
		return testAccOAuthConsumerResourceConfig_incoming(jira.URL(), linkID, publicKey, fmt.Sprintf("description = %q", description))
	}
	expectDescription := func(want string) func() error {
		return func() error {
			auth, err := emulatorAuthentication(jira, linkID)
			if err != nil {
				return err
			}
			if len(auth.Consumers) != 1 || auth.Consumers[0].Description != want {
				return fmt.Errorf("link %s holds the consumers %+v, want one described %q", linkID, auth.Consumers, want)
			}
			return nil
		}
	}

	tfresource.ParallelTest(t, tfresource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []tfresource.TestStep{
			{Config: config("Builds"), Check: checks(expectDescription("Builds"))},
			{
				PreConfig: func() {
					run.inject(jira, faultSpec{Method: http.MethodPut, PathPrefix: pathConsumers + linkID + "/authentication/consumer",
						Status: http.StatusNoContent})
				},
				Config: config("Builds and deploys"),
				ExpectError: diagPattern("OAuth Consumer Not Stored as Configured",
					"The instance stored the consumer with `description` = \"Builds\" instead of \"Builds and deploys\"",
					"configure them in the link's settings instead, or change the configuration to match"),
			},
			{
				PreConfig: func() {
					mustNotFail(t, run.consumed())
					mustNotFail(t, expectDescription("Builds")())
				},
				Config: config("Builds and deploys"),
				ConfigPlanChecks: tfresource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(consumerAddr, plancheck.ResourceActionUpdate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(consumerAddr, tfjsonpath.New("description"), knownvalue.StringExact("Builds and deploys")),
				},
				Check: checks(expectDescription("Builds and deploys")),
			},
		},
	})
}

// Two incoming consumers of one link in one configuration, applied in
// parallel: the check that the direction is free and the write that claims
// it run under the link's lock, so the second is refused instead of quietly
// replacing the first, and the link keeps exactly one consumer. The latency
// on the consumer PUT keeps the first claim in progress while the second
// checks.
func TestAccOAuthConsumerResource_twoClaimsOnOneDirection(t *testing.T) {
	jira := faultInstance(t, emulator.Options{}, "jira=jira").Instance("jira")
	run := newFaultRun(t)
	linkID := createLinkOutOfBand(t, jira, genericType, "https://ci.example.com")
	config := testAccProviderConfig(jira.URL())
	for i, key := range []string{"jenkins", "bamboo"} {
		config += fmt.Sprintf(`
resource "applinks_oauth_consumer" %[1]q {
  application_link_id = %[2]q
  direction           = "incoming"
  consumer_key        = %[1]q
  name                = %[1]q
  public_key          = %[3]q
}
`, key, linkID, publicKeyBase64(t, testConsumerKey(t, i)))
	}
	oneConsumer := func() error {
		auth, err := emulatorAuthentication(jira, linkID)
		if err != nil {
			return err
		}
		if len(auth.Consumers) != 1 {
			return fmt.Errorf("link %s holds the consumers %+v, want exactly one", linkID, auth.Consumers)
		}
		return nil
	}

	tfresource.ParallelTest(t, tfresource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checks(expectConsumers(jira, linkID)),
		Steps: []tfresource.TestStep{
			{
				PreConfig: func() {
					run.inject(jira, faultSpec{Method: http.MethodPut, PathPrefix: pathConsumers + linkID + "/authentication/consumer",
						LatencyMS: 500, Count: 2})
				},
				Config:      config,
				ExpectError: diagPattern("OAuth Consumer Already Exists", "already has an incoming consumer"),
			},
			{
				PreConfig: func() { mustNotFail(t, oneConsumer()) },
				Config:    testAccProviderConfig(jira.URL()),
			},
		},
	})
}

// The products keep one incoming consumer per key for the whole instance and
// let a second link's consumer replace the first's without a word (design/api.md
// §6.1). So a consumer_key that another link holds is refused: one held since
// before the run (another workspace's), and one claimed by another resource
// of the same apply. The other link's consumer stays as it was.
func TestAccOAuthConsumerResource_duplicateConsumerKey(t *testing.T) {
	jira := startEmulator(t, emulator.Options{}, "jira=jira").Instance("jira")
	held := createLinkOutOfBand(t, jira, genericType, "https://ci.example.com")
	first := createLinkOutOfBand(t, jira, genericType, "https://builds.example.com")
	second := createLinkOutOfBand(t, jira, genericType, "https://deploy.example.com")
	key := testConsumerKey(t, 0)
	_, err := emulatorCall(jira, http.MethodPut, "/rest/applinks-oauth/1.0/applicationlink/"+held+"/authentication/consumer",
		map[string]any{"key": "jenkins", "name": "Jenkins", "publicKey": publicKeyBase64(t, key), "twoLOAllowed": true, "executingTwoLOUser": "user"}, nil)
	mustNotFail(t, err)
	consumer := func(name, linkID, consumerKey string) string {
		return fmt.Sprintf(`
resource "applinks_oauth_consumer" %[1]q {
  application_link_id = %[2]q
  direction           = "incoming"
  consumer_key        = %[3]q
  name                = %[1]q
  public_key          = %[4]q
  two_legged_allowed  = true
  execute_as          = "manager"
}
`, name, linkID, consumerKey, publicKeyBase64(t, testConsumerKey(t, 1)))
	}
	// Exactly one of the two links claiming "builds" holds it.
	oneOfTwo := func() error {
		var holders []string
		for _, id := range []string{first, second} {
			auth, err := emulatorAuthentication(jira, id)
			if err != nil {
				return err
			}
			for _, c := range auth.Consumers {
				holders = append(holders, id+"/"+c.Key)
			}
		}
		if len(holders) != 1 || !strings.HasSuffix(holders[0], "/builds") {
			return fmt.Errorf("links hold %v, want one of them to hold builds", holders)
		}
		return nil
	}
	heldUntouched := checks(expectConsumers(jira, held, "jenkins"), expectSignedAs(jira, "jenkins", key, "", "user"))

	tfresource.ParallelTest(t, tfresource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checks(expectConsumers(jira, first), expectConsumers(jira, second), expectConsumers(jira, held, "jenkins")),
		Steps: []tfresource.TestStep{
			{
				Config:      testAccProviderConfig(jira.URL()) + consumer("other", first, "jenkins"),
				ExpectError: regexp.MustCompile(`(?s)Consumer Key Already Used.*"jenkins".*is already the incoming consumer`),
			},
			{
				PreConfig:   func() { mustNotFail(t, heldUntouched(nil)); mustNotFail(t, expectConsumers(jira, first)()) },
				Config:      testAccProviderConfig(jira.URL()) + consumer("a", first, "builds") + consumer("b", second, "builds"),
				ExpectError: regexp.MustCompile(`(?s)Consumer Key Already Used.*in this same apply`),
			},
			{
				PreConfig: func() { mustNotFail(t, oneOfTwo()); mustNotFail(t, heldUntouched(nil)) },
				Config:    testAccProviderConfig(jira.URL()),
			},
		},
	})
}
