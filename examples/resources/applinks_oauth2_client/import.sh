# Import an incoming OAuth 2.0 client by its id (not its client id).
terraform import applinks_oauth2_client.ci 0f1d6a8e-53b2-4f5c-9d0a-7d4b2b7f3c11
