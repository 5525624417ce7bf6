package validators

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"regexp"
	"strings"
	"testing"
)

// base64Run is a stretch of key material long enough to matter.
var base64Run = regexp.MustCompile(`[A-Za-z0-9+/]{24,}`)

// FuzzNormalisePublicKey checks ParseRSAPublicKey, which both validates
// public_key and gives the canonical value that spellings are compared by.
// Properties: it never panics; an accepted key is the same value in PEM, in
// bare base64 and in base64 broken into lines; a private key is refused as
// one; and no problem ever quotes key material from the value.
func FuzzNormalisePublicKey(f *testing.F) {
	rsaKey, err := rsa.GenerateKey(rand.Reader, 1024) //nolint:gosec // a test key; size does not matter here
	if err != nil {
		f.Fatal(err)
	}
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		f.Fatal(err)
	}
	spki, _ := x509.MarshalPKIXPublicKey(&rsaKey.PublicKey)
	ecSPKI, _ := x509.MarshalPKIXPublicKey(&ecKey.PublicKey)
	pkcs8, _ := x509.MarshalPKCS8PrivateKey(rsaKey)
	ecPrivate, _ := x509.MarshalECPrivateKey(ecKey)
	armour := func(label string, der []byte) string {
		return string(pem.EncodeToMemory(&pem.Block{Type: label, Bytes: der}))
	}
	for _, seed := range []string{
		armour("PUBLIC KEY", spki),
		base64.StdEncoding.EncodeToString(spki),
		base64.RawStdEncoding.EncodeToString(spki),
		strings.ReplaceAll(armour("PUBLIC KEY", spki), "\n", "\r\n"),
		armour("RSA PUBLIC KEY", x509.MarshalPKCS1PublicKey(&rsaKey.PublicKey)),
		base64.StdEncoding.EncodeToString(x509.MarshalPKCS1PublicKey(&rsaKey.PublicKey)),
		armour("PUBLIC KEY", ecSPKI),
		armour("PRIVATE KEY", pkcs8),
		armour("RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(rsaKey)),
		base64.StdEncoding.EncodeToString(pkcs8),
		base64.StdEncoding.EncodeToString(x509.MarshalPKCS1PrivateKey(rsaKey)),
		base64.StdEncoding.EncodeToString(ecPrivate),
		armour("EC PRIVATE KEY", ecPrivate),
		armour("CERTIFICATE", spki),
		armour("PUBLIC KEY", spki) + armour("PRIVATE KEY", pkcs8),
		"-----BEGIN PUBLIC KEY-----\nnot base64!\n-----END PUBLIC KEY-----",
		"", "   ", "=", "AAAA", "not a key!!",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, text string) {
		der, problem := ParseRSAPublicKey(text)
		if problem != nil {
			if der != nil {
				t.Fatal("a refused key came with a value")
			}
			said := problem.Summary + "\n" + problem.Detail
			for _, run := range base64Run.FindAllString(pemArmour.ReplaceAllString(text, ""), -1) {
				if strings.Contains(said, run) {
					t.Fatalf("%q quotes key material %q: %s", problem.Summary, run, problem.Detail)
				}
			}
			return
		}
		if _, err := x509.ParsePKIXPublicKey(der); err != nil {
			t.Fatalf("accepted a value that is no public key: %v", err)
		}
		if isPrivateKeyDER(der) {
			t.Fatal("accepted a private key")
		}
		for _, m := range pemArmour.FindAllStringSubmatch(text, -1) {
			if m[2] != "PUBLIC KEY" {
				t.Fatalf("accepted a value with a %q block", m[2])
			}
		}
		bare := base64.StdEncoding.EncodeToString(der)
		var wrapped strings.Builder
		for i := 0; i < len(bare); i += 64 {
			wrapped.WriteString(bare[i:min(i+64, len(bare))] + "\n")
		}
		for _, spelling := range []string{bare, wrapped.String(), armour("PUBLIC KEY", der)} {
			again, problem := ParseRSAPublicKey(spelling)
			if problem != nil || !bytes.Equal(again, der) {
				t.Fatalf("the same key spelt %q normalises to %x (%v), want %x", spelling, again, problem, der)
			}
			if !SameRSAPublicKey(text, spelling) {
				t.Fatalf("SameRSAPublicKey(%q, %q) is false", text, spelling)
			}
		}
	})
}
