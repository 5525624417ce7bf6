terraform {
  required_providers {
    applinks = {
      source = "applinks-iac/applinks"
    }
  }
}

resource "applinks_whitelist_rule" "hooks" {
  type       = "domain"
  expression = "https://hooks.example.com"
}

data "applinks_whitelist_check" "hook" {
  url = "https://hooks.example.com/services/build-finished"

  # Read after the rule exists.
  depends_on = [applinks_whitelist_rule.hooks]
}

# Fail the run if the product would still refuse to call the webhook.
check "webhook_allowed" {
  assert {
    condition     = data.applinks_whitelist_check.hook.outbound_with_authentication
    error_message = "The allowlist does not let the product call the build webhook."
  }
}
