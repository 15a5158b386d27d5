package appraise

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common/hexutil"

	"github.com/teeoracle/teeoracle/internal/x509memo"
	"github.com/teeoracle/teeoracle/oracle/collateral"
	"github.com/teeoracle/teeoracle/oracle/evidence"
)

// Stable names of the SEV-SNP checks, in the order an appraisal lists them.
const (
	CheckSNPReportFormat = "snp.report_format" // report layout, version, reserved bits
	CheckSNPSigningKey   = "snp.signing_key"   // SIGNER_INFO names a VCEK or VLEK
	CheckSNPVCEKChain    = "snp.vcek_chain"    // VCEK → ASK → ARK (VCEK-signed reports)
	CheckSNPVLEKChain    = "snp.vlek_chain"    // VLEK → ASVK → ARK (VLEK-signed reports)
	CheckSNPCertValidity = "snp.cert_validity" // every certificate valid as of the appraisal time
	CheckSNPCRL          = "snp.crl"           // ARK-signed CRL current and not revoking the ASK/ASVK
	CheckSNPSignature    = "snp.signature"     // report signature by the VCEK/VLEK
	CheckSNPChipID       = "snp.chip_id"       // report CHIP_ID equals the VCEK's HWID
	CheckSNPTCBMatch     = "snp.tcb_match"     // reported TCB equals the certified TCB
)

// Causes recorded for failed SEV-SNP checks. Appraise reports failures as checks, not
// errors; the causes are kept internally so tests can match them with errors.Is, and
// their text is the check's Detail.
var (
	// ErrSNPReportFormat: the report breaks the ABI layout (version, reserved bits,
	// signature algorithm). Check snp.report_format.
	ErrSNPReportFormat = errors.New("report format invalid")
	// ErrSNPNoCertificate: no VCEK/VLEK for the report was supplied or could be fetched,
	// or the report names no signing key. Checks snp.signing_key, snp.vcek_chain,
	// snp.vlek_chain.
	ErrSNPNoCertificate = errors.New("no VCEK or VLEK certificate for the report")
	// ErrSNPChain: the VCEK/VLEK is not signed by a trusted ASK/ASVK.
	ErrSNPChain = errors.New("certificate chain does not lead to a trusted AMD root")
	// ErrSNPProductLine: the report's CPUID, the certificate's product name and the
	// root that signed it do not name the same product line.
	ErrSNPProductLine = errors.New("product line of report and certificate chain differ")
	// ErrSNPCertExpired: a certificate of the chain is not valid at the appraisal
	// time. Check snp.cert_validity.
	ErrSNPCertExpired = errors.New("certificate not valid at the appraisal time")
	// ErrSNPCRL: the CRL does not parse, is not signed by the ARK, or is not current at
	// the appraisal time. Check snp.crl.
	ErrSNPCRL = errors.New("CRL invalid")
	// ErrSNPRevoked: the ARK's CRL revokes the ASK/ASVK of the chain. Check snp.crl.
	ErrSNPRevoked = errors.New("certificate revoked")
	// ErrSNPSignature: the report's signature does not verify with the VCEK/VLEK.
	ErrSNPSignature = errors.New("report signature does not verify")
	// ErrSNPChipID: the report's CHIP_ID is not the VCEK's HWID. Check snp.chip_id.
	ErrSNPChipID = errors.New("report CHIP_ID does not match the VCEK's HWID")
	// ErrSNPTCB: the reported TCB is not the certified TCB. Check snp.tcb_match.
	ErrSNPTCB = errors.New("reported TCB differs from the certified TCB")
)

// SNPCollateral supplies AMD collateral that did not come with the evidence. The
// collateral package's KDS type implements it over its cache; tests use local files.
type SNPCollateral interface {
	// VCEK returns the DER VCEK that AMD issues for chipID (the report's 64-byte
	// CHIP_ID) at reportedTCB (a TCB_VERSION in productLine's layout).
	VCEK(ctx context.Context, productLine string, chipID []byte, reportedTCB uint64) ([]byte, error)
	// CRL returns the DER CRL that productLine's ARK issues for its ASK (vlek false) or
	// ASVK (vlek true), the one current as of asOf when there is a choice.
	CRL(ctx context.Context, productLine string, vlek bool, asOf time.Time) ([]byte, error)
}

// SNPCRLLister is implemented by collateral sources that may hold several CRLs of
// one ARK without knowing which is the ASK's and which the ASVK's (CRL files a user
// gives: both lists have the same issuer). The appraiser then checks the chain's
// intermediate against every CRL it returns, so no revocation is missed.
type SNPCRLLister interface {
	// CRLs returns the DER CRLs of productLine's ARK current as of asOf (or, when
	// none is, the newest issued by then, so that the check reports the expiry).
	CRLs(ctx context.Context, productLine string, asOf time.Time) ([][]byte, error)
}

// SNPConfig configures an SNPAppraiser.
type SNPConfig struct {
	// Roots are the trusted AMD roots. Nil means AMD's production roots (AMDSNPRoots).
	Roots *SNPRoots
	// Collateral fetches VCEKs missing from the evidence and the CRLs. Nil means only
	// the evidence's certificates are used, and the CRL only from an evidence bundle
	// (its CRL for the chain's kind); with none there, the CRL check is skipped.
	Collateral SNPCollateral
	// CacheEntries bounds each of the verified-certificate, chain and CRL caches.
	// Zero means 4096.
	CacheEntries int
	// Logger receives debug logs. Nil means slog.Default().
	Logger *slog.Logger
	// Signatures checks the report's, the VCEK/VLEK's and the CRL's signatures. Nil
	// means GoSignatures.
	Signatures SignatureVerifier
}

// SNPAppraiser appraises AMD SEV-SNP attestation reports. It is safe for concurrent
// use: verify many reports at once by calling Appraise from several goroutines (see
// AppraiseAll). Certificate chains and CRLs are verified once and remembered by the
// SHA-256 of their DER, so after the first report from a chip, an appraisal costs about
// one ECDSA P-384 verification.
type SNPAppraiser struct {
	roots  *SNPRoots
	coll   SNPCollateral
	log    *slog.Logger
	sigs   SignatureVerifier
	certs  *boundedCache[[32]byte, parsedCert]
	chains *boundedCache[chainKey, *chainResult]
	crls   *boundedCache[crlKey, *crlResult]
}

var _ Appraiser = (*SNPAppraiser)(nil)

// NewSNP returns an SEV-SNP appraiser.
func NewSNP(cfg SNPConfig) (*SNPAppraiser, error) {
	roots := cfg.Roots
	if roots == nil {
		var err error
		if roots, err = AMDSNPRoots(); err != nil {
			return nil, fmt.Errorf("new SEV-SNP appraiser: %w", err)
		}
	}
	n := cfg.CacheEntries
	if n <= 0 {
		n = 4096
	}
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	return &SNPAppraiser{
		roots:  roots,
		coll:   cfg.Collateral,
		log:    log,
		sigs:   sigVerifier(cfg.Signatures),
		certs:  newBoundedCache[[32]byte, parsedCert](n),
		chains: newBoundedCache[chainKey, *chainResult](n),
		crls:   newBoundedCache[crlKey, *crlResult](n),
	}, nil
}

type parsedCert struct {
	cert *x509.Certificate
	err  error
}

type chainKey struct {
	leaf [32]byte
	vlek bool
}

// chainResult is the time-independent outcome of verifying one VCEK/VLEK against the
// roots: its KDS profile, its signature by an ASK/ASVK, and its extensions. Validity
// periods are checked per appraisal, as of the appraisal's time.
type chainResult struct {
	err       error
	leaf      *x509.Certificate
	pub       *ecdsa.PublicKey
	exts      *SNPCertExtensions
	set       *SNPRootSet
	ica       *x509.Certificate
	certified SNPTCB
	leafHash  [32]byte
	icaHash   [32]byte
	arkHash   [32]byte
}

type crlKey struct {
	crl, ark [32]byte
}

type crlResult struct {
	err     error
	crl     *x509.RevocationList
	revoked map[string]time.Time // serial (hex) → revocation time
}

// Appraise checks one SEV-SNP report and its certificates as of asOf. Failed checks
// are recorded in the appraisal; the error is for evidence that cannot be read at all
// (ErrMalformed), a context that ended, or a collateral source that could not be
// reached (ErrCollateralUnavailable).
func (a *SNPAppraiser) Appraise(ctx context.Context, ev *evidence.Evidence, asOf time.Time) (*Appraisal, error) {
	ap, causes, err := a.appraise(ctx, ev, asOf)
	if err != nil {
		return nil, err
	}
	if err := unavailable(ap.Checks, causes); err != nil {
		return nil, fmt.Errorf("sev-snp: %w", err)
	}
	workloadFacts(ap, ev)
	return ap, nil
}

// snpRun is one SEV-SNP appraisal in progress: the report, the appraisal being
// filled in, and what earlier steps found that later ones need.
type snpRun struct {
	*checks
	a     *SNPAppraiser
	ev    *evidence.Evidence
	rep   *snpReport
	asOf  time.Time
	ap    *Appraisal
	facts *SNPFacts
	vlek  bool
	// chainCheck is the chain check's name (VCEK or VLEK chain); chain is what
	// verifying the certificate chain found (nil when it was not tried), chainOK
	// whether that check passed.
	chainCheck string
	chain      *chainResult
	chainOK    bool
	// fetched: the VCEK came from the collateral source, not the evidence.
	fetched bool
}

// appraise is Appraise with the error behind each failed check. It reads as the
// list of checks an SEV-SNP report goes through, each step appending to one list.
func (a *SNPAppraiser) appraise(ctx context.Context, ev *evidence.Evidence, asOf time.Time) (*Appraisal, map[string]error, error) {
	if ev == nil {
		return nil, nil, fmt.Errorf("%w: nil evidence", ErrMalformed)
	}
	if ev.TEE != evidence.TEESEVSNP {
		return nil, nil, fmt.Errorf("%w: evidence is %s, not sev-snp", ErrMalformed, ev.TEE)
	}
	rep, err := decodeSNPReport(ev.Raw)
	if err != nil {
		return nil, nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	r := newSNPRun(a, ev, rep, asOf)
	r.reportFormat()
	r.signingKey()
	if err := r.certificateChain(ctx); err != nil {
		return nil, nil, err
	}
	r.certificateValidity()
	if err := r.revocation(ctx); err != nil {
		return nil, nil, err
	}
	r.reportSignature()
	r.chipID()
	r.tcbMatch()
	r.ap.Checks = r.list
	r.ap.Authentic = authenticSNP(r.checks)
	r.ap.CollateralFault = !r.ap.Authentic && r.collateralFault(snpAuthenticityChecks[:])
	return r.ap, r.causes, nil
}

// newSNPRun fills in the appraisal's facts from the report.
func newSNPRun(a *SNPAppraiser, ev *evidence.Evidence, rep *snpReport, asOf time.Time) *snpRun {
	evHash := ev.Hash()
	ap := &Appraisal{
		TEE:          evidence.TEESEVSNP,
		EvidenceHash: hashBytes(evHash),
		AsOf:         asOf,
		CompactTCB:   rep.reportedTCB,
		ReportData:   hexutil.Bytes(bytes.Clone(rep.reportData)),
		Debug:        rep.policy&snpPolicyDebug != 0,
		TCBStatus:    TCBUnknown,
	}
	ap.SNP = &SNPFacts{
		Version:        rep.version,
		ProductLine:    rep.productLine(),
		Measurement:    bytes.Clone(rep.measurement),
		HostData:       bytes.Clone(rep.hostData),
		ChipID:         bytes.Clone(rep.chipID),
		GuestPolicy:    rep.policy,
		MigrationAgent: rep.policy&snpPolicyMigrateMA != 0,
		SMT:            rep.policy&snpPolicySMT != 0,
		VMPL:           rep.vmpl,
		ReportedTCB:    rep.reportedTCB,
		CommittedTCB:   rep.committedTCB,
		LaunchTCB:      rep.launchTCB,
		CurrentTCB:     rep.currentTCB,
	}
	return &snpRun{checks: newChecks(), a: a, ev: ev, rep: rep, asOf: asOf, ap: ap, facts: ap.SNP, chainCheck: CheckSNPVCEKChain}
}

// reportFormat: the report's version and layout.
func (r *snpRun) reportFormat() {
	r.result(CheckSNPReportFormat, r.rep.checkFormat(), fmt.Sprintf("version %d", r.rep.version))
}

// signingKey: the report names a VCEK or a VLEK as its signer.
func (r *snpRun) signingKey() {
	switch r.rep.signingKey() {
	case snpSignerVCEK:
		r.facts.SigningKey = "vcek"
		r.pass(CheckSNPSigningKey, "VCEK")
	case snpSignerVLEK:
		r.facts.SigningKey, r.vlek, r.chainCheck = "vlek", true, CheckSNPVLEKChain
		r.pass(CheckSNPSigningKey, "VLEK")
	default:
		r.facts.SigningKey = "none"
		r.fail(CheckSNPSigningKey, fmt.Errorf("%w: SIGNER_INFO signing key %d", ErrSNPNoCertificate, r.rep.signingKey()))
	}
}

// certificateChain: the VCEK or VLEK chains to a trusted ARK of the report's
// product line. An error is the context's.
func (r *snpRun) certificateChain(ctx context.Context) error {
	if r.outcome(CheckSNPSigningKey) != Pass {
		r.skip(r.chainCheck, "no signing key")
		return nil
	}
	chain, fetched, err := r.a.chainFor(ctx, r.ev, r.rep, r.vlek)
	if err != nil && ctx.Err() != nil {
		return ctx.Err()
	}
	r.chain, r.fetched = chain, fetched
	// A VCEK the source served that does not parse, does not verify or is for
	// another product line is the collateral's fault; the evidence's own
	// certificates, and a VCEK the source does not have for the chip and TCB the
	// report names (the report is not yet known to be genuine), are the evidence's.
	fail := r.fail
	if fetched {
		fail = r.failCollateral
	}
	switch {
	case err != nil:
		fail(r.chainCheck, err)
	case chain.err != nil:
		fail(r.chainCheck, chain.err)
	default:
		if line := r.rep.productLine(); line != "" && line != chain.set.ProductLine {
			fail(r.chainCheck, fmt.Errorf("%w: report CPUID names %s, certificate chain %s", ErrSNPProductLine, line, chain.set.ProductLine))
		} else {
			r.pass(r.chainCheck, fmt.Sprintf("%s → %s → %s", chain.leaf.Subject.CommonName, chain.ica.Subject.CommonName, chain.set.ARK.Subject.CommonName))
		}
	}
	r.chainOK = r.outcome(r.chainCheck) == Pass
	r.recordChain()
	return nil
}

// recordChain lists the chain's certificates as collateral and takes the product
// line and certified TCB from it.
func (r *snpRun) recordChain() {
	chain, facts := r.chain, r.facts
	if chain != nil && chain.leaf != nil {
		kind := "vcek"
		if r.vlek {
			kind = "vlek"
		}
		r.ap.Collateral = append(r.ap.Collateral, CollateralRef{Kind: kind, Hash: hashBytes(chain.leafHash)})
	}
	if r.chainOK {
		icaKind := "ask"
		if r.vlek {
			icaKind = "asvk"
		}
		r.ap.Collateral = append(r.ap.Collateral,
			CollateralRef{Kind: icaKind, Hash: hashBytes(chain.icaHash)},
			CollateralRef{Kind: "ark", Hash: hashBytes(chain.arkHash)})
		if facts.ProductLine == "" {
			facts.ProductLine = chain.set.ProductLine
		}
		facts.CertifiedTCB = chain.certified.Encode()
	} else if facts.ProductLine == "" && chain != nil && chain.exts != nil {
		facts.ProductLine = chain.exts.ProductLine()
	}
}

// certificateValidity: every certificate of the chain is valid as of the
// appraisal's time. Only an evidence's own VCEK or VLEK out of its validity is the
// evidence's fault; one the source served, or the trusted ASK, ASVK or ARK, is not.
func (r *snpRun) certificateValidity() {
	if !r.chainOK {
		r.skip(CheckSNPCertValidity, "no verified chain")
		return
	}
	err := validAt(r.asOf, r.chain.leaf, r.chain.ica, r.chain.set.ARK)
	if err != nil && (r.fetched || validAt(r.asOf, r.chain.leaf) == nil) {
		r.failCollateral(CheckSNPCertValidity, err)
		return
	}
	r.result(CheckSNPCertValidity, err, "as of "+r.asOf.UTC().Format(time.RFC3339))
}

// revocation: the ASK or ASVK is not on the ARK's CRL. An error is the context's.
func (r *snpRun) revocation(ctx context.Context) error {
	if !r.chainOK {
		r.skip(CheckSNPCRL, "no verified chain")
		return nil
	}
	ders, fromEvidence, err := r.a.findCRLs(ctx, r.ev, r.chain, r.vlek, r.asOf)
	if len(ders) == 0 {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if errors.Is(err, collateral.ErrUnavailable) {
			// The source could not be reached: revocation is unknown, so the check
			// fails with that cause and Appraise makes no appraisal at all.
			r.fail(CheckSNPCRL, err)
			return nil
		}
		r.skip(CheckSNPCRL, "CRL unavailable: "+err.Error())
		return nil
	}
	var details []string
	var failed error
	for _, der := range ders {
		ref, detail, err := r.a.checkCRL(der, r.chain, r.asOf)
		r.ap.Collateral = append(r.ap.Collateral, ref)
		if err != nil && failed == nil {
			failed = err
		}
		details = append(details, detail)
	}
	// A CRL the source served that does not verify or is not current is the
	// collateral's fault; a revoked ASK or ASVK, or the evidence bundle's own CRL,
	// the evidence's.
	if failed != nil && !fromEvidence && !errors.Is(failed, ErrSNPRevoked) {
		r.failCollateral(CheckSNPCRL, failed)
		return nil
	}
	r.result(CheckSNPCRL, failed, strings.Join(details, "; "))
	return nil
}

// reportSignature: the report is signed by the VCEK's or VLEK's key. Against the
// key of a VCEK the source served that is not the one asked for (servedOther), a
// failure says nothing of the report: it is the collateral's.
func (r *snpRun) reportSignature() {
	if r.chain == nil || r.chain.pub == nil {
		r.skip(CheckSNPSignature, "no endorsement key")
		return
	}
	err := verifySNPSignature(r.a.sigs, r.rep.raw, r.chain.pub)
	if err != nil && r.servedOther() {
		r.failCollateral(CheckSNPSignature, err)
		return
	}
	r.result(CheckSNPSignature, err, "ECDSA P-384 SHA-384")
}

// servedOther reports whether the VCEK came from the collateral source and is not
// the one it was asked for: its chain does not verify, or it certifies another chip
// or another TCB than the report names (the source is asked by both, so an honest
// one serves no other).
func (r *snpRun) servedOther() bool {
	if !r.fetched {
		return false
	}
	if !r.chainOK || r.chain.exts == nil || matchChipID(r.rep.chipID, r.chain.exts.HWID) != nil {
		return true
	}
	return CompareSNPTCB(DecodeSNPTCB(r.chain.set.ProductLine, r.rep.reportedTCB), r.chain.certified) != 0
}

// chipID: the report's CHIP_ID is the VCEK's hardware id (VCEK only).
func (r *snpRun) chipID() {
	switch chain := r.chain; {
	case r.vlek:
		r.skip(CheckSNPChipID, "VLEK certificates are not bound to a chip")
	case chain == nil || chain.exts == nil:
		r.skip(CheckSNPChipID, "no VCEK")
	case r.rep.chipIDMasked():
		r.skip(CheckSNPChipID, "CHIP_ID masked by the host (MASK_CHIP_ID)")
	case r.fetched:
		// The source was asked for this CHIP_ID's VCEK: another chip's is its fault.
		r.resultCollateral(CheckSNPChipID, matchChipID(r.rep.chipID, chain.exts.HWID), hex.EncodeToString(chain.exts.HWID))
	default:
		r.result(CheckSNPChipID, matchChipID(r.rep.chipID, chain.exts.HWID), hex.EncodeToString(chain.exts.HWID))
	}
}

// tcbMatch: the reported TCB is the one the certificate certifies; it sets the
// TCB status.
func (r *snpRun) tcbMatch() {
	if !r.chainOK {
		r.skip(CheckSNPTCBMatch, "no verified chain")
		return
	}
	reported := DecodeSNPTCB(r.chain.set.ProductLine, r.rep.reportedTCB)
	switch CompareSNPTCB(reported, r.chain.certified) {
	case 0:
		r.ap.TCBStatus = TCBUpToDate
		r.pass(CheckSNPTCBMatch, reported.String())
	case -1:
		r.ap.TCBStatus = TCBOutOfDate
		r.fail(CheckSNPTCBMatch, fmt.Errorf("%w: reported %s is below certified %s", ErrSNPTCB, reported, r.chain.certified))
	default:
		r.fail(CheckSNPTCBMatch, fmt.Errorf("%w: reported %s exceeds certified %s", ErrSNPTCB, reported, r.chain.certified))
	}
}

// snpAuthenticityChecks are the checks authenticSNP judges.
var snpAuthenticityChecks = [...]string{CheckSNPReportFormat, CheckSNPSigningKey, CheckSNPVCEKChain, CheckSNPVLEKChain,
	CheckSNPCertValidity, CheckSNPCRL, CheckSNPSignature, CheckSNPChipID}

// authenticSNP: every check that says the evidence is genuine passed, and none failed.
// A skipped CRL check (no CRL available) or CHIP_ID check (masked, or a VLEK) does not
// count against authenticity; the policy may still demand them. snp.tcb_match is about
// currency, not authenticity.
func authenticSNP(l *checks) bool {
	for _, c := range l.list {
		switch c.Name {
		case CheckSNPReportFormat, CheckSNPSigningKey, CheckSNPCertValidity, CheckSNPSignature:
			if c.Outcome != Pass {
				return false
			}
		case CheckSNPVCEKChain, CheckSNPVLEKChain:
			if c.Outcome != Pass {
				return false
			}
		case CheckSNPCRL, CheckSNPChipID:
			if c.Outcome == Fail {
				return false
			}
		}
	}
	return true
}

func hashBytes(h [32]byte) hexutil.Bytes { return hexutil.Bytes(bytes.Clone(h[:])) }

// parse returns the parsed certificate for DER (or single-block PEM) bytes, parsing
// each distinct certificate once.
func (a *SNPAppraiser) parse(b []byte) (*x509.Certificate, [32]byte, error) {
	if blk, rest := pem.Decode(b); blk != nil && blk.Type == "CERTIFICATE" && len(bytes.TrimSpace(rest)) == 0 {
		b = blk.Bytes
	}
	h := sha256.Sum256(b)
	if p, ok := a.certs.get(h); ok {
		return p.cert, h, p.err
	}
	c, err := x509memo.Certificate(b)
	a.certs.put(h, parsedCert{cert: c, err: err})
	return c, h, err
}

// chainFor finds the report's VCEK or VLEK (in the evidence, else from the collateral
// source) and returns its verified chain, from the cache when seen before, and
// whether the certificate came from the source (fetched). When the evidence carries
// several (an old VCEK beside the current one), the one with a verified chain that
// certifies the report's CHIP_ID and TCB is taken.
func (a *SNPAppraiser) chainFor(ctx context.Context, ev *evidence.Evidence, rep *snpReport, vlek bool) (chain *chainResult, fetched bool, err error) {
	cn, want := "SEV-VCEK", evidence.RoleVCEK
	if vlek {
		cn, want = "SEV-VLEK", evidence.RoleVLEK
	}
	var best *chainResult
	bestScore := -1
	var parseErr error
	for i, der := range ev.Certificates {
		if r := ev.Role(i); r != evidence.RoleUnknown && r != want {
			continue // an ASK/ARK the evidence carries: the configured roots are used instead
		}
		c, h, err := a.parse(der)
		if err != nil {
			parseErr = err
			continue
		}
		if c.Subject.CommonName != cn {
			continue
		}
		r := a.chain(c, h, vlek)
		if score := r.fits(rep); score > bestScore {
			best, bestScore = r, score
		}
	}
	if best != nil {
		return best, false, nil
	}
	if !vlek && a.coll != nil {
		line := rep.productLine()
		if line == "" {
			return nil, false, fmt.Errorf("%w: VCEK not supplied and the report (version %d) does not name its product line", ErrSNPNoCertificate, rep.version)
		}
		if rep.chipIDMasked() {
			return nil, false, fmt.Errorf("%w: VCEK not supplied and CHIP_ID is masked", ErrSNPNoCertificate)
		}
		// CHIP_ID and the TCB are not authenticated yet (the VCEK is what checks the
		// signature), so the source bounds what asking for them costs
		// (collateral.Cache: docs/collateral.md, "Bounds of the cache").
		der, err := a.coll.VCEK(ctx, line, rep.chipID, rep.reportedTCB)
		if err != nil {
			// Not fetched: the source has none for the CHIP_ID and TCB the report
			// names, which a forged report may make up.
			return nil, false, fmt.Errorf("%w: fetch VCEK: %w", ErrSNPNoCertificate, err)
		}
		c, h, err := a.parse(der)
		if err != nil {
			return nil, true, fmt.Errorf("%w: fetched VCEK does not parse: %w", ErrSNPChain, err)
		}
		return a.chain(c, h, vlek), true, nil
	}
	if parseErr != nil {
		return nil, false, fmt.Errorf("%w: no %s certificate among the evidence's (one does not parse: %w)", ErrSNPNoCertificate, cn, parseErr)
	}
	return nil, false, fmt.Errorf("%w: no %s certificate among the evidence's %d", ErrSNPNoCertificate, cn, len(ev.Certificates))
}

// chain returns the verified chain of leaf, verifying it only the first time.
func (a *SNPAppraiser) chain(leaf *x509.Certificate, leafHash [32]byte, vlek bool) *chainResult {
	key := chainKey{leaf: leafHash, vlek: vlek}
	if r, ok := a.chains.get(key); ok {
		return r
	}
	r := a.verifyChain(leaf, leafHash, vlek)
	a.chains.put(key, r)
	a.log.Debug("SEV-SNP endorsement certificate verified", "sha256", hex.EncodeToString(leafHash[:]), "vlek", vlek, "err", r.err)
	return r
}

// fits ranks how well a candidate chain suits a report, without any signature check:
// a verified chain first, then a VCEK HWID equal to the CHIP_ID, then a certified TCB
// equal to the reported one.
func (r *chainResult) fits(rep *snpReport) int {
	score := 0
	if r.err == nil {
		score += 4
		if CompareSNPTCB(DecodeSNPTCB(r.set.ProductLine, rep.reportedTCB), r.certified) == 0 {
			score++
		}
	}
	if r.exts != nil && r.exts.HWID != nil && matchChipID(rep.chipID, r.exts.HWID) == nil {
		score += 2
	}
	return score
}

// verifyChain checks a VCEK/VLEK's profile and its signature by a trusted ASK/ASVK.
// The result does not depend on time, so it is cached.
func (a *SNPAppraiser) verifyChain(leaf *x509.Certificate, leafHash [32]byte, vlek bool) *chainResult {
	r := &chainResult{leaf: leaf, leafHash: leafHash}
	exts, pub, err := checkEndorsementCert(leaf, vlek)
	if err != nil {
		r.err = err
		return r
	}
	r.exts, r.pub = exts, pub
	var lastErr error
	for _, line := range a.roots.ProductLines() {
		set := a.roots.Set(line)
		ica := set.ASK
		if vlek {
			ica = set.ASVK
		}
		if ica == nil || !bytes.Equal(leaf.RawIssuer, ica.RawSubject) {
			continue
		}
		if err := checkIssuedBy(a.sigs, leaf, ica); err != nil {
			lastErr = err
			continue
		}
		if got := exts.ProductLine(); got != line {
			r.err = fmt.Errorf("%w: certificate product name %q, signed by %s's %s", ErrSNPProductLine, exts.ProductName, line, ica.Subject.CommonName)
			return r
		}
		certified, err := exts.CertifiedTCB(line)
		if err != nil {
			r.err = err
			return r
		}
		r.set, r.ica, r.certified = set, ica, certified
		r.icaHash, r.arkHash = fingerprint(ica), fingerprint(set.ARK)
		return r
	}
	if lastErr != nil {
		r.err = fmt.Errorf("%w: %s issuer %q: %w", ErrSNPChain, leaf.Subject.CommonName, leaf.Issuer.CommonName, lastErr)
	} else {
		r.err = fmt.Errorf("%w: no trusted intermediate is %s issuer %q", ErrSNPChain, leaf.Subject.CommonName, leaf.Issuer.CommonName)
	}
	return r
}

func validAt(asOf time.Time, certs ...*x509.Certificate) error {
	for _, c := range certs {
		if asOf.Before(c.NotBefore) {
			return fmt.Errorf("%w: %s not valid before %s (as of %s)", ErrSNPCertExpired, c.Subject.CommonName, c.NotBefore.UTC().Format(time.RFC3339), asOf.UTC().Format(time.RFC3339))
		}
		if asOf.After(c.NotAfter) {
			return fmt.Errorf("%w: %s expired %s (as of %s)", ErrSNPCertExpired, c.Subject.CommonName, c.NotAfter.UTC().Format(time.RFC3339), asOf.UTC().Format(time.RFC3339))
		}
	}
	return nil
}

// findCRLs returns the CRLs to check the chain's intermediate against: every current
// CRL of the ARK when the source is an SNPCRLLister, else the source's CRL for the
// chain's kind. Only when the source has none to give (or there is no source) is the
// evidence bundle's CRL of the chain's kind taken (bundleCRL). When the source could
// not be reached (collateral.ErrUnavailable) nothing is returned and the error says
// so: the bundle's submitter must not decide which revocations are seen.
// fromEvidence says the CRL is the bundle's.
func (a *SNPAppraiser) findCRLs(ctx context.Context, ev *evidence.Evidence, chain *chainResult, vlek bool, asOf time.Time) (ders [][]byte, fromEvidence bool, err error) {
	var srcErr error = errors.New("no collateral source")
	if l, ok := a.coll.(SNPCRLLister); ok {
		ders, err := l.CRLs(ctx, chain.set.ProductLine, asOf)
		if err == nil && len(ders) > 0 {
			return ders, false, nil
		}
		if errors.Is(err, collateral.ErrUnavailable) {
			return nil, false, fmt.Errorf("CRLs of %s: %w", chain.set.ARK.Subject.CommonName, err)
		}
	}
	if a.coll != nil {
		der, err := a.coll.CRL(ctx, chain.set.ProductLine, vlek, asOf)
		if err == nil {
			return [][]byte{der}, false, nil
		}
		if errors.Is(err, collateral.ErrUnavailable) {
			return nil, false, fmt.Errorf("CRL of %s for the %s: %w", chain.set.ARK.Subject.CommonName, chain.ica.Subject.CommonName, err)
		}
		srcErr = err
	}
	if der := a.bundleCRL(ev, chain, vlek); der != nil {
		return [][]byte{der}, true, nil
	}
	return nil, false, fmt.Errorf("%w; and no CRL from %s in the evidence's collateral", srcErr, chain.set.ARK.Subject.CommonName)
}

// bundleCRLName is the evidence bundle's name for the CRL of a chain's kind
// (evidence.BundleCollateralNames): the ARK's list of revoked ASKs for a VCEK chain,
// of revoked ASVKs for a VLEK chain.
func bundleCRLName(vlek bool) string {
	if vlek {
		return "vlek_crl"
	}
	return "vcek_crl"
}

// bundleCRL returns the bundle's CRL of the chain's kind when it is issued by the
// chain's ARK, else nil. The two lists have the same issuer and cannot be told apart
// by content, so a CRL under the other kind's name is never used: it would let a
// submitter show the ASK's list for a VLEK chain whose ASVK is revoked.
func (a *SNPAppraiser) bundleCRL(ev *evidence.Evidence, chain *chainResult, vlek bool) []byte {
	der, ok := ev.Collateral[bundleCRLName(vlek)]
	if !ok {
		return nil
	}
	if res := a.crlResult(der, chain); res.crl != nil && bytes.Equal(res.crl.RawIssuer, chain.set.ARK.RawSubject) {
		return der
	}
	return nil
}

// crlResult parses and verifies a CRL against the chain's ARK, once per distinct CRL.
func (a *SNPAppraiser) crlResult(der []byte, chain *chainResult) *crlResult {
	key := crlKey{crl: sha256.Sum256(der), ark: chain.arkHash}
	res, ok := a.crls.get(key)
	if !ok {
		res = verifyCRL(a.sigs, der, chain.set.ARK)
		a.crls.put(key, res)
	}
	return res
}

// checkCRL checks the CRL for the chain's intermediate as of asOf: signed by the ARK,
// current, and not revoking the intermediate.
func (a *SNPAppraiser) checkCRL(der []byte, chain *chainResult, asOf time.Time) (CollateralRef, string, error) {
	res := a.crlResult(der, chain)
	ref := CollateralRef{Kind: "crl", Hash: hashBytes(sha256.Sum256(der))}
	if res.crl != nil && !res.crl.NextUpdate.IsZero() {
		nu := res.crl.NextUpdate.UTC()
		ref.NextUpdate = &nu
	}
	if res.crl != nil && !res.crl.ThisUpdate.IsZero() {
		iss := res.crl.ThisUpdate.UTC()
		ref.IssuedAt = &iss
	}
	if res.err != nil {
		return ref, "", res.err
	}
	crl := res.crl
	if asOf.Before(crl.ThisUpdate) {
		return ref, "", fmt.Errorf("%w: CRL issued %s, after %s", ErrSNPCRL, crl.ThisUpdate.UTC().Format(time.RFC3339), asOf.UTC().Format(time.RFC3339))
	}
	if !crl.NextUpdate.IsZero() && !asOf.Before(crl.NextUpdate) {
		return ref, "", fmt.Errorf("%w: CRL next update %s is not after %s", ErrSNPCRL, crl.NextUpdate.UTC().Format(time.RFC3339), asOf.UTC().Format(time.RFC3339))
	}
	// The ARK's CRL lists the intermediates it revoked. go-sev-guest checks only the
	// ASK here, never the ASVK; we check whichever intermediate signed this chain.
	if at, ok := res.revoked[chain.ica.SerialNumber.Text(16)]; ok && !at.After(asOf) {
		return ref, "", fmt.Errorf("%w: %s serial %s revoked at %s", ErrSNPRevoked, chain.ica.Subject.CommonName, chain.ica.SerialNumber.Text(16), at.UTC().Format(time.RFC3339))
	}
	return ref, fmt.Sprintf("%s not revoked; CRL %s..%s", chain.ica.Subject.CommonName,
		crl.ThisUpdate.UTC().Format(time.RFC3339), crl.NextUpdate.UTC().Format(time.RFC3339)), nil
}

func verifyCRL(sv SignatureVerifier, der []byte, ark *x509.Certificate) *crlResult {
	if blk, _ := pem.Decode(der); blk != nil && blk.Type == "X509 CRL" {
		der = blk.Bytes
	}
	crl, err := x509memo.RevocationList(der)
	if err != nil {
		return &crlResult{err: fmt.Errorf("%w: does not parse: %w", ErrSNPCRL, err)}
	}
	if err := checkCRLIssuedBy(sv, crl, ark); err != nil {
		return &crlResult{crl: crl, err: fmt.Errorf("%w: not signed by %s: %w", ErrSNPCRL, ark.Subject.CommonName, err)}
	}
	revoked := make(map[string]time.Time, len(crl.RevokedCertificateEntries))
	for _, e := range crl.RevokedCertificateEntries {
		revoked[e.SerialNumber.Text(16)] = e.RevocationTime
	}
	return &crlResult{crl: crl, revoked: revoked}
}

// verifySNPSignature checks the report's ECDSA P-384 signature over its first 0x2A0
// bytes. R and S are stored little-endian in 72-byte fields (SNP ABI table 134).
func verifySNPSignature(sv SignatureVerifier, raw []byte, pub *ecdsa.PublicKey) error {
	sig := raw[snpSignedSize:]
	// Big-endian r || s of 48 bytes each; a field with a non-zero byte above the
	// 48th holds a value above the curve order, which never verifies.
	var rs [96]byte
	for i := range 72 {
		r, s := sig[i], sig[72+i]
		if i >= 48 {
			if r != 0 || s != 0 {
				return ErrSNPSignature
			}
			continue
		}
		rs[47-i], rs[95-i] = r, s
	}
	if !sv.VerifyECDSA(pub, crypto.SHA384, raw[:snpSignedSize], rs[:]) {
		return ErrSNPSignature
	}
	return nil
}

// matchChipID compares the report's 64-byte CHIP_ID with a VCEK's HWID: all 64 bytes
// on Milan and Genoa; on Turin the HWID is the 8-byte chip id and the report's other 56
// bytes must be zero.
func matchChipID(chipID, hwid []byte) error {
	n := len(hwid)
	if n == 0 || n > len(chipID) {
		return fmt.Errorf("%w: HWID of %d bytes", ErrSNPChipID, n)
	}
	if !bytes.Equal(chipID[:n], hwid) {
		return fmt.Errorf("%w: CHIP_ID %x, VCEK HWID %x", ErrSNPChipID, chipID[:n], hwid)
	}
	for _, b := range chipID[n:] {
		if b != 0 {
			return fmt.Errorf("%w: CHIP_ID has non-zero bytes after the %d-byte HWID", ErrSNPChipID, n)
		}
	}
	return nil
}
