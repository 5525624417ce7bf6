package emulator

import (
	"maps"
	"slices"
)

// The authentication providers and the registry of their plugin modules,
// with the outgoing providers registered on a link.

// Authentication provider class names (design/api.md §2.3).
const (
	providerBasic                  = "com.atlassian.applinks.api.auth.types.BasicAuthenticationProvider"
	providerTrustedApps            = "com.atlassian.applinks.api.auth.types.TrustedAppsAuthenticationProvider"
	providerOAuth                  = "com.atlassian.applinks.api.auth.types.OAuthAuthenticationProvider"
	providerTwoLeggedOAuth         = "com.atlassian.applinks.api.auth.types.TwoLeggedOAuthAuthenticationProvider"
	providerTwoLeggedImpersonation = "com.atlassian.applinks.api.auth.types.TwoLeggedOAuthWithImpersonationAuthenticationProvider"
	providerCors                   = "com.atlassian.applinks.api.auth.types.CorsAuthenticationProvider"
)

// ---- Authentication provider modules ----

// authProviderModule is an AuthenticationProviderPluginModule.
type authProviderModule struct {
	provider string
	// module is the plugin module class the v2 provider resource names.
	module string
	// listsOutgoing is false for modules whose getAuthenticationProvider
	// always returns null (CORS): they never show as configured.
	listsOutgoing bool
	// incomingEnabled reports the module's incoming side for a link; nil
	// for modules without incoming trust.
	incomingEnabled func(storedLink) bool
}

// authProviderModules are the enabled modules, in the order the emulator
// lists them (Inferred: the products' plugin order is not documented).
// Inferred: the trusted-apps module class name.
var authProviderModules = []authProviderModule{
	{provider: providerBasic, module: "com.atlassian.applinks.basic.auth.BasicAuthenticationProviderPluginModule", listsOutgoing: true},
	{provider: providerTrustedApps, module: "com.atlassian.applinks.trusted.auth.TrustedAppsAuthenticationProviderPluginModule", listsOutgoing: true},
	{provider: providerOAuth, module: "com.atlassian.applinks.oauth.auth.OAuthAuthenticatorProviderPluginModule", listsOutgoing: true,
		incomingEnabled: func(l storedLink) bool { return incomingLevel(l).Enabled }},
	{provider: providerTwoLeggedOAuth, module: "com.atlassian.applinks.oauth.auth.twolo.TwoLeggedOAuthAuthenticatorProviderPluginModule", listsOutgoing: true,
		incomingEnabled: func(l storedLink) bool { return incomingLevel(l).TwoLoEnabled }},
	{provider: providerTwoLeggedImpersonation, module: "com.atlassian.applinks.oauth.auth.twolo.impersonation.TwoLeggedOAuthWithImpersonationAuthenticatorProviderPluginModule", listsOutgoing: true,
		incomingEnabled: func(l storedLink) bool { return incomingLevel(l).TwoLoImpersonationEnabled }},
	{provider: providerCors, module: "com.atlassian.applinks.cors.auth.CorsAuthenticationProviderPluginModule"},
}

func authProviderModuleFor(provider string) (authProviderModule, bool) {
	for _, m := range authProviderModules {
		if m.provider == provider {
			return m, true
		}
	}
	return authProviderModule{}, false
}

// outgoingProvider returns the link's registered provider of a class.
func (l storedLink) outgoingProvider(class string) (storedProvider, bool) {
	for _, p := range l.OutgoingProviders {
		if p.Class == class {
			return p, true
		}
	}
	return storedProvider{}, false
}

// configuredOutgoingModules are the modules that report an outgoing
// provider for the link.
func configuredOutgoingModules(l storedLink) []authProviderModule {
	var configured []authProviderModule
	for _, m := range authProviderModules {
		if _, ok := l.outgoingProvider(m.provider); ok && m.listsOutgoing {
			configured = append(configured, m)
		}
	}
	return configured
}

// registerProvider is AuthenticationConfigurationManager.registerProvider:
// a registered provider gets the new configuration.
func registerProvider(l *storedLink, class string, config map[string]string) {
	config = maps.Clone(config)
	for i := range l.OutgoingProviders {
		if l.OutgoingProviders[i].Class == class {
			l.OutgoingProviders[i].Config = config
			return
		}
	}
	l.OutgoingProviders = append(l.OutgoingProviders, storedProvider{Class: class, Config: config})
}

func unregisterProvider(l *storedLink, class string) {
	l.OutgoingProviders = slices.DeleteFunc(l.OutgoingProviders, func(p storedProvider) bool { return p.Class == class })
}
