import {
  to = applinks_application_link.jira_to_confluence
  id = "2841b105-5904-3c0a-9710-1ff26ae88206"
}
