package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/applinks-iac/terraform-provider-applinks/internal/client"
)

// Certificates a peer presents that the instance refuses (design/api.md
// §15.3). The products answer a link create or relocation to such a peer as
// if nothing answered there, and their status check names only a category,
// so the provider names the cause and the fix the products' documentation
// gives: a certificate from a trusted authority, or the peer's certificate
// (or its authority's) in the instance's Java trust store.

// trustStoreFix is the documented import into the instance's trust store.
const trustStoreFix = "import the peer's certificate, or its certificate authority's, into the Java trust store of " +
	"the instance: `keytool -importcert -alias <peer> -keystore $JAVA_HOME/lib/security/cacerts -file <peer.crt>` " +
	"(`$JAVA_HOME/jre/lib/security/cacerts` on Java 8; the store's password is `changeit` unless it was changed), " +
	"with the Java the product runs on (its System info page shows `java.home`), then restart the instance"

// peerCertificateDiagnostic words a certificate problem found at rpcURL.
func peerCertificateDiagnostic(p *client.PeerCertificateProblem, rpcURL string) (summary, detail string) {
	switch p.Kind {
	case client.CertificateExpired:
		return "Peer Certificate Expired", fmt.Sprintf("The application at %s presents a TLS certificate that expired "+
			"on %s (subject %q), and the instance, like any Java client, refuses it, so it could not reach the peer. "+
			"Renew the peer's certificate; importing it into a trust store does not help an expired certificate.",
			rpcURL, p.NotAfter.UTC().Format("2006-01-02 15:04 MST"), p.Subject)
	case client.CertificateNotYetValid:
		return "Peer Certificate Not Yet Valid", fmt.Sprintf("The application at %s presents a TLS certificate valid "+
			"only from %s (subject %q), which the instance refuses. Check the clocks of both servers, or reissue the "+
			"certificate.", rpcURL, p.NotBefore.UTC().Format("2006-01-02 15:04 MST"), p.Subject)
	case client.CertificateWrongHost:
		return "Peer Certificate for Another Host", fmt.Sprintf("The application at %s presents a TLS certificate "+
			"issued for %s, not for %s, so the instance refuses it (SSL_HOSTNAME_UNMATCHED in the link's status). Set "+
			"`rpc_url` to a host name the certificate names, or have the certificate reissued with %s.",
			rpcURL, strings.Join(p.Names, ", "), p.Host, p.Host)
	case client.CertificateSelfSigned:
		return "Peer Certificate Self-Signed", fmt.Sprintf("The application at %s presents a self-signed TLS "+
			"certificate (subject %q). The instance trusts only the authorities of its Java trust store and refuses it "+
			"(SSL_UNTRUSTED, \"PKIX path building failed\"); the products' documentation asks for a valid certificate "+
			"that is not self-signed, and a cloud site accepts nothing else. Give the peer a certificate from a trusted "+
			"certificate authority, or %s.", rpcURL, p.Subject, trustStoreFix)
	default:
		return "Peer Certificate From an Untrusted Authority", fmt.Sprintf("The application at %s presents a TLS "+
			"certificate issued by %q, an authority that neither the machine running Terraform nor, most likely, the "+
			"instance trusts (SSL_UNTRUSTED, \"PKIX path building failed\"). Give the peer a certificate from a "+
			"trusted certificate authority, or %s.", rpcURL, p.Issuer, trustStoreFix)
	}
}

// explainPeerCertificate adds the certificate problem of an https peer the
// instance could not reach, if the peer presents one; a peer that does not
// answer TLS at all is left to the diagnostic already given.
func (r *applicationLinkResource) explainPeerCertificate(ctx context.Context, rpcURL string, diags *diag.Diagnostics) {
	problem, err := r.client.ProbePeerCertificate(ctx, rpcURL)
	if err != nil {
		tflog.Debug(ctx, "No TLS handshake with the peer", map[string]any{"rpc_url": rpcURL, "error": err.Error()})
		return
	}
	if problem == nil {
		return
	}
	summary, detail := peerCertificateDiagnostic(problem, rpcURL)
	diags.AddAttributeError(path.Root("rpc_url"), summary, detail)
}

// linkErrorHint is what the admin can do about a status error: the TLS
// errors are told apart by the Java exception in their details (design/api.md
// §15.3), the others come from linkErrorHints.
func linkErrorHint(e *client.LinkError) (string, bool) {
	switch {
	case e.Type == "SSL_UNTRUSTED" && strings.Contains(e.Details, "validity check failed"):
		return "the application's TLS certificate has expired or is not yet valid: renew it (a trust store cannot " +
			"make an expired certificate valid)", true
	case e.Type == "SSL_UNTRUSTED":
		return "the instance does not trust the application's TLS certificate, which is self-signed or issued by an " +
			"authority missing from the instance's Java trust store: give the application a certificate from a trusted " +
			"certificate authority, or " + trustStoreFix, true
	case e.Type == "SSL_HOSTNAME_UNMATCHED":
		return "the application's TLS certificate names another host: use in `rpc_url` a host name the certificate " +
			"was issued for, or have it reissued for this one", true
	}
	hint, ok := linkErrorHints[e.Type]
	return hint, ok
}
