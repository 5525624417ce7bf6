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
	der, problem := ParseRSAPublicKey(req.ConfigValue.ValueString())
	if problem != nil {
		resp.Diagnostics.AddAttributeError(req.Path, problem.Summary, fmt.Sprintf("%s %s", req.Path, problem.Detail))
		return
	}
	if bits := rsaKeyBits(der); bits < RecommendedRSAKeyBits {
		resp.Diagnostics.AddAttributeWarning(req.Path, "Weak RSA Public Key",
			fmt.Sprintf("%s holds a %d-bit RSA key. The products accept it, but a key this short can be factored, and "+
				"whoever does so can sign requests as the consumer. Generate a key pair of %d bits or more "+
				"(`openssl genrsa -out key.pem %d`) and give its public key.", req.Path, bits, RecommendedRSAKeyBits, RecommendedRSAKeyBits))
	}
}

// MinimumRSAKeyBits is the shortest RSA modulus the products take: Java's
// RSA KeyFactory, which atlassian-oauth's RSAKeys parses consumer keys
// with, refuses shorter ones (design/api.md §6.1).
const MinimumRSAKeyBits = 512

// RecommendedRSAKeyBits is the length below which a key is warned about.
const RecommendedRSAKeyBits = 2048

func rsaKeyBits(der []byte) int {
	if key, err := x509.ParsePKIXPublicKey(der); err == nil {
		if rsaKey, ok := key.(*rsa.PublicKey); ok {
			return rsaKey.N.BitLen()
		}
	}
	return 0
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
	if problem := openSSHKeyProblem(text); problem != nil {
		return nil, problem
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
		if bits := key.N.BitLen(); bits < MinimumRSAKeyBits {
			return nil, &KeyProblem{"RSA Public Key Too Short", fmt.Sprintf("holds a %d-bit RSA key, but the products refuse "+
				"RSA keys shorter than %d bits. Generate a key pair of %d bits or more (`openssl genrsa -out key.pem %d`) "+
				"and give its public key.", bits, MinimumRSAKeyBits, RecommendedRSAKeyBits, RecommendedRSAKeyBits)}
		}
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

// openSSHKeyPrefixes start the one-line public keys of OpenSSH, which
// people paste from an authorized_keys file or a key.pub.
var openSSHKeyPrefixes = []string{"ssh-rsa", "ssh-ed25519", "ssh-dss", "ecdsa-sha2-", "sk-"}

// openSSHKeyProblem recognises an OpenSSH public key (one line, or the
// RFC 4716 "---- BEGIN SSH2 PUBLIC KEY ----" block) and says how to convert
// it; as bare text it would read as neither PEM nor base64.
func openSSHKeyProblem(text string) *KeyProblem {
	trimmed := strings.TrimSpace(text)
	rsaKey := strings.HasPrefix(trimmed, "ssh-rsa ")
	ssh2 := strings.HasPrefix(trimmed, "---- BEGIN SSH2 PUBLIC KEY ----")
	other := false
	for _, prefix := range openSSHKeyPrefixes[1:] {
		other = other || strings.HasPrefix(trimmed, prefix)
	}
	switch {
	case rsaKey || ssh2:
		return &KeyProblem{"OpenSSH Public Key Given", "holds an OpenSSH public key, but the products take the X.509 " +
			"SubjectPublicKeyInfo form. Convert it with `ssh-keygen -f key.pub -e -m PKCS8`, which prints the " +
			"\"-----BEGIN PUBLIC KEY-----\" PEM to give instead."}
	case other:
		return &KeyProblem{"Public Key Is Not RSA", "holds an OpenSSH key that is not RSA, but OAuth 1.0a consumers sign " +
			"with RSA-SHA1. Generate an RSA key pair for the consumer (`openssl genrsa -out key.pem 2048`) and give the " +
			"PEM that `openssl rsa -in key.pem -pubout` prints."}
	}
	return nil
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
