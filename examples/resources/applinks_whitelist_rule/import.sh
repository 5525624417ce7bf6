# Import a rule by its numeric id; the applinks_whitelist_rules data source
# lists the rules with their ids. Rules the product keeps for application
# links cannot be imported.
terraform import applinks_whitelist_rule.hooks 42
