package provider

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// configureThroughProtocol validates and configures the provider the way
// Terraform does, over the plugin protocol, and returns every diagnostic.
func configureThroughProtocol(t *testing.T, env map[string]string, attrs map[string]tftypes.Value) []*tfprotov6.Diagnostic {
	t.Helper()
	_, diags := configuredServer(t, env, attrs)
	return diags
}

// configuredServer serves the provider over the plugin protocol and
// validates and configures it as Terraform does, returning the server for
// further calls and every diagnostic so far.
func configuredServer(t *testing.T, env map[string]string, attrs map[string]tftypes.Value) (tfprotov6.ProviderServer, []*tfprotov6.Diagnostic) {
	t.Helper()
	ctx := context.Background()

	p := newWithEnv("test", "none", mapEnv(env))()
	var schemaResp provider.SchemaResponse
	p.Schema(ctx, provider.SchemaRequest{}, &schemaResp)
	objectType, ok := schemaResp.Schema.Type().TerraformType(ctx).(tftypes.Object)
	if !ok {
		t.Fatalf("provider schema type is %T, not an object", schemaResp.Schema.Type().TerraformType(ctx))
	}
	config := objectOf(t, "the provider schema", objectType, attrs)

	server, err := providerserver.NewProtocol6WithError(p)()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := server.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{}); err != nil {
		t.Fatal(err)
	}
	validated, err := server.ValidateProviderConfig(ctx, &tfprotov6.ValidateProviderConfigRequest{Config: &config})
	if err != nil {
		t.Fatal(err)
	}
	diags := validated.Diagnostics
	if hasError(diags) {
		return server, diags
	}
	configured, err := server.ConfigureProvider(ctx, &tfprotov6.ConfigureProviderRequest{
		TerraformVersion: "1.5.7",
		Config:           &config,
	})
	if err != nil {
		t.Fatal(err)
	}
	return server, append(diags, configured.Diagnostics...)
}

// objectOf is a value of the object type with the attributes given and
// every other attribute null, as a configuration that leaves them out.
func objectOf(t *testing.T, what string, objectType tftypes.Object, attrs map[string]tftypes.Value) tfprotov6.DynamicValue {
	t.Helper()
	values := map[string]tftypes.Value{}
	for name, typ := range objectType.AttributeTypes {
		values[name] = tftypes.NewValue(typ, nil)
	}
	for name, v := range attrs {
		if _, known := objectType.AttributeTypes[name]; !known {
			t.Fatalf("test sets %q, which is not in %s", name, what)
		}
		values[name] = v
	}
	value, err := tfprotov6.NewDynamicValue(objectType, tftypes.NewValue(objectType, values))
	if err != nil {
		t.Fatal(err)
	}
	return value
}

func hasError(diags []*tfprotov6.Diagnostic) bool {
	for _, d := range diags {
		if d.Severity == tfprotov6.DiagnosticSeverityError {
			return true
		}
	}
	return false
}

func str(s string) tftypes.Value { return tftypes.NewValue(tftypes.String, s) }

func unknownString() tftypes.Value { return tftypes.NewValue(tftypes.String, tftypes.UnknownValue) }

// wantDiag describes one expected diagnostic; every field given must match.
type wantDiag struct {
	severity  tfprotov6.DiagnosticSeverity
	attribute string // top-level attribute name, "" for none
	summary   string
	detail    []string // substrings of the detail
}

func TestProviderConfigure(t *testing.T) {
	t.Parallel()
	basic := map[string]tftypes.Value{"url": str("https://jira.example.com"), "username": str("admin"), "password": str("s3cret")}
	with := func(extra map[string]tftypes.Value) map[string]tftypes.Value {
		out := map[string]tftypes.Value{}
		for k, v := range basic {
			out[k] = v
		}
		for k, v := range extra {
			out[k] = v
		}
		return out
	}

	tests := []struct {
		name  string
		env   map[string]string
		attrs map[string]tftypes.Value
		want  []wantDiag // nil: no diagnostics at all
	}{
		{name: "basic auth over https", attrs: basic},
		{name: "token", attrs: map[string]tftypes.Value{"url": str("https://jira.example.com"), "token": str("pat")}},
		{name: "context path", attrs: with(map[string]tftypes.Value{"url": str("https://example.com/jira")})},
		{name: "all from the environment", env: map[string]string{envURL: "https://jira.example.com", envToken: "pat"}},
		{name: "basic auth from the environment", env: map[string]string{envURL: "https://jira.example.com", envUsername: "a", envPassword: "b"}},
		{name: "configuration wins over environment", env: map[string]string{envToken: "env-pat"}, attrs: basic},
		{name: "http to loopback is quiet", attrs: with(map[string]tftypes.Value{"url": str("http://127.0.0.1:8080")})},
		{name: "http to localhost is quiet", attrs: with(map[string]tftypes.Value{"url": str("http://localhost:8080/jira")})},
		{name: "tuning", attrs: with(map[string]tftypes.Value{
			"request_timeout": str("2m"), "max_retries": tftypes.NewValue(tftypes.Number, 0),
			"ca_cert_pem": str(newTestCA(t).pem()),
		})},
		{
			name: "missing url", attrs: map[string]tftypes.Value{"token": str("pat")},
			want: []wantDiag{{tfprotov6.DiagnosticSeverityError, "url", "Missing Applinks URL", []string{"`url`", envURL}}},
		},
		{
			name: "relative url", attrs: with(map[string]tftypes.Value{"url": str("jira.example.com")}),
			want: []wantDiag{{tfprotov6.DiagnosticSeverityError, "url", "Invalid Applinks URL", []string{`"jira.example.com"`, "has no scheme", "https://jira.example.com"}}},
		},
		{
			name: "ftp url", attrs: with(map[string]tftypes.Value{"url": str("ftp://jira.example.com")}),
			want: []wantDiag{{tfprotov6.DiagnosticSeverityError, "url", "Invalid Applinks URL", []string{`scheme "ftp"`}}},
		},
		{
			name: "url with credentials", attrs: with(map[string]tftypes.Value{"url": str("https://bob:pw@jira.example.com")}),
			want: []wantDiag{{tfprotov6.DiagnosticSeverityError, "url", "Invalid Applinks URL", []string{"contains credentials"}}},
		},
		{
			name: "url with query", attrs: with(map[string]tftypes.Value{"url": str("https://jira.example.com/?x=1")}),
			want: []wantDiag{{tfprotov6.DiagnosticSeverityError, "url", "Invalid Applinks URL", []string{"query or fragment"}}},
		},
		{
			name: "bad url from the environment", env: map[string]string{envURL: "://nope", envToken: "pat"},
			want: []wantDiag{{tfprotov6.DiagnosticSeverityError, "url", "Invalid Applinks URL", []string{envURL, "not a valid URL"}}},
		},
		{
			name: "no credentials", attrs: map[string]tftypes.Value{"url": str("https://jira.example.com")},
			want: []wantDiag{{tfprotov6.DiagnosticSeverityError, "token", "Missing Applinks Credentials", []string{envToken, envUsername, envPassword}}},
		},
		{
			name: "username without password", attrs: map[string]tftypes.Value{"url": str("https://jira.example.com"), "username": str("admin")},
			want: []wantDiag{{tfprotov6.DiagnosticSeverityError, "password", "Missing Applinks Password", []string{"`password`", envPassword}}},
		},
		{
			name: "password without username", attrs: map[string]tftypes.Value{"url": str("https://jira.example.com"), "password": str("pw")},
			want: []wantDiag{{tfprotov6.DiagnosticSeverityError, "username", "Missing Applinks Username", []string{"`username`", envUsername}}},
		},
		{
			name: "token and password in the environment",
			env:  map[string]string{envURL: "https://jira.example.com", envToken: "pat", envUsername: "a", envPassword: "b"},
			want: []wantDiag{{tfprotov6.DiagnosticSeverityError, "token", "Conflicting Applinks Credentials", []string{"Set only one"}}},
		},
		{
			name: "token and username in the configuration",
			attrs: map[string]tftypes.Value{
				"url": str("https://jira.example.com"), "token": str("pat"), "username": str("admin"),
			},
			want: []wantDiag{{tfprotov6.DiagnosticSeverityError, "username", "Invalid Attribute Combination", []string{`"token"`}}},
		},
		{
			name: "unknown url", attrs: with(map[string]tftypes.Value{"url": unknownString()}),
			want: []wantDiag{{tfprotov6.DiagnosticSeverityError, "url", "Unknown Applinks URL", []string{"`url` is unknown", envURL}}},
		},
		{
			name: "unknown token", attrs: map[string]tftypes.Value{"url": str("https://jira.example.com"), "token": unknownString()},
			want: []wantDiag{{tfprotov6.DiagnosticSeverityError, "token", "Unknown Applinks Token", []string{"`token` is unknown", envToken}}},
		},
		{
			name: "unknown password", attrs: with(map[string]tftypes.Value{"password": unknownString()}),
			want: []wantDiag{{tfprotov6.DiagnosticSeverityError, "password", "Unknown Applinks Password", []string{envPassword}}},
		},
		{
			name: "unknown timeout", attrs: with(map[string]tftypes.Value{"request_timeout": unknownString()}),
			want: []wantDiag{{tfprotov6.DiagnosticSeverityError, "request_timeout", "Unknown Applinks Request Timeout", []string{"known at plan time"}}},
		},
		{
			name: "insecure_skip_verify warns", attrs: with(map[string]tftypes.Value{"insecure_skip_verify": tftypes.NewValue(tftypes.Bool, true)}),
			want: []wantDiag{{tfprotov6.DiagnosticSeverityWarning, "insecure_skip_verify", "TLS Certificate Verification Disabled", []string{"ca_cert_pem"}}},
		},
		{
			name: "plain http to a remote host warns", attrs: with(map[string]tftypes.Value{"url": str("http://jira.example.com:8080")}),
			want: []wantDiag{{tfprotov6.DiagnosticSeverityWarning, "url", "Credentials Sent Over Plain HTTP", []string{"password", "jira.example.com:8080", "https://"}}},
		},
		{
			name: "plain http with a token warns", attrs: map[string]tftypes.Value{"url": str("http://10.1.2.3"), "token": str("pat")},
			want: []wantDiag{{tfprotov6.DiagnosticSeverityWarning, "url", "Credentials Sent Over Plain HTTP", []string{"personal access token"}}},
		},
		{
			name: "timeout without unit", attrs: with(map[string]tftypes.Value{"request_timeout": str("30")}),
			want: []wantDiag{{tfprotov6.DiagnosticSeverityError, "request_timeout", "Invalid Duration", []string{`"30s"`, `"30" does not parse`}}},
		},
		{
			name: "negative timeout", attrs: with(map[string]tftypes.Value{"request_timeout": str("-1s")}),
			want: []wantDiag{{tfprotov6.DiagnosticSeverityError, "request_timeout", "Invalid Duration", []string{"greater than zero"}}},
		},
		{
			name: "too many retries", attrs: with(map[string]tftypes.Value{"max_retries": tftypes.NewValue(tftypes.Number, 50)}),
			want: []wantDiag{{tfprotov6.DiagnosticSeverityError, "max_retries", "Invalid Attribute Value", []string{"between 0 and 10", "50"}}},
		},
		{
			name: "ca_cert_pem that is not PEM", attrs: with(map[string]tftypes.Value{"ca_cert_pem": str("not a certificate")}),
			want: []wantDiag{{tfprotov6.DiagnosticSeverityError, "ca_cert_pem", "Invalid CA Certificate", []string{"BEGIN CERTIFICATE", "no PEM certificate block"}}},
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := configureThroughProtocol(t, tt.env, tt.attrs)
			if len(got) != len(tt.want) {
				t.Fatalf("want %d diagnostics, got %d: %s", len(tt.want), len(got), describeDiags(got))
			}
			for i, want := range tt.want {
				checkDiag(t, got[i], want)
			}
		})
	}
}

func checkDiag(t *testing.T, got *tfprotov6.Diagnostic, want wantDiag) {
	t.Helper()
	if got.Severity != want.severity || got.Summary != want.summary {
		t.Errorf("want %s %q, got %s %q (%s)", want.severity, want.summary, got.Severity, got.Summary, got.Detail)
	}
	gotAttribute := ""
	if got.Attribute != nil && len(got.Attribute.Steps()) > 0 {
		if name, ok := got.Attribute.Steps()[0].(tftypes.AttributeName); ok {
			gotAttribute = string(name)
		}
	}
	if gotAttribute != want.attribute {
		t.Errorf("%q: want attribute %q, got %q", got.Summary, want.attribute, gotAttribute)
	}
	for _, part := range want.detail {
		if !strings.Contains(got.Detail, part) {
			t.Errorf("%q: detail lacks %q:\n%s", got.Summary, part, got.Detail)
		}
	}
	if got.Detail == "" {
		t.Errorf("%q: empty detail", got.Summary)
	}
}

func describeDiags(diags []*tfprotov6.Diagnostic) string {
	var b strings.Builder
	for _, d := range diags {
		b.WriteString("\n  " + d.Severity.String() + " " + d.Summary + ": " + d.Detail)
	}
	return b.String()
}

func TestProviderSecretsAreSensitive(t *testing.T) {
	t.Parallel()
	var resp provider.SchemaResponse
	newWithEnv("test", "none", mapEnv(nil))().Schema(context.Background(), provider.SchemaRequest{}, &resp)
	for _, name := range []string{"password", "token"} {
		if !resp.Schema.Attributes[name].IsSensitive() {
			t.Errorf("%s is not Sensitive", name)
		}
	}
	if resp.Schema.Attributes["username"].IsSensitive() {
		t.Error("username is Sensitive, which would hide it in plans for no reason")
	}
}
