package evidence

import "fmt"

// snpReportDataOffset is where REPORT_DATA lies in an SEV-SNP ATTESTATION_REPORT
// (SNP ABI 56860, table 22): 64 bytes at 0x50.
const snpReportDataOffset = 0x50

// ReportData returns the 64 bytes of report data the evidence carries (an SEV-SNP
// report's REPORT_DATA, a TDX quote's TD report REPORTDATA), read from Raw without
// appraising anything: the bytes are what the evidence claims, trusted only once
// the appraisal has checked the signature over them. An error names what is
// missing or malformed.
func (e *Evidence) ReportData() ([64]byte, error) {
	var out [64]byte
	switch e.TEE {
	case TEESEVSNP:
		if len(e.Raw) < snpReportDataOffset+64 {
			return out, fmt.Errorf("report data: sev-snp report of %d bytes: %w (report data ends at byte %d)",
				len(e.Raw), ErrTruncated, snpReportDataOffset+64)
		}
		copy(out[:], e.Raw[snpReportDataOffset:])
		return out, nil
	case TEETDX:
		q, err := ParseTDXQuote(e.Raw)
		if err != nil {
			return out, fmt.Errorf("report data: %w", err)
		}
		return q.Body.ReportData, nil
	}
	return out, fmt.Errorf("report data: evidence of tee %s: %w", e.TEE, ErrUnsupported)
}
