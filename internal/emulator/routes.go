package emulator

// newRouter declares every endpoint family's routes; extra lets tests add
// routes of their own.
func newRouter(extra func(*router)) *router {
	rt := &router{}
	registerManifestRoutes(rt)
	registerSettingsRoutes(rt)
	registerFrontPageRoutes(rt)
	registerApplicationLinkRoutes(rt)
	registerApplinksUIRoutes(rt)
	registerApplinksV3Routes(rt)
	registerOAuthStatusRoutes(rt)
	registerApplinksOAuthRoutes(rt)
	registerStatusRoutes(rt)
	registerWhitelistRoutes(rt)
	if extra != nil {
		extra(rt)
	}
	return rt
}
