terraform {
  required_providers {
    applinks = {
      source = "applinks-iac/applinks"
    }
  }
}

data "applinks_whitelist_rules" "all" {}

# The rules people or tools added, leaving out the ones the product keeps
# for its application links.
output "manual_rules" {
  value = {
    for rule in data.applinks_whitelist_rules.all.rules :
    rule.id => "${rule.type}: ${rule.expression}" if !rule.automatic
  }
}
