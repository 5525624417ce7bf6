package validators

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"math/big"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

var (
	rsaKeyOnce sync.Once
	rsaKey     *rsa.PrivateKey
)

func testRSAKey(t *testing.T) *rsa.PrivateKey {
	t.Helper()
	rsaKeyOnce.Do(func() {
		var err error
		if rsaKey, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			panic(err)
		}
	})
	return rsaKey
}

func pemOf(blockType string, der []byte) string {
	return string(pem.EncodeToMemory(&pem.Block{Type: blockType, Bytes: der}))
}

func TestRSAPublicKey(t *testing.T) {
	t.Parallel()
	key := testRSAKey(t)
	spki, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	pkcs8, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ecSPKI, _ := x509.MarshalPKIXPublicKey(&ecKey.PublicKey)
	ecPrivate, _ := x509.MarshalECPrivateKey(ecKey)
	bare := base64.StdEncoding.EncodeToString(spki)
	publicPEM := pemOf("PUBLIC KEY", spki)

	tests := []struct {
		name    string
		value   string
		wantErr string // a summary and part of the detail; "" = valid
	}{
		{"PEM", publicPEM, ""},
		{"PEM with CRLF and indentation", "  " + strings.ReplaceAll(publicPEM, "\n", "\r\n  "), ""},
		{"PEM on one line", strings.ReplaceAll(publicPEM, "\n", ""), ""},
		{"bare base64", bare, ""},
		{"bare base64 wrapped at 64", bare[:64] + "\n" + bare[64:], ""},
		{"bare base64 without padding", strings.TrimRight(bare, "="), ""},
		{"empty", "", "Empty Public Key: attr is empty"},
		{"blank", " \n\t", "Empty Public Key: attr is empty"},
		{"PKCS#8 private key PEM", pemOf("PRIVATE KEY", pkcs8), "Private Key Given as Public Key: attr holds a private key"},
		{"PKCS#1 private key PEM", pemOf("RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(key)), "Private Key Given as Public Key"},
		{"encrypted private key PEM", pemOf("ENCRYPTED PRIVATE KEY", []byte("x")), "Private Key Given as Public Key"},
		{"OpenSSH private key", pemOf("OPENSSH PRIVATE KEY", []byte("x")), "Private Key Given as Public Key"},
		{"bare PKCS#8 private key", base64.StdEncoding.EncodeToString(pkcs8), "Private Key Given as Public Key"},
		{"bare PKCS#1 private key", base64.StdEncoding.EncodeToString(x509.MarshalPKCS1PrivateKey(key)), "Private Key Given as Public Key"},
		{"bare EC private key", base64.StdEncoding.EncodeToString(ecPrivate), "Private Key Given as Public Key"},
		{"PKCS#1 public key PEM", pemOf("RSA PUBLIC KEY", x509.MarshalPKCS1PublicKey(&key.PublicKey)), "Unsupported RSA Public Key Format"},
		{"bare PKCS#1 public key", base64.StdEncoding.EncodeToString(x509.MarshalPKCS1PublicKey(&key.PublicKey)), "Unsupported RSA Public Key Format"},
		{"certificate", pemOf("CERTIFICATE", []byte("x")), "Certificate Given as Public Key"},
		{"other PEM block", pemOf("X509 CRL", []byte("x")), `Invalid RSA Public Key: attr holds a PEM block of type "X509 CRL"`},
		{"EC public key", pemOf("PUBLIC KEY", ecSPKI), "Public Key Is Not RSA: attr holds an ECDSA key"},
		{"not base64", "not a key!!", "Invalid RSA Public Key: attr is neither a PEM public key nor base64"},
		{"OpenSSH RSA key", "ssh-rsa AAAAB3NzaC1yc2E ci@build", "OpenSSH Public Key Given: attr holds an OpenSSH public key"},
		{"OpenSSH RSA key without a comment", "ssh-rsa AAAAB3NzaC1yc2E", "Convert it with `ssh-keygen -f key.pub -e -m PKCS8`"},
		{"OpenSSH Ed25519 key", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5 ci@build", "Public Key Is Not RSA: attr holds an OpenSSH key that is not RSA"},
		{"384-bit RSA key", pemOf("PUBLIC KEY", shortSPKI(t, 384)), "RSA Public Key Too Short: attr holds a 384-bit RSA key, but the products refuse RSA keys shorter than 512 bits"},
		{"base64 of garbage", "Z2FyYmFnZQ==", "Invalid RSA Public Key: attr does not parse"},
	}
	for _, tt := range tests {
		got := runString(RSAPublicKey(), types.StringValue(tt.value))
		switch {
		case tt.wantErr == "" && len(got) > 0:
			t.Errorf("%s: unexpected error %v", tt.name, got)
		case tt.wantErr != "" && (len(got) != 1 || !strings.Contains(got[0], tt.wantErr)):
			t.Errorf("%s: got %v, want an error containing %q", tt.name, got, tt.wantErr)
		}
		// Whatever was wrong, the value itself is never quoted.
		if len(got) == 1 && strings.TrimSpace(tt.value) != "" {
			for _, line := range strings.Split(tt.value, "\n") {
				if len(line) > 20 && strings.Contains(got[0], line) {
					t.Errorf("%s: the error quotes the value: %s", tt.name, got[0])
				}
			}
		}
	}
	if got := runString(RSAPublicKey(), types.StringUnknown()); len(got) != 0 {
		t.Errorf("unknown: %v", got)
	}
	if got := runString(RSAPublicKey(), types.StringNull()); len(got) != 0 {
		t.Errorf("null: %v", got)
	}
}

func TestSameRSAPublicKey(t *testing.T) {
	t.Parallel()
	key := testRSAKey(t)
	spki, _ := x509.MarshalPKIXPublicKey(&key.PublicKey)
	other, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	otherSPKI, _ := x509.MarshalPKIXPublicKey(&other.PublicKey)
	bare := base64.StdEncoding.EncodeToString(spki)
	switch {
	case !SameRSAPublicKey(pemOf("PUBLIC KEY", spki), bare):
		t.Error("PEM and bare base64 of one key differ")
	case SameRSAPublicKey(bare, base64.StdEncoding.EncodeToString(otherSPKI)):
		t.Error("two keys are the same")
	case SameRSAPublicKey("garbage", "garbage"):
		t.Error("two unparsable values are the same key")
	}
}

func TestAbsoluteURLValidators(t *testing.T) {
	t.Parallel()
	tests := []struct {
		value                   string
		absoluteErr, orPathsErr string
	}{
		{"https://ci.example.com/oauth/callback?x=1", "", ""},
		{"http://ci:8080/cb", "", ""},
		{"/oauth/request-token", "is not absolute", ""},
		{"//evil.example.com/x", "is not absolute", "is not absolute"},
		{"oauth/request-token", "is not absolute", "is not absolute"},
		{"ftp://ci.example.com/x", `scheme "ftp"`, `scheme "ftp"`},
		{"https:///x", "has no host", "has no host"},
		{"https://u:p@ci.example.com/x", "credentials", "credentials"},
		{"https://ci.example.com/x#frag", "fragment", "fragment"},
		{"https://ci.example.com/%zz", "not a valid URL", "not a valid URL"},
	}
	for _, tt := range tests {
		for _, c := range []struct {
			name    string
			wantErr string
			got     []string
		}{
			{"AbsoluteURL", tt.absoluteErr, runString(AbsoluteURL(), types.StringValue(tt.value))},
			{"AbsoluteURLOrPath", tt.orPathsErr, runString(AbsoluteURLOrPath(), types.StringValue(tt.value))},
		} {
			switch {
			case c.wantErr == "" && len(c.got) > 0:
				t.Errorf("%s(%q): unexpected %v", c.name, tt.value, c.got)
			case c.wantErr != "" && (len(c.got) != 1 || !strings.Contains(c.got[0], c.wantErr)):
				t.Errorf("%s(%q): got %v, want %q", c.name, tt.value, c.got, c.wantErr)
			}
		}
	}
}

// shortSPKI is the SubjectPublicKeyInfo of an RSA public key with a
// modulus of the given length; Go generates no key pair under 1024 bits,
// and a public key needs no primes to be encoded.
func shortSPKI(t *testing.T, bits int) []byte {
	t.Helper()
	n := new(big.Int).Lsh(big.NewInt(1), uint(bits-1))
	der, err := x509.MarshalPKIXPublicKey(&rsa.PublicKey{N: n.Add(n, big.NewInt(1)), E: 65537})
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// Keys Java takes but that are short enough to factor are accepted with a
// warning; 2048 bits and more pass silently.
func TestRSAPublicKeyWarnsAboutShortKeys(t *testing.T) {
	t.Parallel()
	for bits, wantWarning := range map[int]bool{512: true, 1024: true, 2048: false} {
		der := shortSPKI(t, bits)
		if bits == 2048 {
			der, _ = x509.MarshalPKIXPublicKey(&testRSAKey(t).PublicKey)
		}
		resp := &validator.StringResponse{}
		RSAPublicKey().ValidateString(context.Background(), validator.StringRequest{Path: path.Root("public_key"),
			ConfigValue: types.StringValue(pemOf("PUBLIC KEY", der))}, resp)
		warnings := resp.Diagnostics.Warnings()
		switch {
		case resp.Diagnostics.HasError():
			t.Errorf("%d bits: refused: %v", bits, resp.Diagnostics)
		case wantWarning && (len(warnings) != 1 || !strings.Contains(warnings[0].Detail(), fmt.Sprintf("holds a %d-bit RSA key. The products accept it", bits))):
			t.Errorf("%d bits: warnings %v, want one naming the length", bits, warnings)
		case !wantWarning && len(warnings) != 0:
			t.Errorf("%d bits: unexpected warnings %v", bits, warnings)
		}
	}
}
