terraform {
  required_providers {
    applinks = {
      source = "applinks-iac/applinks"
    }
  }
}

# Let the product call one origin, whatever the path: webhooks and feeds on
# https://hooks.example.com, on behalf of logged-in users only (the default).
resource "applinks_whitelist_rule" "hooks" {
  type       = "domain"
  expression = "https://hooks.example.com"
}

# One exact URL, also for anonymous users (for example an RSS gadget on a
# public dashboard), and accept cross-origin requests from it.
resource "applinks_whitelist_rule" "status_feed" {
  type            = "exact_url"
  expression      = "https://status.example.com/feed.xml"
  allow_anonymous = true
  allow_inbound   = true
}

# Every feed of one host; "*" stands for any characters, case is ignored.
# Keep "*" out of the scheme and host: there it also matches "/" and "?", so
# "https://*.example.org" would allow https://evil.test/?.example.org too.
resource "applinks_whitelist_rule" "example_org_feeds" {
  type       = "wildcard"
  expression = "https://www.example.org/*/feed.xml"
}

# A Java regular expression that must match the whole URL.
resource "applinks_whitelist_rule" "api_versions" {
  type       = "regex"
  expression = "https://api\\.example\\.net/v[0-9]+/.*"
}
