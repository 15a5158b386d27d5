package verifier

import (
	"fmt"
	"os"

	"github.com/teeoracle/teeoracle/oracle/collateral"
	"github.com/teeoracle/teeoracle/oracle/evidence"
)

// Files names a verification's inputs on disk, as `teeoracle verify` takes them.
type Files struct {
	// Evidence is the evidence file; Certificates are certificate files given
	// beside it.
	Evidence     string
	Certificates []string
	// Policy is the policy file; empty means the default policy.
	Policy string
	// Collateral is collateral read from a path (collateral.ReadLocal); nil means
	// the request carries none.
	Collateral *collateral.Local
}

// ReadRequest reads f into a request. Its time, domain, binding and expected report
// data are the caller's to set. Errors name the input that could not be read.
func ReadRequest(f Files) (*Request, error) {
	data, err := os.ReadFile(f.Evidence)
	if err != nil {
		return nil, fmt.Errorf("evidence: %w", err)
	}
	req := &Request{Evidence: evidence.Input{Name: f.Evidence, Data: data}}
	for _, path := range f.Certificates {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("certificate: %w", err)
		}
		req.Certificates = append(req.Certificates, evidence.Input{Name: path, Data: b})
	}
	if f.Policy != "" {
		if req.Policy, err = os.ReadFile(f.Policy); err != nil {
			return nil, fmt.Errorf("policy: %w", err)
		}
	}
	if l := f.Collateral; l != nil {
		req.Collateral = Collateral{SNPCRLs: l.SNPCRLs, TDXDcapQVL: l.DcapQVL, TDXPCS: l.PCS}
	}
	return req, nil
}
