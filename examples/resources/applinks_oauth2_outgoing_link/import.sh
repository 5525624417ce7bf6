# Import an outgoing OAuth 2.0 link by its id.
terraform import applinks_oauth2_outgoing_link.gmail 5b7e2c1a-9f4d-4e3b-8a6c-2d1f0e9b8a77
