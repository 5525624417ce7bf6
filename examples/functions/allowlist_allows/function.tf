terraform {
  required_providers {
    applinks = {
      source = "applinks-iac/applinks"
    }
  }
}

resource "applinks_whitelist_rule" "docs" {
  type       = "wildcard"
  expression = "https://docs.example.com/*"
}

# Fails the plan if a change to the rule stops allowing the feed, or starts
# allowing another host.
check "docs_rule" {
  assert {
    condition = provider::applinks::allowlist_allows(
      applinks_whitelist_rule.docs.type, applinks_whitelist_rule.docs.expression,
      "https://docs.example.com/feeds/release-notes.xml",
    )
    error_message = "The docs rule no longer allows the release-notes feed."
  }
  assert {
    condition = !provider::applinks::allowlist_allows(
      applinks_whitelist_rule.docs.type, applinks_whitelist_rule.docs.expression,
      "https://docs.example.com.evil.org/",
    )
    error_message = "The docs rule allows another host."
  }
}
