package main

import (
	"strings"
	"testing"
)

func TestConfigurationsHoldTheSameObjects(t *testing.T) {
	m := mixFor(50)
	objs := objects(m, "AAAA")
	if len(objs) != 50 {
		t.Fatalf("%d objects for N=50", len(objs))
	}
	for f, prefix := range map[flavour]string{ours: `resource "applinks_`, noop: `resource "noop_`, data: `resource "terraform_data"`} {
		config := configuration(f, objs)
		if got := strings.Count(config, "\nresource "); got != 50 || strings.Count(config, prefix) != 50 {
			t.Errorf("%s: %d resources, %d of them %s", f, got, strings.Count(config, prefix), prefix)
		}
	}
	ourConfig := configuration(ours, objs)
	for _, want := range []string{
		`rpc_url = var.peer_urls[1]`,
		`application_link_id = applinks_application_link.app_000.id`,
		`direction = "outgoing"`,
		`type = "regex"`,
		`expression = "https://api\\.v0003\\.example\\.net/.*"`,
		`redirect_urls = ["https://tool-000.example.com/oauth/callback"]`,
		`resource "applinks_oauth2_outgoing_link" "oauth2_outgoing_001"`,
		`application_link_id = applinks_application_link.peer_wiki.id`,
		`remote_key = "S0004"`,
	} {
		if !strings.Contains(ourConfig, want) {
			t.Errorf("our configuration lacks %s", want)
		}
	}
	if config := configuration(noop, objs); !strings.Contains(config, "application_link_id = noop_application_link.app_000.id") ||
		strings.Contains(config, "var.") {
		t.Errorf("the no-op configuration does not stand on its own:\n%s", config)
	}
	if config := configuration(data, objs); !strings.Contains(config, "application_link_id = terraform_data.app_000.id") {
		t.Errorf("terraform_data lost the consumers' dependency on their links:\n%s", config)
	}
}

// Every consumer's link is a generic link, with at most one consumer per
// direction.
func TestConsumersSitOnGenericLinksOncePerDirection(t *testing.T) {
	objs := objects(mixFor(500), "AAAA")
	generic := make(map[string]bool)
	seen := make(map[string]bool)
	for _, o := range objs {
		values := make(map[string]string)
		for _, a := range o.attrs {
			values[a.name] = a.value + a.ref
		}
		switch o.kind {
		case "application_link":
			if values["type"] == "generic" {
				generic["applinks_application_link."+o.name+".id"] = true
			}
		case "oauth_consumer":
			link := values["application_link_id"]
			if !generic[link] {
				t.Errorf("%s is on %s, not a generic link declared before it", o.name, link)
			}
			key := link + " " + values["direction"]
			if seen[key] {
				t.Errorf("a second consumer %s", key)
			}
			seen[key] = true
		}
	}
}

func TestHCLString(t *testing.T) {
	if got, want := hclString(`a "b" ${c} %{d} \e`), `"a \"b\" $${c} %%{d} \\e"`; got != want {
		t.Errorf("hclString = %s, want %s", got, want)
	}
}
