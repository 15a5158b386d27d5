package audit_test

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/teeoracle/teeoracle/oracle/api"
	"github.com/teeoracle/teeoracle/oracle/audit"
	"github.com/teeoracle/teeoracle/oracle/evidence"
	"github.com/teeoracle/teeoracle/oracle/policy"
	"github.com/teeoracle/teeoracle/oracle/store"
	"github.com/teeoracle/teeoracle/oracle/verdict"
	"github.com/teeoracle/teeoracle/oracle/verifier"
	"github.com/teeoracle/teeoracle/oracle/verifier/verifiertest"
)

// memSource is an archive in memory, as a node would serve it, counting the reads
// of each blob.
type memSource struct {
	verdict, record []byte
	blobs           map[common.Hash][]byte
	mu              sync.Mutex
	reads           map[common.Hash]int
	// deadline is the latest read's context deadline (zero: none).
	deadline time.Time
}

func (m *memSource) Verdict(context.Context, common.Hash) ([]byte, []byte, error) {
	return m.verdict, m.record, nil
}

func (m *memSource) Archive(ctx context.Context, kind string, h common.Hash) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.reads[h]++
	m.deadline, _ = ctx.Deadline()
	b, ok := m.blobs[h]
	if !ok {
		return nil, fmt.Errorf("%s %s: %w", kind, h, store.ErrNotFound)
	}
	return b, nil
}

// snpArchive is the archive of one verdict on a test-only SEV-SNP VLEK report,
// decided with an AMD CRL as collateral the way the node archives it: the record
// lists the CRL as snp-crl and the appraisal's used collateral (the CRL among it).
type snpArchive struct {
	src   *memSource
	rec   audit.Record
	h     common.Hash
	crl   []byte
	opts  verifier.Options
	apprs int
}

func newSNPArchive(t *testing.T) *snpArchive {
	t.Helper()
	c, err := verifiertest.NewRevokedASVK()
	if err != nil {
		t.Fatal(err)
	}
	ev, err := evidence.Decode("report", c.Report, evidence.Input{Name: "vlek.der", Data: c.PKI.VLEK.Raw})
	if err != nil {
		t.Fatal(err)
	}
	evb, err := ev.MarshalBundle()
	if err != nil {
		t.Fatal(err)
	}
	pol, err := policy.Default().CanonicalJSON()
	if err != nil {
		t.Fatal(err)
	}
	crl := c.ASKList // revokes nothing
	domain := verdict.Domain{ChainID: 31337, Registry: common.Address{0x5f}}
	bind := &verifier.Binding{MachineID: common.Hash{1}, TEEKey: common.Address{2}, AnchorBlockNumber: 7, AnchorBlockHash: common.Hash{3}}
	req := &verifier.Request{Evidence: evidence.Input{Name: "report", Data: evb}, Policy: pol, At: c.At, Domain: domain, Binding: bind}
	audit.AddArchived(&req.Collateral, audit.CollateralSNPCRL, evidence.Input{Name: "crl", Data: crl})
	opts := verifier.Options{SNPRoots: c.PKI.Roots}
	vf, err := verifier.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	out, err := vf.Verify(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	v := out.Decision.Verdict
	rec := audit.Record{VerdictHash: out.VerdictHash, EvidenceHash: v.EvidenceHash, PolicyHash: v.PolicyHash,
		AsOf: c.At.Unix(), ChainID: domain.ChainID, Registry: domain.Registry, MachineID: bind.MachineID,
		TEEKey: bind.TEEKey, AnchorNumber: bind.AnchorBlockNumber, AnchorHash: bind.AnchorBlockHash,
		Trusted: out.Decision.Trusted, Reasons: out.Decision.Reasons.Names(),
		Collateral: []audit.Item{{Kind: audit.CollateralSNPCRL, SHA256: sha256.Sum256(crl)}}}
	usesCRL := false
	for _, r := range out.Appraisal.Collateral {
		rec.Used = append(rec.Used, audit.ItemUsed{Kind: r.Kind, SHA256: r.Hash})
		usesCRL = usesCRL || common.BytesToHash(r.Hash) == common.Hash(sha256.Sum256(crl))
	}
	if !usesCRL {
		t.Fatalf("the appraisal's collateral %+v does not include the CRL it was given", out.Appraisal.Collateral)
	}
	body, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	src := &memSource{verdict: body, reads: map[common.Hash]int{}, blobs: map[common.Hash][]byte{
		v.EvidenceHash: evb, v.PolicyHash: pol, sha256.Sum256(crl): crl}}
	return &snpArchive{src: src, rec: rec, h: out.VerdictHash, crl: crl, opts: opts}
}

// reproduce audits the archive with its record edited by edit.
func (a *snpArchive) reproduce(t *testing.T, edit func(*audit.Record)) *audit.Result {
	t.Helper()
	rec := a.rec
	rec.Collateral = append([]audit.Item(nil), a.rec.Collateral...)
	rec.Used = append([]audit.ItemUsed(nil), a.rec.Used...)
	if edit != nil {
		edit(&rec)
	}
	var err error
	if a.src.record, err = json.Marshal(rec); err != nil {
		t.Fatal(err)
	}
	a.src.reads = map[common.Hash]int{}
	res, err := audit.Reproduce(context.Background(), a.src, a.h, a.opts)
	if err != nil {
		t.Fatalf("Reproduce: %v", err)
	}
	return res
}

func differsIn(res *audit.Result, what string) bool {
	for _, d := range res.Differences {
		if d.What == what {
			return true
		}
	}
	return false
}

// A record whose collateral list left out the CRL the appraisal used, or names its
// items by kinds the audit does not know, is not reproduced: re-running without the
// CRL would skip the revocation check and still count the evidence authentic.
func TestReproduceMissingCollateral(t *testing.T) {
	a := newSNPArchive(t)
	if res := a.reproduce(t, nil); !res.Reproduced {
		t.Fatalf("the archive as made: %+v, want reproduced", res.Differences)
	}
	for _, tc := range []struct {
		name string
		edit func(*audit.Record)
		want string
	}{
		{"CRL left out", func(r *audit.Record) { r.Collateral = r.Collateral[:0] }, audit.DiffArchive},
		{"no collateral list", func(r *audit.Record) { r.Collateral = nil }, audit.DiffArchive},
		{"kind renamed", func(r *audit.Record) { r.Collateral[0].Kind = "snp-crl-v2" }, audit.DiffArchive},
		{"CRL left out of both lists", func(r *audit.Record) { r.Collateral, r.Used = nil, nil }, audit.DiffRecord},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := a.reproduce(t, tc.edit)
			if res.Reproduced || !differsIn(res, tc.want) {
				t.Fatalf("reproduced %v, differences %+v; want a %q difference", res.Reproduced, res.Differences, tc.want)
			}
			if res.Recomputed != (common.Hash{}) && !slices.ContainsFunc(res.Skipped, func(c string) bool { return strings.HasPrefix(c, "snp.crl:") }) {
				t.Errorf("re-run without the CRL: skipped checks %q, want snp.crl among them", res.Skipped)
			}
		})
	}
}

// A record whose two lists both leave the CRL out describes an appraisal that had
// none: the verdict, which does not commit to its collateral, is reproduced, and
// the skipped CRL check is shown (the limit docs/threat-model.md states).
func TestReproduceShowsSkippedCRL(t *testing.T) {
	a := newSNPArchive(t)
	crl := common.Hash(sha256.Sum256(a.crl))
	res := a.reproduce(t, func(r *audit.Record) {
		r.Collateral = nil
		r.Used = slices.DeleteFunc(r.Used, func(u audit.ItemUsed) bool { return common.BytesToHash(u.SHA256) == crl })
	})
	if !res.Reproduced || !slices.ContainsFunc(res.Skipped, func(c string) bool { return strings.HasPrefix(c, "snp.crl:") }) {
		t.Fatalf("reproduced %v %+v, skipped %q; want reproduced with snp.crl skipped", res.Reproduced, res.Differences, res.Skipped)
	}
	if res = a.reproduce(t, nil); slices.ContainsFunc(res.Skipped, func(c string) bool { return strings.HasPrefix(c, "snp.crl:") }) {
		t.Fatalf("with the CRL archived the re-run skipped %q", res.Skipped)
	}
}

// A record cannot make the audit fetch and hold unbounded collateral: an item
// listed many times is read once, a list over MaxCollateralItems is refused
// unread, archived collateral over MaxCollateralBytes is refused, and the whole
// audit runs under Deadline.
func TestReproduceBoundsCollateral(t *testing.T) {
	a := newSNPArchive(t)
	crl := a.rec.Collateral[0]
	start := time.Now()
	res := a.reproduce(t, func(r *audit.Record) {
		r.Collateral = append(r.Collateral, crl, crl, crl)
	})
	if !res.Reproduced || a.src.reads[crl.SHA256] != 1 {
		t.Fatalf("the CRL listed 4 times: reproduced %v %+v, read %d times; want reproduced, read once", res.Reproduced, res.Differences, a.src.reads[crl.SHA256])
	}
	if a.src.deadline.IsZero() || a.src.deadline.After(start.Add(audit.Deadline+time.Minute)) {
		t.Errorf("reads made under deadline %v, want one within %s", a.src.deadline, audit.Deadline)
	}
	res = a.reproduce(t, func(r *audit.Record) {
		for i := len(r.Collateral); i <= audit.MaxCollateralItems; i++ {
			r.Collateral = append(r.Collateral, audit.Item{Kind: audit.CollateralSNPVCEK, SHA256: common.Hash{byte(i), 0xee}})
		}
	})
	if res.Reproduced || !differsIn(res, audit.DiffRecord) || a.src.reads[crl.SHA256] != 0 {
		t.Fatalf("%d items listed: reproduced %v %+v, the CRL read %d times; want an audit_record difference and no collateral read",
			audit.MaxCollateralItems+1, res.Reproduced, res.Differences, a.src.reads[crl.SHA256])
	}
	big := make([]byte, audit.MaxArchiveBody)
	res = a.reproduce(t, func(r *audit.Record) {
		for i := 0; i*audit.MaxArchiveBody <= audit.MaxCollateralBytes; i++ {
			b := append([]byte{byte(i)}, big[1:]...)
			h := common.Hash(sha256.Sum256(b))
			a.src.blobs[h] = b
			r.Collateral = append(r.Collateral, audit.Item{Kind: audit.CollateralSNPVCEK, SHA256: h})
		}
	})
	if res.Reproduced || !differsIn(res, audit.DiffArchive) || res.Recomputed != (common.Hash{}) {
		t.Fatalf("over %d bytes of collateral: reproduced %v %+v, recomputed %s; want an archive difference and no re-run",
			audit.MaxCollateralBytes, res.Reproduced, res.Differences, res.Recomputed)
	}
}

// A collateral kind is the node's word: one holding terminal escapes reaches
// neither a difference nor an error raw, whether its item is another blob (the
// hash differs) or missing.
func TestReproduceQuotesNodeKinds(t *testing.T) {
	a := newSNPArchive(t)
	const kind = "snp-crl\x1b[3A\x1b[2K"
	for name, h := range map[string]common.Hash{"other blob": a.rec.PolicyHash, "missing": {0xee}} {
		t.Run(name, func(t *testing.T) {
			rec := a.rec
			rec.Collateral = []audit.Item{{Kind: kind, SHA256: h}}
			var err error
			if a.src.record, err = json.Marshal(rec); err != nil {
				t.Fatal(err)
			}
			res, err := audit.Reproduce(context.Background(), a.src, a.h, a.opts)
			if err != nil && strings.Contains(err.Error(), "\x1b") {
				t.Fatalf("error holds the node's escape bytes: %q", err)
			}
			if err == nil {
				if res.Reproduced || !differsIn(res, audit.DiffArchive) {
					t.Fatalf("reproduced %v %+v, want an archive difference", res.Reproduced, res.Differences)
				}
				for _, d := range res.Differences {
					if strings.Contains(d.Detail, "\x1b") {
						t.Errorf("difference holds the node's escape bytes: %q", d.Detail)
					}
				}
			}
		})
	}
}

// Collateral the record names that the archive does not hold (the store has no
// such item, or the node answers 404) is an archive difference, not an error: the
// archive does not back the verdict.
func TestReproduceMissingArchivedItem(t *testing.T) {
	a := newSNPArchive(t)
	res := a.reproduce(t, func(r *audit.Record) {
		r.Collateral = append(r.Collateral, audit.Item{Kind: audit.CollateralSNPVCEK, SHA256: common.Hash{0xee}})
	})
	if res.Reproduced || !differsIn(res, audit.DiffArchive) || res.Recomputed != (common.Hash{}) {
		t.Fatalf("reproduced %v %+v, recomputed %s; want an archive difference and no re-run", res.Reproduced, res.Differences, res.Recomputed)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, `{"error":"not found"}`, http.StatusNotFound)
	}))
	defer srv.Close()
	_, err := audit.NewNodeSource(srv.URL, nil).Archive(context.Background(), api.ArchiveCollateral, common.Hash{0xee})
	if !audit.Missing(err) {
		t.Fatalf("a node's 404: %v, want an error Missing reports", err)
	}
	srv500 := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "internal error", http.StatusInternalServerError)
	}))
	defer srv500.Close()
	if _, err := audit.NewNodeSource(srv500.URL, nil).Archive(context.Background(), api.ArchiveCollateral, common.Hash{0xee}); err == nil || audit.Missing(err) {
		t.Fatalf("a node's 500: %v, want an error that is not Missing (the audit could not be made)", err)
	}
}

// A verdict the archive holds without its audit record is not reproduced (an
// archive difference), not an error.
func TestReproduceVerdictWithoutRecord(t *testing.T) {
	a := newSNPArchive(t)
	a.src.record = nil
	res, err := audit.Reproduce(context.Background(), a.src, a.h, a.opts)
	if err != nil {
		t.Fatalf("Reproduce: %v, want an archive difference", err)
	}
	if res.Reproduced || !differsIn(res, audit.DiffArchive) {
		t.Fatalf("reproduced %v %+v, want an archive difference", res.Reproduced, res.Differences)
	}
}
