import {
  to = applinks_application_link_whitelist_rule.wiki
  id = "2841b105-5904-3c0a-9710-1ff26ae88206"
}
