terraform {
  required_providers {
    applinks = {
      source = "applinks-iac/applinks"
    }
  }
}

data "applinks_server" "jira" {}

output "jira_server_id" {
  description = "The id that peers give their application link to this Jira."
  value       = data.applinks_server.jira.server_id
}
