terraform {
  required_providers {
    applinks = {
      source = "applinks-iac/applinks"
    }
  }
}

data "applinks_oauth2_outgoing_links" "all" {}

# The import id of every outgoing OAuth 2.0 link, by name, ready for import
# blocks (see the guide "Adopting an existing instance").
output "outgoing_link_import_ids" {
  value = { for l in data.applinks_oauth2_outgoing_links.all.links : l.name => l.import_id }
}
