package validators

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"regexp"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

var _ validator.String = rsaPublicKeyValidator{}

type rsaPublicKeyValidator struct{}

// RSAPublicKey accepts an RSA public key as the products take an OAuth
// consumer's key: an X.509 SubjectPublicKeyInfo, PEM-armoured ("-----BEGIN
// PUBLIC KEY-----") or bare base64, with or without line breaks. Its
// messages never quote the value, which may be a private key pasted into
// the wrong place.
func RSAPublicKey() validator.String {
	return rsaPublicKeyValidator{}
}

func (v rsaPublicKeyValidator) Description(_ context.Context) string {
	return "value must be an RSA public key (X.509 SubjectPublicKeyInfo), PEM-encoded or bare base64"
}

func (v rsaPublicKeyValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (v rsaPublicKeyValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if _, problem := ParseRSAPublicKey(req.ConfigValue.ValueString()); problem != nil {
		resp.Diagnostics.AddAttributeError(req.Path, problem.Summary, fmt.Sprintf("%s %s", req.Path, problem.Detail))
	}
}

// KeyProblem says why a value is not a usable RSA public key: a Title Case
// summary and a detail that continues a sentence starting with the
// attribute's name. Neither quotes the value.
type KeyProblem struct {
	Summary string
	Detail  string
}

const howToGetPublicKey = "Give the consumer's public key, the \"-----BEGIN PUBLIC KEY-----\" PEM that `openssl rsa -in key.pem -pubout` " +
	"prints (or the same without its armour and line breaks)."

var (
	pemArmour     = regexp.MustCompile(`-----(BEGIN|END) ([A-Z0-9 ]+)-----`)
	problemEmpty  = &KeyProblem{"Empty Public Key", "is empty. " + howToGetPublicKey}
	problemSecret = &KeyProblem{"Private Key Given as Public Key",
		"holds a private key, which must never leave the application it belongs to; the value is not shown here. " +
			howToGetPublicKey + " Treat the private key as exposed if it was committed or shared."}
)

// ParseRSAPublicKey returns the DER of the RSA public key in text, or why
// there is none.
func ParseRSAPublicKey(text string) ([]byte, *KeyProblem) {
	if strings.TrimSpace(text) == "" {
		return nil, problemEmpty
	}
	for _, m := range pemArmour.FindAllStringSubmatch(text, -1) {
		switch label := m[2]; {
		case strings.Contains(label, "PRIVATE KEY"):
			return nil, problemSecret
		case label == "CERTIFICATE":
			return nil, &KeyProblem{"Certificate Given as Public Key", "holds a certificate, not a public key. Extract its key " +
				"with `openssl x509 -in cert.pem -pubkey -noout` and give that."}
		case label == "RSA PUBLIC KEY":
			return nil, &KeyProblem{"Unsupported RSA Public Key Format", "holds a PKCS#1 \"RSA PUBLIC KEY\", but the products " +
				"take the X.509 SubjectPublicKeyInfo form. Convert it with `openssl rsa -RSAPublicKey_in -in key.pem -pubout`."}
		case label != "PUBLIC KEY":
			return nil, &KeyProblem{"Invalid RSA Public Key", fmt.Sprintf("holds a PEM block of type %q, not a public key. %s", label, howToGetPublicKey)}
		}
	}
	bare := strings.Join(strings.Fields(pemArmour.ReplaceAllString(text, "")), "")
	der, err := base64.StdEncoding.DecodeString(bare)
	if err != nil {
		der, err = base64.RawStdEncoding.DecodeString(strings.TrimRight(bare, "="))
	}
	if err != nil || len(der) == 0 {
		return nil, &KeyProblem{"Invalid RSA Public Key", "is neither a PEM public key nor base64. " + howToGetPublicKey}
	}
	if isPrivateKeyDER(der) {
		return nil, problemSecret
	}
	parsed, err := x509.ParsePKIXPublicKey(der)
	if err != nil {
		if _, pkcs1Err := x509.ParsePKCS1PublicKey(der); pkcs1Err == nil {
			return nil, &KeyProblem{"Unsupported RSA Public Key Format", "holds a PKCS#1 RSA public key, but the products take " +
				"the X.509 SubjectPublicKeyInfo form. Convert it with `openssl rsa -RSAPublicKey_in -in key.pem -pubout`."}
		}
		return nil, &KeyProblem{"Invalid RSA Public Key", "does not parse as an X.509 SubjectPublicKeyInfo public key. " + howToGetPublicKey}
	}
	switch key := parsed.(type) {
	case *rsa.PublicKey:
		// Re-encoding gives the canonical DER to compare spellings by.
		canonical, err := x509.MarshalPKIXPublicKey(key)
		if err != nil {
			return nil, &KeyProblem{"Invalid RSA Public Key", "cannot be encoded again: " + err.Error()}
		}
		return canonical, nil
	case *ecdsa.PublicKey, ed25519.PublicKey:
		return nil, &KeyProblem{"Public Key Is Not RSA", fmt.Sprintf("holds an %s key, but OAuth 1.0a consumers sign with "+
			"RSA-SHA1. Generate an RSA key pair for the consumer.", keyAlgorithm(key))}
	}
	return nil, &KeyProblem{"Public Key Is Not RSA", "holds a key that is not RSA, but OAuth 1.0a consumers sign with RSA-SHA1. " +
		"Generate an RSA key pair for the consumer."}
}

func keyAlgorithm(key any) string {
	if _, ok := key.(*ecdsa.PublicKey); ok {
		return "ECDSA"
	}
	return "Ed25519"
}

// isPrivateKeyDER recognises the DER of PKCS#1, PKCS#8 and SEC 1 private
// keys, which people paste without armour too.
func isPrivateKeyDER(der []byte) bool {
	if _, err := x509.ParsePKCS1PrivateKey(der); err == nil {
		return true
	}
	if _, err := x509.ParsePKCS8PrivateKey(der); err == nil {
		return true
	}
	_, err := x509.ParseECPrivateKey(der)
	return err == nil
}

// SameRSAPublicKey reports whether a and b spell the same RSA public key,
// e.g. once in PEM and once in bare base64.
func SameRSAPublicKey(a, b string) bool {
	derA, problemA := ParseRSAPublicKey(a)
	derB, problemB := ParseRSAPublicKey(b)
	return problemA == nil && problemB == nil && bytes.Equal(derA, derB)
}
