package provider

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/provider"

	"github.com/applinks-iac/terraform-provider-applinks/internal/allowlist"
	"github.com/applinks-iac/terraform-provider-applinks/internal/client"
	"github.com/applinks-iac/terraform-provider-applinks/internal/validators"
)

// Provider-defined functions (Terraform 1.8 and later): what the products
// compute from a configuration alone, so that import blocks, checks and
// `terraform test` can use it without a server.

var (
	_ provider.ProviderWithFunctions = (*applinksProvider)(nil)
	_ function.Function              = genericLinkIDFunction{}
	_ function.Function              = allowlistAllowsFunction{}
)

func (p *applinksProvider) Functions(_ context.Context) []func() function.Function {
	return []func() function.Function{
		func() function.Function { return genericLinkIDFunction{} },
		func() function.Function { return allowlistAllowsFunction{} },
	}
}

// genericLinkIDFunction is generic_link_id(rpc_url).
type genericLinkIDFunction struct{}

func (f genericLinkIDFunction) Metadata(_ context.Context, _ function.MetadataRequest, resp *function.MetadataResponse) {
	resp.Name = "generic_link_id"
}

func (f genericLinkIDFunction) Definition(_ context.Context, _ function.DefinitionRequest, resp *function.DefinitionResponse) {
	resp.Definition = function.Definition{
		Summary: "The link id the products give a generic link to a URL",
		MarkdownDescription: "Returns the id that the products derive for a generic application link (and for a peer " +
			"whose manifest cannot be fetched) from its `rpc_url`: a name-based UUID of the URL without trailing " +
			"slashes, after `.` and `..` path segments are resolved. Nothing else is normalised, as the products do " +
			"not normalise it either: the case of the scheme and host and a written-out default port give other ids. " +
			"Use it to write the import block of a generic link, or a check, without a server.",
		Parameters: []function.Parameter{function.StringParameter{
			Name:                "rpc_url",
			MarkdownDescription: "The link's `rpc_url`: an absolute `http` or `https` URL.",
		}},
		Return: function.StringReturn{},
	}
}

func (f genericLinkIDFunction) Run(ctx context.Context, req function.RunRequest, resp *function.RunResponse) {
	var rpcURL string
	resp.Error = req.Arguments.Get(ctx, &rpcURL)
	if resp.Error != nil {
		return
	}
	if _, problem := validators.CheckHTTPURL(rpcURL); problem != "" {
		resp.Error = function.NewArgumentFuncError(0, fmt.Sprintf("rpc_url must be an absolute http or https URL, as "+
			"applinks_application_link takes it; %q %s.", validators.RedactURL(rpcURL), problem))
		return
	}
	resp.Error = resp.Result.Set(ctx, client.ApplicationIDForURL(rpcURL))
}

// allowlistAllowsFunction is allowlist_allows(type, expression, url).
type allowlistAllowsFunction struct{}

func (f allowlistAllowsFunction) Metadata(_ context.Context, _ function.MetadataRequest, resp *function.MetadataResponse) {
	resp.Name = "allowlist_allows"
}

func (f allowlistAllowsFunction) Definition(_ context.Context, _ function.DefinitionRequest, resp *function.DefinitionResponse) {
	resp.Definition = function.Definition{
		Summary: "Whether an allowlist rule allows a URL",
		MarkdownDescription: "Returns whether a rule of the URL allowlist with the given `type` and `expression`, as " +
			"`applinks_whitelist_rule` takes them, allows `url`, with the products' matchers: a `domain` rule " +
			"compares the URL's `scheme://host[:port]` ignoring case; an `exact_url` rule compares the whole URL as " +
			"Java's `URI.equals` does (scheme and host ignoring case, path and query exactly, a written-out default " +
			"port counting as a difference); a `wildcard` rule must match the whole URL, ignoring case, `*` standing " +
			"for any characters, `/` included; a `regex` rule must match the whole URL, case-sensitively. A trailing " +
			"slash is a difference for every type. A URL without a scheme or host is allowed by no rule. Use it in " +
			"`check` blocks and `terraform test` to prove what a rule lets through without a server; the " +
			"`applinks_whitelist_check` data source asks the instance itself, with every rule and setting.",
		Parameters: []function.Parameter{
			function.StringParameter{Name: "type", MarkdownDescription: "The rule's type: one of " + allowlistRuleTypes.MarkdownList() + "."},
			function.StringParameter{Name: "expression", MarkdownDescription: "The rule's expression."},
			function.StringParameter{Name: "url", MarkdownDescription: "The URL the product would call or be called from."},
		},
		Return: function.BoolReturn{},
	}
}

// allowlistKinds maps the rule types of applinks_whitelist_rule to the
// matcher's kinds.
var allowlistKinds = map[string]allowlist.Kind{
	"domain": allowlist.Domain, "exact_url": allowlist.ExactURL, "wildcard": allowlist.Wildcard, "regex": allowlist.Regex,
}

func (f allowlistAllowsFunction) Run(ctx context.Context, req function.RunRequest, resp *function.RunResponse) {
	var typeName, expression, rawURL string
	resp.Error = req.Arguments.Get(ctx, &typeName, &expression, &rawURL)
	if resp.Error != nil {
		return
	}
	kind, ok := allowlistKinds[typeName]
	if !ok {
		resp.Error = function.NewArgumentFuncError(0, fmt.Sprintf("type must be one of %s, as applinks_whitelist_rule "+
			"takes it; got %q. Application-link rules match their link's URL and cannot be evaluated here.",
			backtickList(allowlistRuleTypes.Names()), typeName))
		return
	}
	allowed, err := allowlist.Allows(kind, expression, rawURL)
	switch {
	case errors.Is(err, allowlist.ErrNotEvaluable):
		resp.Error = function.NewArgumentFuncError(1, "expression uses Java regular-expression syntax that Go's "+
			"regular expressions lack (look-around, back-references, possessive quantifiers), so it cannot be "+
			"evaluated without the server; ask the instance with the applinks_whitelist_check data source. "+err.Error())
		return
	case err != nil:
		resp.Error = function.NewArgumentFuncError(2, "url must be a URL; "+err.Error())
		return
	}
	resp.Error = resp.Result.Set(ctx, allowed)
}
