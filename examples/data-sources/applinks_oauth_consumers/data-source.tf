terraform {
  required_providers {
    applinks = {
      source = "applinks-iac/applinks"
    }
  }
}

data "applinks_oauth_consumers" "all" {}

# The import id of every consumer of every generic link, by consumer key,
# ready for import blocks (see the guide "Adopting an existing instance").
output "consumer_import_ids" {
  value = { for c in data.applinks_oauth_consumers.all.consumers : c.consumer_key => c.import_id }
}
