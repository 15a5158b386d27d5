//go:build !(js && wasm)

package verifier

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/teeoracle/teeoracle/oracle/appraise"
	"github.com/teeoracle/teeoracle/oracle/collateral"
	"github.com/teeoracle/teeoracle/oracle/policy"
	"github.com/teeoracle/teeoracle/oracle/verdict"
)

// Setup is one verification as `teeoracle verify` takes it: files, where the
// collateral comes from and the trusted roots.
type Setup struct {
	// Files are the evidence, certificate and policy files. Their Collateral is
	// Open's to set, from Sources.Local.
	Files
	// Sources say where collateral comes from. Collateral read from a path
	// (Sources.Local) travels in the request, and then nothing else is asked;
	// without it the cache in Sources.CacheDir (and AMD KDS and Intel PCS, unless
	// Sources.Offline) serves the appraisers.
	Sources collateral.SourceOptions
	// Roots replace the vendors' roots; nil (or a nil field) keeps them.
	Roots *appraise.CustomRoots
}

// Open reads s's files into a request and builds the verifier for it. The
// request's time, domain, binding and expected report data are the caller's to
// set. Unlike the rest of the package, the verifier it builds may reach AMD KDS and
// Intel PCS (through the collateral cache), so it is not built for WebAssembly.
func Open(s Setup) (*Verifier, *Request, error) {
	opts := s.Sources
	if opts.Local != "" {
		// The request carries the local collateral; the cache would serve nothing.
		opts.CacheDir, opts.Offline = "", true
	}
	src, err := collateral.OpenSources(opts)
	if err != nil {
		return nil, nil, err
	}
	s.Files.Collateral = src.Local
	req, err := ReadRequest(s.Files)
	if err != nil {
		return nil, nil, err
	}
	var vopts Options
	if s.Roots != nil {
		vopts.SNPRoots, vopts.TDXRoot = s.Roots.SNP, s.Roots.TDX
	}
	if src.Local == nil && (src.SNP != nil || src.TDX != nil) {
		if vopts.Appraiser, err = appraise.NewByTEE(appraise.SourcesConfig{Roots: s.Roots, SNP: src.SNP, TDX: src.TDX}); err != nil {
			return nil, nil, err
		}
	}
	v, err := New(vopts)
	if err != nil {
		return nil, nil, err
	}
	return v, req, nil
}

// Config is one verification of files, complete: Setup, and the request fields
// Open leaves to its caller.
type Config struct {
	Setup
	// At is the time everything is evaluated as of (Request.At), collateral
	// sources too: Run sets Sources.AsOf to it, cut to whole seconds as verdicts
	// carry them.
	At time.Time
	// Domain, Binding (nil: none) and ReportData (nil: not checked) go into the
	// request as they are.
	Domain     verdict.Domain
	Binding    *Binding
	ReportData []byte
}

// Run opens c's files (Open) and verifies them. An invalid policy is an error
// naming its file; an error means no verdict could be made.
func (c *Config) Run(ctx context.Context) (*Result, error) {
	setup := c.Setup
	setup.Sources.AsOf = c.At.UTC().Truncate(time.Second)
	v, req, err := Open(setup)
	if err != nil {
		return nil, err
	}
	req.At, req.Domain, req.Binding, req.ReportData = c.At, c.Domain, c.Binding, c.ReportData
	res, err := v.Verify(ctx, req)
	if errors.Is(err, policy.ErrInvalid) {
		return nil, fmt.Errorf("%s: %w", c.Policy, err)
	}
	return res, err
}
