package agent

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/teeoracle/teeoracle/oracle/api"
	"github.com/teeoracle/teeoracle/oracle/devnet/fakehw"
	"github.com/teeoracle/teeoracle/oracle/evidence"
	"github.com/teeoracle/teeoracle/oracle/verdict"
)

func TestLoadOrCreateKey(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "sub", "tee-key")
	k1, created, err := LoadOrCreateKey(path)
	if err != nil || !created {
		t.Fatalf("create: created %v, err %v", created, err)
	}
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v, err %v; want 0600", st.Mode(), err)
	}
	k2, created, err := LoadOrCreateKey(path)
	if err != nil || created || !k1.Equal(k2) {
		t.Fatalf("reload: created %v, same %v, err %v", created, k1.Equal(k2), err)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, "sub", ".tee-key-*")); len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}

	t.Run("group or world readable refused", func(t *testing.T) {
		for _, mode := range []os.FileMode{0o640, 0o604, 0o660, 0o644} {
			if err := os.Chmod(path, mode); err != nil {
				t.Fatal(err)
			}
			if _, _, err := LoadOrCreateKey(path); !errors.Is(err, ErrKeyPermissions) {
				t.Errorf("mode %04o: err %v, want ErrKeyPermissions", mode, err)
			}
		}
		if err := os.Chmod(path, 0o400); err != nil {
			t.Fatal(err)
		}
		if _, _, err := LoadOrCreateKey(path); err != nil {
			t.Errorf("mode 0400: %v", err)
		}
	})
	t.Run("symlink refused", func(t *testing.T) {
		link := filepath.Join(dir, "link")
		if err := os.Symlink(path, link); err != nil {
			t.Fatal(err)
		}
		if _, _, err := LoadOrCreateKey(link); !errors.Is(err, ErrKeyPermissions) {
			t.Errorf("err %v, want ErrKeyPermissions", err)
		}
	})
	t.Run("malformed refused, never replaced", func(t *testing.T) {
		bad := filepath.Join(dir, "bad")
		if err := os.WriteFile(bad, []byte("not a key\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, _, err := LoadOrCreateKey(bad); !errors.Is(err, ErrKeyFormat) {
			t.Errorf("err %v, want ErrKeyFormat", err)
		}
		if b, _ := os.ReadFile(bad); string(b) != "not a key\n" {
			t.Errorf("malformed key file was overwritten")
		}
	})
	t.Run("concurrent creation yields one key", func(t *testing.T) {
		p := filepath.Join(dir, "race")
		var wg sync.WaitGroup
		addrs := make([]common.Address, 8)
		errs := make([]error, 8)
		for i := range addrs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				k, _, err := LoadOrCreateKey(p)
				errs[i] = err
				if err == nil {
					addrs[i] = crypto.PubkeyToAddress(k.PublicKey)
				}
			}()
		}
		wg.Wait()
		for i := range addrs {
			if errs[i] != nil || addrs[i] != addrs[0] {
				t.Errorf("agent %d: %s, %v; agent 0 has %s", i, addrs[i], errs[i], addrs[0])
			}
		}
	})
	t.Run("missing directory created private", func(t *testing.T) {
		p := filepath.Join(dir, "new", "dir", "key")
		if _, _, err := LoadOrCreateKey(p); err != nil {
			t.Fatal(err)
		}
		st, err := os.Stat(filepath.Dir(p))
		if err != nil || st.Mode().Perm()&0o077 != 0 {
			t.Errorf("directory mode %v, err %v", st.Mode(), err)
		}
	})
	if _, _, err := LoadOrCreateKey(""); !errors.Is(err, ErrKeyFormat) {
		t.Errorf("empty path: %v", err)
	}
	if _, err := loadKey(filepath.Join(dir, "absent")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("absent: %v", err)
	}
}

func TestBackoff(t *testing.T) {
	mid := func() float64 { return 0.5 } // no jitter effect
	b := Backoff{Initial: 100 * time.Millisecond, Max: time.Second, Rand: mid}
	want := []time.Duration{100, 200, 400, 800, 1000, 1000}
	for i, w := range want {
		if got := b.Delay(i); got != w*time.Millisecond {
			t.Errorf("delay %d = %v, want %v", i, got, w*time.Millisecond)
		}
	}
	lo, hi := Backoff{Initial: time.Second, Max: time.Minute, Jitter: 0.5, Rand: func() float64 { return 0 }},
		Backoff{Initial: time.Second, Max: time.Minute, Jitter: 0.5, Rand: func() float64 { return 0.999999 }}
	if lo.Delay(0) != 500*time.Millisecond || hi.Delay(0) < 1499*time.Millisecond || hi.Delay(10) > time.Minute {
		t.Errorf("jitter bounds: %v %v %v", lo.Delay(0), hi.Delay(0), hi.Delay(10))
	}
	if d := (Backoff{}).Delay(1000); d > 2*time.Minute || d <= 0 {
		t.Errorf("default cap: %v", d)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := sleep(ctx, time.Hour); !errors.Is(err, context.Canceled) {
		t.Errorf("sleep on a cancelled context: %v", err)
	}
}

// stubOracle answers with fixed values; it checks the agent's own refusals.
type stubOracle struct {
	ch      api.Challenge
	submits int
	view    api.SubmissionView
	verdict api.VerdictView
}

func (o *stubOracle) Challenge(context.Context, common.Hash, common.Address) (*api.Challenge, error) {
	c := o.ch
	return &c, nil
}
func (o *stubOracle) Submit(context.Context, common.Hash, common.Address, uint64, []byte, []byte) (*api.SubmitResult, error) {
	o.submits++
	return &api.SubmitResult{ID: "s1", State: "received"}, nil
}
func (o *stubOracle) Submission(context.Context, string) (*api.SubmissionView, error) {
	v := o.view
	return &v, nil
}
func (o *stubOracle) Verdict(context.Context, common.Hash) (*api.VerdictView, error) {
	v := o.verdict
	return &v, nil
}

func snpSource(t *testing.T) EvidenceSource {
	t.Helper()
	auth, err := fakehw.NewSNPAuthority(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	chip, err := auth.NewChip(fakehw.SNPChipOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return SNPQuoteSource{QP: chip.QuoteProvider()}
}

func goodChallenge(machine common.Hash, key common.Address) api.Challenge {
	b := verdict.Binding{ChainID: 1337, Registry: common.HexToAddress("0x5FbDB2315678afecb367f032d93F642f64180aa3"),
		MachineID: machine, TEEKey: key, AnchorBlockNumber: 10, AnchorBlockHash: common.HexToHash("0x66")}
	rd := b.ReportData()
	return api.Challenge{ChainID: b.ChainID, Registry: b.Registry, MachineID: machine, TEEKey: key,
		AnchorBlockNumber: 10, AnchorBlockHash: b.AnchorBlockHash, ReportData: "0x" + hex.EncodeToString(rd[:])}
}

// New refuses an agent that does not know its registry and chain: with either
// unset it would take the challenge's, and a node pointed at another chain (where
// the same address may hold another registry) would have the TEE bind its key there.
func TestNewRequiresRegistryAndChain(t *testing.T) {
	key, _ := crypto.GenerateKey()
	machine := common.HexToHash("0x11")
	base := goodChallenge(machine, crypto.PubkeyToAddress(key.PublicKey))
	good := Config{MachineID: machine, Registry: base.Registry, ChainID: base.ChainID, Key: key, Source: snpSource(t), Oracle: &stubOracle{ch: base}}
	if _, err := New(good); err != nil {
		t.Fatal(err)
	}
	for want, spoil := range map[string]func(*Config){
		"no registry": func(c *Config) { c.Registry = common.Address{} },
		"no chain id": func(c *Config) { c.ChainID = 0 },
	} {
		c := good
		spoil(&c)
		if _, err := New(c); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v", want, err)
		}
	}
}

func TestAgentRefusesForeignChallengeAndVerdict(t *testing.T) {
	key, _ := crypto.GenerateKey()
	addr := crypto.PubkeyToAddress(key.PublicKey)
	machine := common.HexToHash("0x11")
	src := snpSource(t)
	base := goodChallenge(machine, addr)
	cases := []struct {
		name string
		edit func(*api.Challenge)
	}{
		{"other machine", func(c *api.Challenge) { c.MachineID = common.HexToHash("0x12") }},
		{"other key", func(c *api.Challenge) { c.TEEKey = common.HexToAddress("0x22") }},
		{"other chain", func(c *api.Challenge) { c.ChainID = 1 }},
		{"other registry", func(c *api.Challenge) { c.Registry = common.HexToAddress("0x33") }},
		{"report data not the binding", func(c *api.Challenge) { c.AnchorBlockNumber = 11 }},
		{"report data malformed", func(c *api.Challenge) { c.ReportData = "0x1234" }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			o := &stubOracle{ch: base}
			tc.edit(&o.ch)
			a, err := New(Config{MachineID: machine, Registry: base.Registry, ChainID: 1337, Key: key, Source: src, Oracle: o})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := a.Attest(t.Context()); !errors.Is(err, ErrChallenge) {
				t.Errorf("err %v, want ErrChallenge", err)
			}
			if o.submits != 0 {
				t.Errorf("evidence submitted for a refused challenge")
			}
		})
	}

	// A verdict that does not hash to the named digest, or names another key.
	v := verdict.Verdict{MachineID: machine, TEE: 1, Status: verdict.StatusTrusted, TEEKey: addr, IssuedAt: 1, ExpiresAt: 2,
		AnchorBlockNumber: 10, AnchorBlockHash: base.AnchorBlockHash}
	d := verdict.Domain{ChainID: base.ChainID, Registry: base.Registry}
	fixed := fixedEvidence(t, src, base)
	v.EvidenceHash = fixed.ev.Hash()
	other := v
	other.TEEKey = common.HexToAddress("0x44")
	// Another round's verdict (another anchor, other evidence), however well signed.
	otherAnchor, otherHash, otherEvidence := v, v, v
	otherAnchor.AnchorBlockNumber = 9
	otherHash.AnchorBlockHash = common.HexToHash("0xab")
	otherEvidence.EvidenceHash = common.HexToHash("0xe1")
	for name, tc := range map[string]struct {
		v    verdict.Verdict
		hash common.Hash
	}{
		"digest mismatch":     {v, common.HexToHash("0x99")},
		"other key":           {other, other.Digest(d)},
		"other anchor block":  {otherAnchor, otherAnchor.Digest(d)},
		"other anchor hash":   {otherHash, otherHash.Digest(d)},
		"other evidence hash": {otherEvidence, otherEvidence.Digest(d)},
	} {
		t.Run(name, func(t *testing.T) {
			body, _ := json.Marshal(tc.v)
			h := tc.hash
			o := &stubOracle{ch: base, view: api.SubmissionView{ID: "s1", State: "confirmed", VerdictHash: &h},
				verdict: api.VerdictView{Hash: h, Verdict: body}}
			a, _ := New(Config{MachineID: machine, Registry: base.Registry, ChainID: base.ChainID, Key: key, Source: fixed, Oracle: o})
			if _, err := a.Attest(t.Context()); !errors.Is(err, ErrVerdict) {
				t.Errorf("err %v, want ErrVerdict", err)
			}
		})
	}
	t.Run("good verdict accepted", func(t *testing.T) {
		body, _ := json.Marshal(v)
		h := v.Digest(d)
		o := &stubOracle{ch: base, view: api.SubmissionView{ID: "s1", State: "confirmed", VerdictHash: &h},
			verdict: api.VerdictView{Hash: h, Verdict: body}}
		a, _ := New(Config{MachineID: machine, Registry: base.Registry, ChainID: base.ChainID, Key: key, Source: fixed, Oracle: o})
		r, err := a.Attest(t.Context())
		if err != nil || !r.Trusted {
			t.Fatalf("round %+v, %v", r, err)
		}
	})
}

func TestSourceRefusesOtherReportData(t *testing.T) {
	auth, err := fakehw.NewSNPAuthority(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	chip, _ := auth.NewChip(fakehw.SNPChipOptions{})
	qp := chip.QuoteProvider()
	var asked, other [64]byte
	asked[0], other[0] = 1, 2
	raw, err := qp.GetRawQuote(other)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := decodeChecked("lying host", raw, asked); !errors.Is(err, ErrReportDataMismatch) {
		t.Errorf("err %v, want ErrReportDataMismatch", err)
	}
	if _, err := decodeChecked("honest host", raw, other); err != nil {
		t.Errorf("honest: %v", err)
	}
	tdxAuth, err := fakehw.NewTDXAuthority(t.Context(), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	td, _ := tdxAuth.NewMachine(fakehw.TDXMachineOptions{})
	q, _ := td.GetRawQuote(other)
	if _, err := decodeChecked("lying host", q, asked); !errors.Is(err, ErrReportDataMismatch) {
		t.Errorf("tdx: err %v, want ErrReportDataMismatch", err)
	}
	ev, err := (TDXQuoteSource{QP: td}).Evidence(t.Context(), asked)
	if err != nil || ev.TEE != evidence.TEETDX {
		t.Errorf("tdx source: %v", err)
	}
	ev, err = (SNPDeviceSource{Device: chip.Device()}).Evidence(t.Context(), asked)
	if err != nil || ev.TEE != evidence.TEESEVSNP || len(ev.Certificates) == 0 {
		t.Errorf("snp device source: %v", err)
	}
}

func TestParseFileConfig(t *testing.T) {
	good := "oracle_url: http://127.0.0.1:8545\nregistry: \"0x5FbDB2315678afecb367f032d93F642f64180aa3\"\nchain_id: 31337\n" +
		"machine_id: \"0x" + "11111111111111111111111111111111" + "11111111111111111111111111111111" + "\"\nkey_file: /tmp/k\ntee: tdx\n"
	c, err := ParseFileConfig([]byte(good))
	if err != nil || c.ChainID != 31337 || c.TEE != "tdx" {
		t.Fatalf("%+v %v", c, err)
	}
	for name, doc := range map[string]string{
		"unknown field":   good + "extra: 1\n",
		"bad registry":    "registry: 0x12\n",
		"bad machine":     "machine_id: \"0x11\"\n",
		"bad tee":         "tee: sgx\n",
		"bad fraction":    "reattest_fraction: 1.5\n",
		"bad interval":    "max_interval: soon\n",
		"short interval":  "max_interval: 10s\n",
		"duplicate key":   "tee: tdx\ntee: tdx\n",
		"key case":        good + "TEE: snp\n",
		"not a mapping":   "- a\n",
		"wrong type":      "chain_id: one\n",
		"machine not hex": "machine_id: \"0x" + string(make([]byte, 0)) + "zz\"\n",
	} {
		if _, err := ParseFileConfig([]byte(doc)); !errors.Is(err, ErrConfigFile) {
			t.Errorf("%s: err %v, want ErrConfigFile", name, err)
		}
	}
}

// A submission the node puts off for collateral is followed until the round ends; the
// agent says why it waited, in its log and in the error.
func TestAgentReportsCollateralWait(t *testing.T) {
	key, _ := crypto.GenerateKey()
	machine := common.HexToHash("0x11")
	const why = "collateral unavailable, next appraisal at 2026-01-01T00:00:30Z: HTTP 503"
	o := &stubOracle{ch: goodChallenge(machine, crypto.PubkeyToAddress(key.PublicKey)),
		view: api.SubmissionView{ID: "s1", State: "received", Waiting: why}}
	var logs bytes.Buffer
	a, err := New(Config{MachineID: machine, Registry: o.ch.Registry, ChainID: o.ch.ChainID, Key: key, Source: snpSource(t), Oracle: o, PollInterval: 10 * time.Millisecond,
		RoundTimeout: 100 * time.Millisecond, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	_, err = a.Attest(t.Context())
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), why) {
		t.Fatalf("err = %v; want the round's deadline, naming the node's wait", err)
	}
	if n := strings.Count(logs.String(), "oracle node waits for collateral"); n != 1 {
		t.Fatalf("the wait is logged %d times, want once:\n%s", n, logs.String())
	}
}

// TestSysfsRTMRNeverCreates: extending through a measurement file that does not
// exist fails and leaves no file behind; an existing one receives the digest.
func TestSysfsRTMRNeverCreates(t *testing.T) {
	dir := t.TempDir()
	if err := (SysfsRTMR{Dir: dir}).ExtendRTMR(3, make([]byte, 48)); err == nil {
		t.Fatal("extending a missing measurement file succeeded")
	}
	if _, err := os.Stat(filepath.Join(dir, "rtmr3:sha384")); !os.IsNotExist(err) {
		t.Fatalf("a measurement file was created: %v", err)
	}
	p := filepath.Join(dir, "rtmr2:sha384")
	if err := os.WriteFile(p, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	d := bytes.Repeat([]byte{7}, 48)
	if err := (SysfsRTMR{Dir: dir}).ExtendRTMR(2, d); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(p); !bytes.Equal(got, d) {
		t.Fatalf("wrote %x", got)
	}
}

// fixedSource gives the same evidence for every challenge, so that a test knows
// the hash of what an agent submits.
type fixedSource struct{ ev *evidence.Evidence }

func (f fixedSource) TEE() evidence.TEE { return f.ev.TEE }

func (f fixedSource) Evidence(context.Context, [64]byte) (*evidence.Evidence, error) {
	return f.ev, nil
}

// fixedEvidence is src's evidence for challenge ch, as a source that always gives it.
func fixedEvidence(t *testing.T, src EvidenceSource, ch api.Challenge) fixedSource {
	t.Helper()
	rd, err := hex.DecodeString(strings.TrimPrefix(ch.ReportData, "0x"))
	if err != nil || len(rd) != 64 {
		t.Fatalf("challenge report data %q", ch.ReportData)
	}
	ev, err := src.Evidence(t.Context(), [64]byte(rd))
	if err != nil {
		t.Fatal(err)
	}
	return fixedSource{ev}
}
