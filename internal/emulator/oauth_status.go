package emulator

import (
	"context"
	"errors"
	"fmt"
	"net/http"
)

// The v3 OAuth status of a link (design/api.md §5.3): read anonymously by
// peers, set by admins. Levels are derived from what the link stores: the
// outgoing providers registered on it and the incoming consumer of the
// peer. Setting them changes only this side.

// Inferred English for applinks.service.error.entity.oauth.consumernotavailable.
const msgConsumerUnavailable = "The OAuth consumer information of the application '%s' is not available."

// oauthConfig is RestOAuthConfig, one direction's level.
type oauthConfig struct {
	Enabled                   bool `json:"enabled"`
	TwoLoEnabled              bool `json:"twoLoEnabled"`
	TwoLoImpersonationEnabled bool `json:"twoLoImpersonationEnabled"`
}

// applinkOAuthStatus is RestApplinkOAuthStatus.
type applinkOAuthStatus struct {
	Incoming oauthConfig `json:"incoming"`
	Outgoing oauthConfig `json:"outgoing"`
}

// oauthLevel normalises flags to the four levels OAuthConfig knows: OFF,
// 3LO, 3LO+2LO and 3LO+2LO+2LOi. Without 3LO nothing is on; impersonation
// implies 2LO.
func oauthLevel(threeLO, twoLO, twoLOi bool) oauthConfig {
	switch {
	case !threeLO:
		return oauthConfig{}
	case twoLOi:
		return oauthConfig{Enabled: true, TwoLoEnabled: true, TwoLoImpersonationEnabled: true}
	case twoLO:
		return oauthConfig{Enabled: true, TwoLoEnabled: true}
	default:
		return oauthConfig{Enabled: true}
	}
}

// normalised is RestOAuthConfig.asDomain.
func (c oauthConfig) normalised() oauthConfig {
	return oauthLevel(c.Enabled, c.TwoLoEnabled, c.TwoLoImpersonationEnabled)
}

// outgoingLevel is OAuthConfigurator.getOutgoingConfig: which of the three
// OAuth providers are registered.
func outgoingLevel(l storedLink) oauthConfig {
	has := func(class string) bool { _, ok := l.outgoingProvider(class); return ok }
	return oauthLevel(has(providerOAuth), has(providerTwoLeggedOAuth), has(providerTwoLeggedImpersonation))
}

// incomingLevel is OAuthConfigs.fromConsumer: the stored consumer and its
// 2LO flags.
func incomingLevel(l storedLink) oauthConfig {
	c := l.IncomingConsumer
	if c == nil {
		return oauthConfig{}
	}
	return oauthLevel(true, c.TwoLOAllowed, c.TwoLOImpersonationAllowed)
}

// statusLink resolves the id as ApplinkStatusResource does: the
// deprecated parser answers a malformed id with a bare 400 RestErrors
// carrying ApplicationId's message, an unknown id is a 404.
func statusLink(ex *exchange) (storedLink, bool) {
	id := ex.param("id")
	if !isApplicationID(id) {
		thrown(ex)
		writeRestErrors(ex, http.StatusBadRequest, restError{Summary: fmt.Sprintf(msgInvalidApplicationID, id)})
		return storedLink{}, false
	}
	link, ok := ex.inst.link(id)
	if !ok {
		writeServiceError(ex, http.StatusNotFound, "NoSuchApplinkException", fmt.Sprintf(msgV3NoSuchApplink, id))
	}
	return link, ok
}

func getOAuthStatus(ex *exchange) {
	if link, ok := statusLink(ex); ok {
		writeEntity(ex, http.StatusOK, applinkOAuthStatus{Incoming: incomingLevel(link), Outgoing: outgoingLevel(link)})
	}
}

// oauthStatusInput is the PUT body; a missing direction is nil.
type oauthStatusInput struct {
	Incoming *oauthConfig `json:"incoming"`
	Outgoing *oauthConfig `json:"outgoing"`
}

// putOAuthStatus follows the product's order: the body is read first (a
// malformed one is the 500 Swagger admits), then the link is found (400,
// 404), then both directions are required (400 with the direction as
// context), then permissions (impersonation on either side needs a
// sysadmin), and only then does anything change.
func putOAuthStatus(ex *exchange) {
	var in oauthStatusInput
	readEntity(ex, &in)
	link, ok := statusLink(ex)
	if !ok {
		return
	}
	for _, direction := range []struct {
		name   string
		config *oauthConfig
	}{{"incoming", in.Incoming}, {"outgoing", in.Outgoing}} {
		if direction.config == nil {
			thrown(ex)
			writeRestErrors(ex, http.StatusBadRequest, restError{Context: direction.name, Summary: fmt.Sprintf(msgInvalidRepresentation, direction.name)})
			return
		}
	}
	status := applinkOAuthStatus{Incoming: in.Incoming.normalised(), Outgoing: in.Outgoing.normalised()}
	checks := []accessCheck{v3LoginRequired, v3AdminRequired}
	if status.Incoming.TwoLoImpersonationEnabled || status.Outgoing.TwoLoImpersonationEnabled {
		checks = []accessCheck{v3LoginRequired, v3SysadminRequired}
	}
	for _, check := range checks {
		if !check.permits(ex) {
			thrown(ex)
			check.refuse(ex)
			return
		}
	}
	switch err := setLocalOAuthStatus(ex.r.Context(), ex.inst, link, status); {
	case errors.Is(err, errConsumerUnavailable):
		writeServiceError(ex, http.StatusConflict, "ConsumerInformationUnavailableException", fmt.Sprintf(msgConsumerUnavailable, link.Name))
	case errors.Is(err, errLinkGone):
		writeServiceError(ex, http.StatusNotFound, "NoSuchApplinkException", fmt.Sprintf(msgV3NoSuchApplink, link.ID))
	case err != nil:
		panic(err)
	default:
		ex.w.WriteHeader(http.StatusNoContent)
	}
}

var (
	// errConsumerUnavailable is ConsumerInformationUnavailableException.
	errConsumerUnavailable = errors.New("consumer information unavailable")
	// errLinkGone means the link was deleted while the status was set.
	errLinkGone = errors.New("application link deleted")
)

// setLocalOAuthStatus is OAuthConfigurator's updateIncomingConfig then
// updateOutgoingConfig, shared by the status PUT and link
// auto-configuration. Enabling incoming OAuth for the first time fetches
// the peer's consumer info (outside the store lock, as the peer may call
// back); disabling it removes the consumer. Outgoing levels register or
// unregister the three OAuth providers, with an empty configuration.
func setLocalOAuthStatus(ctx context.Context, inst *Instance, link storedLink, status applinkOAuthStatus) error {
	var consumer *storedConsumer
	if status.Incoming.Enabled {
		if link.IncomingConsumer != nil {
			consumer = link.IncomingConsumer
		} else {
			fetched, err := inst.peers.fetchConsumerInfo(ctx, link.RPCURL)
			if err != nil {
				inst.logf("consumer info of link %s: %v", link.ID, err)
				return errConsumerUnavailable
			}
			consumer = &fetched
		}
		consumer.TwoLOAllowed = status.Incoming.TwoLoEnabled
		consumer.TwoLOImpersonationAllowed = status.Incoming.TwoLoImpersonationEnabled
	}
	return inst.store.Update(func(st *state) error {
		l := st.linkByID(link.ID)
		if l == nil {
			return errLinkGone
		}
		storeIncomingConsumer(st, l, consumer)
		for _, provider := range []struct {
			class   string
			enabled bool
		}{
			{providerOAuth, status.Outgoing.Enabled},
			{providerTwoLeggedOAuth, status.Outgoing.TwoLoEnabled},
			{providerTwoLeggedImpersonation, status.Outgoing.TwoLoImpersonationEnabled},
		} {
			if provider.enabled {
				registerProvider(l, provider.class, map[string]string{})
			} else {
				unregisterProvider(l, provider.class)
			}
		}
		return nil
	})
}
