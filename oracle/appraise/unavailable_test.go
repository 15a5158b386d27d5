package appraise

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	tdxtestdata "github.com/google/go-tdx-guest/testing/testdata"

	"github.com/teeoracle/teeoracle/oracle/collateral"
	"github.com/teeoracle/teeoracle/oracle/evidence"
)

// statusFetcher answers every URL with one HTTP status, counting the requests.
type statusFetcher struct {
	code int
	hits atomic.Int32
}

func (f *statusFetcher) Fetch(_ context.Context, url string) (*collateral.Response, error) {
	f.hits.Add(1)
	return nil, &collateral.StatusError{URL: url, Code: f.code}
}

func fetchingCache(t *testing.T, f collateral.Fetcher) *collateral.Cache {
	t.Helper()
	c, err := collateral.New(collateral.Options{Fetcher: f})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// A VCEK that cannot be fetched because AMD KDS is down or rate-limiting says nothing
// about the report: the appraisal is refused with ErrCollateralUnavailable rather than
// recorded as a failed chain check, which would make an untrusted verdict. A 404 is
// KDS's answer and stays a failed check.
func TestSNPCollateralUnavailable(t *testing.T) {
	// The Turin report (version 3) names its product line, so a VCEK can be fetched.
	m := turinVector(t)
	ev := &evidence.Evidence{TEE: evidence.TEESEVSNP, Raw: m.report}
	for _, code := range []int{http.StatusServiceUnavailable, http.StatusTooManyRequests, http.StatusBadGateway} {
		f := &statusFetcher{code: code}
		a := newProdSNP(t, &collateral.KDS{Cache: fetchingCache(t, f)})
		ap, err := a.Appraise(t.Context(), ev, m.asOf)
		if !errors.Is(err, ErrCollateralUnavailable) || ap != nil {
			t.Fatalf("HTTP %d: Appraise = %v, %v; want ErrCollateralUnavailable and no appraisal", code, ap, err)
		}
		var se *collateral.StatusError
		if !errors.As(err, &se) || se.Code != code || f.hits.Load() == 0 {
			t.Errorf("HTTP %d: error %v does not carry the response (%d requests)", code, err, f.hits.Load())
		}
	}
	// The VCEK in the evidence, the CRL from KDS: a CRL that cannot be fetched leaves
	// the revocation unknown, so there is no appraisal either, not a skipped check.
	for _, code := range []int{http.StatusServiceUnavailable, http.StatusTooManyRequests} {
		f := &statusFetcher{code: code}
		a := newProdSNP(t, &collateral.KDS{Cache: fetchingCache(t, f)})
		ap, err := a.Appraise(t.Context(), m.evidence(), m.asOf)
		if !errors.Is(err, ErrCollateralUnavailable) || ap != nil || !strings.Contains(err.Error(), CheckSNPCRL) {
			t.Fatalf("VCEK given, CRL HTTP %d: Appraise = %v, %v; want ErrCollateralUnavailable naming %s", code, ap, err, CheckSNPCRL)
		}
		var se *collateral.StatusError
		if !errors.As(err, &se) || se.Code != code {
			t.Errorf("VCEK given, CRL HTTP %d: error %v does not carry the response", code, err)
		}
	}
	f := &statusFetcher{code: http.StatusNotFound}
	a := newProdSNP(t, &collateral.KDS{Cache: fetchingCache(t, f)})
	ap, causes, err := a.appraise(t.Context(), ev, m.asOf)
	if err != nil {
		t.Fatalf("HTTP 404: appraise = %v", err)
	}
	if got := checkOutcome(ap, CheckSNPVCEKChain); got != Fail || !errors.Is(causes[CheckSNPVCEKChain], ErrSNPNoCertificate) {
		t.Fatalf("HTTP 404: %s = %s (%v), want a failed check with ErrSNPNoCertificate", CheckSNPVCEKChain, got, causes[CheckSNPVCEKChain])
	}
	if ap2, err := a.Appraise(t.Context(), ev, m.asOf); err != nil || ap2.Authentic {
		t.Fatalf("HTTP 404: Appraise = %v, %v; want an appraisal that is not authentic", ap2, err)
	}
}

// The same for TDX: Intel PCS down means no appraisal, not an untrusted one; the
// library's sample quote and collateral appraise once PCS answers again.
func TestTDXCollateralUnavailable(t *testing.T) {
	f := &statusFetcher{code: http.StatusServiceUnavailable}
	src := &collateral.PCSFetcher{Getter: collateral.TDXGetter{Cache: fetchingCache(t, f), AsOf: v4AsOf}}
	a := mustTDX(t, TDXConfig{Collateral: src})
	ev := &evidence.Evidence{TEE: evidence.TEETDX, Raw: tdxtestdata.RawQuote}
	app, err := a.Appraise(t.Context(), ev, v4AsOf)
	if !errors.Is(err, ErrCollateralUnavailable) || app != nil || f.hits.Load() == 0 {
		t.Fatalf("PCS 503: Appraise = %v, %v (%d requests); want ErrCollateralUnavailable", app, err, f.hits.Load())
	}
	// A 404 for the FMSPC is Intel's answer: the collateral check fails.
	f404 := &statusFetcher{code: http.StatusNotFound}
	src404 := &collateral.PCSFetcher{Getter: collateral.TDXGetter{Cache: fetchingCache(t, f404), AsOf: v4AsOf}}
	app, err = mustTDX(t, TDXConfig{Collateral: src404}).Appraise(t.Context(), ev, v4AsOf)
	if err != nil || app.Authentic || tdxOutcome(app, CheckTDXCollateral) != Fail {
		t.Fatalf("PCS 404: Appraise = %v, %v; want a failed collateral check", app, err)
	}
	app, err = mustTDX(t, TDXConfig{Collateral: v4Collateral(t)}).Appraise(t.Context(), ev, v4AsOf)
	if err != nil || !app.Authentic {
		t.Fatalf("with collateral: Appraise = %v, %v; want authentic", app, err)
	}
}
