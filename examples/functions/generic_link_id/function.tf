terraform {
  required_providers {
    applinks = {
      source = "applinks-iac/applinks"
    }
  }
}

# The id of a generic link follows from its URL, so its import block can be
# written without asking the instance.
import {
  to = applinks_application_link.jenkins
  id = provider::applinks::generic_link_id("https://ci.example.com")
}

resource "applinks_application_link" "jenkins" {
  type    = "generic"
  name    = "Jenkins"
  rpc_url = "https://ci.example.com"
}
