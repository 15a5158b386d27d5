package appraise

import (
	"context"
	"errors"
	"testing"

	"github.com/teeoracle/teeoracle/oracle/evidence"
)

// TestSNPAppraiseAllConcurrent appraises genuine and forged reports together on
// several goroutines through one appraiser: results stay in order and each keeps its
// own outcome while the caches fill concurrently (run with -race to check sharing).
func TestSNPAppraiseAllConcurrent(t *testing.T) {
	m := milanVector(t)
	a := newProdSNP(t, nil)
	var evs []*evidence.Evidence
	for i := 0; i < 24; i++ {
		switch i % 3 {
		case 0:
			evs = append(evs, m.evidence())
		case 1:
			evs = append(evs, &evidence.Evidence{TEE: evidence.TEESEVSNP, Raw: snpFlip(m.report, 0x95), Certificates: [][]byte{m.cert}})
		default:
			evs = append(evs, &evidence.Evidence{TEE: evidence.TEESEVSNP, Raw: m.report[:100]})
		}
	}
	aps, errs := AppraiseAll(context.Background(), a, evs, m.asOf, 4)
	for i := range evs {
		switch i % 3 {
		case 0:
			if errs[i] != nil || !aps[i].Authentic {
				t.Errorf("evidence %d (genuine): authentic=%v err=%v", i, aps[i] != nil && aps[i].Authentic, errs[i])
			}
		case 1:
			if errs[i] != nil || aps[i].Authentic || checkOutcome(aps[i], CheckSNPSignature) != Fail {
				t.Errorf("evidence %d (tampered): err=%v", i, errs[i])
			}
		default:
			if !errors.Is(errs[i], ErrMalformed) {
				t.Errorf("evidence %d (truncated): err=%v, want ErrMalformed", i, errs[i])
			}
		}
	}
	// A cancelled context stops the batch.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, errs = AppraiseAll(ctx, a, evs[:3], m.asOf, 1)
	for i, err := range errs {
		if !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled batch, evidence %d: %v", i, err)
		}
	}
}

// TestSNPMalformedInputs: evidence that cannot be read is an error, not an appraisal.
func TestSNPMalformedInputs(t *testing.T) {
	m := milanVector(t)
	a := newProdSNP(t, nil)
	for _, tc := range []struct {
		name string
		ev   *evidence.Evidence
	}{
		{"nil", nil},
		{"tdx", &evidence.Evidence{TEE: evidence.TEETDX, Raw: m.report}},
		{"truncated", &evidence.Evidence{TEE: evidence.TEESEVSNP, Raw: m.report[:SNPReportSize-1]}},
		{"trailing byte", &evidence.Evidence{TEE: evidence.TEESEVSNP, Raw: append(append([]byte(nil), m.report...), 0)}},
		{"empty", &evidence.Evidence{TEE: evidence.TEESEVSNP}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := a.Appraise(context.Background(), tc.ev, m.asOf); !errors.Is(err, ErrMalformed) {
				t.Fatalf("Appraise = %v, want ErrMalformed", err)
			}
		})
	}
}
