// Package evidence decodes TEE attestation evidence (AMD SEV-SNP reports, Intel TDX
// quotes) from every input form the oracle accepts into one Evidence value with a
// canonical hash. It does no verification: see package appraise.
package evidence

// TEE names the kind of trusted execution environment that produced evidence. Its
// numeric values are the ones the registry contract uses in a verdict.
type TEE uint8

const (
	// TEEUnknown is the zero value: no evidence type was recognised.
	TEEUnknown TEE = 0
	// TEESEVSNP is an AMD SEV-SNP attestation report.
	TEESEVSNP TEE = 1
	// TEETDX is an Intel TDX quote (version 4 or 5).
	TEETDX TEE = 2
)

// String returns the name used in JSON output and on the command line.
func (t TEE) String() string {
	switch t {
	case TEESEVSNP:
		return "sev-snp"
	case TEETDX:
		return "tdx"
	default:
		return "unknown"
	}
}

// Evidence is one piece of attestation evidence with everything that came with it.
// Raw holds the report or quote exactly as signed (TDX trailing zero padding
// removed); Certificates holds DER certificates supplied beside it (for SEV-SNP the
// VCEK or VLEK and optionally ASK/ASVK and ARK; TDX carries its PCK chain inside the
// quote, so this is usually empty for TDX).
type Evidence struct {
	TEE          TEE
	Raw          []byte
	Certificates [][]byte
}
