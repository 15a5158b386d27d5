package verifier

import (
	"bytes"
	"sync"

	"github.com/teeoracle/teeoracle/oracle/collateral"
)

// TDX collateral given with a request (dcap-qvl JSON, an archived collateral set) is
// parsed once per distinct encoding: the parse is a pure function of the bytes,
// and a page or an auditor verifying a fleet's quotes is given the same collateral
// with every quote. In WebAssembly, decoding the 19 KB of dcap-qvl JSON (with its
// hex CRLs and PEM chains) was a tenth of a TDX verification (docs/wasm.md, Time).
// Nothing is trusted by being remembered: the appraisal checks every signature of
// the collateral, its issuer chains and CRLs on every request. The parsed value is
// shared read-only (the appraisers never modify collateral they are given). Only
// successful parses are kept; each table holds at most collateralMemoEntries
// values parsed from at most collateralMemoBytes of input, and is emptied when
// either would be exceeded.
const (
	collateralMemoEntries = 64
	collateralMemoBytes   = 4 << 20
)

type collateralMemo struct {
	mu    sync.RWMutex
	m     map[string]*collateral.TDXCollateral
	bytes int // input bytes of the keys in m
}

var (
	dcapQVLMemo collateralMemo
	tdxSetMemo  collateralMemo
)

// parse returns parse(b), remembered by b's exact bytes.
func (t *collateralMemo) parse(b []byte, parse func([]byte) (*collateral.TDXCollateral, error)) (*collateral.TDXCollateral, error) {
	t.mu.RLock()
	c, ok := t.m[string(b)] // the lookup keys on b itself, without a copy
	t.mu.RUnlock()
	if ok {
		return c, nil
	}
	if len(b) > collateralMemoBytes {
		return parse(b) // never kept: no copy
	}
	// A private copy, so that a caller reusing its buffer cannot change a shared
	// value should a parser come to keep slices of its input.
	own := bytes.Clone(b)
	c, err := parse(own)
	if err != nil {
		return c, err
	}
	t.mu.Lock()
	if _, ok := t.m[string(own)]; !ok {
		if t.m == nil || len(t.m) >= collateralMemoEntries || t.bytes+len(own) > collateralMemoBytes {
			t.m, t.bytes = make(map[string]*collateral.TDXCollateral), 0
		}
		t.m[string(own)] = c
		t.bytes += len(own)
	}
	t.mu.Unlock()
	return c, nil
}
