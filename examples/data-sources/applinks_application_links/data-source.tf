terraform {
  required_providers {
    applinks = {
      source = "applinks-iac/applinks"
    }
  }
}

# Every application link of the instance.
data "applinks_application_links" "all" {}

# Only the links to Bitbucket.
data "applinks_application_links" "bitbucket" {
  type = "bitbucket"
}

# A listing, to read the ids once (terraform apply prints it). Leave it out
# of a configuration that CI plans with -detailed-exitcode: the first plan,
# and every plan after a link is added, renamed or removed, shows the output
# as a change and exits 2.
output "link_ids" {
  description = "Link ids by name, for example to import them into applinks_application_link."
  value       = { for link in data.applinks_application_links.all.links : link.name => link.id }
}

# Check every link between Atlassian applications on each plan. The products
# do not check generic and system links, so they are left out.
data "applinks_application_link_status" "each" {
  for_each = {
    for link in data.applinks_application_links.all.links : link.name => link.id
    if link.type != "generic" && !link.system
  }
  id = each.value
}

check "all_links_work" {
  assert {
    condition     = alltrue([for s in data.applinks_application_link_status.each : s.working && !s.relocated])
    error_message = join("\n", [for s in data.applinks_application_link_status.each : s.summary if !s.working || s.relocated])
  }
}
