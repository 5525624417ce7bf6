terraform {
  required_providers {
    applinks = {
      source = "applinks-iac/applinks"
    }
  }
}

# Keep the allowlist on, and let application links through for requests made
# on behalf of logged-in users (the product's defaults, made explicit).
resource "applinks_whitelist" "this" {
  enabled                          = true
  application_link_restrictiveness = "allow_authenticated"
}
