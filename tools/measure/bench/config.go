package main

import (
	"fmt"
	"math"
	"strings"
)

// mix is how N objects split between the resource types.
type mix struct {
	Links, Consumers, Rules int
	// OAuth2 is the number of OAuth 2.0 objects: incoming clients and
	// outgoing links, alternately.
	OAuth2 int
	// EntityLinks link Jira projects to spaces of the emulated Confluence,
	// entityLinksPerProject to a project, so they need its Atlassian link.
	EntityLinks int
	// AtlassianLinks of the Links go to other emulated products; the rest
	// are generic links to third-party applications, which need no peer.
	AtlassianLinks int
}

func (m mix) total() int { return m.Links + m.Consumers + m.OAuth2 + m.EntityLinks + m.Rules }

func (m mix) genericLinks() int { return m.Links - m.AtlassianLinks }

// entityLinksPerProject is as many as the acceptance test of a refreshing
// plan links to one project, whose list of links one request reads.
const entityLinksPerProject = 10

// projects is the number of Jira projects the entity links start from.
func (m mix) projects() int {
	return (m.EntityLinks + entityLinksPerProject - 1) / entityLinksPerProject
}

// projectKey and spaceKey name the local and remote entity of entity link i.
func projectKey(i int) string { return fmt.Sprintf("P%03d", i/entityLinksPerProject) }
func spaceKey(i int) string   { return fmt.Sprintf("S%04d", i) }

// peers are the emulated products that Atlassian-type links point to, one
// link each (a product links to another product once).
var peers = []struct{ name, instanceType, linkType string }{
	{"wiki", "confluence", "confluence"},
	{"git", "stash", "bitbucket"},
}

const mixDescription = `About 20% application links, 20% OAuth consumers, 10% OAuth 2.0 objects, 10% entity links and 40% allowlist rules, all on one emulated Jira
through one provider block:
- **links**: 20% of N, rounded; up to 2 of them (one per 4 links) are Atlassian links to an emulated
  Confluence and Bitbucket, the rest generic links to third-party applications (every other one with a
  display URL).
- **consumers**: 20% of N, on the generic links: first an incoming consumer (RSA public key, two-legged
  requests as ` + "`admin`" + ` on every other one) on each generic link, then an outgoing one (shared secret, token URLs).
- **OAuth 2.0**: 10% of N, alternately an ` + "`applinks_oauth2_client`" + ` (incoming, a redirect URL and a scope) and an
  ` + "`applinks_oauth2_outgoing_link`" + ` (a Google-type outgoing link with its client id and secret).
- **entity links**: 10% of N when there is a Confluence link (none below N=18), ` + "`applinks_entity_link`" + `s from Jira
  projects, 10 per project, each to its own Confluence space; the bench makes the projects on the Jira
  (` + "`POST /rest/api/2/project`" + `) and the spaces on the Confluence (` + "`POST /rest/api/space`" + `) before the apply.
- **rules**: the rest, cycling through ` + "`domain`, `exact_url`, `wildcard` and `regex`" + ` rules, some allowing
  anonymous or inbound requests.

The no-op provider gets the same objects with the same attribute values; terraform_data gets N resources
whose ` + "`input`" + ` holds a few of those values.`

// mixFor splits n objects.
func mixFor(n int) mix {
	links := int(math.Round(0.2 * float64(n)))
	m := mix{Links: links, AtlassianLinks: min(len(peers), links/4)}
	m.Consumers = min(int(math.Round(0.2*float64(n))), 2*m.genericLinks())
	m.OAuth2 = int(math.Round(0.1 * float64(n)))
	if m.AtlassianLinks > 0 {
		m.EntityLinks = int(math.Round(0.1 * float64(n)))
	}
	m.Rules = n - m.Links - m.Consumers - m.OAuth2 - m.EntityLinks
	return m
}

// flavour is one of the three configurations of the same N objects.
type flavour int

const (
	ours flavour = iota
	noop
	data
)

func (f flavour) String() string {
	return [...]string{"ours", "noop", "terraform_data"}[f]
}

// object is one resource of the mix, before it is written for a flavour.
type object struct {
	kind  string // application_link, oauth_consumer, oauth2_client, oauth2_outgoing_link, entity_link, whitelist_rule
	name  string // resource name in the configuration
	attrs []attr
}

// attr is an attribute; ref, when set, is an expression instead of a
// string value.
type attr struct {
	name, value, ref string
	boolean          bool
}

func str(name, value string) attr { return attr{name: name, value: value} }
func boolean(name string) attr    { return attr{name: name, boolean: true} }

// objects lays out the mix. Atlassian links point at var.peer_urls in our
// configuration and at made-up URLs in the others.
func objects(m mix, publicKey string) []object {
	var objs []object
	for i := range m.AtlassianLinks {
		p := peers[i]
		objs = append(objs, object{kind: "application_link", name: "peer_" + p.name, attrs: []attr{
			str("type", p.linkType), str("name", p.name),
			{name: "rpc_url", value: fmt.Sprintf("https://%s.example.com", p.name), ref: fmt.Sprintf("var.peer_urls[%d]", i)},
		}})
	}
	generic := m.genericLinks()
	for i := range generic {
		a := []attr{str("type", "generic"), str("name", fmt.Sprintf("App %03d", i)),
			str("rpc_url", fmt.Sprintf("https://app-%03d.example.com", i))}
		if i%2 == 1 {
			a = append(a, str("display_url", fmt.Sprintf("https://app-%03d.example.org/", i)))
		}
		objs = append(objs, object{kind: "application_link", name: fmt.Sprintf("app_%03d", i), attrs: a})
	}
	for i := range m.Consumers {
		link, incoming := i%generic, i < generic
		linkRef := fmt.Sprintf("applinks_application_link.app_%03d.id", link)
		a := []attr{{name: "application_link_id", ref: linkRef}}
		if incoming {
			a = append(a, str("direction", "incoming"), str("consumer_key", fmt.Sprintf("app-%03d", link)),
				str("name", fmt.Sprintf("App %03d", link)), str("public_key", publicKey))
			if link%2 == 0 {
				a = append(a, boolean("two_legged_allowed"), str("execute_as", "admin"))
			}
		} else {
			a = append(a, str("direction", "outgoing"), str("consumer_key", fmt.Sprintf("jira-at-app-%03d", link)),
				str("name", "Jira"), str("shared_secret", fmt.Sprintf("secret-%03d", link)),
				str("request_token_url", "/oauth/request-token"), str("access_token_url", "/oauth/access-token"),
				str("authorize_url", "/oauth/authorize"))
		}
		objs = append(objs, object{kind: "oauth_consumer", name: fmt.Sprintf("consumer_%03d", i), attrs: a})
	}
	for i := range m.OAuth2 {
		if i%2 == 0 {
			redirect := fmt.Sprintf("https://tool-%03d.example.com/oauth/callback", i)
			objs = append(objs, object{kind: "oauth2_client", name: fmt.Sprintf("oauth2_client_%03d", i), attrs: []attr{
				str("name", fmt.Sprintf("Tool %03d", i)),
				// A list in our configuration; a string in the others, whose
				// resources have only string and bool attributes.
				{name: "redirect_urls", value: redirect, ref: fmt.Sprintf("[%q]", redirect)},
				str("scope", [...]string{"READ", "WRITE"}[i/2%2]),
			}})
			continue
		}
		objs = append(objs, object{kind: "oauth2_outgoing_link", name: fmt.Sprintf("oauth2_outgoing_%03d", i), attrs: []attr{
			str("name", fmt.Sprintf("Mail %03d", i)), str("provider_type", "google"),
			str("client_id", fmt.Sprintf("mail-%03d", i)), str("client_secret", fmt.Sprintf("mail-secret-%03d", i)),
			str("authorization_endpoint", "https://accounts.google.com/o/oauth2/v2/auth"),
			str("token_endpoint", "https://oauth2.googleapis.com/token"),
		}})
	}
	for i := range m.EntityLinks {
		// peers[0] is the Confluence.
		objs = append(objs, object{kind: "entity_link", name: fmt.Sprintf("entity_link_%03d", i), attrs: []attr{
			str("local_type", "jira_project"), str("local_key", projectKey(i)),
			{name: "application_link_id", ref: "applinks_application_link.peer_" + peers[0].name + ".id"},
			str("remote_type", "confluence_space"), str("remote_key", spaceKey(i)),
		}})
	}
	for i := range m.Rules {
		var a []attr
		switch i % 4 {
		case 0:
			a = []attr{str("type", "domain"), str("expression", fmt.Sprintf("https://svc-%04d.example.com", i))}
		case 1:
			a = []attr{str("type", "exact_url"), str("expression", fmt.Sprintf("https://status-%04d.example.com/feed.xml", i))}
		case 2:
			a = []attr{str("type", "wildcard"), str("expression", fmt.Sprintf("https://*.zone-%04d.example.org/*", i))}
		default:
			a = []attr{str("type", "regex"), str("expression", fmt.Sprintf(`https://api\.v%04d\.example\.net/.*`, i))}
		}
		if i%5 == 1 {
			a = append(a, boolean("allow_anonymous"))
		}
		if i%7 == 2 {
			a = append(a, boolean("allow_inbound"))
		}
		objs = append(objs, object{kind: "whitelist_rule", name: fmt.Sprintf("rule_%04d", i), attrs: a})
	}
	return objs
}

// configuration writes the objects as one flavour's main.tf.
func configuration(f flavour, objs []object) string {
	var b strings.Builder
	switch f {
	case ours:
		b.WriteString(`terraform {
  required_providers {
    applinks = { source = "applinks-iac/applinks" }
  }
}

variable "jira_url" { type = string }
variable "peer_urls" { type = list(string) }
variable "admin_token" {
  type      = string
  sensitive = true
}

provider "applinks" {
  url   = var.jira_url
  token = var.admin_token
}
`)
	case noop:
		b.WriteString(`terraform {
  required_providers {
    noop = { source = "applinks-iac/noop" }
  }
}
`)
	}
	for _, o := range objs {
		if f == data {
			fmt.Fprintf(&b, "\nresource \"terraform_data\" %q {\n  input = {\n", o.name)
			for _, a := range o.attrs {
				switch {
				case a.boolean:
					fmt.Fprintf(&b, "    %s = true\n", a.name)
				case a.ref != "" && a.value == "":
					// The same dependency as the resource's own reference.
					link, _, _ := strings.Cut(strings.TrimPrefix(a.ref, "applinks_application_link."), ".")
					fmt.Fprintf(&b, "    %s = terraform_data.%s.id\n", a.name, link)
				default:
					fmt.Fprintf(&b, "    %s = %s\n", a.name, hclString(a.value))
				}
			}
			b.WriteString("  }\n}\n")
			continue
		}
		prefix := "applinks_"
		if f == noop {
			prefix = "noop_"
		}
		fmt.Fprintf(&b, "\nresource %q %q {\n", prefix+o.kind, o.name)
		for _, a := range o.attrs {
			switch {
			case a.boolean:
				fmt.Fprintf(&b, "  %s = true\n", a.name)
			case a.ref != "" && f == ours:
				fmt.Fprintf(&b, "  %s = %s\n", a.name, a.ref)
			case a.ref != "" && a.value == "":
				// A reference to another object of the configuration.
				fmt.Fprintf(&b, "  %s = %s\n", a.name, strings.Replace(a.ref, "applinks_", prefix, 1))
			default:
				fmt.Fprintf(&b, "  %s = %s\n", a.name, hclString(a.value))
			}
		}
		b.WriteString("}\n")
	}
	return b.String()
}

// hclString quotes s for HCL, which also interpolates ${ and %{.
func hclString(s string) string {
	q := fmt.Sprintf("%q", s)
	q = strings.ReplaceAll(q, "${", "$${")
	return strings.ReplaceAll(q, "%{", "%%{")
}
