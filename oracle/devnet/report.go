package devnet

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/teeoracle/teeoracle/oracle/agent"
	"github.com/teeoracle/teeoracle/oracle/appraise"
	"github.com/teeoracle/teeoracle/oracle/devnet/fakehw"
	"github.com/teeoracle/teeoracle/oracle/evidence"
	"github.com/teeoracle/teeoracle/oracle/verdict"
)

// ErrNotAllTrusted: after the first round some machine is not trusted on-chain.
var ErrNotAllTrusted = errors.New("not every simulated machine is trusted on-chain")

// RunOptions are Run's options beyond the devnet's.
type RunOptions struct {
	// Once exits after every machine's first round.
	Once bool
	// RepoRoot holds testdata/ with the real evidence; "" searches up from the
	// working directory.
	RepoRoot string
	// Timeout bounds the first round; 0 means 2 min.
	Timeout time.Duration
}

// Run is `teeoracle devnet`: it starts the devnet, lets every machine attest, prints
// what happened to w, appraises the real evidence, and then either returns (Once:
// nil when every machine is trusted, else ErrNotAllTrusted) or keeps the machines
// re-attesting, printing each round, until ctx ends (then it stops cleanly and
// returns nil).
func Run(ctx context.Context, opts Options, ro RunOptions, w io.Writer) error {
	if ro.Timeout <= 0 {
		ro.Timeout = 2 * time.Minute
	}
	pw := &syncWriter{w: w}
	start := time.Now()
	d, err := Start(ctx, opts)
	if err != nil {
		return fmt.Errorf("devnet: %w", err)
	}
	defer func() {
		if cerr := d.Close(); cerr != nil {
			fmt.Fprintf(pw, "devnet: stop: %v\n", cerr)
		}
	}()
	d.WriteSetup(pw)

	first := make(chan struct{})
	var firstOnce sync.Once
	var mu sync.Mutex
	pending := map[*Machine]bool{}
	for _, m := range d.Machines {
		pending[m] = true
	}
	printRounds := false
	onRound := func(m *Machine, r agent.Round) {
		mu.Lock()
		defer mu.Unlock()
		delete(pending, m)
		if printRounds {
			fmt.Fprintf(pw, "%s  %-6s re-attested: %s, expires %s, verdict %s, tx %s\n",
				time.Now().Format("15:04:05"), m.Name, r.Verdict.Status, verdict.FormatTime(r.Verdict.ExpiresAt), short(r.VerdictHash.Hex()), short(r.TxHash.Hex()))
		}
		if len(pending) == 0 {
			firstOnce.Do(func() { close(first) })
		}
	}
	if err := d.StartAgents(ctx, ro.Once, onRound); err != nil {
		return err
	}
	fctx, cancel := context.WithTimeout(ctx, ro.Timeout)
	defer cancel()
	select {
	case <-first:
	case <-fctx.Done():
		if ctx.Err() != nil {
			return nil // interrupted before the first round ended
		}
		fmt.Fprintf(pw, "\nnot every machine attested within %s\n", ro.Timeout)
	}
	mu.Lock()
	printRounds = true
	mu.Unlock()
	allTrusted := d.WriteMachines(ctx, pw)
	d.WriteTxs(pw)

	root := ro.RepoRoot
	if root == "" {
		wd, _ := os.Getwd()
		root = FindRepoRoot(wd)
	}
	realEv, rerr := AppraiseRealEvidence(ctx, root)
	WriteReal(pw, realEv, rerr)
	fmt.Fprintf(pw, "\nfirst round done in %s\n", time.Since(start).Round(10*time.Millisecond))
	if ro.Once {
		if !allTrusted {
			return ErrNotAllTrusted
		}
		fmt.Fprintln(pw, "every simulated machine is trusted on-chain")
		return nil
	}
	fmt.Fprintf(pw, "\nrunning: machines re-attest at 2/3 of the %s validity; Ctrl-C stops\n", opts.Validity)
	<-ctx.Done()
	fmt.Fprintln(pw, "stopping")
	return nil
}

type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

func short(h string) string {
	if len(h) <= 14 {
		return h
	}
	return h[:10] + "…" + h[len(h)-4:]
}

// WriteSetup prints the chain, the contracts, the oracle, the policy and the
// devnet-only roots.
func (d *Devnet) WriteSetup(w io.Writer) {
	chainDesc := "go-ethereum simulated backend, in process"
	if d.Chain.Kind == "anvil" {
		chainDesc = "anvil at " + d.Chain.URL
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "teeoracle devnet")
	fmt.Fprintf(tw, "  chain\t%s, chain id %d, a block every %s\n", chainDesc, d.Chain.ChainID, d.opts.BlockInterval)
	fmt.Fprintf(tw, "  registry\t%s\tTeeRegistry: %d oracles, threshold %d, max anchor age %d blocks\n", d.Registry.Address().Hex(), d.opts.Oracles, d.opts.Threshold, d.MaxAnchorAge)
	fmt.Fprintf(tw, "  consumer\t%s\tTrustedWorkerExample (isTrustedKey-gated)\n", d.Consumer.Address().Hex())
	for i, o := range d.OracleNodes() {
		role := ""
		if i == 0 && d.opts.Oracles > 1 {
			role = " (agents attest here; it forwards their evidence to the others)"
		}
		fmt.Fprintf(tw, "  oracle\t%s\toracle node API %s%s\n", o.Address.Hex(), o.APIURL, role)
	}
	fmt.Fprintf(tw, "  policy\t%s\t%q, validity %d s\n", d.PolicyHash.Hex(), d.Policy.Name, d.Policy.ValiditySeconds)
	fmt.Fprintf(tw, "  AMD root\t%s\t%q (%s)\n", fingerprint(d.SNP.ARK().Raw), d.SNP.ARK().Subject.CommonName, fakehw.DevnetOnly)
	fmt.Fprintf(tw, "  Intel root\t%s\t%q, O=%q (%s)\n", fingerprint(d.TDX.Root().Raw), d.TDX.Root().Subject.CommonName,
		strings.Join(d.TDX.Root().Subject.Organization, ","), fakehw.DevnetOnly)
	_ = tw.Flush()
	fmt.Fprintf(w, "  API: GET %[1]s/v1/challenge  POST %[1]s/v1/evidence  GET %[1]s/v1/submissions/{id}  GET %[1]s/v1/verdicts/{hash}  GET %[1]s/metrics\n", d.APIURL())
	fmt.Fprintf(w, "  explorer: %s/explorer/  (chain JSON-RPC %s)\n", d.APIURL(), d.Chain.URL)
	if d.opts.ExplorerWasm != "" {
		fmt.Fprintln(w, "            re-verifies under AMD's and Intel's roots, then the devnet's test-only roots above,")
		fmt.Fprintln(w, "            labelled \"Reproduced under devnet test-only roots (not AMD/Intel)\"")
	}
}

func fingerprint(der []byte) string {
	h := sha256Sum(der)
	return "sha256:" + fmt.Sprintf("%x", h[:8])
}

// WriteMachines prints every machine with its on-chain record and reports whether
// all are trusted.
func (d *Devnet) WriteMachines(ctx context.Context, w io.Writer) bool {
	fmt.Fprintf(w, "\nsimulated machines (%s: fake devices, trusted only by this devnet's policy)\n", fakehw.DevnetOnly)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  name\tTEE\tmachine id\tworkload id\tTEE key\tTCB\ttrust\texpires (UTC)\tgas")
	all := true
	for _, m := range d.Machines {
		rec, err := d.Registry.Machine(ctx, m.ID)
		trusted, terr := d.Registry.IsTrusted(ctx, m.ID)
		trust := "untrusted"
		switch {
		case err != nil || terr != nil:
			trust = fmt.Sprintf("unknown (%v)", errors.Join(err, terr))
		case trusted:
			trust = "TRUSTED"
		case rec.Status == 0:
			trust = "no verdict"
		}
		all = all && trusted && err == nil && terr == nil
		key, expires, gas := "-", "-", "-"
		if rec.TEEKey != ([20]byte{}) {
			key = rec.TEEKey.Hex()
			expires = verdict.FormatTime(rec.ExpiresAt)
		}
		if rs := m.Rounds(); len(rs) > 0 {
			if r := d.receipt(ctx, rs[len(rs)-1].TxHash); r != nil {
				gas = fmt.Sprint(r.GasUsed)
			}
		}
		tcb := appraise.TCBStatus(rec.TCBStatus).String()
		if rec.TEE == uint8(evidence.TEESEVSNP) || rec.TEE == uint8(evidence.TEETDX) {
			tcb += fmt.Sprintf(" (0x%x)", rec.TCB)
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", m.Name, m.TEE, m.ID.Hex(), m.WorkloadID.Hex(), key, tcb, trust, expires, gas)
	}
	_ = tw.Flush()
	return all
}

// WriteTxs prints every transaction with its gas.
func (d *Devnet) WriteTxs(w io.Writer) {
	fmt.Fprintln(w, "\ntransactions")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  what\ttx\tblock\tgas used")
	for _, t := range d.Txs() {
		fmt.Fprintf(tw, "  %s\t%s\t%d\t%d\n", t.What, t.Hash.Hex(), t.Block, t.GasUsed)
	}
	_ = tw.Flush()
}

// WriteReal prints the real evidence's appraisals.
func WriteReal(w io.Writer, real []RealAppraisal, err error) {
	fmt.Fprintln(w, "\nreal hardware evidence (vendors' production roots, default policy, not bound to this devnet)")
	if err != nil {
		fmt.Fprintf(w, "  %v\n", err)
		return
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  evidence\tas of\tauthentic\tTCB\tverdict\treasons")
	for _, r := range real {
		if r.Err != nil {
			fmt.Fprintf(tw, "  %s\t%s\t-\t-\terror\t%v\n", r.Name, r.AsOf.Format("2006-01-02"), r.Err)
			continue
		}
		a, dec := r.Result.Appraisal, r.Result.Decision
		verdict := "untrusted"
		if dec.Trusted {
			verdict = "trusted"
		}
		reasons := strings.Join(dec.Reasons.Names(), ",")
		if reasons == "" {
			reasons = "-"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%v\t%s\t%s\t%s\n", r.Name, r.AsOf.Format("2006-01-02"), a.Authentic, a.TCBStatus, verdict, reasons)
	}
	_ = tw.Flush()
}

func sha256Sum(b []byte) [32]byte { return sha256.Sum256(b) }
