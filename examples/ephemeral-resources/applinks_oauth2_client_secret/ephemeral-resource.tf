terraform {
  required_providers {
    applinks = {
      source = "applinks-iac/applinks"
    }
  }
}

resource "applinks_oauth2_client" "ci" {
  name          = "CI server"
  redirect_urls = ["https://ci.example.com/oauth/callback"]
  scope         = "READ"
}

# Read the secret when it is needed, without a copy in the state, and pass
# it to a write-only argument of the CI tool's own provider.
ephemeral "applinks_oauth2_client_secret" "ci" {
  id = applinks_oauth2_client.ci.id
}
