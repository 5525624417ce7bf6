package provider

import (
	"crypto/x509"
	"errors"
	"fmt"
	"maps"
	"net"
	"net/http"
	"slices"
	"strings"
	"syscall"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/applinks-iac/terraform-provider-applinks/internal/client"
)

// addAPIError reports a failed API call: the summary names the action, the
// detail says what failed and how to fix it, then quotes the server.
func addAPIError(diags *diag.Diagnostics, summary, action string, err error) {
	diags.AddError(summary, fmt.Sprintf("The provider could not %s. %s\n\n%s", action, remedy(err), err.Error()))
}

// remedy turns an error kind into the step most likely to fix it.
func remedy(err error) string {
	switch {
	case errors.Is(err, client.ErrTimeout):
		return fmt.Sprintf("The instance did not answer within the provider's `request_timeout`: check that it is up and "+
			"not overloaded, or give it longer by raising `request_timeout` in the provider block, for example "+
			"`request_timeout = \"2m\"` (the default is %s).", defaultRequestTimeout)
	case errors.Is(err, client.ErrOutcomeUnknown):
		return "The connection failed after the request was sent, so it may or may not have taken effect; " +
			"run `terraform apply` again, which reads the current state before changing anything."
	case errors.Is(err, client.ErrXSRF):
		return "The instance refused the request as a cross-site request forgery; a proxy in front of it may be " +
			"stripping the X-Atlassian-Token header."
	case errors.Is(err, client.ErrBadCredentials):
		return "The instance did not accept the credentials: check `username` and `password`, or `token` (a personal " +
			"access token may have expired or been revoked). After several failed logins the products also ask for a " +
			"CAPTCHA, which only a login in the browser clears."
	case errors.Is(err, client.ErrUnauthorized):
		return "The instance accepted the login but refused the request, so the user lacks the right it needs: " +
			"managing application links needs an administrator, and the allowlist, relocation and OAuth impersonation " +
			"need a system administrator. Configure the provider with such a user's credentials."
	case errors.Is(err, client.ErrForbidden):
		return "The user lacks a permission this operation needs: application links need an administrator, and " +
			"some operations (the allowlist, relocation, OAuth impersonation, system links) need a system administrator."
	case errors.Is(err, client.ErrRequestTooLarge):
		return "The request was larger than the instance, or a proxy in front of it, accepts: shorten the longest " +
			"values in the configuration (a description, a name, an expression), or raise the proxy's body size limit " +
			"(for example nginx's client_max_body_size)."
	case errors.Is(err, client.ErrRateLimited):
		return "The instance, or a proxy in front of it, kept limiting the rate of requests through every retry: " +
			"apply again later, raise `max_retries`, or have the provider's user exempted from rate limiting."
	case errors.Is(err, client.ErrResponseTooLarge):
		return "The answer was larger than the provider reads, which the products' answers never are: a proxy or " +
			"another server in front of the instance may be answering instead, so check `url`."
	case errors.Is(err, client.ErrNotFound):
		return "The object or endpoint does not exist: check `url` (including any context path) and the ids in the configuration."
	case errors.Is(err, client.ErrUnexpectedResponse):
		return "The answer was not the product's JSON; a proxy or load balancer in front of the instance may have " +
			"answered instead, or `url` points at something else."
	case statusOf(err) == http.StatusServiceUnavailable:
		return "The instance is unavailable (starting, in maintenance or overloaded) and stayed so through every " +
			"retry: apply again once it answers, or raise `max_retries`."
	case errors.Is(err, client.ErrServer):
		return "The instance reported an internal error; its application log has the details."
	case errors.Is(err, syscall.ECONNREFUSED):
		return "Nothing accepts connections at the host and port of `url`: check them, and that the instance is running."
	case isHostNotFound(err):
		return "The host name in `url` does not resolve: check it for typos, and the DNS of the machine running Terraform."
	}
	var unknownAuthority x509.UnknownAuthorityError
	if errors.As(err, &unknownAuthority) {
		return "The instance's TLS certificate is not signed by an authority this machine trusts: set `ca_cert_pem` " +
			"to the PEM certificate of the authority that signed it (or the self-signed certificate itself)."
	}
	var wrongHost x509.HostnameError
	if errors.As(err, &wrongHost) {
		return "The instance's TLS certificate names another host: use the host name the certificate was issued " +
			"for in `url`, or have the certificate reissued."
	}
	return "Check that `url` is right and the instance is reachable from where Terraform runs."
}

// The remedies of single resources word the refusals that only they meet,
// then fall back to remedy.

const impersonationNeedsSysadmin = "Setting OAuth with impersonation (`oauth_impersonation`) needs a system " +
	"administrator, and the provider's user is not one: configure the provider with a system administrator's " +
	"credentials, or choose `oauth`."

// addLinkAPIError reports a failed call against the attribute the server
// named, when it named one.
func addLinkAPIError(diags *diag.Diagnostics, summary, action string, err error, plan *applicationLinkResourceModel) {
	fields := map[string]string{"name": "name", "rpcUrl": "rpc_url", "displayUrl": "display_url"}
	var apiErr *client.APIError
	if errors.As(err, &apiErr) {
		if attribute, ok := fields[apiErr.Field]; ok {
			diags.AddAttributeError(path.Root(attribute), summary, fmt.Sprintf("The provider could not %s: the "+
				"instance refused `%s`. Choose a value that no other link of the instance uses, and an absolute http "+
				"or https URL where a URL is expected.\n\n%s", action, attribute, err))
			return
		}
	}
	diags.AddError(summary, fmt.Sprintf("The provider could not %s. %s\n\n%s", action, linkRemedy(err, plan), err))
}

// linkRemedy is remedy with the most likely cause of a refusal for a link:
// OAuth with impersonation needs a system administrator.
func linkRemedy(err error, plan *applicationLinkResourceModel) string {
	if errors.Is(err, client.ErrForbidden) &&
		(plan.Incoming.ValueString() == oauthLevelImpersonation || plan.Outgoing.ValueString() == oauthLevelImpersonation) {
		return impersonationNeedsSysadmin
	}
	return remedy(err)
}

// addWhitelistAPIError words the allowlist's own failure modes before
// falling back to the provider's general advice.
func addAllowlistAPIError(diags *diag.Diagnostics, summary, action string, err error) {
	switch {
	case errors.Is(err, client.ErrUnauthorized) && !errors.Is(err, client.ErrBadCredentials):
		diags.AddError(summary, fmt.Sprintf("The provider could not %s. Changing the allowlist needs a system administrator "+
			"(for example a member of jira-system-administrators, or a Confluence system administrator); an administrator "+
			"is not enough. Configure the provider with a system administrator's credentials.\n\n%s", action, err))
	case errors.Is(err, client.ErrValidation):
		diags.AddError(summary, fmt.Sprintf("The provider could not %s: the instance refused the values. Correct the "+
			"configuration as the message below says.\n\n%s", action, err))
	default:
		addAPIError(diags, summary, action, err)
	}
}

func addConsumerWriteError(diags *diag.Diagnostics, action string, err error) {
	if errors.Is(err, client.ErrValidation) {
		diags.AddError("OAuth Consumer Refused", fmt.Sprintf("The instance refused to %s. Check the attributes the "+
			"instance names below: the key and name must not be empty, and an incoming consumer's public key must be "+
			"an RSA public key.\n\n%s", action, err))
		return
	}
	addAPIError(diags, "Error Writing OAuth Consumer", action, err)
}

// addOutgoingConfigLostError reports a change to a link's incoming OAuth
// that emptied its outgoing OAuth configuration for good (see
// client.SetIncomingOAuth): what the incoming side now is (done says it,
// for a status PUT that succeeded), which providers lost which
// configuration, and how to get it back. It reports nothing and returns
// false for any other error.
func addOutgoingConfigLostError(diags *diag.Diagnostics, done string, err error) bool {
	var lost *client.OutgoingConfigLostError
	if !errors.As(err, &lost) {
		return false
	}
	incoming := done
	if lost.IncomingChanged == client.IncomingChangeUnknown {
		incoming = "The call that changes the link's incoming OAuth failed, and may or may not have taken effect"
	}
	var configs []string
	for _, p := range lost.Providers {
		keys := slices.Sorted(maps.Keys(p.Config))
		pairs := make([]string, len(keys))
		for i, k := range keys {
			pairs[i] = k + "=" + p.Config[k]
		}
		configs = append(configs, fmt.Sprintf("%s {%s}", p.Provider[strings.LastIndex(p.Provider, ".")+1:], strings.Join(pairs, ", ")))
	}
	diags.AddError("Outgoing OAuth Configuration Lost", fmt.Sprintf("%s; but that call empties the outgoing OAuth "+
		"configuration of application link %s, and writing it back failed twice. The link's outgoing consumer is "+
		"therefore unreachable: its provider is registered with an empty configuration, without the consumer key and "+
		"service provider URLs it had: %s. Run `terraform apply` again once the instance answers: the outgoing "+
		"applinks_oauth_consumer is then found missing and written again from its configuration.\n\n%s",
		incoming, lost.LinkID, strings.Join(configs, "; "), lost.Err))
	return true
}

// addConsumerKeyInUseError explains a consumer_key that another link's
// incoming consumer holds (design/api.md §6.1), or a failed check of it.
func addConsumerKeyInUseError(diags *diag.Diagnostics, err error) {
	var inUse *client.ConsumerKeyInUseError
	if !errors.As(err, &inUse) {
		addAPIError(diags, "Error Writing OAuth Consumer", "check that no other link holds the consumer key", err)
		return
	}
	holder := inUse.Holder.ID
	if inUse.Holder.Name != "" {
		holder = fmt.Sprintf("%s (%q)", inUse.Holder.ID, inUse.Holder.Name)
	} else {
		holder += ", in this same apply"
	}
	diags.AddAttributeError(path.Root("consumer_key"), "Consumer Key Already Used", fmt.Sprintf("The consumer key %q "+
		"is already the incoming consumer of the application link %s. The products keep one incoming consumer per key "+
		"for the whole instance: storing it on this link too would silently replace that link's consumer, requests "+
		"signed with it would run as this one's `execute_as`, and removing either would remove both. Give each link "+
		"its own `consumer_key`; to move the key to this link, remove it from the other link in an earlier apply.\n\n%s",
		inUse.Key, holder, err))
}

// addLinkLookupError explains a failed read of the link a consumer belongs to.
func addLinkLookupError(diags *diag.Diagnostics, summary, linkID string, err error) {
	if errors.Is(err, client.ErrNotFound) {
		diags.AddAttributeError(path.Root("application_link_id"), "Application Link Not Found",
			fmt.Sprintf("The instance has no application link with id %s. If an applinks_application_link resource "+
				"of this configuration manages it, the link was deleted outside Terraform after the plan was made: run "+
				"`terraform plan` again, which plans to create the link anew, and apply that plan. Create the link first (an "+
				"applinks_application_link resource, referenced as `applinks_application_link.<name>.id`, orders "+
				"this for you), or correct `application_link_id`.\n\n%s", linkID, err))
		return
	}
	addAPIError(diags, summary, "read the application link's OAuth configuration", err)
}

// addLinkCreatedMeanwhileError reports a create that the instance refused
// because the link exists after all: another workspace or an administrator
// created it between the provider's check and its create (the v2 create
// answers 400 for an id in use, design/api.md §4).
func addLinkCreatedMeanwhileError(diags *diag.Diagnostics, link *client.ApplicationLink, err error) {
	diags.AddAttributeError(path.Root("rpc_url"), "Application Link Already Exists",
		fmt.Sprintf("The instance refused to create the link because a link with id %s (named %q, to %s) now exists: "+
			"someone else created it while this apply ran. Nothing was created or changed. If that link is the one "+
			"this resource describes, bring it under Terraform with `terraform import` or an import block using the "+
			"id %s; otherwise point `rpc_url` at another application.\n\n%s", link.ID, link.Name, link.RPCURL, link.ID, err))
}

func statusOf(err error) int {
	var apiErr *client.APIError
	if errors.As(err, &apiErr) {
		return apiErr.StatusCode
	}
	return 0
}

func isHostNotFound(err error) bool {
	var dnsErr *net.DNSError
	return errors.As(err, &dnsErr) && dnsErr.IsNotFound
}

// providerClient returns the API client that the provider's Configure
// handed over, or nil before the provider is configured (Terraform
// validates resources before it configures the provider).
func providerClient(providerData any, kind string, diags *diag.Diagnostics) *client.Client {
	if providerData == nil {
		return nil
	}
	if data, ok := providerData.(*resourceData); ok {
		return data.client
	}
	c, ok := providerData.(*client.Client)
	if !ok {
		diags.AddError("Unexpected "+kind+" Configure Type",
			fmt.Sprintf("Expected *client.Client, got: %T. Please report this issue to the provider developers.", providerData))
		return nil
	}
	return c
}
