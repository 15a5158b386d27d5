package appraise

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"strings"
)

// ErrSNPCertificate is returned (wrapped) when a VCEK or VLEK certificate does not have
// the form AMD's KDS specification (57230) gives it.
var ErrSNPCertificate = errors.New("invalid SEV-SNP endorsement key certificate")

// oidAMDKDS is the prefix of AMD's VCEK/VLEK extensions, 1.3.6.1.4.1.3704.1.
var oidAMDKDS = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 3704, 1}

// SNPCertExtensions are the AMD KDS extensions of a VCEK or VLEK certificate.
//
// go-sev-guest v0.15.0 (kds.CertificateExtensions) cannot read Turin VCEKs: it rejects
// any AMD extension it does not know, such as the FMC SPL (1.3.6.1.4.1.3704.1.3.9); it
// requires SPL4 (3704.1.3.4), which Turin certificates omit; and it requires a 64-byte
// HWID where Turin's is the 8-byte chip id. This parser takes every layout.
type SNPCertExtensions struct {
	StructVersion uint8
	// ProductName is "Milan-B0"-style for Milan/Genoa VCEKs, and the bare product line
	// for VLEKs and Turin VCEKs.
	ProductName string
	// HWID is the chip id the VCEK is bound to: 64 bytes on Milan/Genoa, 8 on Turin.
	// Nil for VLEKs.
	HWID []byte
	// CSPID names the cloud provider a VLEK was issued to. Empty for VCEKs.
	CSPID string
	// SPL holds the security patch levels by their OID arc 3704.1.3.N (index N, 1..9):
	// 1 bootloader, 2 TEE, 3 SNP, 4-7 reserved, 8 microcode, 9 FMC (Turin).
	SPL [10]uint8
	// HasSPL says which SPL entries the certificate carries.
	HasSPL [10]bool
}

// ProductLine returns the product name without its stepping ("Milan-B0" → "Milan").
func (e *SNPCertExtensions) ProductLine() string {
	line, _, _ := strings.Cut(e.ProductName, "-")
	return line
}

// CertifiedTCB returns the TCB the certificate certifies, in the TCB_VERSION layout of
// productLine. It fails when a level that layout needs is missing.
func (e *SNPCertExtensions) CertifiedTCB(productLine string) (SNPTCB, error) {
	need := []int{1, 2, 3, 8}
	if tcbHasFMC(productLine) {
		need = append(need, 9)
	}
	for _, n := range need {
		if !e.HasSPL[n] {
			return SNPTCB{}, fmt.Errorf("%w: no SPL extension 1.3.6.1.4.1.3704.1.3.%d for %s", ErrSNPCertificate, n, productLine)
		}
	}
	t := SNPTCB{Bootloader: e.SPL[1], TEE: e.SPL[2], SNP: e.SPL[3], Microcode: e.SPL[8], HasFMC: tcbHasFMC(productLine)}
	if t.HasFMC {
		t.FMC = e.SPL[9]
	} else {
		t.Reserved = uint32(e.SPL[4]) | uint32(e.SPL[5])<<8 | uint32(e.SPL[6])<<16 | uint32(e.SPL[7])<<24
	}
	return t, nil
}

// ParseSNPCertExtensions reads the AMD KDS extensions of a VCEK or VLEK certificate.
// Unknown AMD extensions are ignored (AMD adds new ones, as the FMC SPL showed); a
// duplicated or malformed known one is an error.
func ParseSNPCertExtensions(cert *x509.Certificate) (*SNPCertExtensions, error) {
	e := &SNPCertExtensions{}
	seen := map[string]bool{}
	var hasVersion, hasName bool
	for _, ext := range cert.Extensions {
		id := ext.Id
		if len(id) <= len(oidAMDKDS) || !id[:len(oidAMDKDS)].Equal(oidAMDKDS) {
			continue
		}
		key := id.String()
		if seen[key] {
			return nil, fmt.Errorf("%w: extension %s appears twice", ErrSNPCertificate, key)
		}
		seen[key] = true
		arc := id[len(oidAMDKDS):]
		switch {
		case len(arc) == 1 && arc[0] == 1:
			v, err := asn1Uint8(ext.Value)
			if err != nil {
				return nil, fmt.Errorf("%w: struct version: %w", ErrSNPCertificate, err)
			}
			e.StructVersion, hasVersion = v, true
		case len(arc) == 1 && arc[0] == 2:
			s, err := asn1IA5(ext.Value)
			if err != nil {
				return nil, fmt.Errorf("%w: product name: %w", ErrSNPCertificate, err)
			}
			e.ProductName, hasName = s, true
		case len(arc) == 2 && arc[0] == 3 && arc[1] >= 1 && arc[1] <= 9:
			v, err := asn1Uint8(ext.Value)
			if err != nil {
				return nil, fmt.Errorf("%w: SPL %s: %w", ErrSNPCertificate, key, err)
			}
			e.SPL[arc[1]], e.HasSPL[arc[1]] = v, true
		case len(arc) == 1 && arc[0] == 4:
			// KDS writes the HWID as raw bytes without an OCTET STRING header; accept
			// a proper OCTET STRING too in case AMD fixes that.
			hw := ext.Value
			if len(hw) != 64 && len(hw) != 8 {
				var oct []byte
				rest, err := asn1.Unmarshal(ext.Value, &oct)
				if err != nil || len(rest) != 0 {
					return nil, fmt.Errorf("%w: HWID of %d bytes is neither raw nor an OCTET STRING", ErrSNPCertificate, len(ext.Value))
				}
				hw = oct
			}
			if len(hw) != 64 && len(hw) != 8 {
				return nil, fmt.Errorf("%w: HWID is %d bytes, want 64 or 8", ErrSNPCertificate, len(hw))
			}
			e.HWID = append([]byte(nil), hw...)
		case len(arc) == 1 && arc[0] == 5:
			s, err := asn1IA5(ext.Value)
			if err != nil {
				return nil, fmt.Errorf("%w: CSP id: %w", ErrSNPCertificate, err)
			}
			e.CSPID = s
		}
	}
	if !hasVersion || !hasName {
		return nil, fmt.Errorf("%w: missing struct version or product name extension", ErrSNPCertificate)
	}
	if e.HWID != nil && e.CSPID != "" {
		return nil, fmt.Errorf("%w: both HWID and CSP id present", ErrSNPCertificate)
	}
	return e, nil
}

func asn1Uint8(der []byte) (uint8, error) {
	var v int
	rest, err := asn1.Unmarshal(der, &v)
	if err != nil {
		return 0, err
	}
	if len(rest) != 0 {
		return 0, fmt.Errorf("%d trailing bytes after INTEGER", len(rest))
	}
	if v < 0 || v > 255 {
		return 0, fmt.Errorf("INTEGER %d is not a byte", v)
	}
	return uint8(v), nil
}

func asn1IA5(der []byte) (string, error) {
	// encoding/asn1 converts other string types into a Go string without complaint;
	// KDS always writes IA5String, so insist on its tag.
	if len(der) == 0 || der[0] != asn1.TagIA5String {
		return "", errors.New("not an IA5String")
	}
	var s string
	rest, err := asn1.UnmarshalWithParams(der, &s, "ia5")
	if err != nil {
		return "", err
	}
	if len(rest) != 0 {
		return "", fmt.Errorf("%d trailing bytes after IA5String", len(rest))
	}
	return s, nil
}

// checkEndorsementCert checks the KDS profile of a VCEK (vlek false) or VLEK
// certificate: X.509 v3, RSASSA-PSS/SHA-384 signature, ECDSA P-384 key, subject CN
// SEV-VCEK or SEV-VLEK, and the extensions each kind must (not) have.
func checkEndorsementCert(cert *x509.Certificate, vlek bool) (*SNPCertExtensions, *ecdsa.PublicKey, error) {
	kind, cn := "VCEK", "SEV-VCEK"
	if vlek {
		kind, cn = "VLEK", "SEV-VLEK"
	}
	if cert.Version != 3 {
		return nil, nil, fmt.Errorf("%w: %s is X.509 version %d, want 3", ErrSNPCertificate, kind, cert.Version)
	}
	if cert.SignatureAlgorithm != x509.SHA384WithRSAPSS {
		return nil, nil, fmt.Errorf("%w: %s signature algorithm is %v, want SHA384-RSAPSS", ErrSNPCertificate, kind, cert.SignatureAlgorithm)
	}
	pub, ok := cert.PublicKey.(*ecdsa.PublicKey)
	if !ok || pub.Curve != elliptic.P384() {
		return nil, nil, fmt.Errorf("%w: %s key is not ECDSA P-384", ErrSNPCertificate, kind)
	}
	if cert.Subject.CommonName != cn {
		return nil, nil, fmt.Errorf("%w: %s subject CN is %q, want %q", ErrSNPCertificate, kind, cert.Subject.CommonName, cn)
	}
	if len(cert.UnhandledCriticalExtensions) != 0 {
		return nil, nil, fmt.Errorf("%w: %s has unhandled critical extension %v", ErrSNPCertificate, kind, cert.UnhandledCriticalExtensions[0])
	}
	exts, err := ParseSNPCertExtensions(cert)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", kind, err)
	}
	if vlek && (exts.CSPID == "" || exts.HWID != nil) {
		return nil, nil, fmt.Errorf("%w: VLEK must have a CSP id and no HWID", ErrSNPCertificate)
	}
	if !vlek && (exts.HWID == nil || exts.CSPID != "") {
		return nil, nil, fmt.Errorf("%w: VCEK must have an HWID and no CSP id", ErrSNPCertificate)
	}
	return exts, pub, nil
}
