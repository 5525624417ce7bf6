terraform {
  required_providers {
    applinks = {
      source = "applinks-iac/applinks"
    }
  }
}

data "applinks_oauth2_clients" "all" {}

# Import every incoming OAuth 2.0 link, by name, into a resource you write
# (see the guide "Adopting an existing instance").
import {
  for_each = { for c in data.applinks_oauth2_clients.all.clients : c.name => c.import_id }
  to       = applinks_oauth2_client.adopted[each.key]
  id       = each.value
}

resource "applinks_oauth2_client" "adopted" {
  for_each      = { for c in data.applinks_oauth2_clients.all.clients : c.name => c }
  name          = each.value.name
  redirect_urls = each.value.redirect_urls
  scope         = each.value.scope
}
