terraform {
  required_providers {
    applinks = {
      source = "applinks-iac/applinks"
    }
  }
}

# The provider block points at the Jira whose projects get the links.
provider "applinks" {
  url = "https://jira.example.com"
}

variable "confluence_link_id" {
  description = "The id of Jira's application link to Confluence (applinks_application_link.confluence.id)."
  type        = string
}

variable "bitbucket_link_id" {
  description = "The id of Jira's application link to Bitbucket."
  type        = string
}

variable "bamboo_link_id" {
  description = "The id of Jira's application link to Bamboo."
  type        = string
}

# Jira ↔ Confluence: project PROJ shows the pages of space DOCS, and with
# reciprocate the space links back to the project, made by Jira across the
# application link (its OAuth must allow impersonation).
resource "applinks_entity_link" "proj_docs" {
  local_type          = "jira_project"
  local_key           = "PROJ"
  application_link_id = var.confluence_link_id
  remote_type         = "confluence_space"
  remote_key          = "DOCS"
  reciprocate         = true
}

# Jira ↔ Bitbucket: the project's issues show the commits of the Bitbucket
# project's repositories.
resource "applinks_entity_link" "proj_code" {
  local_type          = "jira_project"
  local_key           = "PROJ"
  application_link_id = var.bitbucket_link_id
  remote_type         = "bitbucket_project"
  remote_key          = "CODE"
  remote_name         = "Code"
  reciprocate         = true
}

# Jira ↔ Bamboo: the project shows the builds of a Bamboo project.
resource "applinks_entity_link" "proj_builds" {
  local_type          = "jira_project"
  local_key           = "PROJ"
  application_link_id = var.bamboo_link_id
  remote_type         = "bamboo_project"
  remote_key          = "BUILD"
  primary             = true
}
