// Package validators holds the attribute validators that
// terraform-plugin-framework-validators does not provide.
package validators

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

var _ validator.String = pemCertificatesValidator{}

type pemCertificatesValidator struct{}

// PEMCertificates accepts a string holding one or more PEM "CERTIFICATE"
// blocks that parse as X.509 certificates, and nothing else.
func PEMCertificates() validator.String {
	return pemCertificatesValidator{}
}

func (v pemCertificatesValidator) Description(_ context.Context) string {
	return "value must hold one or more PEM-encoded X.509 certificates"
}

func (v pemCertificatesValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (v pemCertificatesValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if problem := checkPEMCertificates([]byte(req.ConfigValue.ValueString())); problem != "" {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid CA Certificate",
			fmt.Sprintf("%s must hold PEM-encoded certificates, each between -----BEGIN CERTIFICATE----- and "+
				"-----END CERTIFICATE----- lines, for example the contents of the CA's .pem or .crt file "+
				"(file(\"ca.pem\")): %s.", req.Path, problem))
	}
}

func checkPEMCertificates(data []byte) string {
	count := 0
	for {
		var block *pem.Block
		block, data = pem.Decode(data)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			return fmt.Sprintf("found a %q block, which is not a certificate", block.Type)
		}
		if _, err := x509.ParseCertificate(block.Bytes); err != nil {
			return fmt.Sprintf("certificate %d does not parse: %s", count+1, err)
		}
		count++
	}
	if count == 0 {
		return "no PEM certificate block found"
	}
	return ""
}
