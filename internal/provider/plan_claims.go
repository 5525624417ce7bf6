package provider

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/applinks-iac/terraform-provider-applinks/internal/client"
	"github.com/applinks-iac/terraform-provider-applinks/internal/customtypes"
)

// Terraform shows a resource nothing of the others, but one provider process
// serves one walk of one configuration, and Configure starts every walk
// (plan, apply, import) afresh. So the provider hands its resources, with the
// client, a registry of what the links planned so far in this walk claim on
// the instance: a link id held in state, an application reached by rpc_url,
// the primary flag of a type. A second resource claiming what a first one
// holds is a conflict that no apply could settle, found at plan time.
//
// A claim names its claimant, since ModifyPlan does not see the resource's
// address, and Terraform may plan one resource twice in one walk: a
// replacement is planned once with its prior state and again without it.
// The claimant of an application or a primary flag is therefore the
// resource's configuration, which both plans share; the claimant of a link
// id held in state is a token that ImportState (or the first Read) stores in
// the resource's private state, so two addresses that imported one link are
// told apart even when their blocks are alike.

// resourceData is what the provider's Configure hands its resources.
type resourceData struct {
	client *client.Client
	claims *planClaims
}

type claimKind string

const (
	claimLinkID      claimKind = "link id"
	claimApplication claimKind = "application"
	claimPrimary     claimKind = "primary"
)

type claimKey struct {
	kind  claimKind
	value string
}

type planClaim struct {
	// claimant is the same for one resource however often it is planned.
	claimant string
	// link names the claimant's link in another resource's diagnostic.
	link string
	// rpcURL is the claimant's rpc_url as configured.
	rpcURL string
	// destroying: the claimant lets go of what it holds.
	destroying bool
}

// planClaims is safe for the concurrent plans of one walk. Its mutex guards
// only this map: changes to a link itself are serialised by the client.
type planClaims struct {
	mu     sync.Mutex
	claims map[claimKey]planClaim
}

func newPlanClaims() *planClaims {
	return &planClaims{claims: map[claimKey]planClaim{}}
}

// claim records c on key and returns the claim another resource already
// holds on it, if the two conflict. Two resources that both let go of a
// link do not conflict: deleting it twice is harmless.
func (p *planClaims) claim(key claimKey, c planClaim) (planClaim, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	held, ok := p.claims[key]
	switch {
	case !ok:
		p.claims[key] = c
		return planClaim{}, false
	case held.claimant == c.claimant, held.destroying && c.destroying:
		return planClaim{}, false
	}
	return held, true
}

// claimantKey is the private state key of the token that stands for the
// resource's address in link id claims.
const claimantKey = "claimant"

// privateData is the part of the framework's private state the token needs.
type privateData interface {
	GetKey(ctx context.Context, key string) ([]byte, diag.Diagnostics)
	SetKey(ctx context.Context, key string, value []byte) diag.Diagnostics
}

// keepClaimantToken gives the resource a token of its own unless it has
// one: at import, where two addresses may take one link, and at Read, for
// states written before tokens existed.
func keepClaimantToken(ctx context.Context, private privateData, diags *diag.Diagnostics) {
	if private == nil {
		return
	}
	if token, _ := private.GetKey(ctx, claimantKey); len(token) > 0 {
		return
	}
	random := make([]byte, 16)
	_, _ = rand.Read(random)
	value, _ := json.Marshal(hex.EncodeToString(random))
	diags.Append(private.SetKey(ctx, claimantKey, value)...)
}

// fingerprint stands for a configuration or state in a claim, without
// keeping its contents.
func fingerprint(values ...tftypes.Value) string {
	h := sha256.New()
	for _, v := range values {
		fmt.Fprintln(h, v.String())
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// claimPlan records this plan's claims and reports the ones another
// resource of the configuration already holds.
func (r *applicationLinkResource) claimPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if r.claims == nil {
		return
	}
	destroying, hasState := req.Plan.Raw.IsNull(), !req.State.Raw.IsNull()
	var config, state applicationLinkResourceModel
	if !destroying {
		resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	}
	if hasState {
		resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	}
	if resp.Diagnostics.HasError() {
		return
	}
	described := config
	if destroying {
		described = state
	}
	self := planClaim{claimant: "config:" + fingerprint(req.Config.Raw), link: describeLink(described),
		rpcURL: described.RPCURL.ValueString(), destroying: destroying}

	if hasState && known(state.ID) {
		holder := self
		holder.claimant = "state:" + fingerprint(req.Config.Raw, req.State.Raw)
		if token, _ := privateToken(ctx, req.Private); token != "" {
			holder.claimant = "token:" + token
		}
		if other, conflict := r.claims.claim(claimKey{claimLinkID, strings.ToLower(state.ID.ValueString())}, holder); conflict {
			resp.Diagnostics.AddError("Application Link Managed by Two Resources",
				fmt.Sprintf("This resource and another applinks_application_link resource of this configuration (%s) "+
					"both hold the application link %s in their state, as when one link is imported into two "+
					"addresses. Each apply would undo the other's changes to it. Keep it in one: run `terraform state rm` "+
					"on the other address, which leaves the link alone; removing that resource's block instead would "+
					"delete the link that this one still manages.", other.link, state.ID.ValueString()))
			return
		}
	}
	if destroying {
		return
	}
	if known(config.RPCURL.StringValue) {
		key := claimKey{claimApplication, customtypes.ApplicationURLKey(config.RPCURL.ValueString())}
		if other, conflict := r.claims.claim(key, self); conflict {
			resp.Diagnostics.AddAttributeError(path.Root("rpc_url"), "Two Application Links to One Application",
				fmt.Sprintf("`rpc_url` %q reaches the same application as %q, the `rpc_url` of %s in this "+
					"configuration: the case of the scheme and host, the default port and trailing slashes do not "+
					"change where a URL leads. The products would make two links to the one application (a generic "+
					"link's id derives from the URL as spelt). Keep one link per application: remove one of the two "+
					"resources, or point its `rpc_url` at another application.",
					config.RPCURL.ValueString(), other.rpcURL, other.link))
		}
	}
	if known(config.Type) && config.Primary.ValueBool() {
		if other, conflict := r.claims.claim(claimKey{claimPrimary, config.Type.ValueString()}, self); conflict {
			resp.Diagnostics.AddAttributeError(path.Root("primary"), "Two Primary Application Links of One Type",
				fmt.Sprintf("This link and %s both set `primary = true` for type %q. The products keep one primary "+
					"link per type, and making one primary demotes the other, so each apply would take the flag from "+
					"one and give it to the other, forever. Set `primary = true` on one of them only. The same happens "+
					"when two Terraform workspaces each set `primary = true` on a link of one type on one instance, "+
					"and the provider cannot see the other workspace: keep the primary link of each type in one "+
					"workspace.", other.link, config.Type.ValueString()))
		}
	}
}

// describeLink names a link for another resource's diagnostic, which cannot
// give its address.
func describeLink(m applicationLinkResourceModel) string {
	description := "the link"
	if known(m.Name) {
		description += fmt.Sprintf(" named %q", m.Name.ValueString())
	}
	if known(m.RPCURL.StringValue) {
		description += " to " + m.RPCURL.ValueString()
	}
	if known(m.ID) {
		description += " (id " + m.ID.ValueString() + ")"
	}
	return description
}

func privateToken(ctx context.Context, private privateData) (string, diag.Diagnostics) {
	if private == nil {
		return "", nil
	}
	raw, diags := private.GetKey(ctx, claimantKey)
	var token string
	if len(raw) > 0 && json.Unmarshal(raw, &token) != nil {
		token = ""
	}
	return token, diags
}

func known(v interface {
	IsNull() bool
	IsUnknown() bool
}) bool {
	return !v.IsNull() && !v.IsUnknown()
}
