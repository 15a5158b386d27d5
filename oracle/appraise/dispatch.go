package appraise

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
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

// SourcesConfig configures the appraisers of both TEEs over long-lived collateral
// sources (collateral.OpenSources): what `teeoracle verify` without request
// collateral and the oracle node appraise with.
type SourcesConfig struct {
	// Roots replace the vendors' roots; nil (or a nil field) keeps them.
	Roots *CustomRoots
	// SNP serves VCEKs and CRLs; nil means the evidence's certificates only, with
	// the CRL check skipped.
	SNP SNPCollateral
	// TDX serves TCB Info, QE Identity and CRLs; nil means TDX evidence is refused
	// (ErrNoAppraiser).
	TDX TDXCollateralSource
	// Logger receives the SEV-SNP appraiser's debug logs; nil means slog.Default().
	Logger *slog.Logger
}

// NewByTEE builds the SEV-SNP appraiser and, with a TDX source, the TDX appraiser.
func NewByTEE(c SourcesConfig) (ByTEE, error) {
	var by ByTEE
	var roots CustomRoots
	if c.Roots != nil {
		roots = *c.Roots
	}
	snp, err := NewSNP(SNPConfig{Roots: roots.SNP, Collateral: c.SNP, Logger: c.Logger})
	if err != nil {
		return ByTEE{}, err
	}
	by.SNP = snp
	if c.TDX != nil {
		tdx, err := NewTDX(TDXConfig{Root: roots.TDX, Collateral: c.TDX})
		if err != nil {
			return ByTEE{}, err
		}
		by.TDX = tdx
	}
	return by, nil
}
