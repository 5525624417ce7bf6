# Import the flags of a link's allowlist rule by the link's id; the
# applinks_application_links data source lists the links with their ids.
terraform import applinks_application_link_whitelist_rule.wiki 2841b105-5904-3c0a-9710-1ff26ae88206
