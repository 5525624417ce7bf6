# Import an entity link by <local_type>/<local_key>/<application_link_id>/<remote_type>/<remote_key>;
# the applinks_entity_links data source lists a local entity's links with these ids.
terraform import applinks_entity_link.proj_docs jira_project/PROJ/80b89917-61f7-322e-b6eb-60fdedbedcbb/confluence_space/DOCS
