package validators

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

func selfSignedPEM(t *testing.T) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "test CA"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		IsCA:         true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}

func runString(v validator.String, value types.String) []string {
	resp := &validator.StringResponse{}
	v.ValidateString(context.Background(), validator.StringRequest{
		Path:        path.Root("attr"),
		ConfigValue: value,
	}, resp)
	var details []string
	for _, d := range resp.Diagnostics.Errors() {
		details = append(details, d.Summary()+": "+d.Detail())
	}
	return details
}

func TestPEMCertificates(t *testing.T) {
	t.Parallel()
	cert := selfSignedPEM(t)
	tests := []struct {
		name    string
		value   types.String
		wantErr string
	}{
		{"one certificate", types.StringValue(cert), ""},
		{"a bundle of two", types.StringValue(cert + cert), ""},
		{"null is left to other checks", types.StringNull(), ""},
		{"unknown is checked later", types.StringUnknown(), ""},
		{"not PEM at all", types.StringValue("MIIBfake"), "no PEM certificate block found"},
		{"a private key", types.StringValue("-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n"), `"PRIVATE KEY" block`},
		{"a corrupt certificate", types.StringValue("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"), "certificate 1 does not parse"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := runString(PEMCertificates(), tt.value)
			if tt.wantErr == "" {
				if len(got) != 0 {
					t.Fatalf("unexpected errors: %v", got)
				}
				return
			}
			if len(got) != 1 || !strings.Contains(got[0], tt.wantErr) || !strings.HasPrefix(got[0], "Invalid CA Certificate: attr must hold") {
				t.Fatalf("want one error containing %q, got %v", tt.wantErr, got)
			}
		})
	}
}

func TestPositiveDuration(t *testing.T) {
	t.Parallel()
	tests := []struct {
		value   types.String
		wantErr string
	}{
		{types.StringValue("30s"), ""},
		{types.StringValue("1m30s"), ""},
		{types.StringNull(), ""},
		{types.StringUnknown(), ""},
		{types.StringValue("30"), `"30" does not parse`},
		{types.StringValue("soon"), `"soon" does not parse`},
		{types.StringValue("0s"), "greater than zero"},
		{types.StringValue("-5s"), "greater than zero"},
	}
	for _, tt := range tests {
		got := runString(PositiveDuration(), tt.value)
		if tt.wantErr == "" {
			if len(got) != 0 {
				t.Errorf("%s: unexpected errors: %v", tt.value, got)
			}
			continue
		}
		if len(got) != 1 || !strings.Contains(got[0], tt.wantErr) || !strings.HasPrefix(got[0], "Invalid Duration: attr must") {
			t.Errorf("%s: want one error containing %q, got %v", tt.value, tt.wantErr, got)
		}
	}
}

func TestHTTPURL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		value   types.String
		wantErr string
	}{
		{types.StringValue("https://jira.example.com"), ""},
		{types.StringValue("http://127.0.0.1:8080/jira/"), ""},
		{types.StringNull(), ""},
		{types.StringUnknown(), ""},
		{types.StringValue("jira.example.com"), "has no scheme"},
		{types.StringValue("ftp://jira.example.com"), `scheme "ftp"`},
		{types.StringValue("https://"), "has no host"},
		{types.StringValue("https://:8080"), "has no host"},
		{types.StringValue("https://u:p@jira.example.com"), "contains credentials"},
		{types.StringValue("https://jira.example.com/?a=b"), "query or fragment"},
		{types.StringValue("https://jira.example.com/#top"), "query or fragment"},
		{types.StringValue("https://jira example.com"), "not a valid URL"},
		// Go parses these without a word, or with a misleading one.
		{types.StringValue(" https://jira.example.com"), "starts with a space"},
		{types.StringValue("https://jira.example.com "), "ends with a space"},
		{types.StringValue("https://jira.example.com/jira\n"), "a line break"},
		{types.StringValue("https://jira.example.com:0"), `has the port "0", which is not a number between 1 and 65535`},
		{types.StringValue("https://jira.example.com:65536"), `has the port "65536"`},
		{types.StringValue("https://jira.example.com:65535"), ""},
		{types.StringValue("https://jira.example.com/my jira"), `contains " " at offset 27, which must be percent-encoded`},
	}
	for _, tt := range tests {
		got := runString(HTTPURL(), tt.value)
		if tt.wantErr == "" {
			if len(got) != 0 {
				t.Errorf("%s: unexpected errors: %v", tt.value, got)
			}
			continue
		}
		if len(got) != 1 || !strings.Contains(got[0], tt.wantErr) || !strings.HasPrefix(got[0], "Invalid URL: attr must be an absolute") {
			t.Errorf("%s: want one error containing %q, got %v", tt.value, tt.wantErr, got)
		}
	}
}

func TestRedactURL(t *testing.T) {
	for raw, want := range map[string]string{
		"https://bob:s3cret@jira.example.com/x":   "https://bob:xxxxx@jira.example.com/x",
		"https://bob:s3cret@[::1":                 "https://bob:xxxxx@[::1",
		"https://bob@jira.example.com":            "https://bob@jira.example.com",
		"https://jira.example.com/a:b@c":          "https://jira.example.com/a:b@c",
		"not a url at all":                        "not a url at all",
		"ftp://u:p@host:21/path?q=1":              "ftp://u:xxxxx@host:21/path?q=1",
		"https://bob:s3cret@jira.example.com:99x": "https://bob:xxxxx@jira.example.com:99x",
		"https://bob:s3/cret x@jira.example.com":  "https://bob:xxxxx@jira.example.com",
		"https://jira.example.com:8443/a@b":       "https://jira.example.com:8443/a@b",
	} {
		if got := RedactURL(raw); got != want {
			t.Errorf("RedactURL(%q) = %q, want %q", raw, got, want)
		}
	}
}

// A password that makes a URL unparsable appears nowhere in what the
// checks say, whichever character broke it: Go's parse error quotes the
// whole text, and its reason quotes the start of a password holding "/"
// as an invalid port.
func TestBrokenURLProblemsKeepThePasswordOut(t *testing.T) {
	t.Parallel()
	const password = "Hunter2Secret"
	checks := map[string]func(string) string{
		"CheckHTTPURL": func(raw string) string {
			_, problem := CheckHTTPURL(raw)
			return problem
		},
		"AbsoluteURL": func(raw string) string { return strings.Join(runString(AbsoluteURL(), types.StringValue(raw)), "\n") },
		"AbsoluteURLOrPath": func(raw string) string {
			return strings.Join(runString(AbsoluteURLOrPath(), types.StringValue(raw)), "\n")
		},
		"HTTPURL":          func(raw string) string { return strings.Join(runString(HTTPURL(), types.StringValue(raw)), "\n") },
		"CheckAbsoluteURL": CheckAbsoluteURL,
		"CheckOrigin":      CheckOrigin,
	}
	for _, raw := range []string{
		"https://bob:" + password + " x@jira.example.com",
		"https://bob:" + password + "/x@jira.example.com",
		"https://bob:" + password + "#x@jira.example.com",
		"https://bob:" + password + "%zz@jira.example.com",
		"https://bob:" + password + "/ x@jira.example.com/path",
	} {
		for name, check := range checks {
			problem := check(raw)
			if problem == "" {
				t.Errorf("%s(%q) accepts it", name, raw)
			}
			for _, piece := range []string{password, password[:4], "zz", "parse "} {
				if strings.Contains(problem, piece) {
					t.Errorf("%s(%q) = %q, which holds %q", name, raw, problem, piece)
				}
			}
			if !strings.Contains(problem, "credentials") && !strings.Contains(problem, "user information") {
				t.Errorf("%s(%q) = %q, which does not say the URL holds credentials", name, raw, problem)
			}
		}
		if got := RedactURL(raw); strings.Contains(got, password[:4]) {
			t.Errorf("RedactURL(%q) = %q", raw, got)
		}
	}
	// Without credentials, Go's reason stays, without the quoted text.
	if _, problem := CheckHTTPURL("https://jira.example.com:99x"); problem != `is not a valid URL: invalid port ":99x" after host` {
		t.Errorf("CheckHTTPURL without credentials = %q", problem)
	}
}

func TestConsumerKey(t *testing.T) {
	t.Parallel()
	for key, want := range map[string]string{
		"jenkins":        "",
		"jira:4711-ci.x": "",
		"ci key":         "contains a space at offset 2",
		"ci\n":           "contains a line break at offset 2",
		" ci":            "contains a space at offset 0",
		"ci\tkey":        "contains a tab at offset 2",
		"   ":            "must not be empty or blank",
	} {
		got := runString(ConsumerKey(), types.StringValue(key))
		switch {
		case want == "" && len(got) != 0:
			t.Errorf("%q: unexpected errors %v", key, got)
		case want != "" && (len(got) != 1 || !strings.Contains(got[0], "Invalid OAuth Consumer Key: attr "+want) ||
			!strings.Contains(got[0], "trimspace(file(...))")):
			t.Errorf("%q: want one error saying %q and the fix, got %v", key, want, got)
		}
	}
}
