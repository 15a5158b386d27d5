package main

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	bolt "go.etcd.io/bbolt"

	"github.com/teeoracle/teeoracle/internal/testchain"
	"github.com/teeoracle/teeoracle/oracle/audit"
	"github.com/teeoracle/teeoracle/oracle/devnet"
	"github.com/teeoracle/teeoracle/oracle/evidence"
)

// writePEM writes certificates as one PEM file in the test's directory.
func writePEM(t *testing.T, name string, certs ...*x509.Certificate) string {
	t.Helper()
	var b []byte
	for _, c := range certs {
		b = append(b, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})...)
	}
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// auditDevnet is a devnet on anvil whose SEV-SNP and TDX machines attested once,
// with the test-only roots written where audit's --snp-roots and --tdx-root read
// them.
type auditDevnet struct {
	d        *devnet.Devnet
	dataDir  string
	snpRoots string
	tdxRoot  string
	// verdicts maps the machines' TEE to the verdict hash of their round.
	verdicts map[evidence.TEE]common.Hash
	machines map[evidence.TEE]common.Hash
	closed   bool
}

// close stops the devnet (agents, node, store, chain), leaving the data directory.
func (a *auditDevnet) close(t *testing.T) {
	t.Helper()
	if a.closed {
		return
	}
	a.closed = true
	if err := a.d.Close(); err != nil {
		t.Errorf("close devnet: %v", err)
	}
}

func startAuditDevnet(t *testing.T) *auditDevnet {
	t.Helper()
	bin := testchain.AnvilPath()
	if bin == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("anvil not found under .tools/node_modules (run scripts/install-toolchain); CI is set, so this is a failure")
		}
		t.Skip("anvil not found under .tools/node_modules; run scripts/install-toolchain")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	dir := t.TempDir()
	d, err := devnet.Start(ctx, devnet.Options{Anvil: true, AnvilPath: bin, DataDir: dir, Validity: 10 * time.Minute,
		Logger: slog.New(slog.NewTextHandler(testLog{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))})
	if err != nil {
		t.Fatalf("devnet: %v", err)
	}
	a := &auditDevnet{d: d, dataDir: dir, verdicts: map[evidence.TEE]common.Hash{}, machines: map[evidence.TEE]common.Hash{}}
	t.Cleanup(func() { a.close(t) })
	if err := d.StartAgents(ctx, true, nil); err != nil {
		t.Fatal(err)
	}
	if err := d.WaitAgents(ctx); err != nil {
		t.Fatalf("agents: %v", err)
	}
	for _, m := range d.Machines {
		rounds := m.Rounds()
		if len(rounds) != 1 || !rounds[0].Trusted {
			t.Fatalf("machine %s: rounds %+v, want one trusted round", m.Name, rounds)
		}
		a.verdicts[m.TEE], a.machines[m.TEE] = rounds[0].VerdictHash, m.ID
	}
	set := d.SNP.Roots().Set("Milan")
	if set == nil {
		t.Fatalf("devnet SEV-SNP roots cover %v, not Milan", d.SNP.Roots().ProductLines())
	}
	a.snpRoots = writePEM(t, "snp-roots.pem", set.ARK, set.ASK, set.ASVK)
	a.tdxRoot = writePEM(t, "tdx-root.pem", d.TDX.Root())
	return a
}

type testLog struct{ t *testing.T }

func (w testLog) Write(p []byte) (int, error) {
	w.t.Log(string(p))
	return len(p), nil
}

func (a *auditDevnet) audit(t *testing.T, wantCode int, args ...string) audit.Result {
	t.Helper()
	args = append([]string{"audit", "--json", "--snp-roots", a.snpRoots, "--tdx-root", a.tdxRoot}, args...)
	out, errOut, code := run(t, args...)
	if code != wantCode {
		t.Fatalf("%v: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", args, code, wantCode, out, errOut)
	}
	var res audit.Result
	if code != exitBadInput {
		if err := json.Unmarshal([]byte(out), &res); err != nil {
			t.Fatalf("audit --json output %q: %v", out, err)
		}
	}
	return res
}

// wantDiffers checks that an audit was not reproduced for exactly the given kinds
// of difference (each at least once).
func wantDiffers(t *testing.T, res audit.Result, kinds ...string) {
	t.Helper()
	if res.Reproduced {
		t.Fatalf("audit reproduced, want differences %v", kinds)
	}
	got := map[string]bool{}
	for _, d := range res.Differences {
		got[d.What] = true
		if d.Detail == "" {
			t.Errorf("difference %q without a message", d.What)
		}
	}
	for _, k := range kinds {
		if !got[k] {
			t.Errorf("differences %+v lack %q", res.Differences, k)
		}
	}
	if len(got) != len(kinds) {
		t.Errorf("differences %+v, want only %v", res.Differences, kinds)
	}
}

// tamperingNode serves the node's API through a proxy that rewrites the successful
// answers for which edit returns non-nil: an archive an auditor cannot trust.
func tamperingNode(t *testing.T, node string, edit func(path string, body []byte) []byte) string {
	t.Helper()
	target, err := url.Parse(node)
	if err != nil {
		t.Fatal(err)
	}
	p := httputil.NewSingleHostReverseProxy(target)
	p.ModifyResponse = func(r *http.Response) error {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			return err
		}
		r.Body.Close()
		// Refusals (429 while audit makes its requests) pass unchanged: audit waits
		// them out and asks again.
		if r.StatusCode != http.StatusOK {
			r.Body = io.NopCloser(bytes.NewReader(b))
			return nil
		}
		if nb := edit(r.Request.URL.Path, b); nb != nil {
			b = nb
		}
		r.Body = io.NopCloser(bytes.NewReader(b))
		r.ContentLength = int64(len(b))
		r.Header.Set("Content-Length", strconv.Itoa(len(b)))
		return nil
	}
	srv := httptest.NewServer(p)
	t.Cleanup(srv.Close)
	return srv.URL
}

// recordEditingNode serves the node's API with verdict h's audit record rewritten
// by edit.
func recordEditingNode(t *testing.T, node string, h common.Hash, edit func(*audit.Record)) string {
	t.Helper()
	return tamperingNode(t, node, func(path string, b []byte) []byte {
		if path != "/v1/verdicts/"+h.Hex() {
			return nil
		}
		var vv map[string]json.RawMessage
		var rec audit.Record
		if json.Unmarshal(b, &vv) != nil || json.Unmarshal(vv["audit"], &rec) != nil {
			t.Errorf("verdict view %s", b)
			return nil
		}
		edit(&rec)
		vv["audit"], _ = json.Marshal(rec)
		out, _ := json.Marshal(vv)
		return out
	})
}

// alteredEvidence re-encodes archived evidence with one bit of its report or quote
// body flipped.
func alteredEvidence(t *testing.T, raw []byte) []byte {
	t.Helper()
	ev, err := evidence.Decode("archived evidence", raw)
	if err != nil {
		t.Fatal(err)
	}
	ev.Raw = bytes.Clone(ev.Raw)
	ev.Raw[0x90] ^= 0x01 // SEV-SNP MEASUREMENT; inside a TDX quote's TD report body
	b, err := ev.MarshalBundle()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestAuditReproducesDevnetVerdicts: the verdicts a node published on anvil for an
// SEV-SNP and a TDX machine are reproduced by `teeoracle audit` from the node's
// API, checked against the registry, and from the node's database once the node
// is stopped; an archive that serves altered evidence, another policy, a shifted
// decision time or damaged content, or a registry that never accepted the
// verdict, makes audit report the verdict not reproduced (exit 1) with the kind
// of difference.
func TestAuditReproducesDevnetVerdicts(t *testing.T) {
	a := startAuditDevnet(t)
	node, rpcURL, registry := a.d.APIURL(), a.d.Chain.URL, a.d.Registry.Address().Hex()
	tees := []evidence.TEE{evidence.TEESEVSNP, evidence.TEETDX}
	for _, tee := range tees {
		h, machine := a.verdicts[tee], a.machines[tee]
		t.Run(tee.String()+" via --node", func(t *testing.T) {
			res := a.audit(t, exitOK, "--verdict-hash", h.Hex(), "--node", node)
			if !res.Reproduced || res.Recomputed != h || len(res.Differences) != 0 || res.OnChain != nil {
				t.Fatalf("audit %+v, want %s reproduced", res, h)
			}
			if res.Verdict == nil || res.Verdict.TEE != uint8(tee) || res.AsOf.Unix() != int64(res.Verdict.IssuedAt) {
				t.Fatalf("audited verdict %+v as of %s: want a %s verdict re-run as of its issuedAt", res.Verdict, res.AsOf, tee)
			}
		})
		t.Run(tee.String()+" on-chain", func(t *testing.T) {
			res := a.audit(t, exitOK, "--verdict-hash", h.Hex(), "--node", node, "--rpc-url", rpcURL, "--registry", registry)
			if !res.Reproduced || res.OnChain == nil || !res.OnChain.Accepted || !res.OnChain.Current || res.OnChain.Block == 0 {
				t.Fatalf("audit %+v (on-chain %+v), want reproduced and the machine's current verdict", res, res.OnChain)
			}
			// --machine with the chain audits the verdict the registry holds now.
			res = a.audit(t, exitOK, "--machine-id", machine.Hex(), "--node", node, "--rpc-url", rpcURL, "--registry", registry)
			if res.VerdictHash != h || !res.Reproduced {
				t.Fatalf("audit --machine %s: verdict %s reproduced %v, want %s", machine, res.VerdictHash, res.Reproduced, h)
			}
			// A contract that is not this verdict's registry never accepted it.
			res = a.audit(t, exitUntrusted, "--verdict-hash", h.Hex(), "--node", node, "--rpc-url", rpcURL,
				"--registry", a.d.Consumer.Address().Hex())
			wantDiffers(t, res, audit.DiffDomain, audit.DiffOnChain)
			if res.Recomputed != h {
				t.Fatalf("recomputed %s, want %s: the archive still reproduces the verdict itself", res.Recomputed, h)
			}
		})
		t.Run(tee.String()+" altered evidence", func(t *testing.T) {
			evPath := "/v1/archive/evidence/" + a.evidenceHash(t, h).Hex()
			bad := tamperingNode(t, node, func(path string, b []byte) []byte {
				if path == evPath {
					return alteredEvidence(t, b)
				}
				return nil
			})
			res := a.audit(t, exitUntrusted, "--verdict-hash", h.Hex(), "--node", bad)
			wantDiffers(t, res, audit.DiffArchive)
			if res.Recomputed != (common.Hash{}) {
				t.Fatalf("audit re-ran the decision on evidence that is not the verdict's: %s", res.Recomputed)
			}
			// What an operator reads: the verdict is not reproduced, and why.
			out, _, code := run(t, "audit", "--snp-roots", a.snpRoots, "--tdx-root", a.tdxRoot, "--verdict-hash", h.Hex(), "--node", bad)
			if code != exitUntrusted || !strings.Contains(out, "reproduced false") || !strings.Contains(out, "differs (archive): archived evidence hashes to") {
				t.Fatalf("human output (exit %d):\n%s", code, out)
			}
			t.Logf("audit of a tampered archive:\n%s", out)
		})
		t.Run(tee.String()+" another policy", func(t *testing.T) {
			other, err := devnet.DevnetPolicy(time.Hour) // the devnet's policy with another validity
			if err != nil {
				t.Fatal(err)
			}
			doc, err := other.CanonicalJSON()
			if err != nil {
				t.Fatal(err)
			}
			bad := tamperingNode(t, node, func(path string, b []byte) []byte {
				if strings.HasPrefix(path, "/v1/archive/policy/") {
					return doc
				}
				return nil
			})
			wantDiffers(t, a.audit(t, exitUntrusted, "--verdict-hash", h.Hex(), "--node", bad), audit.DiffArchive)
		})
		t.Run(tee.String()+" shifted decision time", func(t *testing.T) {
			bad := recordEditingNode(t, node, h, func(rec *audit.Record) { rec.AsOf++ })
			res := a.audit(t, exitUntrusted, "--verdict-hash", h.Hex(), "--node", bad)
			wantDiffers(t, res, audit.DiffVerdict)
			if res.Recomputed == h || res.Recomputed == (common.Hash{}) {
				t.Fatalf("recomputed %s: want a re-run that differs from %s", res.Recomputed, h)
			}
		})
	}
	// A record whose collateral list leaves out what the verdict's appraisal used
	// (here the CRL the node checked the SEV-SNP chain against), or names it by a
	// kind audit does not know, is not reproduced.
	snp := a.verdicts[evidence.TEESEVSNP]
	t.Run("sev-snp CRL left out of the record", func(t *testing.T) {
		dropped := 0
		bad := recordEditingNode(t, node, snp, func(rec *audit.Record) {
			kept := rec.Collateral[:0]
			for _, it := range rec.Collateral {
				if it.Kind != audit.CollateralSNPCRL {
					kept = append(kept, it)
				}
			}
			dropped = len(rec.Collateral) - len(kept)
			rec.Collateral = kept
		})
		wantDiffers(t, a.audit(t, exitUntrusted, "--verdict-hash", snp.Hex(), "--node", bad), audit.DiffArchive)
		if dropped == 0 {
			t.Fatal("the SEV-SNP verdict's audit record lists no snp-crl item")
		}
	})
	for _, tee := range tees {
		h := a.verdicts[tee]
		t.Run(tee.String()+" collateral kinds renamed", func(t *testing.T) {
			bad := recordEditingNode(t, node, h, func(rec *audit.Record) {
				for i := range rec.Collateral {
					rec.Collateral[i].Kind += "-x"
				}
			})
			wantDiffers(t, a.audit(t, exitUntrusted, "--verdict-hash", h.Hex(), "--node", bad), audit.DiffArchive)
		})
	}

	// A TDX record without its collateral list: the re-run has no TDX collateral,
	// which is what the archive lacks, not an error of the audit.
	t.Run("tdx collateral list removed", func(t *testing.T) {
		h := a.verdicts[evidence.TEETDX]
		bad := recordEditingNode(t, node, h, func(rec *audit.Record) { rec.Collateral = nil })
		wantDiffers(t, a.audit(t, exitUntrusted, "--verdict-hash", h.Hex(), "--node", bad), audit.DiffArchive)
	})
	// A record naming collateral the node does not have (it answers 404).
	for _, tee := range tees {
		h := a.verdicts[tee]
		t.Run(tee.String()+" collateral not archived", func(t *testing.T) {
			bad := recordEditingNode(t, node, h, func(rec *audit.Record) {
				for i := range rec.Collateral {
					rec.Collateral[i].SHA256[0] ^= 1
				}
			})
			wantDiffers(t, a.audit(t, exitUntrusted, "--verdict-hash", h.Hex(), "--node", bad), audit.DiffArchive)
		})
	}

	if _, _, code := run(t, "audit", "--machine-id", a.machines[evidence.TEETDX].Hex(), "--node", node); code != exitBadInput {
		t.Fatalf("audit --machine --node without --rpc-url: exit %d, want %d", code, exitBadInput)
	}
	// Flags that would be ignored are refused, naming them: a registry without the
	// chain to read it on (no on-chain check would be made), a database beside the
	// node (which archive is audited?).
	tdxHash := a.verdicts[evidence.TEETDX].Hex()
	for _, tc := range []struct {
		args  []string
		names []string
	}{
		{[]string{"--registry", registry, "--node", node}, []string{"--registry", "--rpc-url"}},
		{[]string{"--chain-id", "31337", "--node", node}, []string{"--chain-id", "--rpc-url"}},
		{[]string{"--node", node, "--db", filepath.Join(t.TempDir(), "other.db")}, []string{"--node", "--db"}},
	} {
		args := append([]string{"audit", "--snp-roots", a.snpRoots, "--tdx-root", a.tdxRoot, "--verdict-hash", tdxHash}, tc.args...)
		out, errOut, code := run(t, args...)
		if code != exitBadInput {
			t.Errorf("%v: exit %d, want %d\n%s%s", tc.args, code, exitBadInput, out, errOut)
			continue
		}
		for _, n := range tc.names {
			if !strings.Contains(errOut, n) {
				t.Errorf("%v: stderr %q does not name %s", tc.args, errOut, n)
			}
		}
	}

	// The database, once the node has stopped and released it.
	a.close(t)
	db := filepath.Join(a.dataDir, "node.db")
	for _, tee := range tees {
		h, machine := a.verdicts[tee], a.machines[tee]
		t.Run(tee.String()+" via --db", func(t *testing.T) {
			if res := a.audit(t, exitOK, "--verdict-hash", h.Hex(), "--db", db); !res.Reproduced || res.Recomputed != h {
				t.Fatalf("audit --db %+v, want %s reproduced", res, h)
			}
			if res := a.audit(t, exitOK, "--machine-id", machine.Hex(), "--db", db); res.VerdictHash != h || !res.Reproduced {
				t.Fatalf("audit --machine --db: verdict %s reproduced %v, want %s", res.VerdictHash, res.Reproduced, h)
			}
		})
	}
	// Altered evidence written into the database file: the store's re-hash on read
	// catches it and audit reports the archive damaged.
	snpEv := a.evidenceHash(t, a.verdicts[evidence.TEESEVSNP])
	bdb, err := bolt.Open(db, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = bdb.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte("evidence"))
		if b == nil || b.Get(snpEv[:]) == nil {
			return fmt.Errorf("evidence %s not in the database's evidence bucket", snpEv)
		}
		return b.Put(snpEv[:], alteredEvidence(t, b.Get(snpEv[:])))
	})
	if cerr := bdb.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
	wantDiffers(t, a.audit(t, exitUntrusted, "--verdict-hash", a.verdicts[evidence.TEESEVSNP].Hex(), "--db", db), audit.DiffArchive)
	// The other verdict's archive is untouched.
	a.audit(t, exitOK, "--verdict-hash", a.verdicts[evidence.TEETDX].Hex(), "--db", db)
}

// evidenceHash is the evidence hash of an agent's round's verdict.
func (a *auditDevnet) evidenceHash(t *testing.T, h common.Hash) common.Hash {
	t.Helper()
	for _, m := range a.d.Machines {
		for _, r := range m.Rounds() {
			if r.VerdictHash == h {
				return r.Verdict.EvidenceHash
			}
		}
	}
	t.Fatalf("no round made verdict %s", h)
	return common.Hash{}
}
