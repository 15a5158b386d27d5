package evidence

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"strings"

	"github.com/teeoracle/teeoracle/internal/x509memo"
)

// CertRole says what a certificate is in its vendor's chain.
type CertRole uint8

const (
	// RoleUnknown: the certificate's role could not be told.
	RoleUnknown CertRole = iota
	// RoleVCEK: AMD Versioned Chip Endorsement Key (signs SEV-SNP reports).
	RoleVCEK
	// RoleVLEK: AMD Versioned Loaded Endorsement Key (signs SEV-SNP reports for a
	// cloud provider instead of the VCEK).
	RoleVLEK
	// RoleASK: AMD SEV Signing Key, the intermediate that signs VCEKs.
	RoleASK
	// RoleASVK: AMD SEV VLEK Signing Key, the intermediate that signs VLEKs.
	RoleASVK
	// RoleARK: AMD Root Key of one product line.
	RoleARK
	// RolePCK: Intel SGX/TDX PCK leaf certificate.
	RolePCK
	// RolePCKCA: Intel SGX PCK Platform CA or Processor CA.
	RolePCKCA
	// RoleIntelRoot: Intel SGX Root CA.
	RoleIntelRoot
	// RoleTCBSigning: Intel SGX TCB Signing certificate (signs TCB Info, QE Identity).
	RoleTCBSigning
)

var certRoleNames = [...]string{"unknown", "vcek", "vlek", "ask", "asvk", "ark", "pck", "pck_ca", "intel_root", "tcb_signing"}

// String names the role as in JSON output.
func (r CertRole) String() string {
	if int(r) < len(certRoleNames) {
		return certRoleNames[r]
	}
	return "unknown"
}

// Certificate is one certificate with its role.
type Certificate struct {
	Role CertRole
	// DER is the certificate's DER encoding (a copy; it does not alias the input).
	DER []byte
	// X509 is DER parsed.
	X509 *x509.Certificate
	// Source names the input the certificate came from, for error messages.
	Source string
}

// RoleFromSubject tells a certificate's role from its subject common name, as AMD
// and Intel name them: "SEV-VCEK", "SEV-VLEK", "SEV-<product>" (ASK),
// "SEV-VLEK-<product>" (ASVK), "ARK-<product>", "Intel SGX PCK Certificate",
// "Intel SGX PCK Platform CA" / "Processor CA", "Intel SGX Root CA", "Intel SGX TCB
// Signing". The role is a hint for the appraiser: chains are still verified.
func RoleFromSubject(c *x509.Certificate) CertRole {
	cn := c.Subject.CommonName
	switch {
	case cn == "SEV-VCEK":
		return RoleVCEK
	case cn == "SEV-VLEK":
		return RoleVLEK
	case strings.HasPrefix(cn, "SEV-VLEK-"):
		return RoleASVK
	case strings.HasPrefix(cn, "ARK-"):
		return RoleARK
	case strings.HasPrefix(cn, "SEV-"):
		return RoleASK
	case cn == "Intel SGX PCK Certificate":
		return RolePCK
	case cn == "Intel SGX PCK Platform CA" || cn == "Intel SGX PCK Processor CA":
		return RolePCKCA
	case cn == "Intel SGX Root CA":
		return RoleIntelRoot
	case cn == "Intel SGX TCB Signing":
		return RoleTCBSigning
	}
	return RoleUnknown
}

var pemBegin = []byte("-----BEGIN")

// ParseCertificates reads one or more certificates from data: PEM (any number of
// CERTIFICATE blocks; text between blocks, such as openssl's "subject=" lines, is
// ignored) or DER (one certificate or several concatenated). name is the input's
// name for error messages. Roles come from RoleFromSubject.
func ParseCertificates(name string, data []byte) ([]Certificate, error) {
	if len(data) > MaxInputSize {
		return nil, fmt.Errorf("%s: %w: %d bytes, at most %d", name, ErrTooLarge, len(data), MaxInputSize)
	}
	if bytes.Contains(data, pemBegin) {
		return parsePEMCertificates(name, data)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, fmt.Errorf("%s: %w: no certificate (empty)", name, ErrBadCertificate)
	}
	certs, err := x509memo.Certificates(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w: not PEM, and not DER X.509: %w", name, ErrBadCertificate, err)
	}
	return toCertificates(name, certs), nil
}

func parsePEMCertificates(name string, data []byte) ([]Certificate, error) {
	var out []Certificate
	rest := data
	for i := 1; ; i++ {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			return nil, fmt.Errorf("%s: PEM block %d: %w: type %q, want CERTIFICATE", name, i, ErrBadCertificate, block.Type)
		}
		c, err := x509memo.Certificate(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%s: PEM block %d: %w: %w", name, i, ErrBadCertificate, err)
		}
		out = append(out, toCertificate(fmt.Sprintf("%s: PEM block %d", name, i), c))
	}
	// pem.Decode skips what it cannot read; a BEGIN line left over means a broken
	// block (bad base64, missing END), which must not pass silently.
	if bytes.Contains(rest, pemBegin) {
		return nil, fmt.Errorf("%s: %w: malformed PEM block after %d good ones", name, ErrBadCertificate, len(out))
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: %w: no PEM CERTIFICATE block", name, ErrBadCertificate)
	}
	return out, nil
}

func toCertificates(name string, cs []*x509.Certificate) []Certificate {
	out := make([]Certificate, len(cs))
	for i, c := range cs {
		src := name
		if len(cs) > 1 {
			src = fmt.Sprintf("%s: certificate %d", name, i+1)
		}
		out[i] = toCertificate(src, c)
	}
	return out
}

func toCertificate(source string, c *x509.Certificate) Certificate {
	return Certificate{Role: RoleFromSubject(c), DER: bytes.Clone(c.Raw), X509: c, Source: source}
}
