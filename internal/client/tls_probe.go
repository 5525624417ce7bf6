package client

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"net/url"
	"strings"
	"time"
)

// When an instance cannot reach a peer, the products' link wizard and
// relocation say only that nothing answered (design/api.md §15.3), though a
// certificate the instance's Java trust store refuses is a common cause. The
// client can look at the peer's certificate from where Terraform runs: an
// expired certificate or one issued to another host fails everywhere, and a
// self-signed one or one from a private authority fails in any trust store
// that was not given it.

// Kinds of certificate problem, in the order they are looked for: a Java
// client refuses a certificate for the first one it meets.
const (
	CertificateExpired       = "expired"
	CertificateNotYetValid   = "not_yet_valid"
	CertificateWrongHost     = "wrong_host"
	CertificateSelfSigned    = "self_signed"
	CertificateUnknownIssuer = "unknown_issuer"
)

// PeerCertificateProblem is what is wrong with a peer's certificate.
type PeerCertificateProblem struct {
	Kind string
	// Host is the host name the certificate was checked against.
	Host string
	// Subject and Issuer are the leaf certificate's, as distinguished names.
	Subject, Issuer     string
	NotBefore, NotAfter time.Time
	// Names are the DNS names and IP addresses the certificate is issued for.
	Names []string
}

// probeTimeout bounds the handshake: the probe only explains a failure
// that already happened.
const probeTimeout = 10 * time.Second

// ProbePeerCertificate connects to an https URL's host and judges the
// certificate it presents by the authorities this client trusts, without
// sending a request. It returns nil, nil when the URL is not https or the
// certificate passes, and an error when no TLS handshake could be made.
func (c *Client) ProbePeerCertificate(ctx context.Context, rawURL string) (*PeerCertificateProblem, error) {
	u, err := url.Parse(rawURL)
	if err != nil || !strings.EqualFold(u.Scheme, "https") || u.Hostname() == "" {
		return nil, nil
	}
	port := u.Port()
	if port == "" {
		port = "443"
	}
	ctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	dialer := &tls.Dialer{
		NetDialer: &net.Dialer{},
		// Verification is done below, to tell the problems apart; nothing
		// is sent over this connection.
		Config: &tls.Config{InsecureSkipVerify: true, MinVersion: tls.VersionTLS12, ServerName: u.Hostname()}, //nolint:gosec // see above
	}
	conn, err := dialer.DialContext(ctx, "tcp", net.JoinHostPort(u.Hostname(), port))
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	tlsConn, ok := conn.(*tls.Conn)
	if !ok {
		return nil, errors.New("not a TLS connection")
	}
	return judgeCertificates(tlsConn.ConnectionState().PeerCertificates, u.Hostname(), c.rootCAs, c.now()), nil
}

// judgeCertificates checks a presented chain as a Java client meets its
// problems: validity dates, then the host name, then the issuer.
func judgeCertificates(chain []*x509.Certificate, host string, roots *x509.CertPool, now time.Time) *PeerCertificateProblem {
	if len(chain) == 0 {
		return nil
	}
	leaf := chain[0]
	problem := &PeerCertificateProblem{Host: host, Subject: leaf.Subject.String(), Issuer: leaf.Issuer.String(),
		NotBefore: leaf.NotBefore, NotAfter: leaf.NotAfter, Names: slicesOfNames(leaf)}
	switch {
	case now.After(leaf.NotAfter):
		problem.Kind = CertificateExpired
		return problem
	case now.Before(leaf.NotBefore):
		problem.Kind = CertificateNotYetValid
		return problem
	case leaf.VerifyHostname(host) != nil:
		problem.Kind = CertificateWrongHost
		return problem
	}
	intermediates := x509.NewCertPool()
	for _, cert := range chain[1:] {
		intermediates.AddCert(cert)
	}
	_, err := leaf.Verify(x509.VerifyOptions{Roots: roots, Intermediates: intermediates, CurrentTime: now})
	if err == nil {
		return nil
	}
	problem.Kind = CertificateUnknownIssuer
	if leaf.Subject.String() == leaf.Issuer.String() && leaf.CheckSignature(leaf.SignatureAlgorithm, leaf.RawTBSCertificate, leaf.Signature) == nil {
		problem.Kind = CertificateSelfSigned
	}
	return problem
}

func slicesOfNames(cert *x509.Certificate) []string {
	names := append([]string(nil), cert.DNSNames...)
	for _, ip := range cert.IPAddresses {
		names = append(names, ip.String())
	}
	return names
}
