terraform {
  required_providers {
    applinks = {
      source = "applinks-iac/applinks"
    }
  }
}

# The product's own diagnosis of a link, on every plan. Keep the data source
# outside the check block: scoped inside it, Terraform reads it again at every
# apply, so `terraform plan -detailed-exitcode` never reports a clean plan.
data "applinks_application_link_status" "confluence" {
  name = "Confluence"

  # Optional: where the peer should answer, for example its new address
  # during a move. When the manifest there carries the link's id while the
  # link points elsewhere, the link is reported as relocated.
  expected_url = "https://confluence.example.com"
}

# A broken or relocated link becomes a warning in the plan output, with the
# one-line summary as its text. The plan itself still succeeds.
check "confluence_link" {
  assert {
    condition     = data.applinks_application_link_status.confluence.working && !data.applinks_application_link_status.confluence.relocated
    error_message = data.applinks_application_link_status.confluence.summary
  }
}

# Or fail the run instead: a postcondition turns the same answer into an error.
data "applinks_application_link_status" "bitbucket" {
  name = "Bitbucket"

  lifecycle {
    postcondition {
      condition     = self.working && !self.relocated
      error_message = self.summary
    }
  }
}

# When the peer has moved, point the link at the suggested URL: the provider
# relocates it in place, keeping its id. Like any output fed by a data
# source, it makes `terraform plan -detailed-exitcode` exit 2 when its value
# changes (here, when the peer moves); apply once before plan-only CI runs.
output "confluence_suggested_rpc_url" {
  value = data.applinks_application_link_status.confluence.suggested_rpc_url
}
