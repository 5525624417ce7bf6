# Lists every object of the instance that Terraform can manage and writes an
# import block for each, with the ids the data sources give ready to use:
#
#   terraform apply                      # reads only; changes nothing
#   terraform output -raw import_blocks > imports.tf
#
# Then remove this file and run
#
#   terraform plan -generate-config-out=generated.tf
#   terraform apply
#
# The provider block is read from APPLINKS_URL and APPLINKS_TOKEN (or
# APPLINKS_USERNAME and APPLINKS_PASSWORD).

terraform {
  required_version = ">= 1.5.0"
  required_providers {
    applinks = {
      source = "applinks-iac/applinks"
    }
  }
}

provider "applinks" {}

data "applinks_application_links" "all" {}

data "applinks_oauth_consumers" "all" {}

data "applinks_whitelist_rules" "all" {}

data "applinks_oauth2_clients" "all" {}

data "applinks_oauth2_outgoing_links" "all" {}

# The entity links of every local project, space or repository, one listing
# per application link.
data "applinks_entity_links" "by_link" {
  for_each            = local.link_labels
  application_link_id = each.key
}

locals {
  # A resource label from each link's name: "Jira Cloud (old)" becomes
  # link_jira_cloud_old. System links belong to the product and are left out.
  link_labels = {
    for link in data.applinks_application_links.all.links :
    link.id => "link_${trim(replace(lower(link.name), "/[^a-z0-9]+/", "_"), "_")}"
    if !link.system
  }

  entity_links = flatten([for listing in data.applinks_entity_links.by_link : listing.entity_links])

  import_blocks = concat(
    [
      for id, label in local.link_labels :
      "import {\n  to = applinks_application_link.${label}\n  id = \"${id}\"\n}\n"
    ],
    [
      for c in data.applinks_oauth_consumers.all.consumers :
      "import {\n  to = applinks_oauth_consumer.${local.link_labels[c.application_link_id]}_${c.direction}\n  id = \"${c.import_id}\"\n}\n"
      if contains(keys(local.link_labels), c.application_link_id)
    ],
    # Rules the product keeps for its links have no import_id: they come and
    # go with the links.
    [
      for rule in data.applinks_whitelist_rules.all.rules :
      "import {\n  to = applinks_whitelist_rule.rule_${rule.id}\n  id = \"${rule.import_id}\"\n}\n"
      if rule.import_id != null
    ],
    ["import {\n  to = applinks_whitelist.this\n  id = \"whitelist\"\n}\n"],
    # The flags of a link's automatic rule are worth adopting where an
    # administrator let the linked application call in (CORS); the product
    # sets the anonymous flag from the allowlist's restrictiveness by itself.
    [
      for rule in data.applinks_whitelist_rules.all.rules :
      "import {\n  to = applinks_application_link_whitelist_rule.${local.link_labels[rule.application_link_id]}\n  id = \"${rule.application_link_id}\"\n}\n"
      if rule.automatic && rule.allow_inbound && try(local.link_labels[rule.application_link_id], null) != null
    ],
    [
      for c in data.applinks_oauth2_clients.all.clients :
      "import {\n  to = applinks_oauth2_client.oauth2_${trim(replace(lower(c.name), "/[^a-z0-9]+/", "_"), "_")}\n  id = \"${c.import_id}\"\n}\n"
    ],
    [
      for o in data.applinks_oauth2_outgoing_links.all.links :
      "import {\n  to = applinks_oauth2_outgoing_link.oauth2_${trim(replace(lower(o.name), "/[^a-z0-9]+/", "_"), "_")}\n  id = \"${o.import_id}\"\n}\n"
    ],
    [
      for e in local.entity_links :
      "import {\n  to = applinks_entity_link.${local.link_labels[e.application_link_id]}_${trim(replace(lower("${e.local_key}_${e.remote_key}"), "/[^a-z0-9]+/", "_"), "_")}\n  id = \"${e.import_id}\"\n}\n"
    ],
  )
}

output "import_blocks" {
  description = "One import block per object, for imports.tf."
  value       = join("\n", local.import_blocks)
}
