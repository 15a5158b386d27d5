package service

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"sync"
	"time"

	"github.com/teeoracle/teeoracle/oracle/appraise"
	"github.com/teeoracle/teeoracle/oracle/audit"
	"github.com/teeoracle/teeoracle/oracle/collateral"
)

// The appraisers name the collateral they used by SHA-256 but do not hand back its
// bytes; the archive needs the bytes so an auditor can re-run the decision. The
// recording sources below sit between an appraiser and its collateral source and
// copy every item served during one appraisal into a recorder carried by the
// context, so one shared appraiser can serve many concurrent appraisals.

type recorderKey struct{}

// recorder collects the collateral items served during one appraisal, and names
// whom the appraisal is for.
type recorder struct {
	// requester is the machine id of the submission appraised (hex): the sources
	// charge it for what it makes them ask (RecordingSNP.VCEK). It is the machine id
	// rather than its provider because the node knows it for every appraisal without
	// reading the chain (it is in the submission, accepted only under the key the
	// machine's provider authorised, and in every re-appraisal), and a provider is
	// no dearer to make than a machine: registering either is one transaction of
	// any address.
	requester string
	mu        sync.Mutex
	items     map[[32]byte]recordedItem
}

type recordedItem struct {
	kind string
	body []byte
}

func withRecorder(ctx context.Context, requester string) (context.Context, *recorder) {
	r := &recorder{requester: requester, items: map[[32]byte]recordedItem{}}
	return context.WithValue(ctx, recorderKey{}, r), r
}

func (r *recorder) add(kind string, body []byte) {
	if r == nil || len(body) == 0 {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.items[sha256.Sum256(body)] = recordedItem{kind: kind, body: body}
}

func recorderFrom(ctx context.Context) *recorder {
	r, _ := ctx.Value(recorderKey{}).(*recorder)
	return r
}

// RecordingSNP wraps an SEV-SNP collateral source so the node can archive what the
// appraiser used.
type RecordingSNP struct{ Inner appraise.SNPCollateral }

var _ appraise.SNPCollateral = RecordingSNP{}

// requesterVCEK is a source that charges a requester for the VCEKs it is asked
// for (collateral.KDS: a 4xx answer counts against the requester's share of the
// cache's bound on them).
type requesterVCEK interface {
	VCEKFor(ctx context.Context, requester, productLine string, chipID []byte, reportedTCB uint64) ([]byte, error)
}

// VCEK returns the inner source's VCEK and records it. A source that charges
// requesters (requesterVCEK) is asked on behalf of the appraisal's machine, so one
// machine's reports naming chips KDS does not know spend its own share of the
// cache's 4xx budget, not the other machines'. The appraiser (shared, and the same
// for verify and audit, which have no requester) asks through this interface with
// only a context, so the requester travels in the appraisal's recorder and is
// passed on explicitly from here.
func (s RecordingSNP) VCEK(ctx context.Context, productLine string, chipID []byte, tcb uint64) ([]byte, error) {
	var b []byte
	var err error
	rec := recorderFrom(ctx)
	if src, ok := s.Inner.(requesterVCEK); ok && rec != nil && rec.requester != "" {
		b, err = src.VCEKFor(ctx, rec.requester, productLine, chipID, tcb)
	} else {
		b, err = s.Inner.VCEK(ctx, productLine, chipID, tcb)
	}
	if err == nil {
		rec.add(audit.CollateralSNPVCEK, b)
	}
	return b, err
}

// CRL returns the inner source's CRL and records it.
func (s RecordingSNP) CRL(ctx context.Context, productLine string, vlek bool, asOf time.Time) ([]byte, error) {
	b, err := s.Inner.CRL(ctx, productLine, vlek, asOf)
	if err == nil {
		recorderFrom(ctx).add(audit.CollateralSNPCRL, b)
	}
	return b, err
}

// recordingSNPLister is RecordingSNP over a source that lists every current CRL of
// an ARK (appraise.SNPCRLLister: a CRL directory), so the appraiser still checks the
// chain against each of them and the node archives each one it used.
type recordingSNPLister struct {
	RecordingSNP
	lister appraise.SNPCRLLister
}

var _ appraise.SNPCRLLister = recordingSNPLister{}

// recordingSNP wraps inner in RecordingSNP, keeping it a lister when it is one.
func recordingSNP(inner appraise.SNPCollateral) appraise.SNPCollateral {
	if l, ok := inner.(appraise.SNPCRLLister); ok {
		return recordingSNPLister{RecordingSNP: RecordingSNP{Inner: inner}, lister: l}
	}
	return RecordingSNP{Inner: inner}
}

// CRLs returns the inner source's CRLs and records each.
func (s recordingSNPLister) CRLs(ctx context.Context, productLine string, asOf time.Time) ([][]byte, error) {
	ders, err := s.lister.CRLs(ctx, productLine, asOf)
	if err == nil {
		r := recorderFrom(ctx)
		for _, b := range ders {
			r.add(audit.CollateralSNPCRL, b)
		}
	}
	return ders, err
}

// RecordingTDX wraps a TDX collateral source so the node can archive what the
// appraiser used. The whole collateral set is archived as one JSON document (the
// collateral package's TDXCollateral), which audit feeds back as a fixed source.
type RecordingTDX struct{ Inner appraise.TDXCollateralSource }

var _ appraise.TDXCollateralSource = RecordingTDX{}

// FetchTDX returns the inner source's collateral and records it.
func (s RecordingTDX) FetchTDX(ctx context.Context, fmspc, ca string) (*collateral.TDXCollateral, error) {
	c, err := s.Inner.FetchTDX(ctx, fmspc, ca)
	if err == nil && c != nil {
		if b, merr := json.Marshal(c); merr == nil {
			recorderFrom(ctx).add(audit.CollateralTDXSet, b)
		}
	}
	return c, err
}
