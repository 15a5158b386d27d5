package appraise

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/teeoracle/teeoracle/oracle/evidence"
)

// ErrNoAppraiser is returned (wrapped) when evidence is of a TEE that no appraiser
// was configured for.
var ErrNoAppraiser = errors.New("no appraiser for this TEE")

// ByTEE is an Appraiser that hands each piece of evidence to the appraiser for its
// TEE. A nil field means evidence of that TEE is refused with ErrNoAppraiser, so a
// node configured for one TEE cannot silently appraise the other with defaults.
type ByTEE struct {
	SNP Appraiser
	TDX Appraiser
}

var _ Appraiser = ByTEE{}

// Appraise dispatches on ev.TEE.
func (b ByTEE) Appraise(ctx context.Context, ev *evidence.Evidence, asOf time.Time) (*Appraisal, error) {
	if ev == nil {
		return nil, fmt.Errorf("appraise: %w: no evidence", ErrMalformed)
	}
	var a Appraiser
	switch ev.TEE {
	case evidence.TEESEVSNP:
		a = b.SNP
	case evidence.TEETDX:
		a = b.TDX
	default:
		return nil, fmt.Errorf("appraise: %w: evidence of unknown TEE %d", ErrMalformed, ev.TEE)
	}
	if a == nil {
		return nil, fmt.Errorf("appraise %s: %w", ev.TEE, ErrNoAppraiser)
	}
	return a.Appraise(ctx, ev, asOf)
}
