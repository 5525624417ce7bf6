terraform {
  required_providers {
    applinks = {
      source = "applinks-iac/applinks"
    }
  }
}

resource "applinks_application_link" "wiki" {
  type    = "confluence"
  name    = "Confluence"
  rpc_url = "https://confluence.example.com"
}

# Let the linked Confluence call this instance cross-origin (CORS), for
# example for gadgets and macros that read from it in the browser. The rule
# itself is the product's: it came with the link and goes with it.
resource "applinks_application_link_whitelist_rule" "wiki" {
  application_link_id = applinks_application_link.wiki.id
  allow_inbound       = true
}
