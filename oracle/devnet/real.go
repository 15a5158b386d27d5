package devnet

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/teeoracle/teeoracle/oracle/evidence"
	"github.com/teeoracle/teeoracle/oracle/verifier"
)

// RealAppraisal is the appraisal of one piece of real hardware evidence shipped with
// the repository (testdata/, ../shared/vectors), by the same pipeline as `teeoracle
// verify`, under the vendors' production roots and the default policy, as of a time
// its certificates and collateral were valid. It is not bound to the devnet.
type RealAppraisal struct {
	Name   string // e.g. "sev-snp milan-v2 (go-sev-guest testdata)"
	Source string // the evidence file
	AsOf   time.Time
	Result *verifier.Result
	Err    error
}

// realSet is one piece of real evidence and how to read it.
type realSet struct {
	name, at string
	evidence string
	certs    []string
	// pcs is a directory of saved PCS responses named as in testdata/tdx/spr-e4/pcs;
	// dcap a dcap-qvl collateral JSON.
	pcs, dcap, fmspc string
}

// FindRepoRoot walks up from dir to the directory holding go.mod and testdata/, or
// returns "".
func FindRepoRoot(dir string) string {
	for d := dir; d != ""; {
		if st, err := os.Stat(filepath.Join(d, "testdata")); err == nil && st.IsDir() {
			if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
				return d
			}
		}
		parent := filepath.Dir(d)
		if parent == d {
			break
		}
		d = parent
	}
	return ""
}

// ErrNoRealEvidence: the repository's testdata/ was not found.
var ErrNoRealEvidence = errors.New("bundled real evidence not found: run from the repository checkout")

// AppraiseRealEvidence runs the repository's real evidence through the
// verification pipeline (package verifier, production roots, default policy). The
// sets from ../shared/vectors are included when that folder exists.
func AppraiseRealEvidence(ctx context.Context, repoRoot string) ([]RealAppraisal, error) {
	if repoRoot == "" {
		return nil, ErrNoRealEvidence
	}
	td := func(p ...string) string { return filepath.Join(append([]string{repoRoot, "testdata"}, p...)...) }
	sh := func(p ...string) string {
		return filepath.Join(append([]string{repoRoot, "..", "shared", "vectors"}, p...)...)
	}
	sets := []realSet{
		{name: "sev-snp Milan, VCEK (go-sev-guest testdata)", at: "2022-09-24T01:00:00Z",
			evidence: td("sev-snp", "milan-v2", "report.bin"), certs: []string{td("sev-snp", "milan-v2", "vcek.der")}},
		{name: "tdx v4 Sapphire Rapids (go-tdx-guest testdata)", at: "2023-07-01T01:00:00Z",
			evidence: td("tdx", "spr-e4", "quote.bin"), pcs: td("tdx", "spr-e4", "pcs"), fmspc: "50806f000000"},
	}
	if _, err := os.Stat(sh()); err == nil {
		sets = append(sets,
			realSet{name: "sev-snp Turin, VCEK (../shared/vectors)", at: "2025-07-18T00:00:00Z",
				evidence: sh("snp-turin", "report.bin"), certs: []string{sh("snp-turin", "vcek.der")}},
			realSet{name: "sev-snp Milan, VLEK (../shared/vectors)", at: "2024-12-11T00:00:00Z",
				evidence: sh("snp-vlek-milan", "report.bin"), certs: []string{sh("snp-vlek-milan", "vlek.pem")}},
			realSet{name: "tdx v5 (../shared/vectors)", at: "2026-02-19T00:00:00Z",
				evidence: sh("tdx-v5-outdated", "quote.bin"), dcap: sh("tdx-v5-outdated", "collateral.json")},
		)
	}
	v, err := verifier.New(verifier.Options{})
	if err != nil {
		return nil, err
	}
	out := make([]RealAppraisal, 0, len(sets))
	for _, s := range sets {
		ra := RealAppraisal{Name: s.name, Source: s.evidence}
		req, err := s.request()
		if err == nil {
			ra.AsOf = req.At
			ra.Result, err = v.Verify(ctx, req)
		}
		ra.Err = err
		out = append(out, ra)
	}
	return out, nil
}

func (s realSet) request() (*verifier.Request, error) {
	at, err := time.Parse(time.RFC3339, s.at)
	if err != nil {
		return nil, err
	}
	data, err := os.ReadFile(s.evidence)
	if err != nil {
		return nil, err
	}
	req := &verifier.Request{Evidence: evidence.Input{Name: filepath.Base(s.evidence), Data: data}, At: at}
	for _, c := range s.certs {
		b, err := os.ReadFile(c)
		if err != nil {
			return nil, err
		}
		req.Certificates = append(req.Certificates, evidence.Input{Name: filepath.Base(c), Data: b})
	}
	if s.dcap != "" {
		b, err := os.ReadFile(s.dcap)
		if err != nil {
			return nil, err
		}
		req.Collateral.TDXDcapQVL = &evidence.Input{Name: filepath.Base(s.dcap), Data: b}
	}
	if s.pcs != "" {
		if req.Collateral.TDXPCS, err = pcsFiles(s.pcs, s.fmspc); err != nil {
			return nil, err
		}
	}
	return req, nil
}

// pcsFiles maps saved PCS responses (testdata/tdx/spr-e4/pcs: bodies and their
// "Header: value" issuer-chain files) to the directory layout of
// docs/collateral.md that package verifier reads.
func pcsFiles(dir, fmspc string) (map[string][]byte, error) {
	out := map[string][]byte{}
	for from, to := range map[string]string{"tcb_info.json": "tcbinfo-" + fmspc + ".json", "qe_identity.json": "qeidentity.json",
		"pckcrl.der": "pckcrl-platform.der", "rootcrl.der": "rootcrl.der"} {
		b, err := os.ReadFile(filepath.Join(dir, from))
		if err != nil {
			return nil, err
		}
		out[to] = b
	}
	for from, to := range map[string]string{"tcb_info.headers": "tcbinfo-" + fmspc + ".issuer-chain.pem",
		"qe_identity.headers": "qeidentity.issuer-chain.pem", "pckcrl.headers": "pckcrl-platform.issuer-chain.pem"} {
		b, err := os.ReadFile(filepath.Join(dir, from))
		if err != nil {
			return nil, err
		}
		_, v, ok := strings.Cut(strings.TrimSpace(string(b)), ": ")
		if !ok {
			return nil, fmt.Errorf("%s: not a \"Header: value\" line", from)
		}
		pemChain, err := url.QueryUnescape(v)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", from, err)
		}
		out[to] = []byte(pemChain)
	}
	return out, nil
}
