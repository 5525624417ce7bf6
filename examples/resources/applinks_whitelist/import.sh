# An instance has one allowlist, imported with the id "whitelist". The on/off
# switch cannot be read back, so the first apply after the import sets it.
terraform import applinks_whitelist.this whitelist
