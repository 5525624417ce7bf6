package provider

import (
	"context"
	"fmt"
	"net"
	"os"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/applinks-iac/terraform-provider-applinks/internal/client"
	"github.com/applinks-iac/terraform-provider-applinks/internal/validators"
)

var _ provider.Provider = (*applinksProvider)(nil)

var _ provider.ProviderWithEphemeralResources = (*applinksProvider)(nil)

// Environment variables that stand in for provider attributes left unset.
const (
	envURL      = "APPLINKS_URL"
	envUsername = "APPLINKS_USERNAME"
	envPassword = "APPLINKS_PASSWORD"
	envToken    = "APPLINKS_TOKEN"
)

const (
	defaultRequestTimeout = 30 * time.Second
	defaultMaxRetries     = 4
	maxMaxRetries         = 10
)

type applinksProvider struct {
	version string
	commit  string
	// lookupEnv is os.LookupEnv outside tests; tests inject their own so
	// that they can run in parallel without touching the process environment.
	lookupEnv func(string) (string, bool)
}

type applinksProviderModel struct {
	URL                types.String `tfsdk:"url"`
	Username           types.String `tfsdk:"username"`
	Password           types.String `tfsdk:"password"`
	Token              types.String `tfsdk:"token"`
	CACertPEM          types.String `tfsdk:"ca_cert_pem"`
	InsecureSkipVerify types.Bool   `tfsdk:"insecure_skip_verify"`
	RequestTimeout     types.String `tfsdk:"request_timeout"`
	MaxRetries         types.Int64  `tfsdk:"max_retries"`
}

// New returns the provider factory that main and the tests serve.
func New(version, commit string) func() provider.Provider {
	return newWithEnv(version, commit, os.LookupEnv)
}

func newWithEnv(version, commit string, lookupEnv func(string) (string, bool)) func() provider.Provider {
	return func() provider.Provider {
		return &applinksProvider{version: version, commit: commit, lookupEnv: lookupEnv}
	}
}

func (p *applinksProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "applinks"
	resp.Version = p.version
}

func (p *applinksProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Manages Atlassian Application Links, their OAuth consumers and the URL allowlist " +
			"of a self-managed Jira, Confluence, Bitbucket, Bamboo, Fisheye/Crucible or Crowd instance " +
			"(Server and Data Center) through the products' admin REST APIs.",
		Attributes: map[string]schema.Attribute{
			"url": schema.StringAttribute{
				MarkdownDescription: "Base URL of the instance this provider manages, including any context path, " +
					"for example `https://jira.example.com` or `https://example.com/confluence`. " +
					"May also be set with the `" + envURL + "` environment variable.",
				Optional: true,
			},
			"username": schema.StringAttribute{
				MarkdownDescription: "User name for HTTP Basic authentication, used together with `password`. " +
					"Managing application links needs an administrator; some operations (2LO impersonation, " +
					"relocation, the allowlist) need a system administrator. " +
					"May also be set with the `" + envUsername + "` environment variable.",
				Optional: true,
				Validators: []validator.String{
					stringvalidator.ConflictsWith(path.MatchRoot("token")),
				},
			},
			"password": schema.StringAttribute{
				MarkdownDescription: "Password for HTTP Basic authentication, used together with `username`. " +
					"May also be set with the `" + envPassword + "` environment variable.",
				Optional:  true,
				Sensitive: true,
				Validators: []validator.String{
					stringvalidator.ConflictsWith(path.MatchRoot("token")),
				},
			},
			"token": schema.StringAttribute{
				MarkdownDescription: "Personal access token, sent as `Authorization: Bearer`. Use either `token` or " +
					"`username` and `password`, not both. May also be set with the `" + envToken + "` environment variable.",
				Optional:  true,
				Sensitive: true,
			},
			"ca_cert_pem": schema.StringAttribute{
				MarkdownDescription: "PEM-encoded certificate authorities to trust in addition to the system's, " +
					"for an instance whose certificate is signed by a private CA.",
				Optional: true,
				Validators: []validator.String{
					validators.PEMCertificates(),
				},
			},
			"insecure_skip_verify": schema.BoolAttribute{
				MarkdownDescription: "Skip verification of the instance's TLS certificate. Only for tests: " +
					"anyone on the network path can then read the credentials. Prefer `ca_cert_pem`. Defaults to `false`.",
				Optional: true,
			},
			"request_timeout": schema.StringAttribute{
				MarkdownDescription: fmt.Sprintf("How long to wait for each HTTP response, as a Go duration such as `30s` "+
					"or `2m`. Defaults to `%s`.", defaultRequestTimeout),
				Optional: true,
				Validators: []validator.String{
					validators.PositiveDuration(),
				},
			},
			"max_retries": schema.Int64Attribute{
				MarkdownDescription: fmt.Sprintf("How many times to retry a request that failed with HTTP 429, 502, 503 "+
					"or 504 or a dropped connection, with exponential backoff. Only requests that are safe to repeat "+
					"are retried. Defaults to `%d`; `0` disables retries.", defaultMaxRetries),
				Optional: true,
				Validators: []validator.Int64{
					int64validator.Between(0, maxMaxRetries),
				},
			},
		},
	}
}

func (p *applinksProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var config applinksProviderModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}

	p.rejectUnknown(&config, resp)
	if resp.Diagnostics.HasError() {
		return
	}

	baseURL := p.stringOrEnv(config.URL, envURL)
	if baseURL == "" {
		resp.Diagnostics.AddAttributeError(path.Root("url"), "Missing Applinks URL",
			"The provider needs the base URL of the instance it manages. Set `url` in the provider block or the "+
				envURL+" environment variable, for example https://jira.example.com (include any context path, "+
				"such as https://example.com/confluence).")
		return
	}
	parsedURL, problem := validators.CheckHTTPURL(baseURL)
	if problem != "" {
		fix := ""
		if problem == validators.CredentialsInURL {
			fix = " Remove the user name and password from it and set `username` and `password` (or " +
				envUsername + " and " + envPassword + ") instead, or use `token`."
		}
		resp.Diagnostics.AddAttributeError(path.Root("url"), "Invalid Applinks URL",
			fmt.Sprintf("The base URL %q (from `url` or %s) %s. Use an absolute http or https URL such as "+
				"https://jira.example.com.%s", validators.RedactURL(baseURL), envURL, problem, fix))
		return
	}

	creds := p.resolveCredentials(&config, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}

	if config.InsecureSkipVerify.ValueBool() {
		resp.Diagnostics.AddAttributeWarning(path.Root("insecure_skip_verify"), "TLS Certificate Verification Disabled",
			"The provider will not verify the instance's TLS certificate, so anyone on the network path can read "+
				"the credentials and change what is applied. Use `ca_cert_pem` to trust a private certificate authority instead.")
	}
	if parsedURL.Scheme == "http" && !isLoopbackHost(parsedURL.Hostname()) {
		resp.Diagnostics.AddAttributeWarning(path.Root("url"), "Credentials Sent Over Plain HTTP",
			fmt.Sprintf("The provider will send the %s to %s without encryption. Atlassian recommends serving the "+
				"products over HTTPS with a valid certificate; use an https:// URL.", creds.kind(), parsedURL.Host))
	}

	requestTimeout := defaultRequestTimeout
	if !config.RequestTimeout.IsNull() {
		// The validator already rejected anything that does not parse.
		requestTimeout, _ = time.ParseDuration(config.RequestTimeout.ValueString())
	}
	maxRetries := int64(defaultMaxRetries)
	if !config.MaxRetries.IsNull() {
		maxRetries = config.MaxRetries.ValueInt64()
	}

	c, err := client.New(client.Config{
		BaseURL:            baseURL,
		Username:           creds.username,
		Password:           creds.password,
		Token:              creds.token,
		CACertPEM:          config.CACertPEM.ValueString(),
		InsecureSkipVerify: config.InsecureSkipVerify.ValueBool(),
		RequestTimeout:     requestTimeout,
		MaxRetries:         int(maxRetries),
		UserAgent:          client.UserAgent(p.version, req.TerraformVersion),
	})
	if err != nil {
		resp.Diagnostics.AddError("Unable to Create Applinks API Client",
			"The provider could not build its HTTP client from the configuration. Check `url` and `ca_cert_pem`: "+err.Error())
		return
	}

	tflog.Debug(ctx, "Configured applinks provider", map[string]any{
		"url":             baseURL,
		"auth":            creds.kind(),
		"request_timeout": requestTimeout.String(),
		"max_retries":     maxRetries,
		"version":         p.version,
		"commit":          p.commit,
	})
	resp.DataSourceData = c
	resp.EphemeralResourceData = c
	// Each walk configures the provider anew, so the claims start empty.
	resp.ResourceData = &resourceData{client: c, claims: newPlanClaims()}
}

// rejectUnknown reports every attribute whose value is not known yet: the
// client cannot be built from a value that another resource computes later.
func (p *applinksProvider) rejectUnknown(config *applinksProviderModel, resp *provider.ConfigureResponse) {
	unknowns := []struct {
		attribute string
		label     string
		env       string
		unknown   bool
	}{
		{"url", "URL", envURL, config.URL.IsUnknown()},
		{"username", "Username", envUsername, config.Username.IsUnknown()},
		{"password", "Password", envPassword, config.Password.IsUnknown()},
		{"token", "Token", envToken, config.Token.IsUnknown()},
		{"ca_cert_pem", "CA Certificate", "", config.CACertPEM.IsUnknown()},
		{"insecure_skip_verify", "TLS Verification Setting", "", config.InsecureSkipVerify.IsUnknown()},
		{"request_timeout", "Request Timeout", "", config.RequestTimeout.IsUnknown()},
		{"max_retries", "Retry Count", "", config.MaxRetries.IsUnknown()},
	}
	for _, u := range unknowns {
		if !u.unknown {
			continue
		}
		fix := "Set it to a value known at plan time"
		if u.env != "" {
			fix += ", or remove it and use the " + u.env + " environment variable"
		}
		resp.Diagnostics.AddAttributeError(path.Root(u.attribute), "Unknown Applinks "+u.label,
			fmt.Sprintf("The provider cannot create its API client because `%s` is unknown until apply. %s.", u.attribute, fix))
	}
}

func (p *applinksProvider) stringOrEnv(value types.String, env string) string {
	if !value.IsNull() {
		return value.ValueString()
	}
	v, _ := p.lookupEnv(env)
	return v
}

type credentials struct {
	username, password, token string
}

func (c credentials) kind() string {
	if c.token != "" {
		return "personal access token"
	}
	return "password"
}

// resolveCredentials picks one authentication scheme. Credentials written in
// the provider block win as a whole over the environment, so a token in the
// configuration is never mixed with a password from the environment.
func (p *applinksProvider) resolveCredentials(config *applinksProviderModel, diags *diag.Diagnostics) credentials {
	fromConfig := !config.Username.IsNull() || !config.Password.IsNull() || !config.Token.IsNull()
	var creds credentials
	if fromConfig {
		creds = credentials{config.Username.ValueString(), config.Password.ValueString(), config.Token.ValueString()}
	} else {
		creds.username, _ = p.lookupEnv(envUsername)
		creds.password, _ = p.lookupEnv(envPassword)
		creds.token, _ = p.lookupEnv(envToken)
	}

	switch {
	case creds.token != "" && (creds.username != "" || creds.password != ""):
		diags.AddAttributeError(path.Root("token"), "Conflicting Applinks Credentials",
			"Both a personal access token ("+envToken+") and a username or password ("+envUsername+", "+envPassword+
				") are set in the environment. Set only one authentication scheme.")
	case creds.token != "":
	case creds.username == "" && creds.password == "":
		diags.AddAttributeError(path.Root("token"), "Missing Applinks Credentials",
			"The provider needs an administrator's credentials. Set `token` (or the "+envToken+" environment variable) "+
				"to a personal access token, or set `username` and `password` (or "+envUsername+" and "+envPassword+").")
	case creds.username == "":
		diags.AddAttributeError(path.Root("username"), "Missing Applinks Username",
			"A password is set but no user name. Set `username` or the "+envUsername+" environment variable, "+
				"or use a personal access token in `token` instead.")
	case creds.password == "":
		diags.AddAttributeError(path.Root("password"), "Missing Applinks Password",
			"A user name is set but no password. Set `password` or the "+envPassword+" environment variable, "+
				"or use a personal access token in `token` instead.")
	}
	return creds
}

func isLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") || strings.HasSuffix(strings.ToLower(host), ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func (p *applinksProvider) Resources(_ context.Context) []func() resource.Resource {
	return []func() resource.Resource{
		NewApplicationLinkResource,
		NewOAuthConsumerResource,
		NewAllowlistRuleResource,
		NewAllowlistResource,
		NewOAuth2ClientResource,
		NewOAuth2OutgoingLinkResource,
		NewEntityLinkResource,
		NewApplicationLinkWhitelistRuleResource,
	}
}

// EphemeralResources lists the values Terraform reads without storing them.
func (p *applinksProvider) EphemeralResources(_ context.Context) []func() ephemeral.EphemeralResource {
	return []func() ephemeral.EphemeralResource{
		NewOAuth2ClientSecretEphemeralResource,
	}
}

func (p *applinksProvider) DataSources(_ context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{
		NewServerDataSource,
		NewApplicationLinksDataSource,
		NewApplicationLinkStatusDataSource,
		NewAllowlistRulesDataSource,
		NewAllowlistCheckDataSource,
		NewEntityLinksDataSource,
		NewOAuthConsumersDataSource,
		NewOAuth2ClientsDataSource,
		NewOAuth2OutgoingLinksDataSource,
	}
}
