terraform {
  required_providers {
    applinks = {
      source = "applinks-iac/applinks"
    }
  }
}

variable "google_client_secret" {
  description = "The client secret Google issued to Jira."
  type        = string
  sensitive   = true
  ephemeral   = true
}

# Jira as the OAuth 2.0 client of Google, for a mail server: an outgoing
# OAuth 2.0 link. Register redirect_uri with the Google client.
resource "applinks_oauth2_outgoing_link" "gmail" {
  name                     = "Gmail"
  provider_type            = "google"
  client_id                = "1234567890-abc.apps.googleusercontent.com"
  client_secret_wo         = var.google_client_secret
  client_secret_wo_version = 1
  authorization_endpoint   = "https://accounts.google.com/o/oauth2/v2/auth"
  token_endpoint           = "https://oauth2.googleapis.com/token"
  scopes                   = ["https://mail.google.com/"]
}

output "gmail_redirect_uri" {
  value = applinks_oauth2_outgoing_link.gmail.redirect_uri
}
