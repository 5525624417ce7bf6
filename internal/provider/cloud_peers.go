package provider

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/applinks-iac/terraform-provider-applinks/internal/allowlist"
)

// Links to Atlassian Cloud sites (design/api.md §15). The products' docs set
// two conditions on the Data Center side that the provider can see before an
// apply: an allowlist rule that accepts incoming requests from the cloud
// site, and a base URL on port 80 or 443 (design/api.md §15.2). Neither is an
// error the products would report at once: the link is created, and the
// cloud side fails later. So the link's plan warns, with the fix.

var _ resource.ResourceWithModifyPlan = (*allowlistRuleResource)(nil)

// cloudSiteDomains are the domains under which Atlassian hosts cloud sites
// (design/api.md §15.1). Tests add a loopback host name, so that an emulated
// instance stands for a cloud site; nothing else changes it.
var cloudSiteDomains = []string{"atlassian.net", "jira.com", "jira-dev.com"}

// cloudSiteOrigin returns the origin (scheme://host[:port]) of a URL on a
// cloud site, the Origin its cross-origin requests carry, or "" for any other
// URL.
func cloudSiteOrigin(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" {
		return ""
	}
	host := strings.ToLower(u.Hostname())
	for _, domain := range cloudSiteDomains {
		if host == domain || strings.HasSuffix(host, "."+domain) {
			return strings.ToLower(u.Scheme) + "://" + strings.ToLower(u.Host)
		}
	}
	return ""
}

// claimInboundRule marks an applinks_whitelist_rule planned in this walk that
// allows inbound requests; the key's value is "<type>\x00<expression>".
const claimInboundRule claimKind = "inbound rule"

// planInboundRule records an inbound rule of the configuration for the links
// planned after it (those that depend on it).
func (p *planClaims) planInboundRule(typeName, expression string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.claims[claimKey{claimInboundRule, typeName + "\x00" + expression}] = planClaim{claimant: "rule"}
}

// plansInboundFrom reports whether a rule planned so far accepts inbound
// requests from origin.
func (p *planClaims) plansInboundFrom(origin string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	for key := range p.claims {
		if key.kind != claimInboundRule {
			continue
		}
		typeName, expression, _ := strings.Cut(key.value, "\x00")
		if allowlistRuleMatchesOrigin(typeName, expression, origin) {
			return true
		}
	}
	return false
}

// allowlistRuleMatchesOrigin applies a rule of the configuration to an
// origin with the products' own matchers (design/api.md §8.1), as
// internal/allowlist has them; a pattern Go cannot evaluate matches
// nothing, which can only add a warning. A domain rule's trailing slash is
// forgiven, and an exact URL may name the origin with or without its root
// path: the warning is about whether the site is allowed at all.
func allowlistRuleMatchesOrigin(typeName, expression, origin string) bool {
	kind, known := allowlistKinds[typeName]
	if !known {
		return false
	}
	candidates := []string{origin}
	switch kind {
	case allowlist.Domain:
		expression = strings.TrimRight(expression, "/")
	case allowlist.ExactURL:
		candidates = append(candidates, origin+"/")
	}
	for _, candidate := range candidates {
		if allowed, err := allowlist.Allows(kind, expression, candidate); err == nil && allowed {
			return true
		}
	}
	return false
}

// ModifyPlan records an inbound rule for the cloud check of the links that
// depend on it.
func (r *allowlistRuleResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if r.claims == nil || req.Plan.Raw.IsNull() {
		return
	}
	var plan allowlistRuleResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() || !plan.AllowInbound.ValueBool() || !known(plan.Type) || !known(plan.Expression) {
		return
	}
	r.claims.planInboundRule(plan.Type.ValueString(), plan.Expression.ValueString())
}

// warnAboutCloudPeer checks a planned link to a cloud site against the two
// conditions on this side. It never fails the plan: a check the instance
// cannot answer is logged and skipped.
func (r *applicationLinkResource) warnAboutCloudPeer(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if r.client == nil || req.Plan.Raw.IsNull() {
		return
	}
	var plan applicationLinkResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() || !known(plan.RPCURL.StringValue) {
		return
	}
	origin := cloudSiteOrigin(plan.RPCURL.ValueString())
	if origin == "" {
		return
	}
	if r.claims == nil || !r.claims.plansInboundFrom(origin) {
		check, err := r.client.CheckAllowlist(ctx, origin)
		switch {
		case err != nil:
			tflog.Warn(ctx, "Could not check the allowlist for a cloud site", map[string]any{"origin": origin, "error": err.Error()})
		case !check.Inbound:
			resp.Diagnostics.AddAttributeWarning(path.Root("rpc_url"), "Cloud Site Not Allowed Inbound",
				fmt.Sprintf("%s is an Atlassian Cloud site, and the products' documentation requires the Data Center "+
					"instance to accept incoming requests from it: an allowlist rule for the cloud site's domain that "+
					"allows inbound requests. Neither the instance's allowlist nor an applinks_whitelist_rule planned "+
					"before this link allows inbound requests from %s, so the cloud site's calls to this instance will "+
					"be refused. Add\n\n"+
					"resource \"applinks_whitelist_rule\" \"cloud\" {\n  type          = \"domain\"\n  expression    = %q\n  allow_inbound = true\n}\n\n"+
					"and `depends_on = [applinks_whitelist_rule.cloud]` in this link, so that the rule is in place before "+
					"the link is created (Terraform applies resources that do not depend on each other in any order). "+
					"Setting `allow_inbound` with an applinks_application_link_whitelist_rule on this link, once applied, "+
					"satisfies the instance's allowlist too.", origin, origin, origin))
		}
	}
	self, err := r.client.GetManifest(ctx)
	if err != nil {
		tflog.Warn(ctx, "Could not read the instance's base URL for a cloud link", map[string]any{"error": err.Error()})
		return
	}
	if port := explicitPort(self.URL); port != "" && port != "80" && port != "443" {
		resp.Diagnostics.AddAttributeWarning(path.Root("rpc_url"), "Instance Base URL Not on Port 80 or 443",
			fmt.Sprintf("The instance's base URL is %s, on port %s. The products' documentation requires a Data "+
				"Center instance linked to an Atlassian Cloud site (%s) to be reachable from it on port 80 or 443, and "+
				"the cloud site reaches the instance at its base URL. Put a reverse proxy on port 443 in front of the "+
				"instance and set the base URL (and the proxy settings of its connector) to the proxy's address, or "+
				"link through an application tunnel, which the cloud side sets up.", self.URL, port, origin))
	}
}

// explicitPort is the port a URL spells out, or "" when it uses the
// scheme's default.
func explicitPort(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return ""
	}
	return u.Port()
}
