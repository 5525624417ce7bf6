terraform {
  required_providers {
    applinks = {
      source = "applinks-iac/applinks"
    }
  }
}

provider "applinks" {
  url = "https://jira.example.com"
}

# Every entity link of project PROJ, for example to check in CI that it has
# a primary link to a Confluence space.
data "applinks_entity_links" "proj" {
  local_type = "jira_project"
  local_key  = "PROJ"
}

output "primary_space" {
  value = one([for l in data.applinks_entity_links.proj.entity_links : l.remote_key if l.remote_type == "confluence_space" && l.primary])
}

# Every entity link of every local entity across one application link, with
# the id an import block takes.
data "applinks_entity_links" "to_wiki" {
  application_link_id = "2841b105-5904-3c0a-9710-1ff26ae88206"
}

output "entity_link_import_ids" {
  value = [for l in data.applinks_entity_links.to_wiki.entity_links : l.import_id]
}
