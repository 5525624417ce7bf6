terraform {
  required_providers {
    applinks = {
      source = "applinks-iac/applinks"
    }
  }
}

# A two-way link between a Jira and a Confluence, one provider block each.
provider "applinks" {
  alias = "jira"
  url   = "https://jira.example.com"
}

provider "applinks" {
  alias = "confluence"
  url   = "https://confluence.example.com"
}

data "applinks_server" "jira" {
  provider = applinks.jira
}

data "applinks_server" "confluence" {
  provider = applinks.confluence
}

resource "applinks_application_link" "jira_to_confluence" {
  provider       = applinks.jira
  type           = "confluence"
  name           = "Confluence"
  rpc_url        = data.applinks_server.confluence.base_url
  application_id = data.applinks_server.confluence.server_id
  incoming       = "oauth"
  outgoing       = "oauth"
}

resource "applinks_application_link" "confluence_to_jira" {
  provider       = applinks.confluence
  type           = "jira"
  name           = "Jira"
  rpc_url        = data.applinks_server.jira.base_url
  application_id = data.applinks_server.jira.server_id
  incoming       = "oauth"
  outgoing       = "oauth"
}

# A link to a non-Atlassian application; its OAuth consumers are
# applinks_oauth_consumer resources.
resource "applinks_application_link" "jenkins" {
  provider    = applinks.jira
  type        = "generic"
  name        = "Jenkins"
  rpc_url     = "http://jenkins.internal:8080"
  display_url = "https://jenkins.example.com"
}
