package provider

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"maps"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/applinks-iac/terraform-provider-applinks/internal/client"
	"github.com/applinks-iac/terraform-provider-applinks/internal/emulator"
)

const statusAddr = "data.applinks_application_link_status.wiki"

// ---- The diagnosis on its own ----

func TestDiagnoseLink(t *testing.T) {
	const (
		linkID  = "b3c1a6e2-0000-4000-8000-000000000001"
		otherID = "c4d2b7f3-0000-4000-8000-000000000002"
		rpc     = "http://wiki:8090"
		display = "https://wiki.example.com"
	)
	link := client.StatusLink{ID: linkID, Name: "Wiki", TypeID: "confluence", RPCURL: rpc, DisplayURL: display}
	working := &client.LinkStatus{Link: link, Working: true, RemoteAuthentication: &client.OAuthStatus{}}
	refused := &client.LinkStatus{Link: link, Error: &client.LinkError{Category: "NETWORK_ERROR", Type: "CONNECTION_REFUSED",
		Details: "java.net.ConnectException: Connection refused"}}
	manifestAt := func(id, url string) *client.Manifest {
		return &client.Manifest{ID: id, TypeID: "confluence", ApplinksVersion: "9.1.4", URL: url}
	}
	placeholder := &client.Manifest{ID: client.ApplicationIDForURL(rpc), TypeID: "confluence", URL: rpc}
	tests := []struct {
		name string
		obs  linkObservations
		want linkDiagnosis
	}{
		{
			name: "working, base URL is the display URL",
			obs:  linkObservations{status: working, state: client.LinkStateOK, manifest: manifestAt(linkID, display+"/")},
			want: linkDiagnosis{working: true, reachable: true, remoteServerID: linkID, remoteBaseURL: display + "/",
				summary: `Application link "Wiki" to http://wiki:8090 is working.`},
		},
		{
			name: "working, but the application reports another base URL",
			obs:  linkObservations{status: working, state: client.LinkStateOK, manifest: manifestAt(linkID, "https://docs.example.com")},
			want: linkDiagnosis{working: true, reachable: true, remoteServerID: linkID, remoteBaseURL: "https://docs.example.com",
				relocated: true, suggestedRPCURL: "https://docs.example.com",
				summary: `Application link "Wiki" to http://wiki:8090 is working. The application reports its base URL as ` +
					`https://docs.example.com: relocate the link (its rpc_url) there.`},
		},
		{
			name: "down, and down from where Terraform runs too",
			obs: linkObservations{status: refused, state: client.LinkStateOffline, manifest: placeholder,
				probed: true, probeErr: errors.New("GET http://wiki:8090/rest/applinks/1.0/manifest: dial tcp: lookup wiki: no such host")},
			want: linkDiagnosis{unreachableReason: "The instance cannot reach http://wiki:8090: CONNECTION_REFUSED " +
				"(java.net.ConnectException: Connection refused); it does not answer from where Terraform runs either: " +
				"GET http://wiki:8090/rest/applinks/1.0/manifest: dial tcp: lookup wiki: no such host.",
				summary: `Application link "Wiki" to http://wiki:8090 is broken: CONNECTION_REFUSED (NETWORK_ERROR): nothing ` +
					`listens at the link's URL: start the application, or relocate the link if it moved.`},
		},
		{
			name: "down for the instance only",
			obs: linkObservations{status: refused, state: client.LinkStateOffline, manifest: placeholder,
				probed: true, probe: manifestAt(linkID, display)},
			want: linkDiagnosis{unreachableReason: "The instance cannot reach http://wiki:8090: CONNECTION_REFUSED " +
				"(java.net.ConnectException: Connection refused); from where Terraform runs it answers with the link's id, " +
				"so the instance's network, DNS or trusted certificates are what differ.",
				summary: `Application link "Wiki" to http://wiki:8090 is broken: CONNECTION_REFUSED (NETWORK_ERROR): nothing ` +
					`listens at the link's URL: start the application, or relocate the link if it moved.`},
		},
		{
			name: "moved to the expected URL",
			obs: linkObservations{status: refused, state: client.LinkStateOffline, manifest: placeholder,
				expectedURL: "http://wiki-new:8090/", expected: manifestAt(linkID, "http://wiki-new:8090"),
				probed: true, probeErr: errors.New("refused")},
			want: linkDiagnosis{relocated: true, suggestedRPCURL: "http://wiki-new:8090",
				unreachableReason: "The instance cannot reach http://wiki:8090: CONNECTION_REFUSED (java.net.ConnectException: " +
					"Connection refused); it does not answer from where Terraform runs either: refused.",
				summary: `Application link "Wiki" to http://wiki:8090 is broken: CONNECTION_REFUSED (NETWORK_ERROR): nothing ` +
					`listens at the link's URL: start the application, or relocate the link if it moved. The application now ` +
					`answers at http://wiki-new:8090: change the link's rpc_url to it.`},
		},
		{
			name: "another application at the expected URL",
			obs: linkObservations{status: working, state: client.LinkStateOK, manifest: manifestAt(linkID, display),
				expectedURL: "http://other:8090", expected: manifestAt(otherID, "http://other:8090")},
			want: linkDiagnosis{working: true, reachable: true, remoteServerID: linkID, remoteBaseURL: display,
				summary: `Application link "Wiki" to http://wiki:8090 is working. Another application (server id ` + otherID +
					`) answers at expected_url http://other:8090.`},
		},
		{
			name: "nothing at the expected URL",
			obs: linkObservations{status: working, state: client.LinkStateOK, manifest: manifestAt(linkID, display),
				expectedURL: "http://wiki-new:8090", expectedErr: errors.New("refused")},
			want: linkDiagnosis{working: true, reachable: true, remoteServerID: linkID, remoteBaseURL: display,
				summary: `Application link "Wiki" to http://wiki:8090 is working. Nothing answers with a manifest at ` +
					`expected_url http://wiki-new:8090.`},
		},
		{
			name: "another application at the link's URL",
			obs: linkObservations{status: &client.LinkStatus{Link: link, Error: &client.LinkError{Category: "CONFIG_ERROR", Type: "NO_REMOTE_APPLINK"}},
				state: client.LinkStateUpgradedToUAL, manifest: manifestAt(otherID, rpc)},
			want: linkDiagnosis{reachable: true, remoteServerID: otherID, remoteBaseURL: rpc, idMismatch: true,
				summary: `Application link "Wiki" to http://wiki:8090 is broken: NO_REMOTE_APPLINK (CONFIG_ERROR): the ` +
					`application has no link back to this instance: create it on the peer. Another application (server id ` +
					otherID + `) answers at the link's URL.`},
		},
		{
			name: "an application of another type at the link's URL",
			obs:  linkObservations{status: working, state: client.LinkStateUpgraded, manifest: placeholder},
			want: linkDiagnosis{working: true, reachable: true, idMismatch: true,
				summary: `Application link "Wiki" to http://wiki:8090 is working. Another application answers at the link's URL.`},
		},
		{
			name: "a generic link is never mismatched",
			obs: linkObservations{status: &client.LinkStatus{Link: client.StatusLink{ID: linkID, Name: "CI", TypeID: "generic", RPCURL: "http://ci"},
				Error: &client.LinkError{Category: "NON_ATLASSIAN", Type: "GENERIC_LINK"}},
				state: client.LinkStateUpgraded, manifest: &client.Manifest{ID: otherID, TypeID: "generic", URL: "http://ci"}},
			want: linkDiagnosis{reachable: true,
				summary: `Application link "CI" to http://ci is broken: GENERIC_LINK (NON_ATLASSIAN): the products check only ` +
					`links between Atlassian applications.`},
		},
		{
			name: "OAuth both ways with Trusted Applications left",
			obs: linkObservations{status: &client.LinkStatus{Link: link, Error: &client.LinkError{Category: "DEPRECATED", Type: "MANUAL_LEGACY_REMOVAL"}},
				state: client.LinkStateOK, manifest: manifestAt(linkID, display)},
			want: linkDiagnosis{reachable: true, remoteServerID: linkID, remoteBaseURL: display,
				summary: `Application link "Wiki" to http://wiki:8090 has OAuth in both directions but still Trusted ` +
					`Applications or Basic authentication (MANUAL_LEGACY_REMOVAL, DEPRECATED): remove it by hand in the ` +
					`link's settings on both instances (Incoming and Outgoing Authentication); OAuth keeps the link working.`},
		},
		{
			name: "legacy authentication without OAuth",
			obs: linkObservations{status: &client.LinkStatus{Link: link, Error: &client.LinkError{Category: "DEPRECATED", Type: "MANUAL_LEGACY_UPDATE"}},
				state: client.LinkStateOK, manifest: manifestAt(linkID, display)},
			want: linkDiagnosis{reachable: true, remoteServerID: linkID, remoteBaseURL: display,
				summary: `Application link "Wiki" to http://wiki:8090 relies on Trusted Applications or Basic authentication ` +
					"(MANUAL_LEGACY_UPDATE, DEPRECATED): set `incoming` and `outgoing` to `oauth` on both instances' links, " +
					`then remove the legacy authentication in the link's settings.`},
		},
		{
			name: "offline for the online check only",
			obs: linkObservations{status: &client.LinkStatus{Link: link, Error: &client.LinkError{Category: "SYSTEM", Type: "SYSTEM_LINK"}},
				state: client.LinkStateOffline, probed: true, probeErr: errors.New("refused")},
			want: linkDiagnosis{unreachableReason: "The instance's request to http://wiki:8090 fails or is not answered with " +
				"HTTP 2xx (OFFLINE); it does not answer from where Terraform runs either: refused.",
				summary: `Application link "Wiki" to http://wiki:8090 is broken: SYSTEM_LINK (SYSTEM): the product manages ` +
					`system links itself.`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := diagnoseLink(tt.obs)
			if got != tt.want {
				t.Errorf("diagnosis\n got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

// ---- Acceptance tests ----

// createLinkOverHTTP creates a link over the v2 API, as a script or the
// admin pages would, outside Terraform.
func createLinkOverHTTP(t *testing.T, inst *emulator.Instance, id, typeID, name, rpcURL string) {
	t.Helper()
	_, err := emulatorCall(inst, http.MethodPut, "/rest/applinks/2.0/applicationlink", map[string]any{
		"id": id, "typeId": typeID, "name": name, "rpcUrl": rpcURL, "displayUrl": rpcURL,
	}, nil)
	mustNotFail(t, err)
}

func setLevelsOverHTTP(t *testing.T, inst *emulator.Instance, id string, incoming, outgoing emulatedOAuthDirection) {
	t.Helper()
	_, err := emulatorCall(inst, http.MethodPut, "/rest/applinks/3.0/status/"+id+"/oauth",
		emulatedOAuthStatus{Incoming: incoming, Outgoing: outgoing}, nil)
	mustNotFail(t, err)
}

// linkBothWaysOverHTTP links from to peer and back, with OAuth (3LO and
// 2LO) in both directions on both sides, as the products configure it.
func linkBothWaysOverHTTP(t *testing.T, from, peer *emulator.Instance) {
	t.Helper()
	createLinkOverHTTP(t, from, peer.ServerID(), peer.Type(), "Wiki", peer.URL())
	createLinkOverHTTP(t, peer, from.ServerID(), from.Type(), "Jira", from.URL())
	setLevelsOverHTTP(t, peer, from.ServerID(), oauth2LO, oauth2LO)
	setLevelsOverHTTP(t, from, peer.ServerID(), oauth2LO, oauth2LO)
}

// expectEmulatorStatus asks the instance itself, over HTTP, for the link's
// status: the data source must report what the product reports.
func expectEmulatorStatus(inst *emulator.Instance, id, wantType string) func() error {
	return func() error {
		var status struct {
			Working bool `json:"working"`
			Error   *struct {
				Type string `json:"type"`
			} `json:"error"`
		}
		if _, err := emulatorCall(inst, http.MethodGet, "/rest/applinks/3.0/status/"+id, nil, &status); err != nil {
			return err
		}
		got := ""
		if status.Error != nil {
			got = status.Error.Type
		}
		if got != wantType || status.Working != (wantType == "") {
			return fmt.Errorf("instance %s reports link %s as working=%t, error %q; want error %q", inst.Name(), id, status.Working, got, wantType)
		}
		return nil
	}
}

func expectEmulatorLinkState(inst *emulator.Instance, id, want string) func() error {
	return func() error {
		var state struct {
			AppLinkState string `json:"appLinkState"`
		}
		if _, err := emulatorCall(inst, http.MethodGet, "/rest/applinks/1.0/listApplicationlinkstates/id/"+id, nil, &state); err != nil {
			return err
		}
		if state.AppLinkState != want {
			return fmt.Errorf("instance %s: link %s state %s, want %s", inst.Name(), id, state.AppLinkState, want)
		}
		return nil
	}
}

// expectStatusValues checks attributes of one data source.
func expectStatusValues(addr string, values map[string]knownvalue.Check) []statecheck.StateCheck {
	var checks []statecheck.StateCheck
	for attribute, check := range values {
		checks = append(checks, statecheck.ExpectKnownValue(addr, tfjsonpath.New(attribute), check))
	}
	return checks
}

var knownNull = knownvalue.Null()

// workingValues are the attributes of a link that works, with OAuth on both
// sides, and has not moved.
func workingValues(peer *emulator.Instance) map[string]knownvalue.Check {
	const level = "oauth"
	return map[string]knownvalue.Check{
		"working":            knownvalue.Bool(true),
		"reachable":          knownvalue.Bool(true),
		"relocated":          knownvalue.Bool(false),
		"id_mismatch":        knownvalue.Bool(false),
		"error_category":     knownNull,
		"error_type":         knownNull,
		"error_details":      knownNull,
		"unreachable_reason": knownNull,
		"suggested_rpc_url":  knownNull,
		"local_incoming":     knownvalue.StringExact(level),
		"local_outgoing":     knownvalue.StringExact(level),
		"remote_incoming":    knownvalue.StringExact(level),
		"remote_outgoing":    knownvalue.StringExact(level),
		"remote_server_id":   knownvalue.StringExact(peer.ServerID()),
		"remote_base_url":    knownvalue.StringExact(peer.URL()),
	}
}

func TestAccApplicationLinkStatusDataSource_working(t *testing.T) {
	server := startEmulator(t, peersAllowed, "jira=jira", "wiki=confluence")
	jira, wiki := server.Instance("jira"), server.Instance("wiki")
	// The peer's link back, made by its administrator.
	createLinkOverHTTP(t, wiki, jira.ServerID(), "jira", "Jira", jira.URL())
	setLevelsOverHTTP(t, wiki, jira.ServerID(), oauth2LO, oauth2LO)
	config := testAccProviderConfig(jira.URL()) + fmt.Sprintf(`
resource "applinks_application_link" "wiki" {
  type    = "confluence"
  name    = "Wiki"
  rpc_url = %q
}

data "applinks_application_link_status" "wiki" {
  id = applinks_application_link.wiki.id
}

data "applinks_application_link_status" "by_name" {
  name = applinks_application_link.wiki.name
}

check "wiki_link" {
  assert {
    condition     = data.applinks_application_link_status.wiki.working && !data.applinks_application_link_status.wiki.relocated
    error_message = data.applinks_application_link_status.wiki.summary
  }
}
`, wiki.URL())
	values := workingValues(wiki)
	values["id"] = knownvalue.StringExact(wiki.ServerID())
	values["name"] = knownvalue.StringExact("Wiki")
	values["summary"] = knownvalue.StringExact(`Application link "Wiki" to ` + wiki.URL() + ` is working.`)
	byName := map[string]knownvalue.Check{"id": knownvalue.StringExact(wiki.ServerID()), "working": knownvalue.Bool(true)}
	sameSummary := statecheck.CompareValue(compare.ValuesSame())

	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigStateChecks: append(append(expectStatusValues(statusAddr, values),
					expectStatusValues("data.applinks_application_link_status.by_name", byName)...),
					sameSummary.AddStateValue(statusAddr, tfjsonpath.New("summary"))),
				Check: checks(expectEmulatorStatus(jira, wiki.ServerID(), "")),
			},
			{
				// Nothing changed: the plan is empty and the answer identical,
				// so a CI job that plans on every push stays quiet.
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectEmptyPlan(),
						checkBlockResult{address: "check.wiki_link", status: "pass"},
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{sameSummary.AddStateValue(statusAddr, tfjsonpath.New("summary"))},
			},
		},
	})
}

// The peer stops, then comes back on another port with the same data
// directory: the status reports the refused connection, then the move, and
// relocating the link in place makes it work again.
func TestAccApplicationLinkStatusDataSource_peerStoppedAndMoved(t *testing.T) {
	dataDir := t.TempDir()
	jira := startEmulator(t, peersAllowed, "jira=jira").Instance("jira")
	oldWiki, err := emulator.Start(emulator.Options{DataDir: dataDir}, emulator.InstanceConfig{Name: "wiki", Type: "confluence", Addr: "127.0.0.1:0"})
	mustNotFail(t, err)
	t.Cleanup(func() { _ = oldWiki.Close() })
	wiki := oldWiki.Instance("wiki")
	oldURL, wikiID := wiki.URL(), wiki.ServerID()
	createLinkOverHTTP(t, wiki, jira.ServerID(), "jira", "Jira", jira.URL())
	setLevelsOverHTTP(t, wiki, jira.ServerID(), oauth2LO, oauth2LO)
	movedAddr := freeAddr(t)
	newURL := "http://" + movedAddr
	sameID := statecheck.CompareValue(compare.ValuesSame())

	config := func(rpcURL, expectedURL string) string {
		expected := ""
		if expectedURL != "" {
			expected = fmt.Sprintf("expected_url = %q", expectedURL)
		}
		return testAccProviderConfig(jira.URL()) + fmt.Sprintf(`
resource "applinks_application_link" "wiki" {
  type    = "confluence"
  name    = "Wiki"
  rpc_url = %q
}

data "applinks_application_link_status" "wiki" {
  id = applinks_application_link.wiki.id
  %s
}
`, rpcURL, expected)
	}
	refused := map[string]knownvalue.Check{
		"working":            knownvalue.Bool(false),
		"reachable":          knownvalue.Bool(false),
		"error_category":     knownvalue.StringExact("NETWORK_ERROR"),
		"error_type":         knownvalue.StringExact("CONNECTION_REFUSED"),
		"error_details":      knownvalue.StringExact("java.net.ConnectException: Connection refused"),
		"unreachable_reason": knownvalue.StringRegexp(regexp.MustCompile(`CONNECTION_REFUSED.*does not answer from where Terraform runs either`)),
		"remote_incoming":    knownNull,
		"remote_outgoing":    knownNull,
		"remote_server_id":   knownNull,
		"remote_base_url":    knownNull,
		"local_incoming":     knownvalue.StringExact("oauth"),
		"id_mismatch":        knownvalue.Bool(false),
	}
	stopped := maps.Clone(refused)
	maps.Copy(stopped, map[string]knownvalue.Check{
		"relocated":         knownvalue.Bool(false),
		"suggested_rpc_url": knownNull,
		"summary":           knownvalue.StringRegexp(regexp.MustCompile(`^Application link "Wiki" to ` + regexp.QuoteMeta(oldURL) + ` is broken: CONNECTION_REFUSED \(NETWORK_ERROR\): nothing listens`)),
	})
	moved := maps.Clone(refused)
	maps.Copy(moved, map[string]knownvalue.Check{
		"relocated":         knownvalue.Bool(true),
		"suggested_rpc_url": knownvalue.StringExact(newURL),
		"summary":           knownvalue.StringRegexp(regexp.MustCompile(`The application now answers at ` + regexp.QuoteMeta(newURL) + `: change the link's rpc_url to it\.$`)),
	})
	relocated := workingValues(wiki)
	relocated["remote_base_url"] = knownvalue.StringExact(newURL)

	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: config(oldURL, ""),
				ConfigStateChecks: append(expectStatusValues(statusAddr, workingValues(wiki)),
					sameID.AddStateValue("applinks_application_link.wiki", tfjsonpath.New("id"))),
			},
			{
				PreConfig:         func() { mustNotFail(t, oldWiki.Close()) },
				Config:            config(oldURL, ""),
				ConfigStateChecks: expectStatusValues(statusAddr, stopped),
				Check:             checks(expectEmulatorStatus(jira, wikiID, "CONNECTION_REFUSED"), expectEmulatorLinkState(jira, wikiID, "OFFLINE")),
			},
			{
				// The peer moves: the same data directory on another port.
				PreConfig: func() {
					restarted, err := emulator.Start(emulator.Options{DataDir: dataDir},
						emulator.InstanceConfig{Name: "wiki", Type: "confluence", Addr: movedAddr})
					mustNotFail(t, err)
					t.Cleanup(func() { _ = restarted.Close() })
				},
				Config:            config(oldURL, newURL),
				ConfigStateChecks: expectStatusValues(statusAddr, moved),
			},
			{
				// Following the suggestion relocates the link in place.
				Config: config(newURL, newURL),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction("applinks_application_link.wiki", plancheck.ResourceActionUpdate)},
				},
				ConfigStateChecks: append(expectStatusValues(statusAddr, relocated),
					sameID.AddStateValue("applinks_application_link.wiki", tfjsonpath.New("id"))),
				Check: checks(
					expectEmulatorLinks(jira, emulatedLink{ID: wikiID, Name: "Wiki", RPCURL: newURL, Primary: true}),
					expectEmulatorStatus(jira, wikiID, ""),
				),
			},
		},
	})
}

// The peer's administrator changes its base URL: the link still works, but
// the peer now reports another address, which the status suggests.
func TestAccApplicationLinkStatusDataSource_baseURLChanged(t *testing.T) {
	server := startEmulator(t, emulator.Options{}, "jira=jira", "wiki=confluence")
	jira, wiki := server.Instance("jira"), server.Instance("wiki")
	listenURL := wiki.URL()
	linkBothWaysOverHTTP(t, jira, wiki)
	const newBase = "https://wiki.example.com"
	config := testAccProviderConfig(jira.URL()) + `
data "applinks_application_link_status" "wiki" {
  name = "Wiki"
}
`
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:            config,
				ConfigStateChecks: expectStatusValues(statusAddr, workingValues(wiki)),
			},
			{
				PreConfig: func() {
					_, err := emulatorCall(wiki, http.MethodPut, "/rest/api/2/settings/baseUrl", newBase, nil)
					mustNotFail(t, err)
				},
				Config: config,
				ConfigStateChecks: expectStatusValues(statusAddr, map[string]knownvalue.Check{
					"working":           knownvalue.Bool(true),
					"reachable":         knownvalue.Bool(true),
					"relocated":         knownvalue.Bool(true),
					"suggested_rpc_url": knownvalue.StringExact(newBase),
					"remote_base_url":   knownvalue.StringExact(newBase),
					"remote_server_id":  knownvalue.StringExact(wiki.ServerID()),
					"id_mismatch":       knownvalue.Bool(false),
					"summary": knownvalue.StringExact(`Application link "Wiki" to ` + listenURL + ` is working. The application ` +
						`reports its base URL as ` + newBase + `: relocate the link (its rpc_url) there.`),
				}),
				Check: checks(func() error {
					// The peer itself reports the new base URL.
					var manifest struct {
						URL string `json:"url"`
					}
					if _, err := emulatorCall(jira, http.MethodGet, "/rest/applinks/1.0/manifest/"+wiki.ServerID(), nil, &manifest); err != nil {
						return err
					}
					if manifest.URL != newBase {
						return fmt.Errorf("the peer's manifest reports %s, want %s", manifest.URL, newBase)
					}
					return nil
				}),
			},
		},
	})
}

// Another application now answers at the link's URL: the peer stopped and
// an unrelated instance took its port.
func TestAccApplicationLinkStatusDataSource_idMismatch(t *testing.T) {
	jira := startEmulator(t, emulator.Options{}, "jira=jira").Instance("jira")
	addr := freeAddr(t)
	first, err := emulator.Start(emulator.Options{}, emulator.InstanceConfig{Name: "wiki", Type: "confluence", Addr: addr})
	mustNotFail(t, err)
	t.Cleanup(func() { _ = first.Close() })
	wiki := first.Instance("wiki")
	wikiURL, wikiID := wiki.URL(), wiki.ServerID()
	linkBothWaysOverHTTP(t, jira, wiki)
	var impostorID string

	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				PreConfig: func() {
					mustNotFail(t, first.Close())
					impostor, err := emulator.Start(emulator.Options{}, emulator.InstanceConfig{Name: "other", Type: "confluence", Addr: addr})
					mustNotFail(t, err)
					t.Cleanup(func() { _ = impostor.Close() })
					impostorID = impostor.Instance("other").ServerID()
				},
				Config: testAccProviderConfig(jira.URL()) + fmt.Sprintf(`
data "applinks_application_link_status" "wiki" {
  id = %q
}
`, wikiID),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(statusAddr, tfjsonpath.New("id_mismatch"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(statusAddr, tfjsonpath.New("reachable"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(statusAddr, tfjsonpath.New("relocated"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(statusAddr, tfjsonpath.New("error_type"), knownvalue.StringExact("NO_REMOTE_APPLINK")),
					statecheck.ExpectKnownValue(statusAddr, tfjsonpath.New("remote_base_url"), knownvalue.StringExact(wikiURL)),
					statecheck.ExpectKnownValue(statusAddr, tfjsonpath.New("remote_server_id"), knownvalue.StringFunc(func(v string) error {
						if v != impostorID || v == wikiID {
							return fmt.Errorf("remote_server_id %s, want the new application's %s", v, impostorID)
						}
						return nil
					})),
					statecheck.ExpectKnownValue(statusAddr, tfjsonpath.New("summary"),
						knownvalue.StringRegexp(regexp.MustCompile(`Another application \(server id [0-9a-f-]{36}\) answers at the link's URL\.$`))),
				},
				Check: checks(expectEmulatorStatus(jira, wikiID, "NO_REMOTE_APPLINK"), expectEmulatorLinkState(jira, wikiID, "UPGRADED_TO_UAL")),
			},
		},
	})
}

// ---- Every other error type ----

// testCA signs certificates for TLS peers in tests; nothing trusts it by
// default.
type testCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	pool *x509.CertPool
}

func newTestCA(t *testing.T) *testCA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	mustNotFail(t, err)
	template := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Applinks Test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, KeyUsage: x509.KeyUsageCertSign, BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, template, template, &key.PublicKey, key)
	mustNotFail(t, err)
	cert, err := x509.ParseCertificate(der)
	mustNotFail(t, err)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &testCA{cert: cert, key: key, pool: pool}
}

// pem returns the CA's certificate as PEM, as ca_cert_pem takes it.
func (ca *testCA) pem() string {
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.cert.Raw}))
}

func (ca *testCA) issue(t *testing.T, dnsNames []string, ips []net.IP) *tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	mustNotFail(t, err)
	template := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: "peer"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames: dnsNames, IPAddresses: ips,
	}
	der, err := x509.CreateCertificate(rand.Reader, template, ca.cert, &key.PublicKey, ca.key)
	mustNotFail(t, err)
	return &tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// injectEmulatorFault makes the instance answer matching requests itself.
func injectEmulatorFault(t *testing.T, inst *emulator.Instance, fault map[string]any) {
	t.Helper()
	if _, err := emulatorCall(inst, http.MethodPost, "/_emulator/faults", fault, nil); err != nil {
		t.Fatalf("fault: %s", err)
	}
}

func TestAccApplicationLinkStatusDataSource_errors(t *testing.T) {
	trusted, untrusted := newTestCA(t), newTestCA(t)
	// jira trusts one test CA, as an instance given a private CA would.
	jira := startEmulator(t, emulator.Options{PeerRootCAs: trusted.pool}, "jira=jira").Instance("jira")
	peers := startEmulator(t, emulator.Options{Control: true}, "lonely=confluence", "unsupported=confluence",
		"mismatch=confluence", "disabled=confluence", "faulty=confluence", "garbled=confluence")
	loopbackIP := []net.IP{net.ParseIP("127.0.0.1")}
	tlsPeers, err := emulator.Start(emulator.Options{},
		emulator.InstanceConfig{Name: "selfsigned", Type: "confluence", Addr: "127.0.0.1:0", TLSCert: untrusted.issue(t, nil, loopbackIP)},
		emulator.InstanceConfig{Name: "misnamed", Type: "confluence", Addr: "127.0.0.1:0", TLSCert: trusted.issue(t, []string{"wiki.example.com"}, nil)},
	)
	mustNotFail(t, err)
	t.Cleanup(func() { _ = tlsPeers.Close() })
	peer := func(name string) *emulator.Instance {
		if inst := peers.Instance(name); inst != nil {
			return inst
		}
		return tlsPeers.Instance(name)
	}

	both := func(level emulatedOAuthDirection) emulatedOAuthStatus {
		return emulatedOAuthStatus{Incoming: level, Outgoing: level}
	}
	createLinkOverHTTP(t, jira, peer("lonely").ServerID(), "confluence", "lonely", peer("lonely").URL())
	for name, levels := range map[string][2]emulatedOAuthStatus{
		"unsupported": {both(oauth3LO), both(oauth3LO)},
		"mismatch":    {both(oauth2LO), {Incoming: oauth2LOi, Outgoing: oauth2LO}},
		"disabled":    {both(oauthOff), both(oauthOff)},
		"faulty":      {both(oauth2LO), both(oauth2LO)},
		"garbled":     {both(oauth2LO), both(oauth2LO)},
	} {
		p := peer(name)
		createLinkOverHTTP(t, jira, p.ServerID(), "confluence", name, p.URL())
		createLinkOverHTTP(t, p, jira.ServerID(), "jira", "Jira", jira.URL())
		setLevelsOverHTTP(t, p, jira.ServerID(), levels[1].Incoming, levels[1].Outgoing)
		setLevelsOverHTTP(t, jira, p.ServerID(), levels[0].Incoming, levels[0].Outgoing)
	}
	for _, name := range []string{"selfsigned", "misnamed"} {
		createLinkOverHTTP(t, jira, peer(name).ServerID(), "confluence", name, peer(name).URL())
	}
	createLinkOverHTTP(t, jira, "0c0c0c0c-0000-4000-8000-000000000001", "confluence", "nowhere", "http://applinks-peer.invalid")
	createLinkOverHTTP(t, jira, "", "generic", "generic", peer("lonely").URL())
	// The peers' own answers to the status API, not the network, go wrong.
	injectEmulatorFault(t, peer("faulty"), map[string]any{"path_prefix": "/rest/applinks/3.0/status/", "status": 503, "count": 1000})
	injectEmulatorFault(t, peer("garbled"), map[string]any{"path_prefix": "/rest/applinks/3.0/status/", "status": 200,
		"content_type": "text/html", "body": "<html><title>Log in</title></html>", "count": 1000})

	type want struct {
		category, errorType string
		reachable           bool
		extra               map[string]knownvalue.Check
	}
	network := func(errorType string, details *regexp.Regexp) want {
		extra := map[string]knownvalue.Check{"remote_incoming": knownNull, "remote_outgoing": knownNull, "error_details": knownNull,
			"unreachable_reason": knownvalue.StringRegexp(regexp.MustCompile(`^The instance cannot reach \S+: ` + errorType))}
		if details != nil {
			extra["error_details"] = knownvalue.StringRegexp(details)
		}
		return want{"NETWORK_ERROR", errorType, false, extra}
	}
	cases := map[string]want{
		"nowhere":    network("UNKNOWN_HOST", regexp.MustCompile(`^java\.net\.UnknownHostException: applinks-peer\.invalid$`)),
		"selfsigned": network("SSL_UNTRUSTED", regexp.MustCompile(`^javax\.net\.ssl\.SSLHandshakeException: PKIX path building failed`)),
		"misnamed":   network("SSL_HOSTNAME_UNMATCHED", regexp.MustCompile(`doesn't match any of the subject alternative names: \[wiki\.example\.com\]$`)),
		"faulty":     network("UNEXPECTED_RESPONSE_STATUS", regexp.MustCompile(`^503 Service Unavailable$`)),
		"garbled":    network("UNEXPECTED_RESPONSE", nil),
		"lonely": {"CONFIG_ERROR", "NO_REMOTE_APPLINK", true, map[string]knownvalue.Check{
			"remote_incoming": knownNull, "remote_server_id": knownvalue.StringExact(peer("lonely").ServerID()),
		}},
		"unsupported": {"DEPRECATED", "AUTH_LEVEL_UNSUPPORTED", true, map[string]knownvalue.Check{
			"local_incoming": knownvalue.StringExact("oauth_3lo"), "remote_outgoing": knownvalue.StringExact("oauth_3lo"),
		}},
		"mismatch": {"CONFIG_ERROR", "AUTH_LEVEL_MISMATCH", true, map[string]knownvalue.Check{
			"local_outgoing": knownvalue.StringExact("oauth"), "remote_incoming": knownvalue.StringExact("oauth_impersonation"),
		}},
		"disabled": {"DISABLED", "DISABLED", true, map[string]knownvalue.Check{
			"local_incoming": knownvalue.StringExact("disabled"), "remote_outgoing": knownvalue.StringExact("disabled"),
		}},
		"generic": {"NON_ATLASSIAN", "GENERIC_LINK", true, map[string]knownvalue.Check{
			"remote_incoming": knownNull, "remote_server_id": knownNull, "id_mismatch": knownvalue.Bool(false),
		}},
	}

	config := testAccProviderConfig(jira.URL())
	var stateChecks []statecheck.StateCheck
	var emulatorChecks []func() error
	for name, w := range cases {
		config += fmt.Sprintf("\ndata \"applinks_application_link_status\" %[1]q {\n  name = %[1]q\n}\n", name)
		values := map[string]knownvalue.Check{
			"working":        knownvalue.Bool(false),
			"reachable":      knownvalue.Bool(w.reachable),
			"relocated":      knownvalue.Bool(false),
			"error_category": knownvalue.StringExact(w.category),
			"error_type":     knownvalue.StringExact(w.errorType),
			"summary": knownvalue.StringRegexp(regexp.MustCompile(`^Application link "` + name + `" to \S+ is broken: ` +
				w.errorType + ` \(` + w.category + `\)`)),
		}
		maps.Copy(values, w.extra)
		stateChecks = append(stateChecks, expectStatusValues("data.applinks_application_link_status."+name, values)...)
		if inst := peer(name); inst != nil {
			emulatorChecks = append(emulatorChecks, expectEmulatorStatus(jira, inst.ServerID(), w.errorType))
		}
	}
	emulatorChecks = append(emulatorChecks, expectEmulatorStatus(jira, "0c0c0c0c-0000-4000-8000-000000000001", "UNKNOWN_HOST"))

	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: config, ConfigStateChecks: stateChecks, Check: checks(emulatorChecks...)},
		},
	})
}

// A system link can only come from the product itself; the test writes one
// into a stopped instance's state.
func TestAccApplicationLinkStatusDataSource_systemLink(t *testing.T) {
	dataDir := t.TempDir()
	first, err := emulator.Start(emulator.Options{DataDir: dataDir}, emulator.InstanceConfig{Name: "jira", Type: "jira", Addr: "127.0.0.1:0"})
	mustNotFail(t, err)
	const linkID = "0d0d0d0d-0000-4000-8000-000000000001"
	createLinkOverHTTP(t, first.Instance("jira"), linkID, "confluence", "Crowd Directory", "http://crowd.example.com")
	mustNotFail(t, first.Close())
	markSystemLink(t, filepath.Join(dataDir, "jira.json"), linkID)
	restarted, err := emulator.Start(emulator.Options{DataDir: dataDir}, emulator.InstanceConfig{Name: "jira", Type: "jira", Addr: "127.0.0.1:0"})
	mustNotFail(t, err)
	t.Cleanup(func() { _ = restarted.Close() })
	jira := restarted.Instance("jira")

	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: testAccProviderConfig(jira.URL()) + `
data "applinks_application_link_status" "wiki" {
  name = "Crowd Directory"
}
`,
				ConfigStateChecks: expectStatusValues(statusAddr, map[string]knownvalue.Check{
					"id":             knownvalue.StringExact(linkID),
					"working":        knownvalue.Bool(false),
					"error_category": knownvalue.StringExact("SYSTEM"),
					"error_type":     knownvalue.StringExact("SYSTEM_LINK"),
					"error_details":  knownNull,
					"summary":        knownvalue.StringRegexp(regexp.MustCompile(`is broken: SYSTEM_LINK \(SYSTEM\): the product manages system links itself\.$`)),
				}),
				Check: checks(expectEmulatorStatus(jira, linkID, "SYSTEM_LINK")),
			},
		},
	})
}

// markSystemLink edits an instance's state file, which is JSON with a
// "links" list.
func markSystemLink(t *testing.T, stateFile, id string) {
	t.Helper()
	data, err := os.ReadFile(stateFile)
	mustNotFail(t, err)
	var st map[string]any
	mustNotFail(t, json.Unmarshal(data, &st))
	links, _ := st["links"].([]any)
	marked := false
	for _, l := range links {
		if link, ok := l.(map[string]any); ok && link["id"] == id {
			link["system"], marked = true, true
		}
	}
	if !marked {
		t.Fatalf("no link %s in %s", id, stateFile)
	}
	data, err = json.Marshal(st)
	mustNotFail(t, err)
	mustNotFail(t, os.WriteFile(stateFile, data, 0o600))
}

// ---- Drift detection in CI ----

// A check block turns a broken link into a warning: the plan succeeds and
// reports the failed assertion with the summary. A postcondition fails the
// run instead.
func TestAccApplicationLinkStatusDataSource_checkBlockWarns(t *testing.T) {
	jira := startEmulator(t, emulator.Options{}, "jira=jira").Instance("jira")
	downURL := "http://" + refusedAddr(t)
	createLinkOverHTTP(t, jira, "0e0e0e0e-0000-4000-8000-000000000001", "confluence", "Wiki", downURL)
	broken := regexp.MustCompile(`^Application link "Wiki" to ` + regexp.QuoteMeta(downURL) + ` is broken: CONNECTION_REFUSED`)

	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				// The data source sits outside the check block: scoped there,
				// Terraform would plan it as a read on every run, and
				// `plan -detailed-exitcode` would never report a clean plan.
				Config: testAccProviderConfig(jira.URL()) + `
data "applinks_application_link_status" "wiki" {
  name = "Wiki"
}

check "wiki_link" {
  assert {
    condition     = data.applinks_application_link_status.wiki.working && !data.applinks_application_link_status.wiki.relocated
    error_message = data.applinks_application_link_status.wiki.summary
  }
}
`,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{checkBlockResult{address: "check.wiki_link", status: "fail", message: broken}},
				},
				Check: checks(expectEmulatorStatus(jira, "0e0e0e0e-0000-4000-8000-000000000001", "CONNECTION_REFUSED")),
			},
			{
				Config: testAccProviderConfig(jira.URL()) + `
data "applinks_application_link_status" "wiki" {
  name = "Wiki"

  lifecycle {
    postcondition {
      condition     = self.working
      error_message = self.summary
    }
  }
}
`,
				ExpectError: regexp.MustCompile(`(?s)Resource postcondition failed.*self\.working is false.*is\s+broken:\s+CONNECTION_REFUSED`),
			},
		},
	})
}

// checkBlockResult asserts the result of a check block in the plan: what
// Terraform prints as a warning ("Check block assertion failed") is in the
// plan's JSON as a failed check whose problem is the error message.
type checkBlockResult struct {
	address, status string
	message         *regexp.Regexp
}

func (c checkBlockResult) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	for _, check := range req.Plan.Checks {
		if check.Address.ToDisplay != c.address {
			continue
		}
		var problems []string
		for _, instance := range check.Instances {
			for _, p := range instance.Problems {
				problems = append(problems, p.Message)
			}
		}
		switch {
		case string(check.Status) != c.status:
			resp.Error = fmt.Errorf("%s: status %s, want %s (problems: %q)", c.address, check.Status, c.status, problems)
		case c.message != nil && !c.message.MatchString(strings.Join(problems, "\n")):
			resp.Error = fmt.Errorf("%s: problems %q do not match %s", c.address, problems, c.message)
		}
		return
	}
	resp.Error = fmt.Errorf("the plan has no result for %s", c.address)
}

// ---- Configuration errors ----

func TestAccApplicationLinkStatusDataSource_invalidConfiguration(t *testing.T) {
	jira := startEmulator(t, emulator.Options{}, "jira=jira").Instance("jira")
	createLinkOverHTTP(t, jira, "0f0f0f0f-0000-4000-8000-000000000001", "confluence", "Wiki", "http://wiki.example.com")
	status := func(body string) string {
		return testAccProviderConfig(jira.URL()) + "data \"applinks_application_link_status\" \"wiki\" {\n" + body + "\n}\n"
	}
	cases := []struct {
		body string
		want string
	}{
		{``, `(?s)Invalid Attribute Combination.*one \(and only one\) of \[id,name\]`},
		{`id = "0f0f0f0f-0000-4000-8000-000000000001"
name = "Wiki"`, `(?s)Invalid Attribute Combination`},
		{`id = "wiki"`, `(?s)id.*must\s+be\s+a\s+UUID`},
		{`name = "Wiki"
expected_url = "wiki.example.com"`, `(?s)Invalid URL.*expected_url.*has\s+no\s+scheme`},
		{`name = "wiki"`, `(?s)Application Link Not Found.*no\s+application\s+link\s+named\s+"wiki".*Its\s+links\s+are\s+"Wiki"\.`},
		{`id = "0f0f0f0f-0000-4000-8000-000000000002"`, `(?s)Application Link Not Found.*no application link with id\s+0f0f0f0f-0000-4000-8000-000000000002`},
	}
	var steps []resource.TestStep
	for _, c := range cases {
		steps = append(steps, resource.TestStep{Config: status(c.body), ExpectError: regexp.MustCompile(c.want)})
	}
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps:                    steps,
	})
}
