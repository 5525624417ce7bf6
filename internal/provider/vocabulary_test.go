package provider

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/applinks-iac/terraform-provider-applinks/internal/client"
)

// Each vocabulary maps both ways without loss: names and wire values are
// unique, and every name comes back from its wire value.
func TestVocabulariesRoundTrip(t *testing.T) {
	t.Parallel()
	checkRoundTrip(t, "productTypes", productTypes)
	checkRoundTrip(t, "oauthLevels", oauthLevels)
	checkRoundTrip(t, "whitelistRuleTypes", allowlistRuleTypes)
	checkRoundTrip(t, "whitelistRestrictiveness", allowlistRestrictiveness)
}

func checkRoundTrip[W comparable](t *testing.T, name string, v vocabulary[W]) {
	t.Helper()
	names := v.Names()
	if len(names) == 0 {
		t.Fatalf("%s has no terms", name)
	}
	seenWire := map[W]bool{}
	for i, n := range names {
		if slices.Index(names, n) != i {
			t.Errorf("%s names %q twice", name, n)
		}
		wire, ok := v.ToWire(n)
		if !ok {
			t.Errorf("%s.ToWire(%q) is not ok", name, n)
		}
		if seenWire[wire] {
			t.Errorf("%s maps two names to %v", name, wire)
		}
		seenWire[wire] = true
		if back, ok := v.FromWire(wire); !ok || back != n {
			t.Errorf("%s.FromWire(%v) = %q, %v; want %q", name, wire, back, ok, n)
		}
	}
	if _, ok := v.ToWire("no-such-name"); ok {
		t.Errorf("%s.ToWire accepts a name outside it", name)
	}
}

func TestVocabularyMarkdownList(t *testing.T) {
	t.Parallel()
	if got, want := productTypes.MarkdownList(), "`jira`, `confluence`, `bitbucket`, `bamboo`, `fecru`, `crowd`, `generic`"; got != want {
		t.Errorf("productTypes.MarkdownList() = %q, want %q", got, want)
	}
	if got, want := oauthLevels.MarkdownList(), "`disabled`, `oauth_3lo`, `oauth`, `oauth_impersonation`"; got != want {
		t.Errorf("oauthLevels.MarkdownList() = %q, want %q", got, want)
	}
	// Described terms: each name with its meaning, separated by semicolons.
	got := allowlistRestrictiveness.MarkdownList()
	if !strings.HasPrefix(got, "`allow_authenticated`: every application link gets a rule") ||
		!strings.Contains(got, "(the product's default); `allow_anonymous`: ") || !strings.Contains(got, "; `deny`: application links get no rule") {
		t.Errorf("whitelistRestrictiveness.MarkdownList() = %q", got)
	}
	if got := allowlistRuleTypes.MarkdownList(); strings.Count(got, "; `") != 3 || !strings.HasPrefix(got, "`domain`: an origin") {
		t.Errorf("whitelistRuleTypes.MarkdownList() = %q", got)
	}
}

func TestVocabularyValidator(t *testing.T) {
	t.Parallel()
	validate := func(value types.String) []string {
		var resp validator.StringResponse
		productTypes.Validator().ValidateString(context.Background(),
			validator.StringRequest{Path: path.Root("type"), ConfigValue: value}, &resp)
		var details []string
		for _, d := range resp.Diagnostics.Errors() {
			details = append(details, d.Summary()+": "+d.Detail())
		}
		return details
	}
	for _, name := range productTypes.Names() {
		if errs := validate(types.StringValue(name)); len(errs) != 0 {
			t.Errorf("%q refused: %v", name, errs)
		}
	}
	for _, v := range []types.String{types.StringNull(), types.StringUnknown()} {
		if errs := validate(v); len(errs) != 0 {
			t.Errorf("%s refused: %v", v, errs)
		}
	}
	// The framework's OneOf wording, which the bad input matrix quotes.
	errs := validate(types.StringValue("stash"))
	if len(errs) != 1 || !strings.Contains(errs[0], "Invalid Attribute Value Match") ||
		!strings.Contains(errs[0], `type value must be one of: ["jira" "confluence" "bitbucket"`) || !strings.Contains(errs[0], `got: "stash"`) {
		t.Errorf("stash: %v", errs)
	}
}

// What the server reports without a name in the provider's vocabulary
// passes through both ways, so nothing it says is lost.
func TestStringVocabularyPassesUnknownValuesThrough(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ wire, name string }{
		{"stash", "bitbucket"},
		{"jira", "jira"},
		{"refapp", "refapp"},
		{"com.example.plugin:type", "com.example.plugin:type"},
	} {
		if got := nameOrWire(productTypes, tc.wire); got != tc.name {
			t.Errorf("nameOrWire(productTypes, %q) = %q, want %q", tc.wire, got, tc.name)
		}
		if got := wireOrName(productTypes, tc.name); got != tc.wire {
			t.Errorf("wireOrName(productTypes, %q) = %q, want %q", tc.name, got, tc.wire)
		}
	}
	if got := nameOrWire(allowlistRestrictiveness, "some.future.value"); got != "some.future.value" {
		t.Errorf("unknown restrictiveness came back as %q", got)
	}
}

// Every combination of the three flags has a level, named as the products
// normalise it (design/api.md §5.3).
func TestOAuthLevelForEveryFlagCombination(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		config client.OAuthConfig
		want   string
	}{
		{client.OAuthConfig{}, oauthLevelDisabled},
		{client.OAuthConfig{TwoLoEnabled: true}, oauthLevelDisabled},
		{client.OAuthConfig{TwoLoImpersonationEnabled: true}, oauthLevelDisabled},
		{client.OAuthConfig{TwoLoEnabled: true, TwoLoImpersonationEnabled: true}, oauthLevelDisabled},
		{client.OAuthConfig{Enabled: true}, oauthLevel3LO},
		{client.OAuthConfig{Enabled: true, TwoLoEnabled: true}, oauthLevelOAuth},
		{client.OAuthConfig{Enabled: true, TwoLoImpersonationEnabled: true}, oauthLevelImpersonation},
		{client.OAuthConfig{Enabled: true, TwoLoEnabled: true, TwoLoImpersonationEnabled: true}, oauthLevelImpersonation},
	} {
		if got := oauthLevelForConfig(tc.config); got != tc.want {
			t.Errorf("oauthLevelForConfig(%+v) = %q, want %q", tc.config, got, tc.want)
		}
	}
}
