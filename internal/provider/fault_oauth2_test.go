package provider

import (
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"testing"

	tfresource "github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/applinks-iac/terraform-provider-applinks/internal/emulator"
)

// The fault suite for the OAuth 2.0 resources (issue #13): an incoming
// client and an outgoing link are created, updated, rotated and destroyed
// while the instance fails. Their creates and the secret reset are POSTs
// (and a PUT) without an idempotency key, so a lost answer is settled by
// the name (internal/client/oauth2_creates.go): after every scenario the
// instance holds exactly the configured objects, each once, and the
// client secret in the state is the one the instance holds.

const (
	pathOAuth2Clients = "/rest/oauth2/latest/client"
	pathOAuth2Reset   = "/rest/oauth2/latest/client/reset/"
	pathOAuth2Configs = "/rest/oauth2-client/latest/config"
)

// oauth2FaultConfig is an incoming client for a CI server and an outgoing
// link to Google, on one Jira.
type oauth2FaultConfig struct {
	url           string
	maxRetries    int
	renamed       bool // every attribute that updates in place changes
	secretVersion int  // bumping it rotates the client secret
	destroyed     bool // the provider block alone
	// only, when set, keeps one resource: "client" or "outgoing".
	only string
}

func (c oauth2FaultConfig) suffix() string {
	if c.renamed {
		return " (renamed)"
	}
	return ""
}

func (c oauth2FaultConfig) String() string {
	config := fmt.Sprintf(`
provider "applinks" {
  url         = %q
  username    = "admin"
  password    = "admin"
  max_retries = %d
}
`, c.url, c.maxRetries)
	if c.destroyed {
		return config
	}
	scope, scopes := "READ", `["https://mail.google.com/"]`
	if c.renamed {
		scope, scopes = "WRITE", `["https://mail.google.com/", "email"]`
	}
	incoming := fmt.Sprintf(`
resource "applinks_oauth2_client" "ci" {
  name           = %[1]q
  redirect_urls  = [%[2]q]
  scope          = %[3]q
  secret_version = %[4]d
}
`, "CI server"+c.suffix(), ciRedirect, scope, c.secretVersion)
	outgoing := fmt.Sprintf(`
resource "applinks_oauth2_outgoing_link" "mail" {
  name                     = %[1]q
  provider_type            = "google"
  client_id                = "mail-client"
  client_secret_wo         = "mail-secret-Jq81"
  client_secret_wo_version = 1
  authorization_endpoint   = "https://accounts.google.com/o/oauth2/v2/auth"
  token_endpoint           = "https://oauth2.googleapis.com/token"
  scopes                   = %[2]s
}
`, "Mail"+c.suffix(), scopes)
	switch c.only {
	case "client":
		return config + incoming
	case "outgoing":
		return config + outgoing
	}
	return config + incoming + outgoing
}

// holding is what the configuration puts on the instance: client and
// outgoing link names.
func (c oauth2FaultConfig) holding() oauth2Holding {
	if c.destroyed {
		return oauth2Holding{}
	}
	return oauth2Holding{clients: []string{"CI server" + c.suffix()}, configs: []string{"Mail" + c.suffix()}}
}

type oauth2Holding struct{ clients, configs []string }

type emulatedOAuth2Config struct {
	ID, Name string
}

func emulatorOAuth2Configs(inst *emulator.Instance) ([]emulatedOAuth2Config, error) {
	var configs []emulatedOAuth2Config
	_, err := emulatorCall(inst, http.MethodGet, pathOAuth2Configs, nil, &configs)
	return configs, err
}

// expectOAuth2Holding fails unless the instance holds exactly want, and
// keeps the last census for the report.
func expectOAuth2Holding(inst *emulator.Instance, want oauth2Holding, last *census) func() error {
	return func() error {
		clients, err := emulatorOAuth2Clients(inst)
		if err != nil {
			return err
		}
		configs, err := emulatorOAuth2Configs(inst)
		if err != nil {
			return err
		}
		var c census
		var names []string
		for _, client := range clients {
			names = append(names, client.Name)
		}
		c.compare("OAuth 2.0 client", names, want.clients)
		names = nil
		for _, config := range configs {
			names = append(names, config.Name)
		}
		c.compare("OAuth 2.0 outgoing link", names, want.configs)
		sort.Strings(c.problems)
		*last = c
		if len(c.problems) > 0 {
			return fmt.Errorf("instance %s does not hold what the configuration says: %s", inst.Name(), strings.Join(c.problems, "; "))
		}
		return nil
	}
}

// expectStateSecretIsTheInstances checks that the client secret in the
// state is the one the instance holds: a reset that was lost and repeated,
// or adopted without its secret, would leave a secret that no longer works.
func expectStateSecretIsTheInstances(inst *emulator.Instance) tfresource.TestCheckFunc {
	return func(s *terraform.State) error {
		rs, ok := s.RootModule().Resources["applinks_oauth2_client.ci"]
		if !ok {
			return fmt.Errorf("applinks_oauth2_client.ci is not in the state")
		}
		clients, err := emulatorOAuth2Clients(inst)
		if err != nil {
			return err
		}
		for _, c := range clients {
			if c.ID == rs.Primary.ID {
				if c.ClientSecret != rs.Primary.Attributes["client_secret"] {
					return fmt.Errorf("the state's client secret is not the one instance %s holds", inst.Name())
				}
				return nil
			}
		}
		return fmt.Errorf("instance %s has no client %s", inst.Name(), rs.Primary.ID)
	}
}

// oauth2ClientID reads the id of the instance's only client, for a fault
// aimed at its path.
func oauth2ClientID(t *testing.T, inst *emulator.Instance) string {
	t.Helper()
	clients, err := emulatorOAuth2Clients(inst)
	mustNotFail(t, err)
	if len(clients) != 1 {
		t.Fatalf("instance %s holds %d OAuth 2.0 clients, want 1", inst.Name(), len(clients))
	}
	return clients[0].ID
}

// oauth2FaultScenario runs the lifecycle create → update and rotate →
// destroy with the faults at each step, and reports the figures.
type oauth2FaultScenario struct {
	maxRetries int
	create     []faultSpec
	// update gets the client's id, to aim at its PUT apart from the reset.
	update  func(clientID string) []faultSpec
	destroy []faultSpec
	// reaching counts, after each step, how often a call must have reached
	// the instance since the step began.
	reaching map[int][]reach
}

type reach struct {
	method, path string
	want         int
}

func testOAuth2Faults(t *testing.T, s oauth2FaultScenario) {
	jira := faultInstance(t, emulator.Options{}, "jira=jira").Instance("jira")
	run := newFaultRun(t)
	created := oauth2FaultConfig{url: jira.URL(), maxRetries: s.maxRetries}
	updated := created
	updated.renamed, updated.secretVersion = true, 1
	gone := created
	gone.destroyed = true
	var last census
	var before requestLog
	reached := func(step int) []func() error {
		var fns []func() error
		for _, r := range s.reaching[step] {
			fns = append(fns, expectReachedSince(jira, &before, r.method, r.path, r.want))
		}
		return fns
	}
	preConfig := func(faults func() []faultSpec) func() {
		return func() {
			var err error
			before, err = emulatorRequests(jira)
			mustNotFail(t, err)
			if f := faults(); len(f) > 0 {
				run.inject(jira, f...)
			}
		}
	}

	tfresource.ParallelTest(t, tfresource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checks(expectOAuth2Holding(jira, oauth2Holding{}, &last)),
		Steps: []tfresource.TestStep{
			{
				PreConfig: preConfig(func() []faultSpec { return s.create }),
				Config:    created.String(),
				Check: tfresource.ComposeTestCheckFunc(
					checks(append([]func() error{run.consumed, expectOAuth2Holding(jira, created.holding(), &last)}, reached(0)...)...),
					expectStateSecretIsTheInstances(jira)),
			},
			{
				PreConfig: preConfig(func() []faultSpec { return s.update(oauth2ClientID(t, jira)) }),
				Config:    updated.String(),
				Check: tfresource.ComposeTestCheckFunc(
					checks(append([]func() error{run.consumed, expectOAuth2Holding(jira, updated.holding(), &last)}, reached(1)...)...),
					expectStateSecretIsTheInstances(jira)),
			},
			{
				PreConfig: preConfig(func() []faultSpec { return s.destroy }),
				Config:    gone.String(),
				Check:     checks(append([]func() error{run.consumed, expectOAuth2Holding(jira, gone.holding(), &last)}, reached(2)...)...),
			},
		},
	})
	reportFigure(t, "faults_injected", run.injected, "requests", run.requests(jira),
		"duplicates", last.duplicates, "orphans", last.orphans, "lost", last.lost)
}

// Bursts of 503 and 502 on every call of the lifecycle. Reads, updates and
// deletes are repeated; a create or a reset met by a gateway error is
// looked up first (nothing made, the secret unchanged) and then made again,
// so each reaches the instance once per error plus once.
func TestAccFault_OAuth2ServerErrorBursts(t *testing.T) {
	burst := func(method, path string, status int) faultSpec {
		return faultSpec{Method: method, PathPrefix: path, Count: 2, Status: status}
	}
	testOAuth2Faults(t, oauth2FaultScenario{
		maxRetries: 3,
		create: []faultSpec{
			burst(http.MethodGet, pathOAuth2Clients, http.StatusServiceUnavailable),
			burst(http.MethodPost, pathOAuth2Clients, http.StatusBadGateway),
			burst(http.MethodGet, pathOAuth2Configs+"/name/", http.StatusServiceUnavailable),
			burst(http.MethodPost, pathOAuth2Configs, http.StatusBadGateway),
		},
		update: func(clientID string) []faultSpec {
			return []faultSpec{
				burst(http.MethodPut, pathOAuth2Clients+"/"+clientID, http.StatusServiceUnavailable),
				burst(http.MethodPut, pathOAuth2Reset, http.StatusBadGateway),
				burst(http.MethodPut, pathOAuth2Configs+"/", http.StatusBadGateway),
			}
		},
		destroy: []faultSpec{
			burst(http.MethodDelete, pathOAuth2Clients+"/", http.StatusServiceUnavailable),
			burst(http.MethodDelete, pathOAuth2Configs+"/", http.StatusBadGateway),
		},
		reaching: map[int][]reach{
			0: {{http.MethodPost, pathOAuth2Clients, 3}, {http.MethodPost, pathOAuth2Configs, 3}},
		},
	})
}

// Connections dropped before any answer, on creates, on the reset, on
// reads and on deletes. Go's Transport repeats a dropped GET once by
// itself on a reused connection, so the read faults come in twos.
func TestAccFault_OAuth2DroppedConnection(t *testing.T) {
	drop := func(method, path string, count int) faultSpec {
		return faultSpec{Method: method, PathPrefix: path, Count: count, DropConnection: true}
	}
	testOAuth2Faults(t, oauth2FaultScenario{
		maxRetries: 2,
		create: []faultSpec{
			drop(http.MethodPost, pathOAuth2Clients, 1),
			drop(http.MethodPost, pathOAuth2Configs, 1),
		},
		update: func(clientID string) []faultSpec {
			return []faultSpec{
				drop(http.MethodGet, pathOAuth2Clients+"/"+clientID, 2),
				drop(http.MethodPut, pathOAuth2Reset, 1),
				drop(http.MethodGet, pathOAuth2Configs+"/", 2),
			}
		},
		destroy: []faultSpec{
			drop(http.MethodDelete, pathOAuth2Clients+"/", 1),
			drop(http.MethodDelete, pathOAuth2Configs+"/", 1),
		},
	})
}

// The instance acts on each call but the answer is lost (drop_response).
// The creates are found by their name and adopted, the reset by the new
// secret the client holds: each reaches the instance exactly once, and the
// state holds the secret that works. The update and the deletes are simply
// repeated (a repeated delete meets 404, which is success).
func TestAccFault_OAuth2LostAnswers(t *testing.T) {
	lose := func(method, path string) faultSpec {
		return faultSpec{Method: method, PathPrefix: path, Count: 1, DropResponse: true}
	}
	testOAuth2Faults(t, oauth2FaultScenario{
		maxRetries: 2,
		create: []faultSpec{
			lose(http.MethodPost, pathOAuth2Clients),
			lose(http.MethodPost, pathOAuth2Configs),
		},
		update: func(clientID string) []faultSpec {
			return []faultSpec{
				lose(http.MethodPut, pathOAuth2Clients+"/"+clientID),
				lose(http.MethodPut, pathOAuth2Reset),
				lose(http.MethodPut, pathOAuth2Configs+"/"),
			}
		},
		destroy: []faultSpec{
			lose(http.MethodDelete, pathOAuth2Clients+"/"),
			lose(http.MethodDelete, pathOAuth2Configs+"/"),
		},
		reaching: map[int][]reach{
			0: {{http.MethodPost, pathOAuth2Clients, 1}, {http.MethodPost, pathOAuth2Configs, 1}},
		},
	})
}

// A lost answer never adopts what may be someone else's. The instance
// holds, under the configured names, a client and an outgoing link made
// outside this configuration: once from before the apply (the create is
// refused as a duplicate and that answer is lost), once made by another
// workspace between the provider's name check and its create (the check is
// answered with an empty listing). Each time the apply fails naming the
// object and the import, the other object is untouched, and nothing is
// created or deleted.
func TestAccFault_OAuth2LostAnswerNeverAdoptsOthers(t *testing.T) {
	jira := faultInstance(t, emulator.Options{}, "jira=jira").Instance("jira")
	run := newFaultRun(t)
	cfg := oauth2FaultConfig{url: jira.URL(), maxRetries: 1}
	theirs := oauth2Holding{clients: []string{"CI server"}, configs: []string{"Mail"}}
	var last census
	theirClient, theirConfig := makeTheirOAuth2Objects(t, jira)
	untouched := func() error {
		if err := expectOAuth2Holding(jira, theirs, &last)(); err != nil {
			return err
		}
		clients, err := emulatorOAuth2Clients(jira)
		if err != nil {
			return err
		}
		configs, err := emulatorOAuth2Configs(jira)
		if err != nil {
			return err
		}
		if clients[0].ID != theirClient || configs[0].ID != theirConfig {
			return fmt.Errorf("the other workspace's objects were replaced")
		}
		if strings.Join(clients[0].Redirects, ",") != "https://theirs.example.com/cb" {
			return fmt.Errorf("the other workspace's client was changed: %+v", clients[0])
		}
		return nil
	}
	lose := func(method, path string) faultSpec {
		return faultSpec{Method: method, PathPrefix: path, Count: 1, DropResponse: true}
	}
	clientOnly, outgoingOnly := cfg, cfg
	clientOnly.only, outgoingOnly.only = "client", "outgoing"
	// The name checks see nothing, as if the other workspace's create came
	// right after them.
	emptyListing := func(path, body string, status int) func() {
		return func() {
			injectEmulatorFault(t, jira, map[string]any{"method": "GET", "path_prefix": path, "count": 1,
				"status": status, "content_type": "application/json", "body": body})
		}
	}

	tfresource.ParallelTest(t, tfresource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []tfresource.TestStep{
			{
				PreConfig:   func() { run.inject(jira, lose(http.MethodPost, pathOAuth2Clients)) },
				Config:      clientOnly.String(),
				ExpectError: regexp.MustCompile(`(?s)Error Creating OAuth 2.0 Client.*cannot\s+be\s+shown\s+to\s+have\s+made.*already\s+existed\s+before.*neither\s+adopted\s+nor\s+deleted`),
			},
			{
				PreConfig: func() {
					mustNotFail(t, run.consumed())
					mustNotFail(t, untouched())
					emptyListing(pathOAuth2Clients, "[]", http.StatusOK)()
					run.inject(jira, lose(http.MethodPost, pathOAuth2Clients))
				},
				Config:      clientOnly.String(),
				ExpectError: regexp.MustCompile(`(?s)Error Creating OAuth 2.0 Client.*cannot\s+be\s+shown\s+to\s+have\s+made.*https://theirs\.example\.com/cb.*terraform\s+import`),
			},
			{
				PreConfig: func() {
					mustNotFail(t, run.consumed())
					mustNotFail(t, untouched())
					emptyListing(pathOAuth2Configs+"/name/", `{"status":404,"message":"not found"}`, http.StatusNotFound)()
					run.inject(jira, lose(http.MethodPost, pathOAuth2Configs))
				},
				Config:      outgoingOnly.String(),
				ExpectError: regexp.MustCompile(`(?s)Error Creating OAuth 2.0 Outgoing Link.*cannot\s+be\s+shown\s+to\s+have\s+made.*redirect\s+URI\s+suffix.*terraform\s+import`),
			},
		},
	})
	mustNotFail(t, run.consumed())
	mustNotFail(t, untouched())
	reportFigure(t, "faults_injected", run.injected, "requests", run.requests(jira),
		"duplicates", last.duplicates, "orphans", last.orphans, "lost", last.lost, "adopted_others", 0)
}

// makeTheirOAuth2Objects makes, as another workspace would, a client named
// "CI server" and an outgoing link named "Mail", and returns their ids.
func makeTheirOAuth2Objects(t *testing.T, inst *emulator.Instance) (clientID, configID string) {
	t.Helper()
	var client struct{ ID string }
	_, err := emulatorCall(inst, http.MethodPost, pathOAuth2Clients,
		map[string]any{"name": "CI server", "redirects": []string{"https://theirs.example.com/cb"}, "scope": "READ"}, &client)
	mustNotFail(t, err)
	var config struct{ ID string }
	_, err = emulatorCall(inst, http.MethodPost, pathOAuth2Configs, map[string]any{"name": "Mail", "type": "GOOGLE",
		"clientId": "their-client", "clientSecret": "their-secret",
		"authorizationEndpoint": "https://accounts.google.com/o/oauth2/v2/auth", "tokenEndpoint": "https://oauth2.googleapis.com/token"}, &config)
	mustNotFail(t, err)
	return client.ID, config.ID
}
