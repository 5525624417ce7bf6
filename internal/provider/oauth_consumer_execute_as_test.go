package provider

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/applinks-iac/terraform-provider-applinks/internal/emulator"
)

// An incoming consumer whose execute_as names a user the instance does not
// have plans with a warning naming the attribute and the fix; an existing
// user plans without one.
func TestOAuthConsumerResource_executeAsUnknownUser(t *testing.T) {
	t.Parallel()
	jira := startEmulator(t, emulator.Options{}, "jira=jira").Instance("jira")
	server, diags := configuredServer(t, nil, providerAttrs(jira.URL(), "admin", "admin", nil))
	if hasError(diags) {
		t.Fatalf("configuring the provider:%s", describeDiags(diags))
	}
	ctx := context.Background()
	schemas, err := server.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	mustNotFail(t, err)
	objectType, ok := schemas.ResourceSchemas["applinks_oauth_consumer"].ValueType().(tftypes.Object)
	if !ok {
		t.Fatal("applinks_oauth_consumer has no object schema")
	}
	plan := func(executeAs string) []*tfprotov6.Diagnostic {
		t.Helper()
		config := objectOf(t, "applinks_oauth_consumer", objectType, map[string]tftypes.Value{
			"application_link_id": str("11111111-2222-3333-4444-555555555555"), "direction": str("incoming"),
			"consumer_key": str("ci"), "two_legged_allowed": tftypes.NewValue(tftypes.Bool, true), "execute_as": str(executeAs),
		})
		planned, err := server.PlanResourceChange(ctx, &tfprotov6.PlanResourceChangeRequest{
			TypeName:         "applinks_oauth_consumer",
			PriorState:       &tfprotov6.DynamicValue{MsgPack: nullMsgPack(t, objectType)},
			ProposedNewState: &config,
			Config:           &config,
		})
		mustNotFail(t, err)
		return planned.Diagnostics
	}

	if diags := plan("user"); len(diags) != 0 {
		t.Errorf("an existing execute_as user plans with diagnostics:%s", describeDiags(diags))
	}
	diags = plan("ci-bot")
	if len(diags) != 1 {
		t.Fatalf("want one warning, got%s", describeDiags(diags))
	}
	checkDiag(t, diags[0], wantDiag{
		severity:  tfprotov6.DiagnosticSeverityWarning,
		summary:   "Execute As User Not Found",
		attribute: "execute_as",
		detail: []string{`The instance has no user "ci-bot"`, "two-legged requests run anonymously",
			"Set `execute_as` to the user name", `create the user "ci-bot" on the instance, or remove ` + "`execute_as`"},
	})
}

func nullMsgPack(t *testing.T, objectType tftypes.Object) []byte {
	t.Helper()
	value, err := tfprotov6.NewDynamicValue(objectType, tftypes.NewValue(objectType, nil))
	mustNotFail(t, err)
	return value.MsgPack
}
