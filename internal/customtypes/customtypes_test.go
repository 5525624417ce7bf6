package customtypes

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

type semanticCase struct {
	name          string
	prior, newer  basetypes.StringValuableWithSemanticEquals
	wantSameValue bool
}

func checkSemanticEquals(t *testing.T, tests []semanticCase) {
	t.Helper()
	for _, tt := range tests {
		got, diags := tt.newer.StringSemanticEquals(context.Background(), tt.prior)
		if diags.HasError() {
			t.Errorf("%s: %v", tt.name, diags)
		}
		if got != tt.wantSameValue {
			t.Errorf("%s: StringSemanticEquals(%s, %s) = %t, want %t", tt.name, tt.newer, tt.prior, got, tt.wantSameValue)
		}
	}
}

func rsaPublicKeySpellings(t *testing.T) (publicPEM, bare, wrapped, otherBare string) {
	t.Helper()
	var ders [][]byte
	for range 2 {
		key, err := rsa.GenerateKey(rand.Reader, 1024)
		if err != nil {
			t.Fatal(err)
		}
		der, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
		if err != nil {
			t.Fatal(err)
		}
		ders = append(ders, der)
	}
	bare = base64.StdEncoding.EncodeToString(ders[0])
	wrapped = bare[:64] + "\n" + bare[64:]
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: ders[0]})), bare, wrapped,
		base64.StdEncoding.EncodeToString(ders[1])
}

func TestRSAPublicKeySemanticEquals(t *testing.T) {
	t.Parallel()
	publicPEM, bare, wrapped, otherBare := rsaPublicKeySpellings(t)
	key := NewRSAPublicKeyValue
	checkSemanticEquals(t, []semanticCase{
		{"PEM and bare base64", key(publicPEM), key(bare), true},
		{"bare base64 and PEM", key(bare), key(publicPEM), true},
		{"base64 with line breaks", key(bare), key(wrapped), true},
		{"the same spelling", key(bare), key(bare), true},
		{"another key", key(bare), key(otherBare), false},
		{"another key in PEM", key(publicPEM), key(otherBare), false},
		{"invalid new value", key(bare), key("not a key"), false},
		{"invalid prior value", key("not a key"), key(bare), false},
		{"both invalid, even alike", key("not a key"), key("not a key"), false},
		{"null prior", NewRSAPublicKeyNull(), key(bare), false},
		{"null new", key(bare), NewRSAPublicKeyNull(), false},
		{"unknown prior", RSAPublicKey{StringValue: basetypes.NewStringUnknown()}, key(bare), false},
		{"unknown new", key(bare), RSAPublicKey{StringValue: basetypes.NewStringUnknown()}, false},
		{"a link URL is another type", NewLinkURLValue(bare), key(bare), false},
	})
}

func TestLinkURLSemanticEquals(t *testing.T) {
	t.Parallel()
	url := NewLinkURLValue
	checkSemanticEquals(t, []semanticCase{
		{"trailing slash added", url("https://wiki.example.com"), url("https://wiki.example.com/"), true},
		{"trailing slash removed", url("https://wiki.example.com/wiki/"), url("https://wiki.example.com/wiki"), true},
		{"several trailing slashes", url("https://wiki.example.com"), url("https://wiki.example.com//"), true},
		{"the same spelling", url("https://wiki.example.com"), url("https://wiki.example.com"), true},
		// Only trailing slashes: what the products store otherwise differs.
		{"host case", url("https://wiki.example.com"), url("https://WIKI.example.com"), false},
		{"scheme case", url("https://wiki.example.com"), url("HTTPS://wiki.example.com"), false},
		{"default port", url("https://wiki.example.com"), url("https://wiki.example.com:443"), false},
		{"another path", url("https://wiki.example.com/wiki"), url("https://wiki.example.com/confluence"), false},
		{"not a URL", url("https://wiki.example.com"), url("::"), false},
		{"null prior", NewLinkURLNull(), url("https://wiki.example.com"), false},
		{"null new", url("https://wiki.example.com"), NewLinkURLNull(), false},
		{"unknown prior", LinkURL{StringValue: basetypes.NewStringUnknown()}, url("https://wiki.example.com"), false},
		{"unknown new", url("https://wiki.example.com"), LinkURL{StringValue: basetypes.NewStringUnknown()}, false},
		{"a key is another type", NewRSAPublicKeyValue("https://wiki.example.com"), url("https://wiki.example.com"), false},
	})
}

// The framework builds values from Terraform's through the type, so what
// it hands the resource must be the custom value, spelling unchanged.
func TestTypesRoundTrip(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, typ := range []basetypes.StringTypable{RSAPublicKeyType{}, LinkURLType{}} {
		for _, in := range []tftypes.Value{
			tftypes.NewValue(tftypes.String, "https://wiki.example.com/"),
			tftypes.NewValue(tftypes.String, nil),
			tftypes.NewValue(tftypes.String, tftypes.UnknownValue),
		} {
			value, err := typ.ValueFromTerraform(ctx, in)
			if err != nil {
				t.Fatalf("%s: %v", typ, err)
			}
			if !value.Type(ctx).Equal(typ) || !typ.ValueType(ctx).Type(ctx).Equal(typ) {
				t.Errorf("%s: value %T has type %s", typ, value, value.Type(ctx))
			}
			out, err := value.ToTerraformValue(ctx)
			if err != nil || !out.Equal(in) {
				t.Errorf("%s: %s came back as %s (%v)", typ, in, out, err)
			}
		}
		if typ.Equal(basetypes.StringType{}) {
			t.Errorf("%s equals the plain string type", typ)
		}
	}
}

// Spellings of one application share a key; the products would give them
// two generic links with two ids.
func TestApplicationURLKey(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		a, b string
		same bool
	}{
		{"https://ci.example.com", "https://CI.example.com/", true},
		{"https://ci.example.com", "https://ci.example.com:443", true},
		{"https://ci.example.com", "HTTPS://ci.example.com", true},
		{"http://ci.example.com", "http://ci.example.com:80/", true},
		{"https://ci.example.com/jenkins", "https://Ci.Example.com:443/jenkins/", true},
		{"https://ci.example.com/a/../jenkins", "https://ci.example.com/jenkins", true},
		{"http://[::1]:8080", "http://[::1]:8080/", true},
		{"https://ci.example.com", "http://ci.example.com", false},
		{"https://ci.example.com", "https://ci.example.com:8443", false},
		{"http://ci.example.com", "http://ci.example.com:443", false},
		{"https://ci.example.com/Jenkins", "https://ci.example.com/jenkins", false},
		{"https://ci.example.com/?a=1", "https://ci.example.com/?a=2", false},
		{"https://ci.example.com", "https://cd.example.com", false},
		{"::", "https://ci.example.com", false},
	} {
		if got := SameApplicationURL(tt.a, tt.b); got != tt.same {
			t.Errorf("SameApplicationURL(%q, %q) = %t, want %t (keys %q, %q)", tt.a, tt.b, got, tt.same,
				ApplicationURLKey(tt.a), ApplicationURLKey(tt.b))
		}
	}
}
