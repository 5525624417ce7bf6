// Package emulator emulates the admin REST APIs that Atlassian Data Center
// products (Jira, Confluence, Bitbucket, Bamboo, Fisheye/Crucible, Crowd)
// expose for application links, closely enough that the provider can be
// tested against it without the real products. The behaviour follows
// design/api.md, the products' API facts in our words with their sources,
// and a § in a comment is one of its sections; comments marked "Inferred:"
// cover what the products' code and documentation leave open.
//
// # Layout
//
// routes.go is the map: every method and path an instance answers, with its
// handler. A request passes the layers pipeline.go puts in order:
// router.go (matching), users.go and oauth1.go (credentials),
// negotiation.go (representations), access.go (authorisation and XSRF) and
// error_entities.go (the error bodies); request_log.go and control.go (the
// test-control API) wrap them. Each API family has a file of handlers:
// manifest.go, applinks_v1.go (sharing link_service.go, link_entity.go and
// auth_providers.go with the others), applinks_ui.go, applinks_v3.go,
// status.go, oauth_status.go, applinks_oauth.go, allowlist.go and
// allowlist_check.go (with java_uri.go and java_regex.go, models of Java's
// URI and regex), jira_api.go, entity_links.go (entity links and remote
// entities, whose reciprocal calls oauth1_signer.go signs),
// local_entities.go (the products' own projects, spaces and repositories
// that entity links join), and the OAuth 2.0 families: oauth2_clients.go
// (incoming clients), oauth2_server.go (the authorisation server and its
// tokens as credentials) and oauth2_client_config.go (outgoing
// configurations and their flow). store.go keeps an instance's state,
// peer.go makes its calls to other servers and server.go starts and stops
// instances.
//
// # Allowlist, not whitelist
//
// The products' documentation and pages call the URL list "allowlist", but
// their wire kept "whitelist": the REST module is /rest/whitelist, the rule
// types are whitelist.domain.name and the like, the admin page is
// /plugins/servlet/whitelist, and the classes behind them are WhitelistBean,
// WhitelistResource and so on. Go identifiers and file names here say
// "allowlist", the word users read, in every case; "whitelist" appears only
// where the wire or the products spell it so: in paths, JSON and XML field
// names, type strings and messages sent to clients, and in class names
// quoted from the products. One word in the code keeps it searchable, and
// leaving the wire strings alone keeps the emulator answering what the
// products answer.
package emulator
