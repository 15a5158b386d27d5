// Package verifier is the oracle's verification pipeline in memory: evidence,
// certificates, collateral and policy bytes and an as-of time go in; the appraisal,
// the decision, the verdict and its EIP-712 hash come out. It reads no file, no
// network and no clock, so the same code runs in `teeoracle verify`, in the oracle
// node and, built to WebAssembly, in a browser, and gives the same bytes in each.
//
// The pipeline is evidence.Decode, an appraiser for the evidence's TEE (package
// appraise) fed with the request's collateral, then Decide: the appraisal,
// policy.Decide and verdict.Digest. Decide is the step the oracle node, which
// holds decoded evidence and a long-lived appraiser, calls directly.
//
// ReadRequest and Open are the exceptions, for `teeoracle verify`: they read the
// files a request is made of, and Open's verifier may fetch collateral from AMD KDS
// and Intel PCS through the cache.
package verifier

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"reflect"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/teeoracle/teeoracle/internal/strictjson"
	"github.com/teeoracle/teeoracle/oracle/appraise"
	"github.com/teeoracle/teeoracle/oracle/collateral"
	"github.com/teeoracle/teeoracle/oracle/evidence"
	"github.com/teeoracle/teeoracle/oracle/policy"
	"github.com/teeoracle/teeoracle/oracle/verdict"
)

// Sentinel errors. Every error Verify returns for a bad request wraps ErrRequest or
// one of these, or the sentinel of the package that refused the input (evidence,
// policy, collateral), and names the input.
var (
	// ErrRequest: the request is incomplete or inconsistent (no evidence, no time,
	// a field that does not parse).
	ErrRequest = errors.New("invalid verification request")
	// ErrNeedCollateral: TDX evidence without TDX collateral. Intel's TCB Info, QE
	// Identity and CRLs cannot be fetched here; they must come with the request.
	ErrNeedCollateral = errors.New("TDX evidence needs TDX collateral (dcap-qvl JSON or PCS files)")
	// ErrCollateral: the collateral given cannot be read, or does not fit the
	// evidence (TDX collateral with SEV-SNP evidence, two TDX forms at once).
	ErrCollateral = errors.New("invalid collateral")
)

// Request is one verification's inputs, all in memory.
type Request struct {
	// Evidence is a raw SEV-SNP report (optionally followed by its certificate
	// table), a raw TDX quote, configfs-tsm report JSON or an evidence bundle: any
	// form evidence.Decode reads. Its Name appears in errors.
	Evidence evidence.Input
	// Certificates are certificates given beside the evidence: DER, PEM (one or
	// more) or an SEV-SNP certificate table, as `teeoracle verify --cert`.
	Certificates []evidence.Input
	// Collateral is the vendor collateral given with the evidence.
	Collateral Collateral
	// Policy is a policy file (YAML or JSON, docs/policy.md). Nil means
	// policy.Default().
	Policy []byte
	// At is the time everything is evaluated as of; required. It is cut to whole
	// seconds in UTC, because verdicts carry whole seconds and the appraisal and the
	// verdict must agree about the time.
	At time.Time
	// Domain is the registry's EIP-712 domain the verdict hash is computed for, and
	// the chain id and registry of the report-data binding. Zero: chain 0 and the
	// zero address, as `teeoracle verify` without --chain-id and --registry.
	Domain verdict.Domain
	// Binding, when set, is what the report data must commit to (with Domain; see
	// docs/verdict-encoding.md), and its machine id, key and anchor block go into the
	// verdict. Nil means no binding check and zero values in the verdict.
	Binding *Binding
	// ReportData, when non-nil, is 64 bytes the report data must equal.
	ReportData []byte
	// PolicyHash, when not zero, is Policy's hash (policy.LoadHashed), computed once
	// by a caller deciding many cases under one policy; zero means it is computed.
	PolicyHash common.Hash
}

// Binding is the machine, TEE key and anchor block a report's data commits to.
type Binding struct {
	MachineID         common.Hash
	TEEKey            common.Address
	AnchorBlockNumber uint64
	AnchorBlockHash   common.Hash
}

// Collateral is vendor collateral given with a request. At most one TDX form may be
// set; SEV-SNP evidence takes only SNPCRLs.
type Collateral struct {
	// SNPCRLs are AMD CRLs (DER or PEM) of the ARKs, issued for the ASK or the ASVK.
	// For each report the newest CRL of its product line issued no later than the
	// request's time is used. None means the CRL check is skipped (reported as
	// skipped in the appraisal), unless the evidence bundle carries one.
	SNPCRLs []evidence.Input
	// SNPVCEKs are VCEKs (DER or PEM) given as collateral, for reports whose
	// evidence carries none: the form in which the oracle node archives a VCEK it
	// fetched from AMD KDS. Unlike Request.Certificates they are not part of the
	// evidence, so they do not change the evidence hash.
	SNPVCEKs []evidence.Input
	// TDXDcapQVL is collateral in dcap-qvl's QuoteCollateralV3 JSON layout
	// (docs/collateral.md, form b).
	TDXDcapQVL *evidence.Input
	// TDXPCS are saved Intel PCS responses by file name, in the directory layout of
	// docs/collateral.md (form a): tcbinfo-<fmspc>.json, qeidentity.json,
	// pckcrl-<ca>.der, rootcrl.der and their .issuer-chain.pem files.
	TDXPCS map[string][]byte
	// TDXSet is a collateral.TDXCollateral as JSON (encoding/json of the Go type):
	// the form the oracle node archives the collateral a TDX appraisal used in, so
	// that an archived verdict re-verifies from the archive alone.
	TDXSet *evidence.Input
}

func (c *Collateral) empty() bool {
	return len(c.SNPCRLs) == 0 && len(c.SNPVCEKs) == 0 && c.tdxForms() == 0
}

func (c *Collateral) tdxForms() int {
	n := 0
	if c.TDXDcapQVL != nil {
		n++
	}
	if len(c.TDXPCS) > 0 {
		n++
	}
	if c.TDXSet != nil {
		n++
	}
	return n
}

// Result is the outcome of one verification: everything `teeoracle verify` prints.
type Result struct {
	// Evidence is the decoded evidence.
	Evidence *evidence.Evidence
	// EvidenceHash is the evidence's canonical hash (also in the verdict).
	EvidenceHash common.Hash
	// Policy is the policy applied (the default when the request had none).
	Policy *policy.Policy
	// PolicyHash is the policy's canonical hash (also in the verdict).
	PolicyHash common.Hash
	// Appraisal lists the checks made and the facts found.
	Appraisal *appraise.Appraisal
	// Decision is the verdict with its reasons and findings.
	Decision *policy.Decision
	// Domain is the EIP-712 domain VerdictHash is computed for.
	Domain verdict.Domain
	// At is the time everything was evaluated as of (whole seconds, UTC).
	At time.Time
	// VerdictHash is the verdict's EIP-712 digest in Domain: what oracles sign and
	// the registry stores.
	VerdictHash common.Hash
}

// Options configure a Verifier. The zero value trusts the vendors' production roots.
type Options struct {
	// SNPRoots are the trusted AMD roots. Nil means AMD's production roots.
	SNPRoots *appraise.SNPRoots
	// TDXRoot is the trusted Intel SGX Root CA. Nil means Intel's production root.
	TDXRoot *x509.Certificate
	// Appraiser, when set, appraises every request instead of an appraiser built
	// from the request's collateral; requests must then carry no collateral. The
	// oracle node uses it for long-lived appraisers whose collateral comes from its
	// cache (KDS, PCS); SNPRoots and TDXRoot are then unused.
	Appraiser appraise.Appraiser
	// Logger receives the appraisers' debug logs. Nil means slog.Default().
	Logger *slog.Logger
	// Signatures checks the appraisers' signatures (appraise.SignatureVerifier).
	// Nil means appraise.GoSignatures; the WebAssembly build passes WebCrypto's.
	// Unused with Appraiser.
	Signatures appraise.SignatureVerifier
}

// Verifier runs the pipeline. It holds no per-request state and is safe for
// concurrent use.
type Verifier struct {
	snpRoots  *appraise.SNPRoots
	tdxRoot   *x509.Certificate
	appraiser appraise.Appraiser
	log       *slog.Logger
	sigs      appraise.SignatureVerifier
}

// New returns a Verifier. Roots are parsed here, once, not per request.
func New(opts Options) (*Verifier, error) {
	v := &Verifier{snpRoots: opts.SNPRoots, tdxRoot: opts.TDXRoot, appraiser: opts.Appraiser, log: opts.Logger, sigs: opts.Signatures}
	if v.log == nil {
		v.log = slog.Default()
	}
	if v.appraiser == nil && v.snpRoots == nil {
		roots, err := appraise.AMDSNPRoots()
		if err != nil {
			return nil, fmt.Errorf("new verifier: %w", err)
		}
		v.snpRoots = roots
	}
	if v.appraiser == nil && v.tdxRoot == nil {
		v.tdxRoot = appraise.IntelSGXRootCA()
	}
	return v, nil
}

// WithSignatures returns a Verifier like v whose appraisers check signatures with
// sv (nil: appraise.GoSignatures). v is unchanged. With Options.Appraiser it makes no
// difference: that appraiser has its own.
func (v *Verifier) WithSignatures(sv appraise.SignatureVerifier) *Verifier {
	c := *v
	c.sigs = sv
	return &c
}

// Verify decodes, appraises and decides. An error means no verdict could be made
// (bad input); an untrusted verdict is a Result with Decision.Trusted false.
func (v *Verifier) Verify(ctx context.Context, req *Request) (*Result, error) {
	if req == nil {
		return nil, fmt.Errorf("%w: no request", ErrRequest)
	}
	if req.At.IsZero() {
		return nil, fmt.Errorf("%w: no as-of time", ErrRequest)
	}
	if len(req.Evidence.Data) == 0 {
		return nil, fmt.Errorf("%w: evidence %q is empty", ErrRequest, req.Evidence.Name)
	}
	if req.ReportData != nil && len(req.ReportData) != 64 {
		return nil, fmt.Errorf("%w: expected report data is %d bytes, want 64", ErrRequest, len(req.ReportData))
	}
	at := req.At.UTC().Truncate(time.Second)
	name := req.Evidence.Name
	if name == "" {
		name = "evidence"
	}
	// What is verified was taken in already (a node's archive, an audit, a file):
	// the bundle submission bounds are the API's, not the verifier's.
	ev, err := evidence.DecodeArchived(name, req.Evidence.Data, req.Certificates...)
	if err != nil {
		return nil, fmt.Errorf("decode evidence: %w", err)
	}
	pol := policy.Default()
	if req.Policy != nil {
		if pol, err = policy.Parse(req.Policy); err != nil {
			return nil, fmt.Errorf("policy: %w", err)
		}
	}
	ph, err := pol.Hash()
	if err != nil {
		return nil, fmt.Errorf("policy hash: %w", err)
	}
	a, err := v.appraiserFor(ev.TEE, &req.Collateral)
	if err != nil {
		return nil, err
	}
	res, err := Decide(ctx, a, &Case{Name: name, Evidence: ev, Policy: pol, At: at, Domain: req.Domain,
		Binding: req.Binding, ReportData: req.ReportData})
	if err != nil {
		return nil, err
	}
	res.EvidenceHash, res.PolicyHash = ev.Hash(), ph
	return res, nil
}

// Case is one decision's decoded inputs: what Decide needs beside the appraiser.
type Case struct {
	// Name names the evidence in errors; empty leaves it out.
	Name string
	// Evidence is the decoded evidence.
	Evidence *evidence.Evidence
	// Policy is the parsed policy the decision applies.
	Policy *policy.Policy
	// At is the time everything is evaluated as of; it is cut to whole seconds in
	// UTC (see Request.At).
	At time.Time
	// Domain is the registry's EIP-712 domain, and the chain id and registry of the
	// report-data binding.
	Domain verdict.Domain
	// Binding, when set, is what the report data must commit to; nil means no
	// binding check and zero values in the verdict.
	Binding *Binding
	// ReportData, when non-nil, is 64 bytes the report data must equal.
	ReportData []byte
	// PolicyHash, when not zero, is Policy's hash (policy.LoadHashed), computed once
	// by a caller deciding many cases under one policy; zero means it is computed.
	PolicyHash common.Hash
}

// Decide appraises c's evidence with a and applies c's policy: the one step every
// verdict is made by (Verify, the oracle node, the devnet, audit and the
// WebAssembly module), so that they agree bit for bit. It takes decoded inputs;
// Verify is the entry point for bytes. The result's EvidenceHash and PolicyHash are
// left zero (the verdict carries both).
func Decide(ctx context.Context, a appraise.Appraiser, c *Case) (*Result, error) {
	at := c.At.UTC().Truncate(time.Second)
	app, err := a.Appraise(ctx, c.Evidence, at)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", step("appraise", c.Name), err)
	}
	in := policy.Inputs{AsOf: at, ChainID: c.Domain.ChainID, Registry: c.Domain.Registry, ExpectedReportData: c.ReportData,
		PolicyHash: c.PolicyHash}
	if b := c.Binding; b != nil {
		in.Bind = true
		in.MachineID, in.TEEKey = b.MachineID, b.TEEKey
		in.AnchorBlockNumber, in.AnchorBlockHash = b.AnchorBlockNumber, b.AnchorBlockHash
	}
	dec, err := policy.Decide(app, c.Policy, in)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", step("decide", c.Name), err)
	}
	return &Result{Evidence: c.Evidence, Policy: c.Policy, Appraisal: app, Decision: dec, Domain: c.Domain,
		At: at, VerdictHash: dec.Verdict.Digest(c.Domain)}, nil
}

func step(op, name string) string {
	if name == "" {
		return op
	}
	return op + " " + name
}

// appraiserFor returns the configured appraiser, or one for tee fed with c.
func (v *Verifier) appraiserFor(tee evidence.TEE, c *Collateral) (appraise.Appraiser, error) {
	if v.appraiser != nil {
		if !c.empty() {
			return nil, fmt.Errorf("%w: this verifier takes collateral from its own sources, not from requests", ErrCollateral)
		}
		return v.appraiser, nil
	}
	switch tee {
	case evidence.TEESEVSNP:
		if c.tdxForms() > 0 {
			return nil, fmt.Errorf("%w: TDX collateral given for SEV-SNP evidence", ErrCollateral)
		}
		cfg := appraise.SNPConfig{Roots: v.snpRoots, Logger: v.log, Signatures: v.sigs}
		if len(c.SNPCRLs) > 0 || len(c.SNPVCEKs) > 0 {
			src, err := ParseSNPCollateral(c.SNPCRLs, c.SNPVCEKs)
			if err != nil {
				return nil, err
			}
			// Only a non-nil source: a nil pointer in the interface would not be nil.
			cfg.Collateral = src
		}
		a, err := appraise.NewSNP(cfg)
		if err != nil {
			return nil, fmt.Errorf("SEV-SNP appraiser: %w", err)
		}
		return a, nil
	case evidence.TEETDX:
		if len(c.SNPCRLs) > 0 || len(c.SNPVCEKs) > 0 {
			return nil, fmt.Errorf("%w: AMD collateral given for TDX evidence", ErrCollateral)
		}
		var src appraise.TDXCollateralSource
		switch {
		case c.tdxForms() > 1:
			return nil, fmt.Errorf("%w: more than one form of TDX collateral given; give one", ErrCollateral)
		case c.TDXDcapQVL != nil:
			d, err := dcapQVLMemo.parse(c.TDXDcapQVL.Data, collateral.ParseDcapQVL)
			if err != nil {
				return nil, fmt.Errorf("%w: %s: %w", ErrCollateral, inputName(*c.TDXDcapQVL, "tdx collateral"), err)
			}
			src = d
		case len(c.TDXPCS) > 0:
			d, err := collateral.ParsePCSFiles("tdx_pcs", c.TDXPCS)
			if err != nil {
				return nil, fmt.Errorf("%w: %w", ErrCollateral, err)
			}
			src = d
		case c.TDXSet != nil:
			d, err := tdxSetMemo.parse(c.TDXSet.Data, parseTDXSet)
			if err != nil {
				return nil, fmt.Errorf("%w: %s: %w", ErrCollateral, inputName(*c.TDXSet, "tdx collateral set"), err)
			}
			src = d
		default:
			return nil, ErrNeedCollateral
		}
		// An appraiser for this request alone: no caches to key.
		a, err := appraise.NewTDX(appraise.TDXConfig{Root: v.tdxRoot, Collateral: src, Signatures: v.sigs, CacheEntries: -1})
		if err != nil {
			return nil, fmt.Errorf("TDX appraiser: %w", err)
		}
		return a, nil
	}
	return nil, fmt.Errorf("%w: evidence of unknown TEE %v", ErrRequest, tee)
}

// parseTDXSet decodes a collateral.TDXCollateral from its encoding/json form. Unknown
// fields and keys not spelt as the field names (or repeated) are refused, so that a
// newer archive format is not half read and a set has one encoding, and so is
// anything but white space after the object, as in a request.
func parseTDXSet(b []byte) (*collateral.TDXCollateral, error) {
	var c collateral.TDXCollateral
	// Keys spelt exactly, each once (encoding/json alone folds case).
	if err := strictjson.CheckKeys(b, reflect.TypeOf(c)); err != nil {
		return nil, fmt.Errorf("%w: TDX collateral set JSON: %w", collateral.ErrTDXCollateral, err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return nil, fmt.Errorf("%w: TDX collateral set JSON: %w", collateral.ErrTDXCollateral, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%w: TDX collateral set JSON: data after the object", collateral.ErrTDXCollateral)
	}
	if len(c.TCBInfo.Body) == 0 || len(c.QEIdentity.Body) == 0 || len(c.PCKCRL) == 0 || len(c.RootCACRL) == 0 {
		return nil, fmt.Errorf("%w: TDX collateral set lacks TCB Info, QE Identity or a CRL", collateral.ErrTDXCollateral)
	}
	return &c, nil
}

func inputName(in evidence.Input, def string) string {
	if in.Name != "" {
		return in.Name
	}
	return def
}
