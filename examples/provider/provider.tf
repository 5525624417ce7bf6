terraform {
  required_providers {
    applinks = {
      source = "applinks-iac/applinks"
    }
  }
}

# Basic authentication as an administrator. Prefer environment variables
# (APPLINKS_URL, APPLINKS_USERNAME, APPLINKS_PASSWORD) over secrets in code.
provider "applinks" {
  url      = "https://jira.example.com"
  username = "admin"
  password = var.jira_admin_password
}

# A personal access token, and an instance under a context path whose
# certificate is signed by a private certificate authority.
provider "applinks" {
  alias       = "confluence"
  url         = "https://example.com/confluence"
  token       = var.confluence_token
  ca_cert_pem = file("${path.module}/internal-ca.pem")
}

variable "jira_admin_password" {
  type      = string
  sensitive = true
}

variable "confluence_token" {
  type      = string
  sensitive = true
}
