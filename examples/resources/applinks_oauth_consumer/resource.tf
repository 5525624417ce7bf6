terraform {
  required_providers {
    applinks = {
      source = "applinks-iac/applinks"
    }
  }
}

# A Jenkins server that calls Jira (incoming) and that Jira calls (outgoing),
# through a generic application link.
resource "applinks_application_link" "jenkins" {
  type        = "generic"
  name        = "Jenkins"
  rpc_url     = "http://jenkins.internal:8080"
  display_url = "https://jenkins.example.com"
}

variable "jenkins_public_key" {
  description = "Jenkins' RSA public key, PEM or bare base64, for example file(\"jenkins-public.pem\")."
  type        = string
}

# Jenkins signs its requests with its RSA key; two-legged requests act as
# the jenkins-bot user.
resource "applinks_oauth_consumer" "jenkins_incoming" {
  application_link_id = applinks_application_link.jenkins.id
  direction           = "incoming"
  consumer_key        = "jenkins"
  name                = "Jenkins"
  description         = "CI server"
  public_key          = var.jenkins_public_key
  two_legged_allowed  = true
  execute_as          = "jenkins-bot"
}

variable "jenkins_shared_secret" {
  type      = string
  sensitive = true
  ephemeral = true
}

# Jira's identity at Jenkins' OAuth service provider. The write-only secret
# (Terraform or OpenTofu 1.11 and later) never enters the plan or state;
# bump the version to send a new one.
resource "applinks_oauth_consumer" "jenkins_outgoing" {
  application_link_id      = applinks_application_link.jenkins.id
  direction                = "outgoing"
  consumer_key             = "jira"
  name                     = "Jira"
  shared_secret_wo         = var.jenkins_shared_secret
  shared_secret_wo_version = 1
  request_token_url        = "/oauth/request-token"
  access_token_url         = "/oauth/access-token"
  authorize_url            = "/oauth/authorize"
}
