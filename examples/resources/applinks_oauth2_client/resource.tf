terraform {
  required_providers {
    applinks = {
      source = "applinks-iac/applinks"
    }
  }
}

# A CI server that acts on Jira as the users who authorise it: an incoming
# OAuth 2.0 link. Give the CI server client_id and client_secret.
resource "applinks_oauth2_client" "ci" {
  name          = "CI server"
  redirect_urls = ["https://ci.example.com/oauth/callback"]
  scope         = "WRITE"

  # Bump to have Jira issue a new secret for the same client id.
  secret_version = 1
}

output "ci_client_id" {
  value = applinks_oauth2_client.ci.client_id
}
