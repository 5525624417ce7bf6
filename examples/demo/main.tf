# The demo that `make demo` applies to an emulated Jira and Confluence:
# a two-way application link with OAuth in both directions.
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

output "links" {
  description = "The link on each side."
  value = {
    jira_to_confluence = applinks_application_link.jira_to_confluence.id
    confluence_to_jira = applinks_application_link.confluence_to_jira.id
  }
}
