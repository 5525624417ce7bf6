package provider

import (
	"crypto/x509"
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"

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
	case errors.Is(err, client.ErrUnauthorized):
		return "The instance refused the credentials, or the user is not an administrator: check `username` and " +
			"`password` or `token`, and that the user is in the administrators group."
	case errors.Is(err, client.ErrForbidden):
		return "The user lacks a permission this operation needs; some operations need a system administrator."
	case errors.Is(err, client.ErrNotFound):
		return "The object or endpoint does not exist: check `url` (including any context path) and the ids in the configuration."
	case errors.Is(err, client.ErrUnexpectedResponse):
		return "The answer was not the product's JSON; a proxy or load balancer in front of the instance may have " +
			"answered instead, or `url` points at something else."
	case errors.Is(err, client.ErrServer):
		return "The instance reported an internal error; its application log has the details."
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

// providerClient returns the API client that the provider's Configure
// handed over, or nil before the provider is configured (Terraform
// validates resources before it configures the provider).
func providerClient(providerData any, kind string, diags *diag.Diagnostics) *client.Client {
	if providerData == nil {
		return nil
	}
	c, ok := providerData.(*client.Client)
	if !ok {
		diags.AddError("Unexpected "+kind+" Configure Type",
			fmt.Sprintf("Expected *client.Client, got: %T. Please report this issue to the provider developers.", providerData))
		return nil
	}
	return c
}

// backtickList renders values as Markdown code, comma-separated, for the
// descriptions of enumerations.
func backtickList(values []string) string {
	quoted := make([]string, len(values))
	for i, v := range values {
		quoted[i] = "`" + v + "`"
	}
	return strings.Join(quoted, ", ")
}
