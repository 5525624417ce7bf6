import {
  to = applinks_whitelist_rule.hooks
  id = "42"
}
