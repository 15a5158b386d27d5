package main

import (
	"context"
	"encoding/json"

	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/urfave/cli/v2"

	"github.com/teeoracle/teeoracle/oracle/api"
	"github.com/teeoracle/teeoracle/oracle/appraise"
	"github.com/teeoracle/teeoracle/oracle/collateral"
	"github.com/teeoracle/teeoracle/oracle/evidence"
	"github.com/teeoracle/teeoracle/oracle/policy"
	"github.com/teeoracle/teeoracle/oracle/service"
	"github.com/teeoracle/teeoracle/oracle/store"
	"github.com/teeoracle/teeoracle/oracle/verdict"
)

const auditDescription = `Re-runs the decision behind a verdict from its archive and says whether the
verdict's EIP-712 hash is reproduced bit for bit.

The verdict, its audit record (decision time, binding inputs, collateral hashes),
the evidence, the policy and the collateral come from a node's API (--node) or a
node database (--db; stop the node or use a copy, the file is locked while it
runs). Appraisal and decision are made as of the verdict's time with only the
archived collateral: nothing is fetched from AMD or Intel.

Exit status: 0 reproduced, 1 not reproduced, 2 bad input or error.`

func auditCommand(deps appDeps) *cli.Command {
	return &cli.Command{
		Name:        "audit",
		Usage:       "reproduce a verdict from the archive",
		UsageText:   "teeoracle audit (--verdict-hash HASH | --machine ID) (--node URL | --db FILE) [--json]",
		Description: auditDescription,
		Flags:       auditFlags(),
		Action: func(c *cli.Context) error {
			res, err := runAudit(c)
			if err != nil {
				return badInput(err)
			}
			if c.Bool(flagJSON) {
				enc := json.NewEncoder(c.App.Writer)
				enc.SetIndent("", "  ")
				if err := enc.Encode(res); err != nil {
					return badInput(err)
				}
			} else {
				fmt.Fprintf(c.App.Writer, "verdict    %s\nrecomputed %s\nreproduced %v\n", res.VerdictHash, res.Recomputed, res.Reproduced)
				for _, d := range res.Differences {
					fmt.Fprintf(c.App.Writer, "  differs: %s\n", d)
				}
			}
			if !res.Reproduced {
				return &exitError{code: exitUntrusted}
			}
			return nil
		},
	}
}

// auditResult is what audit prints.
type auditResult struct {
	VerdictHash common.Hash      `json:"verdict_hash"`
	Recomputed  common.Hash      `json:"recomputed_hash"`
	Reproduced  bool             `json:"reproduced"`
	AsOf        time.Time        `json:"as_of"`
	Verdict     *verdict.Verdict `json:"verdict"`
	Recomputed2 *verdict.Verdict `json:"recomputed_verdict"`
	Reasons     []string         `json:"reasons"`
	Differences []string         `json:"differences,omitempty"`
}

// archiveSource is where audit reads from: a node's API or a database.
type archiveSource interface {
	verdict(h common.Hash) (body, audit []byte, err error)
	archive(kind string, h common.Hash) ([]byte, error)
}

type nodeSource struct {
	base string
	http *http.Client
}

func (n *nodeSource) get(path string) ([]byte, error) {
	resp, err := n.http.Get(n.base + path)
	if err != nil {
		return nil, fmt.Errorf("--%s: %w", flagNode, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s%s: HTTP %d: %s", n.base, path, resp.StatusCode, b)
	}
	return b, nil
}

func (n *nodeSource) verdict(h common.Hash) ([]byte, []byte, error) {
	b, err := n.get("/v1/verdicts/" + h.String())
	if err != nil {
		return nil, nil, err
	}
	var v api.VerdictView
	if err := json.Unmarshal(b, &v); err != nil {
		return nil, nil, fmt.Errorf("verdict %s from %s: %w", h, n.base, err)
	}
	return v.Verdict, v.Audit, nil
}

func (n *nodeSource) archive(kind string, h common.Hash) ([]byte, error) {
	return n.get("/v1/archive/" + kind + "/" + h.String())
}

type dbSource struct{ st *store.Store }

func (d *dbSource) verdict(h common.Hash) ([]byte, []byte, error) {
	v, err := d.st.Verdict(h)
	if err != nil {
		return nil, nil, err
	}
	a, err := d.st.Meta("audit/" + h.String())
	if err != nil {
		return nil, nil, fmt.Errorf("audit record of %s: %w", h, err)
	}
	return v.Body, a, nil
}

func (d *dbSource) archive(kind string, h common.Hash) ([]byte, error) {
	switch kind {
	case api.ArchiveEvidence:
		return d.st.Evidence(h)
	case api.ArchivePolicy:
		return d.st.Policy(h)
	default:
		return d.st.Collateral(h)
	}
}

// fixedSNP serves the archived SEV-SNP collateral of one appraisal.
type fixedSNP struct {
	vcek []byte
	crl  []byte
}

func (f *fixedSNP) VCEK(context.Context, string, []byte, uint64) ([]byte, error) {
	if f.vcek == nil {
		return nil, fmt.Errorf("VCEK: %w (not in the archive)", errNoSNPCollateral)
	}
	return f.vcek, nil
}

func (f *fixedSNP) CRL(context.Context, string, bool, time.Time) ([]byte, error) {
	if f.crl == nil {
		return nil, fmt.Errorf("CRL: %w (not in the archive)", errNoSNPCollateral)
	}
	return f.crl, nil
}

func runAudit(c *cli.Context) (*auditResult, error) {
	var src archiveSource
	var h common.Hash
	var err error
	if c.String(flagVerdictHash) != "" {
		if h, err = parseHash(c, flagVerdictHash); err != nil {
			return nil, err
		}
	}
	if c.String(flagNode) != "" {
		src = &nodeSource{base: c.String(flagNode), http: &http.Client{Timeout: 30 * time.Second}}
	} else {
		st, err := store.Open(c.String(flagDB), service.StoreOptions(logger(c)))
		if err != nil {
			return nil, fmt.Errorf("--%s: %w", flagDB, err)
		}
		defer st.Close()
		src = &dbSource{st: st}
		if c.String(flagMachine) != "" {
			id, err := parseHash(c, flagMachine)
			if err != nil {
				return nil, err
			}
			v, err := st.LatestVerdict(id)
			if err != nil {
				return nil, fmt.Errorf("--%s %s: %w", flagMachine, id, err)
			}
			h = v.Hash
		}
	}
	if h == (common.Hash{}) {
		return nil, fmt.Errorf("--%s or --%s (with --%s) is required", flagVerdictHash, flagMachine, flagDB)
	}
	body, auditJSON, err := src.verdict(h)
	if err != nil {
		return nil, err
	}
	var v verdict.Verdict
	if err := json.Unmarshal(body, &v); err != nil {
		return nil, fmt.Errorf("verdict %s: %w", h, err)
	}
	var rec service.AuditRecord
	if err := json.Unmarshal(auditJSON, &rec); err != nil {
		return nil, fmt.Errorf("audit record of %s: %w", h, err)
	}
	evb, err := src.archive(api.ArchiveEvidence, v.EvidenceHash)
	if err != nil {
		return nil, fmt.Errorf("evidence %s: %w", v.EvidenceHash, err)
	}
	ev, err := evidence.Decode("archived evidence", evb)
	if err != nil {
		return nil, err
	}
	pb, err := src.archive(api.ArchivePolicy, v.PolicyHash)
	if err != nil {
		return nil, fmt.Errorf("policy %s: %w", v.PolicyHash, err)
	}
	pol, err := policy.Parse(pb)
	if err != nil {
		return nil, fmt.Errorf("archived policy %s: %w", v.PolicyHash, err)
	}
	snp := &fixedSNP{}
	var tdx *collateral.TDXCollateral
	for _, it := range rec.Collateral {
		b, err := src.archive(api.ArchiveCollateral, common.HexToHash(it.SHA256))
		if err != nil {
			return nil, fmt.Errorf("collateral %s %s: %w", it.Kind, it.SHA256, err)
		}
		switch it.Kind {
		case service.CollateralSNPVCEK:
			snp.vcek = b
		case service.CollateralSNPCRL:
			snp.crl = b
		case service.CollateralTDXSet:
			tdx = &collateral.TDXCollateral{}
			if err := json.Unmarshal(b, tdx); err != nil {
				return nil, fmt.Errorf("archived TDX collateral %s: %w", it.SHA256, err)
			}
		}
	}
	roots, err := loadSNPRoots(c.String(flagSNPRoots))
	if err != nil {
		return nil, err
	}
	tdxRoot, err := loadTDXRoot(c.String(flagTDXRoot))
	if err != nil {
		return nil, err
	}
	var by appraise.ByTEE
	if by.SNP, err = appraise.NewSNP(appraise.SNPConfig{Roots: roots, Collateral: snp}); err != nil {
		return nil, err
	}
	if tdx != nil {
		if by.TDX, err = appraise.NewTDX(appraise.TDXConfig{Root: tdxRoot, Collateral: tdx}); err != nil {
			return nil, err
		}
	}
	asOf := time.Unix(rec.AsOf, 0).UTC()
	app, err := by.Appraise(c.Context, ev, asOf)
	if err != nil {
		return nil, fmt.Errorf("appraise: %w", err)
	}
	in := policy.Inputs{AsOf: asOf, ChainID: rec.ChainID, Registry: common.HexToAddress(rec.Registry), MachineID: v.MachineID,
		TEEKey: v.TEEKey, AnchorBlockNumber: v.AnchorBlockNumber, AnchorBlockHash: v.AnchorBlockHash, Bind: true}
	dec, err := policy.Decide(app, pol, in)
	if err != nil {
		return nil, fmt.Errorf("decide: %w", err)
	}
	domain := verdict.Domain{ChainID: rec.ChainID, Registry: in.Registry}
	got := dec.Verdict.Digest(domain)
	res := &auditResult{VerdictHash: h, Recomputed: got, Reproduced: got == h && v.Digest(domain) == h, AsOf: asOf,
		Verdict: &v, Recomputed2: &dec.Verdict, Reasons: dec.Reasons.Names()}
	if v.Digest(domain) != h {
		res.Differences = append(res.Differences, "the archived verdict's own digest is not the hash it is filed under")
	}
	a, _ := json.Marshal(v)
	b, _ := json.Marshal(dec.Verdict)
	if string(a) != string(b) {
		var ma, mb map[string]any
		_ = json.Unmarshal(a, &ma)
		_ = json.Unmarshal(b, &mb)
		for k, va := range ma {
			if fmt.Sprint(va) != fmt.Sprint(mb[k]) {
				res.Differences = append(res.Differences, fmt.Sprintf("%s: archived %v, recomputed %v", k, va, mb[k]))
			}
		}
	}
	return res, nil
}
