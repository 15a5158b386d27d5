package appraise

import (
	"bytes"
	"context"
	"crypto/x509"
	"testing"
	"time"

	"github.com/teeoracle/teeoracle/oracle/evidence"
)

// FuzzSNPAppraise feeds arbitrary report bytes and certificate bytes to the appraiser
// (production roots). Nothing may panic; a report of the wrong size is ErrMalformed;
// whatever is not the untouched real report must not be authentic. Seeds: the real
// Milan report and VCEK (testdata/fuzz/FuzzSNPAppraise adds the Turin and VLEK forms).
func FuzzSNPAppraise(f *testing.F) {
	m := milanVector(f)
	f.Add(m.report, m.cert)
	f.Add(m.report[:0x2A0], m.cert[:200])
	a := newProdSNP(f, nil)
	asOf := time.Date(2025, 7, 17, 18, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, report, cert []byte) {
		ev := &evidence.Evidence{TEE: evidence.TEESEVSNP, Raw: report, Certificates: [][]byte{cert}}
		ap, err := a.Appraise(context.Background(), ev, asOf)
		if len(report) != SNPReportSize {
			if err == nil {
				t.Fatalf("report of %d bytes appraised", len(report))
			}
			return
		}
		if err != nil {
			t.Fatalf("Appraise: %v", err)
		}
		if ap.Authentic && !(bytes.Equal(report, m.report) && bytes.Equal(cert, m.cert)) && !isKnownGenuine(report, cert) {
			t.Fatalf("forged input appraised authentic")
		}
	})
}

// isKnownGenuine reports whether report/cert is one of the real vectors (in seeds).
func isKnownGenuine(report, cert []byte) bool {
	for _, p := range [][2]string{
		{"snp-turin/report.bin", "snp-turin/vcek.der"},
		{"snp-vlek-milan/report.bin", "snp-vlek-milan/vlek.pem"},
	} {
		r, err1 := readShared(p[0])
		c, err2 := readShared(p[1])
		if err1 == nil && err2 == nil && bytes.Equal(r, report) && bytes.Equal(c, cert) {
			return true
		}
	}
	return false
}

// FuzzSNPCertExtensions parses arbitrary DER as a certificate and, when Go accepts it,
// reads its AMD extensions and certified TCB for every product line: no panics, and
// a parsed HWID is 8 or 64 bytes.
func FuzzSNPCertExtensions(f *testing.F) {
	f.Add(milanVector(f).cert)
	f.Fuzz(func(t *testing.T, der []byte) {
		c, err := x509.ParseCertificate(der)
		if err != nil {
			return
		}
		exts, err := ParseSNPCertExtensions(c)
		if err != nil {
			return
		}
		if exts.HWID != nil && len(exts.HWID) != 8 && len(exts.HWID) != 64 {
			t.Fatalf("HWID of %d bytes accepted", len(exts.HWID))
		}
		for _, line := range []string{"Milan", "Genoa", "Turin"} {
			if tcb, err := exts.CertifiedTCB(line); err == nil && DecodeSNPTCB(line, tcb.Encode()) != tcb {
				t.Fatalf("%s TCB %+v does not round-trip", line, tcb)
			}
		}
		_, _, _ = checkEndorsementCert(c, false)
		_, _, _ = checkEndorsementCert(c, true)
	})
}
