package appraise

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/teeoracle/teeoracle/oracle/evidence"
)

// recorder is an Appraiser that records which TEE it was asked about.
type recorder struct{ got *evidence.TEE }

func (r recorder) Appraise(_ context.Context, ev *evidence.Evidence, asOf time.Time) (*Appraisal, error) {
	*r.got = ev.TEE
	return &Appraisal{TEE: ev.TEE, AsOf: asOf}, nil
}

func TestByTEE(t *testing.T) {
	var snp, tdx evidence.TEE
	b := ByTEE{SNP: recorder{&snp}, TDX: recorder{&tdx}}
	ctx := context.Background()
	if _, err := b.Appraise(ctx, &evidence.Evidence{TEE: evidence.TEESEVSNP}, time.Unix(1, 0)); err != nil || snp != evidence.TEESEVSNP || tdx != 0 {
		t.Errorf("snp: err %v, snp %v, tdx %v", err, snp, tdx)
	}
	if _, err := b.Appraise(ctx, &evidence.Evidence{TEE: evidence.TEETDX}, time.Unix(1, 0)); err != nil || tdx != evidence.TEETDX {
		t.Errorf("tdx: err %v, tdx %v", err, tdx)
	}
	if _, err := (ByTEE{SNP: recorder{&snp}}).Appraise(ctx, &evidence.Evidence{TEE: evidence.TEETDX}, time.Unix(1, 0)); !errors.Is(err, ErrNoAppraiser) {
		t.Errorf("tdx without appraiser: err = %v, want ErrNoAppraiser", err)
	}
	if _, err := b.Appraise(ctx, &evidence.Evidence{}, time.Unix(1, 0)); !errors.Is(err, ErrMalformed) {
		t.Errorf("unknown tee: err = %v, want ErrMalformed", err)
	}
	if _, err := b.Appraise(ctx, nil, time.Unix(1, 0)); !errors.Is(err, ErrMalformed) {
		t.Errorf("nil evidence: err = %v, want ErrMalformed", err)
	}
}
