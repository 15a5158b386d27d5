package appraise

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"crypto/x509"
	"encoding/binary"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"time"

	"github.com/google/go-tdx-guest/pcs"

	"github.com/teeoracle/teeoracle/internal/x509memo"
	"github.com/teeoracle/teeoracle/oracle/collateral"
	"github.com/teeoracle/teeoracle/oracle/evidence"
)

// Stable names of the TDX checks, in the order they appear in an appraisal.
const (
	CheckTDXQuoteFormat        = "tdx.quote_format"
	CheckTDXPCKChain           = "tdx.pck_chain"
	CheckTDXQEReportSignature  = "tdx.qe_report_signature"
	CheckTDXQEReportData       = "tdx.qe_report_data"
	CheckTDXQuoteSignature     = "tdx.quote_signature"
	CheckTDXCollateral         = "tdx.collateral"
	CheckTDXTCBInfo            = "tdx.tcb_info"
	CheckTDXQEIdentity         = "tdx.qe_identity"
	CheckTDXQEIdentityMatch    = "tdx.qe_identity_match"
	CheckTDXModule             = "tdx.tdx_module"
	CheckTDXPCKCRL             = "tdx.pck_crl"
	CheckTDXRootCRL            = "tdx.root_crl"
	CheckTDXCollateralValidity = "tdx.collateral_validity"
	CheckTDXTCBStatus          = "tdx.tcb_status"
)

// tdxAuthenticityChecks are the checks that must all pass for an appraisal to be
// Authentic. tdx.tcb_status is not among them: an OutOfDate platform is genuine, and
// whether that is acceptable is the policy's decision.
var tdxAuthenticityChecks = [...]string{
	CheckTDXQuoteFormat, CheckTDXPCKChain, CheckTDXQEReportSignature, CheckTDXQEReportData,
	CheckTDXQuoteSignature, CheckTDXCollateral, CheckTDXTCBInfo, CheckTDXQEIdentity,
	CheckTDXQEIdentityMatch, CheckTDXModule, CheckTDXPCKCRL, CheckTDXRootCRL,
	CheckTDXCollateralValidity,
}

// Errors behind failed TDX checks: each failed Check's Detail is the message of an
// error wrapping one of these.
var (
	ErrTDXChain            = errors.New("certificate chain does not verify")
	ErrTDXSignature        = errors.New("signature does not verify")
	ErrTDXQEReportData     = errors.New("QE report data does not bind the attestation key")
	ErrTDXCollateralFormat = errors.New("collateral is malformed")
	ErrTDXFMSPCMismatch    = errors.New("TCB Info FMSPC does not match the PCK certificate")
	ErrTDXQEIdentity       = errors.New("QE report does not match the QE Identity")
	ErrTDXModuleMismatch   = errors.New("TDX module does not match TCB Info")
	ErrTDXRevoked          = errors.New("certificate is revoked")
	ErrTDXNotYetValid      = errors.New("not yet valid as of the appraisal time")
	ErrTDXExpired          = errors.New("expired as of the appraisal time")
	ErrTDXNoTCBLevel       = errors.New("no TCB level matches the platform")
	ErrTDXNoCollateral     = errors.New("collateral unavailable")
)

// TDXCollateralSource supplies Intel collateral for a quote's platform: fmspc is the
// PCK certificate's FMSPC (hex), ca is "platform" or "processor" (the PCK CA).
// collateral.TDXCollateral, collateral.PCSDir and collateral.PCSFetcher implement it.
type TDXCollateralSource interface {
	FetchTDX(ctx context.Context, fmspc, ca string) (*collateral.TDXCollateral, error)
}

// TDXConfig configures a TDXAppraiser.
type TDXConfig struct {
	// Root is the trusted Intel SGX Root CA. Nil means Intel's production root
	// (IntelSGXRootCA). Tests pass roots they generate.
	Root *x509.Certificate
	// Collateral supplies TCB Info, QE Identity and CRLs. Required.
	Collateral TDXCollateralSource
	// CacheEntries bounds each verification cache (PCK chains, collateral, CRLs,
	// QE report signatures); zero means 4096. Negative means no caches: for an
	// appraiser made for one appraisal, which would only pay for hashing the keys
	// (SHA-256 of about 20 KB per quote: in WebAssembly a tenth of a verification).
	CacheEntries int
	// Signatures checks every ECDSA signature (quote, QE report, PCK chain, TCB Info,
	// QE Identity, CRLs, the root's own). Nil means GoSignatures.
	Signatures SignatureVerifier
}

// TDXAppraiser appraises Intel TDX quotes (versions 4 and 5). It is safe for
// concurrent use. Everything it verifies that does not depend on the appraisal time
// (certificate and collateral signatures, CRL signatures, QE report signatures) is
// cached by the SHA-256 of the bytes verified, so each is verified once.
type TDXAppraiser struct {
	root     *x509.Certificate
	rootHash [32]byte
	src      TDXCollateralSource
	sigs     SignatureVerifier

	pck    *tdxCache[*pckChainEntry]
	signed *tdxCache[*signedEntry]
	crls   *tdxCache[*crlEntry]
	qeSigs *tdxCache[struct{}]
}

// NewTDX returns a TDX appraiser trusting cfg.Root (or Intel's production root).
func NewTDX(cfg TDXConfig) (*TDXAppraiser, error) {
	root := cfg.Root
	if root == nil {
		root = IntelSGXRootCA()
	}
	if cfg.Collateral == nil {
		return nil, fmt.Errorf("new TDX appraiser: %w: no collateral source", ErrRoots)
	}
	sigs := sigVerifier(cfg.Signatures)
	if err := checkIssuedBy(sigs, root, root); err != nil || !root.IsCA {
		return nil, fmt.Errorf("new TDX appraiser: %w: root %q is not a self-signed CA: %v", ErrRoots, root.Subject.CommonName, err)
	}
	a := &TDXAppraiser{root: root, rootHash: sha256.Sum256(root.Raw), src: cfg.Collateral, sigs: sigs}
	n := cfg.CacheEntries
	if n == 0 {
		n = 4096
	}
	if n > 0 {
		a.pck, a.signed = newTDXCache[*pckChainEntry](n), newTDXCache[*signedEntry](n)
		a.crls, a.qeSigs = newTDXCache[*crlEntry](n), newTDXCache[struct{}](n)
	}
	return a, nil
}

// Appraise parses ev.Raw as a TDX quote and records every check as of asOf. It
// returns an error when the quote cannot be read (ErrMalformed), the context ended,
// or the collateral source could not be reached (ErrCollateralUnavailable).
func (a *TDXAppraiser) Appraise(ctx context.Context, ev *evidence.Evidence, asOf time.Time) (*Appraisal, error) {
	if ev == nil || (ev.TEE != evidence.TEETDX && ev.TEE != evidence.TEEUnknown) {
		return nil, fmt.Errorf("appraise tdx: %w: evidence is not a TDX quote", ErrMalformed)
	}
	app, causes, err := a.appraise(ctx, ev.Raw, asOf)
	if err == nil && app != nil {
		tdxEventLog(app, ev)
		workloadFacts(app, ev)
		if uerr := unavailable(app.Checks, causes); uerr != nil {
			return nil, fmt.Errorf("tdx: %w", uerr)
		}
	}
	if app != nil {
		// The verdict's evidence hash is the canonical one of docs/evidence.md, as for
		// SEV-SNP, not a digest of the quote alone: an auditor recomputes it from the
		// archived bundle with evidence.Hash. TEE is set because hand-built evidence may
		// leave it unknown and the hash covers it.
		e := *ev
		e.TEE = evidence.TEETDX
		h := e.Hash()
		app.EvidenceHash = h[:]
	}
	return app, err
}

// tdxRun is one TDX appraisal in progress: the quote, the appraisal being filled
// in, and what earlier steps found that later ones need.
type tdxRun struct {
	*checks
	a    *TDXAppraiser
	q    *evidence.TDXQuote
	asOf time.Time
	app  *Appraisal

	pck        *pckChainEntry
	col        *collateral.TDXCollateral
	ti, qi     *signedEntry
	tcbInfo    *pcs.TcbInfo         // nil unless verified and matching the PCK certificate
	qeID       *pcs.EnclaveIdentity // nil unless verified
	pckCRL     *crlEntry
	rootCRL    *crlEntry
	revokedPCK bool
}

// ref records a collateral item by hash, with when it was issued and when its next
// update is due (nil when unknown; a policy's maximum collateral age needs IssuedAt).
func (r *tdxRun) ref(kind string, b []byte, issued, next *time.Time) {
	h := sha256.Sum256(b)
	r.app.Collateral = append(r.app.Collateral, CollateralRef{Kind: kind, Hash: h[:], IssuedAt: issued, NextUpdate: next})
}

// appraise is Appraise with the error behind each failed check, for tests. It
// reads as the list of checks a TDX quote goes through, each step appending to
// one list.
func (a *TDXAppraiser) appraise(ctx context.Context, raw []byte, asOf time.Time) (*Appraisal, map[string]error, error) {
	q, err := evidence.ParseTDXQuote(raw)
	if err != nil {
		return nil, nil, fmt.Errorf("appraise tdx: %w: %w", ErrMalformed, err)
	}
	evHash := sha256.Sum256(q.Raw)
	r := &tdxRun{checks: newChecks(), a: a, q: q, asOf: asOf, app: &Appraisal{
		TEE:          evidence.TEETDX,
		EvidenceHash: evHash[:],
		AsOf:         asOf.UTC(),
		ReportData:   append([]byte(nil), q.Body.ReportData[:]...),
		Debug:        q.Body.TDAttributes[0]&1 != 0,
		TDX:          tdxFacts(q),
	}}
	r.quoteFormat()
	r.quoteSignatures()
	if r.fetchCollateral(ctx) {
		r.tcbInfoCheck()
		r.qeIdentityCheck()
		r.crls()
		r.resultCollateral(CheckTDXCollateralValidity, collateralValidAt(asOf, r.ti, r.qi, r.pckCRL, r.rootCRL),
			"all collateral valid as of "+asOf.UTC().Format(time.RFC3339))
		r.tcbStatus()
	}
	r.finish()
	return r.app, r.causes, nil
}

// quoteFormat: what the parser accepted, plus the QE vendor (only Intel's QE is
// appraised: the QE Identity below is Intel's).
func (r *tdxRun) quoteFormat() {
	q := r.q
	if q.QEVendorID != evidence.IntelQEVendorID {
		r.fail(CheckTDXQuoteFormat, fmt.Errorf("%w: QE vendor id %x is not Intel's", ErrTDXCollateralFormat, q.QEVendorID))
		return
	}
	d := fmt.Sprintf("version %d, body type %d", q.Version, q.BodyType)
	if q.Trailing != nil {
		d += fmt.Sprintf(", %d unsigned trailing bytes ignored", len(q.Trailing))
	}
	r.pass(CheckTDXQuoteFormat, d)
}

// quoteSignatures: the PCK chain, the QE report and the quote signature, from the
// quote alone.
func (r *tdxRun) quoteSignatures() {
	a, q := r.a, r.q
	pck := a.pckChain(q.PCKChain)
	r.pck = pck
	if pck.err != nil {
		r.fail(CheckTDXPCKChain, pck.err)
	} else if err := certsValidAt(r.asOf, pck.leaf, pck.inter, a.root); err != nil {
		if certsValidAt(r.asOf, pck.leaf, pck.inter) == nil {
			r.failCollateral(CheckTDXPCKChain, fmt.Errorf("PCK chain: %w", err)) // only the trusted root is out of its validity
		} else {
			r.fail(CheckTDXPCKChain, fmt.Errorf("PCK chain: %w", err))
		}
	} else {
		r.pass(CheckTDXPCKChain, fmt.Sprintf("PCK certificate by %s, FMSPC %s", pck.inter.Subject.CommonName, pck.ext.FMSPC))
	}
	if pck.ext != nil {
		r.app.TDX.FMSPC = strings.ToUpper(pck.ext.FMSPC)
		r.app.TDX.PCESVN = pck.ext.TCB.PCESvn
	}
	if pck.leaf != nil {
		r.result(CheckTDXQEReportSignature, a.verifyQEReport(q, pck.leaf), "QE report signed by the PCK key")
	} else {
		r.skip(CheckTDXQEReportSignature, "no PCK certificate")
	}
	r.result(CheckTDXQEReportData, checkQEReportData(q), "QE report data is sha256(attestation key || QE auth data)")
	r.result(CheckTDXQuoteSignature, verifyQuoteSignature(r.a.sigs, q), "header and body signed by the attestation key")
}

// fetchCollateral: Intel's collateral for the PCK certificate's FMSPC and CA. It
// reports whether there is collateral to check; without, every collateral check
// is skipped. A failed fetch is the collateral's fault: the FMSPC and CA are read
// from the PCK certificate, whose chain to the root is a check of its own. A PCK
// certificate that is not issued under the trusted root selects nothing: its
// FMSPC is anyone's to choose, and fetching by it would let a forged quote spend
// the node's budget of answers for collateral that does not exist
// (collateral.Cache's UnknownBudget), which every machine shares.
func (r *tdxRun) fetchCollateral(ctx context.Context) bool {
	switch {
	case r.pck.ext == nil:
		r.skip(CheckTDXCollateral, "no PCK certificate to select collateral by")
	case r.pck.err != nil:
		r.skip(CheckTDXCollateral, "the PCK certificate is not issued under the trusted root: no collateral is fetched by its FMSPC")
	default:
		col, err := r.a.src.FetchTDX(ctx, r.pck.ext.FMSPC, r.pck.ca)
		switch {
		case err != nil:
			r.failCollateral(CheckTDXCollateral, fmt.Errorf("%w: %w", ErrTDXNoCollateral, err))
		case col == nil:
			r.failCollateral(CheckTDXCollateral, fmt.Errorf("%w: source returned none", ErrTDXNoCollateral))
		default:
			r.col = col
			r.pass(CheckTDXCollateral, "")
		}
	}
	if r.col == nil {
		for _, n := range []string{CheckTDXTCBInfo, CheckTDXQEIdentity, CheckTDXQEIdentityMatch, CheckTDXModule,
			CheckTDXPCKCRL, CheckTDXRootCRL, CheckTDXCollateralValidity, CheckTDXTCBStatus} {
			r.skip(n, "no collateral")
		}
	}
	return r.col != nil
}

// tcbInfoCheck: Intel's signature on the TCB Info, and its FMSPC and PCE id
// against the PCK certificate's. Every failure is the collateral's.
func (r *tdxRun) tcbInfoCheck() {
	col, pck := r.col, r.pck
	ti := r.a.signedCollateral(col.TCBInfo, "TCB Info", parseTCBInfo)
	r.ti = ti
	r.ref("tcb_info", col.TCBInfo.Body, timePtr(ti.issueDate), timePtr(ti.nextUpdate))
	if len(col.TCBInfo.IssuerChain) > 0 {
		r.ref("tcb_info_signing_cert", col.TCBInfo.IssuerChain[0], nil, nil)
	}
	if ti.err != nil {
		r.failCollateral(CheckTDXTCBInfo, ti.err)
		return
	}
	tcbInfo := ti.value.(*pcs.TcbInfo)
	var err error
	if pck.ext != nil && !strings.EqualFold(tcbInfo.Fmspc, pck.ext.FMSPC) {
		err = fmt.Errorf("%w: TCB Info FMSPC %s, PCK certificate FMSPC %s", ErrTDXFMSPCMismatch, tcbInfo.Fmspc, pck.ext.FMSPC)
	} else if pck.ext != nil && !strings.EqualFold(tcbInfo.PceID, pck.ext.PCEID) {
		err = fmt.Errorf("%w: TCB Info PCE id %s, PCK certificate PCE id %s", ErrTDXFMSPCMismatch, tcbInfo.PceID, pck.ext.PCEID)
	}
	// TCB Info for another FMSPC or PCE than the PCK certificate's is the source's
	// answer for another platform.
	r.resultCollateral(CheckTDXTCBInfo, err, fmt.Sprintf("signed by %s, FMSPC %s, evaluation %d", ti.signer.Subject.CommonName, tcbInfo.Fmspc, tcbInfo.TcbEvaluationDataNumber))
	if err == nil {
		r.tcbInfo = tcbInfo
	}
}

// qeIdentityCheck: Intel's signature on the QE Identity (a failure is the
// collateral's), and the quote's QE report against it (the evidence's).
func (r *tdxRun) qeIdentityCheck() {
	qi := r.a.signedCollateral(r.col.QEIdentity, "QE Identity", parseQEIdentity)
	r.qi = qi
	r.ref("qe_identity", r.col.QEIdentity.Body, timePtr(qi.issueDate), timePtr(qi.nextUpdate))
	if qi.err != nil {
		r.failCollateral(CheckTDXQEIdentity, qi.err)
		r.skip(CheckTDXQEIdentityMatch, "QE Identity not verified")
		return
	}
	r.qeID = qi.value.(*pcs.EnclaveIdentity)
	r.pass(CheckTDXQEIdentity, fmt.Sprintf("signed by %s, evaluation %d", qi.signer.Subject.CommonName, r.qeID.TcbEvaluationDataNumber))
	r.result(CheckTDXQEIdentityMatch, matchQEIdentity(&r.q.QEReport, r.qeID), "MRSIGNER, ISVPRODID, MISCSELECT and ATTRIBUTES match")
}

// crls: the PCK CRL is signed by the PCK CA from the quote, the root CRL by the
// trusted root; both are checked for the certificates this appraisal relies on. A
// CRL that does not verify is the collateral's fault, a revoked PCK certificate or
// PCK CA the evidence's.
func (r *tdxRun) crls() {
	pck := r.pck
	r.ref("pck_crl", r.col.PCKCRL, nil, nil)
	r.ref("root_ca_crl", r.col.RootCACRL, nil, nil)
	pckCRL, rootCRL := r.a.crl(r.col.PCKCRL, pck.inter), r.a.crl(r.col.RootCACRL, r.a.root)
	r.pckCRL, r.rootCRL = pckCRL, rootCRL
	refs := r.app.Collateral[len(r.app.Collateral)-2:]
	if pckCRL != nil && pckCRL.crl != nil {
		refs[0].IssuedAt, refs[0].NextUpdate = timePtr(pckCRL.crl.ThisUpdate), timePtr(pckCRL.crl.NextUpdate)
	}
	if rootCRL != nil && rootCRL.crl != nil {
		refs[1].IssuedAt, refs[1].NextUpdate = timePtr(rootCRL.crl.ThisUpdate), timePtr(rootCRL.crl.NextUpdate)
	}
	switch {
	case pck.inter == nil:
		r.skip(CheckTDXPCKCRL, "no PCK CA certificate")
	case pckCRL.err != nil:
		r.failCollateral(CheckTDXPCKCRL, pckCRL.err)
	case pckCRL.revoked(pck.leaf):
		r.revokedPCK = true
		r.fail(CheckTDXPCKCRL, fmt.Errorf("%w: PCK certificate serial %x is on the %s CRL", ErrTDXRevoked, pck.leaf.SerialNumber, pck.inter.Subject.CommonName))
	default:
		r.pass(CheckTDXPCKCRL, fmt.Sprintf("%d revoked serials, PCK certificate not among them", len(pckCRL.serials)))
	}
	if rootCRL.err != nil {
		r.failCollateral(CheckTDXRootCRL, rootCRL.err)
		return
	}
	for _, c := range []*x509.Certificate{pck.inter, r.ti.signer, r.qi.signer} {
		if c != nil && rootCRL.revoked(c) {
			err := fmt.Errorf("%w: %q serial %x is on the root CA CRL", ErrTDXRevoked, c.Subject.CommonName, c.SerialNumber)
			if c == pck.inter {
				r.revokedPCK = true
				r.fail(CheckTDXRootCRL, err)
			} else {
				r.failCollateral(CheckTDXRootCRL, err) // the collateral's signer is revoked
			}
			return
		}
	}
	r.pass(CheckTDXRootCRL, "PCK CA and TCB signing certificates not revoked")
}

// tcbStatus: the TDX module's identity and the TCB status, computed from the TCB
// levels; a revoked PCK certificate or PCK CA makes the status Revoked.
func (r *tdxRun) tcbStatus() {
	app, tcbInfo, pck, q := r.app, r.tcbInfo, r.pck, r.q
	if tcbInfo == nil || pck.ext == nil {
		r.skip(CheckTDXModule, "TCB Info not verified")
		r.skip(CheckTDXTCBStatus, "TCB Info not verified")
	} else {
		st, err := tdxTCBStatus(tcbInfo, q, pck.ext, r.qeID)
		if errors.Is(err, ErrTDXModuleMismatch) {
			r.fail(CheckTDXModule, err)
			r.skip(CheckTDXTCBStatus, "TDX module does not match")
		} else {
			r.pass(CheckTDXModule, "MRSIGNERSEAM and SEAM attributes match")
			if err != nil {
				r.fail(CheckTDXTCBStatus, err)
			} else {
				app.TCBStatus, app.AdvisoryIDs, app.TCBDate, app.TDX.QETCBStatus = st.status, st.advisories, st.date, st.qeStatus
				r.pass(CheckTDXTCBStatus, st.detail)
			}
		}
		app.TCBEvaluationNumber = uint32(tcbInfo.TcbEvaluationDataNumber)
		app.CompactTCB = uint64(tcbInfo.TcbEvaluationDataNumber)<<32 | uint64(pck.ext.TCB.PCESvn)<<16 |
			uint64(q.Body.TEETCBSVN[0])<<8 | uint64(q.Body.TEETCBSVN[1])
	}
	if r.revokedPCK {
		app.TCBStatus = TCBRevoked
	}
}

// finish sets the appraisal's checks, Authentic (every authenticity check ran and
// passed) and CollateralFault.
func (r *tdxRun) finish() {
	r.app.Checks = r.list
	r.app.Authentic = true
	for _, name := range tdxAuthenticityChecks {
		if r.outcome(name) != Pass {
			r.app.Authentic = false
			r.app.CollateralFault = r.collateralFault(tdxAuthenticityChecks[:])
			return
		}
	}
}

func tdxFacts(q *evidence.TDXQuote) *TDXFacts {
	b := &q.Body
	cp := func(s []byte) []byte { return append([]byte(nil), s...) }
	f := &TDXFacts{
		QuoteVersion:  q.Version,
		BodyType:      q.BodyType,
		MRTD:          cp(b.MRTD[:]),
		MRSEAM:        cp(b.MRSEAM[:]),
		MRConfigID:    cp(b.MRConfigID[:]),
		MROwner:       cp(b.MROwner[:]),
		MROwnerConfig: cp(b.MROwnerConfig[:]),
		TDAttributes:  cp(b.TDAttributes[:]),
		XFAM:          cp(b.XFAM[:]),
		TEETCBSVN:     cp(b.TEETCBSVN[:]),
	}
	for i := range b.RTMR {
		f.RTMR[i] = cp(b.RTMR[i][:])
	}
	return f
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

// ---- PCK chain ----

const (
	intelRootCN         = "Intel SGX Root CA"
	intelPCKPlatformCN  = "Intel SGX PCK Platform CA"
	intelPCKProcessorCN = "Intel SGX PCK Processor CA"
	intelPCKLeafCN      = "Intel SGX PCK Certificate"
	intelTCBSigningCN   = "Intel SGX TCB Signing"
)

type pckChainEntry struct {
	leaf, inter *x509.Certificate
	ext         *pcs.PckExtensions
	ca          string // "platform" or "processor"
	err         error  // structure or signature failure; time validity is checked per call
}

// pckChain parses and verifies the quote's PCK chain up to the trusted root. The
// chain's own root certificate is not trusted: the PCK CA must be signed by the
// configured root.
func (a *TDXAppraiser) pckChain(pemChain []byte) *pckChainEntry {
	if a.pck == nil {
		return verifyPCKChain(a.sigs, pemChain, a.root)
	}
	key := sha256.Sum256(pemChain)
	if e, ok := a.pck.get(key); ok {
		return e
	}
	e := verifyPCKChain(a.sigs, pemChain, a.root)
	a.pck.put(key, e)
	return e
}

func verifyPCKChain(sv SignatureVerifier, pemChain []byte, root *x509.Certificate) *pckChainEntry {
	e := &pckChainEntry{}
	var certs []*x509.Certificate
	rest := pemChain
	for len(certs) < 4 {
		var blk *pem.Block
		blk, rest = pem.Decode(rest)
		if blk == nil {
			break
		}
		c, err := x509memo.Certificate(blk.Bytes)
		if err != nil {
			e.err = fmt.Errorf("%w: PCK chain certificate %d: %w", ErrTDXChain, len(certs), err)
			return e
		}
		certs = append(certs, c)
	}
	if len(certs) < 2 {
		e.err = fmt.Errorf("%w: PCK chain has %d certificates, want PCK, PCK CA and root", ErrTDXChain, len(certs))
		return e
	}
	e.leaf, e.inter = certs[0], certs[1]
	ext, err := pcs.PckCertificateExtensions(e.leaf)
	if err != nil {
		e.err = fmt.Errorf("%w: PCK certificate SGX extensions: %w", ErrTDXChain, err)
		return e
	}
	e.ext = ext
	switch e.inter.Subject.CommonName {
	case intelPCKPlatformCN:
		e.ca = "platform"
	case intelPCKProcessorCN:
		e.ca = "processor"
	default:
		e.err = fmt.Errorf("%w: PCK CA is %q", ErrTDXChain, e.inter.Subject.CommonName)
		return e
	}
	if e.leaf.Subject.CommonName != intelPCKLeafCN {
		e.err = fmt.Errorf("%w: PCK certificate subject is %q", ErrTDXChain, e.leaf.Subject.CommonName)
		return e
	}
	if err := checkIssued(sv, e.leaf, e.inter); err != nil {
		e.err = fmt.Errorf("%w: PCK certificate: %w", ErrTDXChain, err)
		return e
	}
	if err := checkIssued(sv, e.inter, root); err != nil {
		e.err = fmt.Errorf("%w: PCK CA %q to root %q: %w", ErrTDXChain, e.inter.Subject.CommonName, root.Subject.CommonName, err)
		return e
	}
	return e
}

// checkIssued checks that parent is a CA whose key signed child and whose subject is
// child's issuer.
func checkIssued(sv SignatureVerifier, child, parent *x509.Certificate) error {
	if !parent.IsCA || !parent.BasicConstraintsValid {
		return fmt.Errorf("issuer %q is not a CA", parent.Subject.CommonName)
	}
	if !bytes.Equal(child.RawIssuer, parent.RawSubject) {
		return fmt.Errorf("issuer name %q is not %q", child.Issuer.CommonName, parent.Subject.CommonName)
	}
	if child.SignatureAlgorithm != x509.ECDSAWithSHA256 {
		return fmt.Errorf("signature algorithm %v, want ECDSA-SHA256", child.SignatureAlgorithm)
	}
	if err := checkSigned(sv, parent, child.SignatureAlgorithm, child.RawTBSCertificate, child.Signature); err != nil {
		return fmt.Errorf("%w: %w", ErrTDXSignature, err)
	}
	return nil
}

func certsValidAt(t time.Time, certs ...*x509.Certificate) error {
	for _, c := range certs {
		if c == nil {
			continue
		}
		if t.Before(c.NotBefore) {
			return fmt.Errorf("%w: %q valid from %s", ErrTDXNotYetValid, c.Subject.CommonName, c.NotBefore.UTC().Format(time.RFC3339))
		}
		if t.After(c.NotAfter) {
			return fmt.Errorf("%w: %q valid until %s", ErrTDXExpired, c.Subject.CommonName, c.NotAfter.UTC().Format(time.RFC3339))
		}
	}
	return nil
}

// ---- QE report and quote signatures ----

func (a *TDXAppraiser) verifyQEReport(q *evidence.TDXQuote, pckLeaf *x509.Certificate) error {
	var key [32]byte
	if a.qeSigs != nil {
		h := sha256.New()
		h.Write(pckLeaf.Raw)
		h.Write(q.QEReportRaw)
		h.Write(q.QEReportSignature[:])
		h.Sum(key[:0])
		if _, ok := a.qeSigs.get(key); ok {
			return nil
		}
	}
	pub, ok := pckLeaf.PublicKey.(*ecdsa.PublicKey)
	if !ok {
		return fmt.Errorf("%w: PCK key is %T, want ECDSA", ErrTDXSignature, pckLeaf.PublicKey)
	}
	if !a.sigs.VerifyECDSA(pub, crypto.SHA256, q.QEReportRaw, q.QEReportSignature[:]) {
		return fmt.Errorf("%w: QE report signature by the PCK key", ErrTDXSignature)
	}
	a.qeSigs.put(key, struct{}{})
	return nil
}

func checkQEReportData(q *evidence.TDXQuote) error {
	h := sha256.New()
	h.Write(q.AttestationKey[:])
	h.Write(q.QEAuthData)
	var want [64]byte
	h.Sum(want[:0])
	if q.QEReport.ReportData != want {
		return fmt.Errorf("%w: QE report data %x, want sha256(key||auth data) %x padded with zeros", ErrTDXQEReportData, q.QEReport.ReportData[:32], want[:32])
	}
	return nil
}

func verifyQuoteSignature(sv SignatureVerifier, q *evidence.TDXQuote) error {
	x := new(big.Int).SetBytes(q.AttestationKey[:32])
	y := new(big.Int).SetBytes(q.AttestationKey[32:])
	//nolint:staticcheck // IsOnCurve is the check we want on raw coordinates.
	if !elliptic.P256().IsOnCurve(x, y) {
		return fmt.Errorf("%w: attestation key is not a P-256 point", ErrTDXSignature)
	}
	pub := &ecdsa.PublicKey{Curve: elliptic.P256(), X: x, Y: y}
	if !sv.VerifyECDSA(pub, crypto.SHA256, q.Signed, q.Signature[:]) {
		return fmt.Errorf("%w: quote signature by the attestation key", ErrTDXSignature)
	}
	return nil
}

// ---- TCB Info and QE Identity ----

type signedEntry struct {
	value      any // *pcs.TcbInfo or *pcs.EnclaveIdentity
	signer     *x509.Certificate
	chain      []*x509.Certificate
	issueDate  time.Time
	nextUpdate time.Time
	what       string
	err        error
}

// signedCollateral verifies Intel's signature on a TCB Info or QE Identity body (the
// signing certificate issued by the trusted root, named "Intel SGX TCB Signing") and
// parses it; the result is cached by the hash of body, signature and chain.
func (a *TDXAppraiser) signedCollateral(sj collateral.SignedJSON, what string, parse func([]byte) (any, time.Time, time.Time, error)) *signedEntry {
	var key [32]byte
	if a.signed != nil {
		h := sha256.New()
		h.Write([]byte(what))
		h.Write(sj.Body)
		h.Write(sj.Signature)
		for _, c := range sj.IssuerChain {
			h.Write(c)
		}
		h.Sum(key[:0])
		if e, ok := a.signed.get(key); ok {
			return e
		}
	}
	e := &signedEntry{what: what}
	e.err = func() error {
		if len(sj.IssuerChain) == 0 {
			return fmt.Errorf("%w: %s has no issuer chain", ErrTDXChain, what)
		}
		for i, der := range sj.IssuerChain {
			c, err := x509memo.Certificate(der)
			if err != nil {
				return fmt.Errorf("%w: %s issuer chain certificate %d: %w", ErrTDXChain, what, i, err)
			}
			e.chain = append(e.chain, c)
		}
		e.signer = e.chain[0]
		if e.signer.Subject.CommonName != intelTCBSigningCN {
			return fmt.Errorf("%w: %s signed by %q, want %q", ErrTDXChain, what, e.signer.Subject.CommonName, intelTCBSigningCN)
		}
		if err := checkIssued(a.sigs, e.signer, a.root); err != nil {
			return fmt.Errorf("%w: %s signing certificate to root: %w", ErrTDXChain, what, err)
		}
		pub, ok := e.signer.PublicKey.(*ecdsa.PublicKey)
		if !ok {
			return fmt.Errorf("%w: %s signing key is %T", ErrTDXChain, what, e.signer.PublicKey)
		}
		if !a.sigs.VerifyECDSA(pub, crypto.SHA256, sj.Body, sj.Signature) {
			return fmt.Errorf("%w: %s signature by %q", ErrTDXSignature, what, e.signer.Subject.CommonName)
		}
		v, issued, next, err := parseSignedBody(what, sj.Body, parse)
		if err != nil {
			return fmt.Errorf("%w: %s: %w", ErrTDXCollateralFormat, what, err)
		}
		e.value, e.issueDate, e.nextUpdate = v, issued, next
		return nil
	}()
	a.signed.put(key, e)
	return e
}

// parsedBody is a TCB Info or QE Identity body as parse made it.
type parsedBody struct {
	value        any
	issued, next time.Time
}

// parsedBodies holds the parsed TCB Info and QE Identity bodies, by kind and bytes,
// across appraisers: parsing is a pure function of the body (and in WebAssembly a
// tenth of a TDX verification), and an appraiser per request (teeoracle verify, the
// WebAssembly module) would parse the same bodies on every request. Only bodies
// whose signature verified reach it; the values are read, never modified.
var parsedBodies = newBoundedCache[string, parsedBody](256)

// parseSignedBody is parse(body), from parsedBodies when parsed before; failures
// are not kept.
func parseSignedBody(what string, body []byte, parse func([]byte) (any, time.Time, time.Time, error)) (any, time.Time, time.Time, error) {
	key := what + "\x00" + string(body)
	if p, ok := parsedBodies.get(key); ok {
		return p.value, p.issued, p.next, nil
	}
	v, issued, next, err := parse(body)
	if err == nil {
		parsedBodies.put(key, parsedBody{value: v, issued: issued, next: next})
	}
	return v, issued, next, err
}

func parseTCBInfo(b []byte) (any, time.Time, time.Time, error) {
	var ti pcs.TcbInfo
	if err := tdxUnmarshalJSON(b, &ti); err != nil {
		return nil, time.Time{}, time.Time{}, err
	}
	if ti.ID != "TDX" || ti.Version != 3 {
		return nil, time.Time{}, time.Time{}, fmt.Errorf("TCB Info id %q version %d, want TDX version 3", ti.ID, ti.Version)
	}
	if len(ti.TcbLevels) == 0 {
		return nil, time.Time{}, time.Time{}, errors.New("TCB Info has no TCB levels")
	}
	for i, l := range ti.TcbLevels {
		if len(l.Tcb.SgxTcbcomponents) != 16 || len(l.Tcb.TdxTcbcomponents) != 16 {
			return nil, time.Time{}, time.Time{}, fmt.Errorf("TCB level %d has %d SGX and %d TDX components, want 16 each", i, len(l.Tcb.SgxTcbcomponents), len(l.Tcb.TdxTcbcomponents))
		}
	}
	if len(ti.TdxModule.Mrsigner.Bytes) != 48 || len(ti.TdxModule.Attributes.Bytes) != 8 || len(ti.TdxModule.AttributesMask.Bytes) != 8 {
		return nil, time.Time{}, time.Time{}, errors.New("TCB Info tdxModule has wrong field sizes")
	}
	for _, m := range ti.TdxModuleIdentities {
		if len(m.Mrsigner.Bytes) != 48 || len(m.Attributes.Bytes) != 8 || len(m.AttributesMask.Bytes) != 8 {
			return nil, time.Time{}, time.Time{}, fmt.Errorf("TCB Info module identity %q has wrong field sizes", m.ID)
		}
	}
	return &ti, ti.IssueDate, ti.NextUpdate, nil
}

func parseQEIdentity(b []byte) (any, time.Time, time.Time, error) {
	var qi pcs.EnclaveIdentity
	if err := tdxUnmarshalJSON(b, &qi); err != nil {
		return nil, time.Time{}, time.Time{}, err
	}
	if qi.ID != "TD_QE" || (qi.Version != 2 && qi.Version != 3) {
		return nil, time.Time{}, time.Time{}, fmt.Errorf("QE Identity id %q version %d, want TD_QE version 2", qi.ID, qi.Version)
	}
	if len(qi.Miscselect.Bytes) != 4 || len(qi.MiscselectMask.Bytes) != 4 || len(qi.Attributes.Bytes) != 16 ||
		len(qi.AttributesMask.Bytes) != 16 || len(qi.Mrsigner.Bytes) != 32 {
		return nil, time.Time{}, time.Time{}, errors.New("QE Identity has wrong field sizes")
	}
	if len(qi.TcbLevels) == 0 {
		return nil, time.Time{}, time.Time{}, errors.New("QE Identity has no TCB levels")
	}
	return &qi, qi.IssueDate, qi.NextUpdate, nil
}

func matchQEIdentity(r *evidence.TDXQEReport, id *pcs.EnclaveIdentity) error {
	if !bytes.Equal(r.MRSigner[:], id.Mrsigner.Bytes) {
		return fmt.Errorf("%w: MRSIGNER %x, want %x", ErrTDXQEIdentity, r.MRSigner, id.Mrsigner.Bytes)
	}
	if r.ISVProdID != id.IsvProdID {
		return fmt.Errorf("%w: ISVPRODID %d, want %d", ErrTDXQEIdentity, r.ISVProdID, id.IsvProdID)
	}
	mask := binary.LittleEndian.Uint32(id.MiscselectMask.Bytes)
	if r.MiscSelect&mask != binary.LittleEndian.Uint32(id.Miscselect.Bytes)&mask {
		return fmt.Errorf("%w: MISCSELECT %08x under mask %08x", ErrTDXQEIdentity, r.MiscSelect, mask)
	}
	for i := range r.Attributes {
		m := id.AttributesMask.Bytes[i]
		if r.Attributes[i]&m != id.Attributes.Bytes[i]&m {
			return fmt.Errorf("%w: ATTRIBUTES %x under mask %x, want %x", ErrTDXQEIdentity, r.Attributes, id.AttributesMask.Bytes, id.Attributes.Bytes)
		}
	}
	return nil
}

// ---- CRLs ----

type crlEntry struct {
	crl     *x509.RevocationList
	serials map[string]struct{}
	err     error // parse or signature failure
}

func (e *crlEntry) revoked(c *x509.Certificate) bool {
	if e == nil || c == nil {
		return false
	}
	_, ok := e.serials[string(c.SerialNumber.Bytes())]
	return ok
}

// crl parses der and checks it was signed by issuer; cached by the hash of both.
func (a *TDXAppraiser) crl(der []byte, issuer *x509.Certificate) *crlEntry {
	if issuer == nil {
		return &crlEntry{err: fmt.Errorf("%w: no issuer to check the CRL against", ErrTDXChain)}
	}
	var key [32]byte
	if a.crls != nil {
		h := sha256.New()
		h.Write(der)
		h.Write(issuer.Raw)
		h.Sum(key[:0])
		if e, ok := a.crls.get(key); ok {
			return e
		}
	}
	e := &crlEntry{}
	e.err = func() error {
		crl, err := x509memo.RevocationList(der)
		if err != nil {
			return fmt.Errorf("%w: CRL: %w", ErrTDXCollateralFormat, err)
		}
		if !bytes.Equal(crl.RawIssuer, issuer.RawSubject) {
			return fmt.Errorf("%w: CRL issued by %q, want %q", ErrTDXChain, crl.Issuer.CommonName, issuer.Subject.CommonName)
		}
		if err := checkCRLIssuedBy(a.sigs, crl, issuer); err != nil {
			return fmt.Errorf("%w: CRL of %q: %w", ErrTDXSignature, issuer.Subject.CommonName, err)
		}
		e.crl = crl
		if e.serials, err = x509memo.RevokedSerials(der); err != nil {
			return fmt.Errorf("%w: CRL: %w", ErrTDXCollateralFormat, err)
		}
		return nil
	}()
	a.crls.put(key, e)
	return e
}

// collateralValidAt checks issue and next-update times of TCB Info, QE Identity and
// both CRLs, and the validity of the TCB signing certificates, as of t.
func collateralValidAt(t time.Time, ti, qi *signedEntry, pckCRL, rootCRL *crlEntry) error {
	window := func(what string, from, until time.Time) error {
		if t.Before(from) {
			return fmt.Errorf("%w: %s issued %s", ErrTDXNotYetValid, what, from.UTC().Format(time.RFC3339))
		}
		if t.After(until) {
			return fmt.Errorf("%w: %s next update was due %s", ErrTDXExpired, what, until.UTC().Format(time.RFC3339))
		}
		return nil
	}
	var errs []error
	for _, s := range []*signedEntry{ti, qi} {
		if s.err != nil {
			continue
		}
		errs = append(errs, window(s.what, s.issueDate, s.nextUpdate))
		errs = append(errs, certsValidAt(t, s.signer))
	}
	if pckCRL.crl != nil {
		errs = append(errs, window("PCK CRL", pckCRL.crl.ThisUpdate, pckCRL.crl.NextUpdate))
	}
	if rootCRL.crl != nil {
		errs = append(errs, window("root CA CRL", rootCRL.crl.ThisUpdate, rootCRL.crl.NextUpdate))
	}
	return errors.Join(errs...)
}

// ---- TCB status ----

type tdxStatus struct {
	status     TCBStatus
	qeStatus   TCBStatus
	advisories []string
	date       *time.Time
	detail     string
}

// tcbFlags decomposes Intel's statuses so that combining the platform, TDX module and
// QE statuses is a union, which gives Intel's convergence rules (an OutOfDate module on
// a ConfigurationNeeded platform is OutOfDateConfigurationNeeded, and so on).
const (
	flagSW = 1 << iota
	flagConfig
	flagOutOfDate
	flagRevoked
	// flagUnknown: a platform, TDX module or QE below every TCB level Intel lists
	// (Intel's QVL: TCB_NOT_SUPPORTED). Nothing rates it, so the status is Unknown
	// whatever the other parts are.
	flagUnknown
)

func statusFlags(s pcs.TcbComponentStatus) (int, bool) {
	switch s {
	case pcs.TcbComponentStatusUpToDate:
		return 0, true
	case pcs.TcbComponentStatusSwHardeningNeeded:
		return flagSW, true
	case pcs.TcbComponentStatusConfigurationNeeded:
		return flagConfig, true
	case pcs.TcbComponentStatusConfigurationAndSWHardeningNeeded:
		return flagConfig | flagSW, true
	case pcs.TcbComponentStatusOutOfDate:
		return flagOutOfDate, true
	case pcs.TcbComponentStatusOutOfDateConfigurationNeeded:
		return flagOutOfDate | flagConfig, true
	case pcs.TcbComponentStatusRevoked:
		return flagRevoked, true
	}
	return 0, false
}

func flagsStatus(f int) TCBStatus {
	switch {
	case f&flagUnknown != 0:
		return TCBUnknown
	case f&flagRevoked != 0:
		return TCBRevoked
	case f&flagOutOfDate != 0 && f&flagConfig != 0:
		return TCBOutOfDateConfigurationNeeded
	case f&flagOutOfDate != 0:
		return TCBOutOfDate
	case f&flagConfig != 0 && f&flagSW != 0:
		return TCBConfigurationAndSWHardeningNeeded
	case f&flagConfig != 0:
		return TCBConfigurationNeeded
	case f&flagSW != 0:
		return TCBSWHardeningNeeded
	}
	return TCBUpToDate
}

// tdxTCBStatus computes the TCB status as Intel's Quote Verification Library does:
//  1. the first TCB level (Intel lists them highest first) whose SGX components are all
//     <= the PCK certificate's CPUSVN components, whose PCE SVN <= the PCK's, and whose
//     TDX components are all <= TEE_TCB_SVN (from index 2 when TEE_TCB_SVN[1], the TDX
//     module major version, is non-zero: the module is then rated by its identity);
//  2. for module major version > 0, the tdxModuleIdentities entry "TDX_<major, 2 hex>",
//     whose MRSIGNER and masked attributes must match the quote, rated by the first of
//     its levels with ISVSVN <= TEE_TCB_SVN[0]; for version 0, tdxModule must match;
//  3. the QE Identity level for the QE's ISVSVN.
//
// A platform, module or QE below every listed level (Intel: TCB_NOT_SUPPORTED) has
// no status: the result is Unknown, which no policy accepts, and only the levels that
// matched add advisories (the unmatched part's are not known).
//
// The statuses combine as Intel's convergence rules say; advisory ids are the union;
// the TCB date is the earliest date of the levels that contributed.
func tdxTCBStatus(ti *pcs.TcbInfo, q *evidence.TDXQuote, ext *pcs.PckExtensions, qe *pcs.EnclaveIdentity) (*tdxStatus, error) {
	moduleLevels, err := tdxModuleIdentity(ti, q)
	if err != nil {
		return nil, err
	}
	b := &tdxStatusBuilder{st: &tdxStatus{qeStatus: TCBUnknown}}
	if err := b.platform(ti, q, ext); err != nil {
		return nil, err
	}
	if moduleLevels != nil {
		if err := b.module(moduleLevels, q); err != nil {
			return nil, err
		}
	}
	if qe != nil {
		if err := b.qe(qe, q); err != nil {
			return nil, err
		}
	}
	return b.finish(), nil
}

// tdxModuleIdentity checks the quote's SEAM module signer and attributes against
// the TCB Info's module identity (for a TDX module of major version above 0, the
// one of that version) and returns that identity's TCB levels (nil when the TCB
// Info has none).
func tdxModuleIdentity(ti *pcs.TcbInfo, q *evidence.TDXQuote) ([]pcs.TcbLevel, error) {
	major := q.Body.TEETCBSVN[1]
	signer, attrs, mask := ti.TdxModule.Mrsigner.Bytes, ti.TdxModule.Attributes.Bytes, ti.TdxModule.AttributesMask.Bytes
	var moduleLevels []pcs.TcbLevel
	if major > 0 && len(ti.TdxModuleIdentities) > 0 {
		want := fmt.Sprintf("TDX_%02X", major)
		found := false
		for _, m := range ti.TdxModuleIdentities {
			if strings.EqualFold(m.ID, want) {
				signer, attrs, mask, moduleLevels, found = m.Mrsigner.Bytes, m.Attributes.Bytes, m.AttributesMask.Bytes, m.TcbLevels, true
				break
			}
		}
		if !found {
			return nil, fmt.Errorf("%w: no module identity %s in TCB Info", ErrTDXModuleMismatch, want)
		}
	}
	if !bytes.Equal(signer, q.Body.MRSignerSEAM[:]) {
		return nil, fmt.Errorf("%w: MRSIGNERSEAM %x, want %x", ErrTDXModuleMismatch, q.Body.MRSignerSEAM, signer)
	}
	for i := range mask {
		if q.Body.SEAMAttributes[i]&mask[i] != attrs[i]&mask[i] {
			return nil, fmt.Errorf("%w: SEAM attributes %x under mask %x, want %x", ErrTDXModuleMismatch, q.Body.SEAMAttributes, mask, attrs)
		}
	}
	return moduleLevels, nil
}

// tdxPlatformLevel returns the first (highest) TCB level the platform's CPUSVN,
// PCESVN and TEE_TCB_SVN are at or above; nil when it is below every level. For a
// TDX module of major version above 0 the module's own SVN bytes (0 and 1) are
// judged by the module's levels instead.
func tdxPlatformLevel(ti *pcs.TcbInfo, q *evidence.TDXQuote, ext *pcs.PckExtensions) *pcs.TcbLevel {
	tee := q.Body.TEETCBSVN
	start := 0
	if tee[1] > 0 {
		start = 2
	}
levels:
	for i := range ti.TcbLevels {
		l := &ti.TcbLevels[i]
		for j, c := range l.Tcb.SgxTcbcomponents {
			if ext.TCB.CPUSvnComponents[j] < c.Svn {
				continue levels
			}
		}
		if ext.TCB.PCESvn < l.Tcb.Pcesvn {
			continue
		}
		for j := start; j < 16; j++ {
			if tee[j] < l.Tcb.TdxTcbcomponents[j].Svn {
				continue levels
			}
		}
		return l
	}
	return nil
}

// tdxStatusBuilder combines the platform's, the TDX module's and the QE's TCB
// levels into one status: the worst of their flags, their advisories without
// repeats, and the earliest TCB date.
type tdxStatusBuilder struct {
	st       *tdxStatus
	flags    int
	parts    []string
	earliest time.Time
}

// add counts one TCB level (what names it in errors).
func (b *tdxStatusBuilder) add(l *pcs.TcbLevel, what string) error {
	f, ok := statusFlags(l.TcbStatus)
	if !ok {
		return fmt.Errorf("%w: %s status %q", ErrTDXCollateralFormat, what, l.TcbStatus)
	}
	b.flags |= f
	for _, id := range l.AdvisoryIDs {
		if !slices.Contains(b.st.advisories, id) {
			b.st.advisories = append(b.st.advisories, id)
		}
	}
	if d, err := time.Parse(time.RFC3339, l.TcbDate); err == nil && (b.earliest.IsZero() || d.Before(b.earliest)) {
		b.earliest = d
	}
	return nil
}

// platform counts the platform's TCB level.
func (b *tdxStatusBuilder) platform(ti *pcs.TcbInfo, q *evidence.TDXQuote, ext *pcs.PckExtensions) error {
	level := tdxPlatformLevel(ti, q, ext)
	if level == nil {
		// Intel's QVL calls this TCB_NOT_SUPPORTED: the platform is not at or above any
		// level Intel lists, so no level's status or advisories describe it.
		b.flags |= flagUnknown
		b.parts = append(b.parts, fmt.Sprintf("platform (CPUSVN %x, PCESVN %d, TEE_TCB_SVN %x) below every TCB level", ext.TCB.CPUSvnComponents, ext.TCB.PCESvn, q.Body.TEETCBSVN))
		return nil
	}
	if err := b.add(level, "platform TCB level"); err != nil {
		return err
	}
	b.parts = append(b.parts, fmt.Sprintf("platform %s (%s)", level.TcbStatus, level.TcbDate))
	return nil
}

// module counts the TDX module's TCB level, by its minor version.
func (b *tdxStatusBuilder) module(levels []pcs.TcbLevel, q *evidence.TDXQuote) error {
	major, minor := q.Body.TEETCBSVN[1], q.Body.TEETCBSVN[0]
	var ml *pcs.TcbLevel
	for i := range levels {
		if uint32(minor) >= levels[i].Tcb.Isvsvn {
			ml = &levels[i]
			break
		}
	}
	if ml == nil {
		if len(levels) == 0 {
			return fmt.Errorf("%w: module identity TDX_%02X has no TCB levels", ErrTDXNoTCBLevel, major)
		}
		// As for the platform: older than every level Intel lists, so unrated.
		b.flags |= flagUnknown
		b.parts = append(b.parts, fmt.Sprintf("TDX module %d.%d below every module TCB level", major, minor))
		return nil
	}
	if err := b.add(ml, "TDX module TCB level"); err != nil {
		return err
	}
	b.parts = append(b.parts, fmt.Sprintf("TDX module %d.%d %s", major, minor, ml.TcbStatus))
	return nil
}

// qe counts the quoting enclave's TCB level, by its ISVSVN.
func (b *tdxStatusBuilder) qe(qe *pcs.EnclaveIdentity, q *evidence.TDXQuote) error {
	var ql *pcs.TcbLevel
	for i := range qe.TcbLevels {
		if uint32(q.QEReport.ISVSVN) >= qe.TcbLevels[i].Tcb.Isvsvn {
			ql = &qe.TcbLevels[i]
			break
		}
	}
	if ql == nil {
		// As for the platform: no level Intel lists rates this QE.
		b.flags |= flagUnknown
		b.st.qeStatus = TCBUnknown
		b.parts = append(b.parts, fmt.Sprintf("QE ISVSVN %d below every QE Identity level", q.QEReport.ISVSVN))
		return nil
	}
	f, _ := statusFlags(ql.TcbStatus)
	b.st.qeStatus = flagsStatus(f)
	if err := b.add(ql, "QE Identity TCB level"); err != nil {
		return err
	}
	b.parts = append(b.parts, fmt.Sprintf("QE %s", ql.TcbStatus))
	return nil
}

// finish returns the combined status with its detail line.
func (b *tdxStatusBuilder) finish() *tdxStatus {
	st := b.st
	st.status = flagsStatus(b.flags)
	if !b.earliest.IsZero() {
		st.date = &b.earliest
	}
	st.detail = st.status.String() + ": " + strings.Join(b.parts, ", ")
	if len(st.advisories) > 0 {
		st.detail += "; advisories " + strings.Join(st.advisories, " ")
	}
	return st
}
