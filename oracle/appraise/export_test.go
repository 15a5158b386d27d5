package appraise

import (
	"testing"
	"time"

	"github.com/teeoracle/teeoracle/oracle/evidence"
)

// AppraiseTDXTestPKI appraises a TEST-ONLY quote of the test PKI (its body edited by
// editBody) against the test PKI's collateral with the TCB Info and QE Identity
// bodies edited, for tests outside the package (policy decisions on appraisals).
func AppraiseTDXTestPKI(t *testing.T, editBody func([]byte), editTCB, editQE func(*map[string]any)) *Appraisal {
	t.Helper()
	p := newTDXTestPKI(t)
	col := p.collateralQE(t, editTCB, editQE, time.Date(2023, 6, 1, 0, 0, 0, 0, time.UTC), time.Date(2023, 8, 1, 0, 0, 0, 0, time.UTC))
	a := mustTDX(t, TDXConfig{Root: p.root, Collateral: col})
	app, err := a.Appraise(t.Context(), &evidence.Evidence{TEE: evidence.TEETDX, Raw: p.quote(t, 4, editBody)}, v4AsOf)
	if err != nil {
		t.Fatal(err)
	}
	return app
}
