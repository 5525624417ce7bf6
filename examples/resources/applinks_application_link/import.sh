# Import an application link by its id (the peer's server id).
terraform import applinks_application_link.jira_to_confluence 2841b105-5904-3c0a-9710-1ff26ae88206
