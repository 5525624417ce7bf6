# The demo that `make demo` applies to an emulated Jira and Confluence: a
# two-way application link with OAuth in both directions, an allowlist rule,
# a third-party application whose OAuth consumer calls Jira, the same CI
# server registered as an OAuth 2.0 client of Jira, and the link's status as
# the products diagnose it.
#
# Each instance gets its own provider block. The instances' URLs and the
# credentials come from variables, which `make demo` sets for the emulator.

terraform {
  required_providers {
    applinks = {
      source = "applinks-iac/applinks"
    }
  }
}

variable "jira_url" {
  description = "Base URL of the Jira instance."
  type        = string
}

variable "confluence_url" {
  description = "Base URL of the Confluence instance."
  type        = string
}

variable "ci_public_key" {
  description = "The RSA public key (PEM or bare base64) the CI server signs its requests to Jira with."
  type        = string
}

variable "admin_token" {
  description = "A system administrator's personal access token, valid on both instances."
  type        = string
  sensitive   = true
}

provider "applinks" {
  alias = "jira"
  url   = var.jira_url
  token = var.admin_token
}

provider "applinks" {
  alias = "confluence"
  url   = var.confluence_url
  token = var.admin_token
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
  name           = data.applinks_server.confluence.name
  rpc_url        = data.applinks_server.confluence.base_url
  application_id = data.applinks_server.confluence.server_id
  incoming       = "oauth"
  outgoing       = "oauth"
}

resource "applinks_application_link" "confluence_to_jira" {
  provider       = applinks.confluence
  type           = "jira"
  name           = data.applinks_server.jira.name
  rpc_url        = data.applinks_server.jira.base_url
  application_id = data.applinks_server.jira.server_id
  incoming       = "oauth"
  outgoing       = "oauth"
}

# Jira may call a cloud service, and only for logged-in users.
resource "applinks_whitelist_rule" "cloud" {
  provider   = applinks.jira
  type       = "domain"
  expression = "https://api.example-cloud.com"
}

# A CI server that calls Jira through a generic link, signing its requests
# with its own key; its two-legged requests act as the admin user.
resource "applinks_application_link" "ci" {
  provider = applinks.jira
  type     = "generic"
  name     = "CI Server"
  rpc_url  = "https://ci.example.com"
}

resource "applinks_oauth_consumer" "ci" {
  provider            = applinks.jira
  application_link_id = applinks_application_link.ci.id
  direction           = "incoming"
  consumer_key        = "ci-server"
  name                = "CI Server"
  public_key          = var.ci_public_key
  two_legged_allowed  = true
  execute_as          = "admin"
}

# The CI server also signs its users in with OAuth 2.0 (an incoming link):
# Jira issues the client id and secret to paste into the CI server. Bump
# secret_version to rotate the secret.
resource "applinks_oauth2_client" "ci" {
  provider       = applinks.jira
  name           = "CI Server"
  redirect_urls  = ["https://ci.example.com/oauth2/callback"]
  scope          = "WRITE"
  secret_version = 1
}

# The products' own diagnosis of the Jira side, once both sides exist.
data "applinks_application_link_status" "jira_to_confluence" {
  provider = applinks.jira
  id       = applinks_application_link.jira_to_confluence.id

  depends_on = [applinks_application_link.confluence_to_jira]
}

output "status_summary" {
  description = "The link's status in one line."
  value       = data.applinks_application_link_status.jira_to_confluence.summary
}

output "links" {
  description = "The link on each side."
  value = {
    jira_to_confluence = applinks_application_link.jira_to_confluence.id
    confluence_to_jira = applinks_application_link.confluence_to_jira.id
  }
}

output "ci_oauth2_client_id" {
  description = "The client id to configure in the CI server; the secret is `applinks_oauth2_client.ci.client_secret` (sensitive)."
  value       = applinks_oauth2_client.ci.client_id
}
