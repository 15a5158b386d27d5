package chain_test

import (
	"bytes"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/teeoracle/teeoracle/internal/fielderr"
	"github.com/teeoracle/teeoracle/internal/testchain"
	"github.com/teeoracle/teeoracle/oracle/chain"
	"github.com/teeoracle/teeoracle/oracle/verdict"
)

// Deploy defaults the owner to the sender, deploys the consumer on request, and
// a configuration the constructor refuses comes back as its decoded revert with
// nothing deployed.
func TestDeploy(t *testing.T) {
	sim := testchain.NewSimulated(t)
	ctx, s := ctxT(t), sender(t, sim, 0)
	oracles := []common.Address{addrOf(oracleKeys(t, 1)[0])}
	d, err := chain.Deploy(ctx, sim.Client(), s, chain.DeployConfig{Oracles: oracles, Threshold: 1, MaxAnchorAge: 256, WithConsumer: true})
	if err != nil {
		t.Fatal(err)
	}
	if d.Owner != s.From() || d.Receipt == nil || d.Consumer == nil || d.ConsumerReceipt == nil {
		t.Fatalf("deployment %+v: want the sender as owner and a consumer", d)
	}
	if owner, err := d.Registry.Owner(ctx); err != nil || owner != s.From() {
		t.Errorf("registry owner %s, %v; want %s", owner, err, s.From())
	}
	if d.ConsumerReceipt.ContractAddress != d.Consumer.Address() || d.Receipt.ContractAddress != d.Registry.Address() {
		t.Errorf("receipts name %s and %s, deployed %s and %s", d.Receipt.ContractAddress, d.ConsumerReceipt.ContractAddress, d.Registry.Address(), d.Consumer.Address())
	}

	other := common.HexToAddress("0x00000000000000000000000000000000000000aa")
	d, err = chain.Deploy(ctx, sim.Client(), s, chain.DeployConfig{Owner: other, Oracles: oracles, Threshold: 1, MaxAnchorAge: 10})
	if err != nil {
		t.Fatal(err)
	}
	if owner, _ := d.Registry.Owner(ctx); owner != other || d.Owner != other || d.Consumer != nil {
		t.Errorf("owner %s (reported %s), consumer %v; want %s and no consumer", owner, d.Owner, d.Consumer, other)
	}
	if age, err := d.Registry.MaxAnchorAge(ctx); err != nil || age != 10 {
		t.Errorf("max anchor age %d, %v; want 10", age, err)
	}

	d, err = chain.Deploy(ctx, sim.Client(), s, chain.DeployConfig{Oracles: oracles, Threshold: 2, MaxAnchorAge: 256, WithConsumer: true})
	wantRevert(t, err, "InvalidThreshold", big.NewInt(2), big.NewInt(1))
	if d != nil {
		t.Errorf("a refused deployment returned %+v", d)
	}
}

// Check refuses what the constructor would revert on, and no oracles, naming the
// field (and the field it was weighed against) so a command can name its flags.
func TestDeployConfigCheck(t *testing.T) {
	two := []common.Address{{1}, {2}}
	for _, tc := range []struct {
		name string
		cfg  chain.DeployConfig
		want string // "" accepted
	}{
		{"quorum of all", chain.DeployConfig{Oracles: two, Threshold: 2, MaxAnchorAge: 256}, ""},
		{"shortest anchor age", chain.DeployConfig{Oracles: two, Threshold: 1, MaxAnchorAge: 1}, ""},
		{"no oracles", chain.DeployConfig{Threshold: 1, MaxAnchorAge: 256}, "Oracles: none given; the initial oracle signers are required"},
		{"zero threshold", chain.DeployConfig{Oracles: two, MaxAnchorAge: 256}, "Threshold 0: want 1..255"},
		{"threshold over uint8", chain.DeployConfig{Oracles: two, Threshold: 256, MaxAnchorAge: 256}, "Threshold 256: want 1..255"},
		{"threshold above oracles", chain.DeployConfig{Oracles: two, Threshold: 3, MaxAnchorAge: 256},
			"Threshold 3: more than the 2 Oracles signers given; a quorum of 3 could never be reached"},
		{"zero anchor age", chain.DeployConfig{Oracles: two, Threshold: 1}, "MaxAnchorAge 0: want 1..256"},
		{"anchor age beyond blockhash", chain.DeployConfig{Oracles: two, Threshold: 1, MaxAnchorAge: 257}, "MaxAnchorAge 257: want 1..256"},
	} {
		err := tc.cfg.Check()
		if tc.want == "" {
			if err != nil {
				t.Errorf("%s: %v", tc.name, err)
			}
			continue
		}
		var fe *fielderr.Error
		if !errors.As(err, &fe) || err.Error() != tc.want {
			t.Errorf("%s: %v, want the fielderr.Error %q", tc.name, err, tc.want)
		}
	}
	err := chain.DeployConfig{Oracles: two, Threshold: 3, MaxAnchorAge: 256}.Check().(*fielderr.Error)
	flags := map[string]string{"Threshold": "--threshold", "Oracles": "--oracle"}
	if got := err.Describe(func(f string) string { return flags[f] }); got != "--threshold 3: more than the 2 --oracle signers given; a quorum of 3 could never be reached" {
		t.Errorf("named for flags: %q", got)
	}
}

// A policy's validity is whole seconds, at least one; the transaction carries it
// in seconds.
func TestPolicyRegistration(t *testing.T) {
	for _, tc := range []struct {
		validity time.Duration
		want     string // "" accepted
	}{
		{time.Second, ""},
		{24 * time.Hour, ""},
		{0, "Validity 0s: want a whole number of seconds, at least 1s"},
		{999 * time.Millisecond, "Validity 999ms: want a whole number of seconds, at least 1s"},
		{1500 * time.Millisecond, "Validity 1.5s: want a whole number of seconds, at least 1s"},
		{-time.Second, "Validity -1s: want a whole number of seconds, at least 1s"},
	} {
		err := chain.PolicyRegistration{Validity: tc.validity}.Check()
		var fe *fielderr.Error
		if (tc.want == "" && err != nil) || (tc.want != "" && (!errors.As(err, &fe) || err.Error() != tc.want)) {
			t.Errorf("validity %s: %v, want %q", tc.validity, err, tc.want)
		}
	}
	e := newRegEnv(t, 1, 1, 1)
	p := chain.PolicyRegistration{Hash: common.Hash{7}, Validity: 90 * time.Second, URI: "https://example.org/p"}
	if got, want := e.reg.PolicyRegistrationTx(p), e.reg.RegisterPolicyTx(p.Hash, 90, p.URI); p.ValiditySeconds() != 90 || !bytes.Equal(got.Data, want.Data) || got.To == nil || *got.To != *want.To {
		t.Errorf("PolicyRegistrationTx %+v, want RegisterPolicyTx's %+v", got, want)
	}
}

// Deploy refuses a threshold or anchor age its constructor's types (uint8, uint16)
// cannot carry, rather than send a truncated one.
func TestDeployOutOfRange(t *testing.T) {
	sim := testchain.NewSimulated(t)
	ctx, s := ctxT(t), sender(t, sim, 0)
	oracles := []common.Address{addrOf(oracleKeys(t, 1)[0])}
	for _, cfg := range []chain.DeployConfig{{Oracles: oracles, Threshold: 257, MaxAnchorAge: 256}, {Oracles: oracles, Threshold: 1, MaxAnchorAge: 65537}} {
		if d, err := chain.Deploy(ctx, sim.Client(), s, cfg); err == nil || d != nil {
			t.Errorf("threshold %d, anchor age %d: deployed %+v, %v", cfg.Threshold, cfg.MaxAnchorAge, d, err)
		}
	}
}

// ChangeOracles sends one transaction per oracle in order and stops at the first
// refusal, returning the receipts before it and naming the refused oracle.
func TestChangeOracles(t *testing.T) {
	e := newRegEnv(t, 4, 1, 1)
	ctx, k := ctxT(t), e.oracles
	rcpts, err := e.reg.ChangeOracles(ctx, e.owner, true, []common.Address{addrOf(k[1]), addrOf(k[2])})
	if err != nil || len(rcpts) != 2 {
		t.Fatalf("add two oracles: %d receipts, %v", len(rcpts), err)
	}
	if rcpts[0].TxHash == rcpts[1].TxHash {
		t.Error("two additions share one transaction")
	}
	rcpts, err = e.reg.ChangeOracles(ctx, e.owner, true, []common.Address{addrOf(k[3]), addrOf(k[1]), addrOf(k[0])})
	wantRevert(t, err, "OracleAlreadyAdded", addrOf(k[1]))
	if len(rcpts) != 1 || !strings.HasPrefix(err.Error(), "add oracle "+addrOf(k[1]).Hex()+": ") {
		t.Errorf("%d receipts, error %q; want the one before the refusal and the refused oracle named", len(rcpts), err)
	}
	if q, err := e.reg.Quorum(ctx, chain.BlockRange{}); err != nil || len(q.Signers) != 4 {
		t.Fatalf("quorum %+v, %v; want 4 signers", q, err)
	}

	rcpts, err = e.reg.ChangeOracles(ctx, e.provider, false, []common.Address{addrOf(k[3])})
	wantRevert(t, err, "OwnableUnauthorizedAccount", e.provider.From())
	if len(rcpts) != 0 || !strings.HasPrefix(err.Error(), "remove oracle "+addrOf(k[3]).Hex()+": ") {
		t.Errorf("%d receipts, error %q", len(rcpts), err)
	}
	if rcpts, err = e.reg.ChangeOracles(ctx, e.owner, false, []common.Address{addrOf(k[3]), addrOf(k[2])}); err != nil || len(rcpts) != 2 {
		t.Fatalf("remove two oracles: %d receipts, %v", len(rcpts), err)
	}
	for i, want := range []bool{true, true, false, false} {
		if is, err := e.reg.IsOracle(ctx, addrOf(k[i])); err != nil || is != want {
			t.Errorf("oracle %d: isOracle %v, %v; want %v", i, is, err, want)
		}
	}
}

// RegisterMachine returns the id the contract derives; MachineTrust, KeyTrust and
// Trust read a machine's record and trust, before and after a verdict binds its key.
func TestRegisterMachineAndTrust(t *testing.T) {
	e := newRegEnv(t, 1, 1, 1)
	ctx := ctxT(t)
	salt := common.HexToHash("0x0102")
	_, _, err := e.reg.RegisterMachine(ctx, e.provider, salt, 3, "")
	wantRevert(t, err, "InvalidTee", uint8(3))
	if !strings.HasPrefix(err.Error(), "register machine: ") {
		t.Errorf("error %q does not say what failed", err)
	}
	id, rcpt, err := e.reg.RegisterMachine(ctx, e.provider, salt, verdict.TEETDX, "https://provider.example/m")
	if err != nil || rcpt == nil {
		t.Fatal(err)
	}
	if want, err := e.reg.MachineIDOf(ctx, e.provider.From(), salt); err != nil || id != want {
		t.Fatalf("id %s, contract says %s (%v)", id, want, err)
	}
	m, trusted, err := e.reg.MachineTrust(ctx, id)
	if err != nil || trusted || m.State != chain.MachineStateRegistered || m.TEE != verdict.TEETDX || m.Provider != e.provider.From() || m.Status != 0 {
		t.Fatalf("before a verdict: %+v trusted %v, %v", m, trusted, err)
	}
	if m, trusted, err := e.reg.MachineTrust(ctx, common.HexToHash("0x99")); err != nil || trusted || m != (chain.MachineRecord{}) {
		t.Errorf("unknown machine: %+v trusted %v, %v; want the zero record", m, trusted, err)
	}

	teeKey, _ := crypto.GenerateKey()
	if machine, trusted, err := e.reg.KeyTrust(ctx, addrOf(teeKey)); err != nil || trusted || machine != (common.Hash{}) {
		t.Fatalf("unbound key: machine %s trusted %v, %v", machine, trusted, err)
	}
	policy := crypto.Keccak256Hash([]byte("admin policy"))
	e.mustSend(e.owner, e.reg.RegisterPolicyTx(policy, 3600, ""))
	e.mustSend(e.provider, e.reg.AuthorizeKeyTx(id, addrOf(teeKey)))
	v := e.trustedVerdict(id, addrOf(teeKey), policy, 3600)
	v.TEE = verdict.TEETDX
	c, err := e.reg.SubmitVerdictTx(chain.SignedVerdict{Verdict: v, Signatures: e.sign(&v, e.oracles[0])})
	if err != nil {
		t.Fatal(err)
	}
	before, _, _ := e.head()
	e.mustSend(e.owner, c)
	// A registry pinned to a block reads there: before the verdict, nothing bound.
	if m, trusted, err := e.reg.AtBlock(before).MachineTrust(ctx, id); err != nil || trusted || m.TEEKey != (common.Address{}) {
		t.Fatalf("at block %d, before the verdict: %+v trusted %v, %v", before, m, trusted, err)
	}
	if machine, trusted, err := e.reg.AtBlock(before).KeyTrust(ctx, addrOf(teeKey)); err != nil || trusted || machine != (common.Hash{}) {
		t.Fatalf("at block %d, before the verdict: key's machine %s trusted %v, %v", before, machine, trusted, err)
	}
	if machine, trusted, err := e.reg.KeyTrust(ctx, addrOf(teeKey)); err != nil || !trusted || machine != id {
		t.Fatalf("bound key: machine %s trusted %v, %v; want %s trusted", machine, trusted, err, id)
	}
	// Trust asks by machine id, or by key when one is given.
	for _, q := range []struct {
		id  common.Hash
		key common.Address
	}{{id, common.Address{}}, {common.Hash{}, addrOf(teeKey)}} {
		if machine, trusted, err := e.reg.Trust(ctx, q.id, q.key); err != nil || !trusted || machine != id {
			t.Fatalf("Trust(%s, %s): machine %s trusted %v, %v; want %s trusted", q.id, q.key, machine, trusted, err, id)
		}
	}
	if m, trusted, err := e.reg.MachineTrust(ctx, id); err != nil || !trusted || m.TEEKey != addrOf(teeKey) || m.PolicyHash != policy {
		t.Fatalf("after the verdict: %+v trusted %v, %v", m, trusted, err)
	}
	// Retiring the policy untrusts the machine; the record still names the key.
	e.mustSend(e.owner, e.reg.RetirePolicyTx(policy))
	if m, trusted, err := e.reg.MachineTrust(ctx, id); err != nil || trusted || m.TEEKey != addrOf(teeKey) {
		t.Fatalf("after retirement: %+v trusted %v, %v", m, trusted, err)
	}
	if machine, trusted, err := e.reg.KeyTrust(ctx, addrOf(teeKey)); err != nil || trusted || machine != id {
		t.Fatalf("after retirement: key's machine %s trusted %v, %v; want %s untrusted", machine, trusted, err, id)
	}
}

func TestStateNames(t *testing.T) {
	for s, want := range map[uint8]string{chain.MachineStateNone: "unknown", chain.MachineStateRegistered: "registered",
		chain.MachineStateDeregistered: "deregistered", 7: "7"} {
		if got := chain.MachineStateName(s); got != want {
			t.Errorf("MachineStateName(%d) = %q, want %q", s, got, want)
		}
	}
	for s, want := range map[uint8]string{chain.PolicyStateUnknown: "unknown", chain.PolicyStateActive: "active",
		chain.PolicyStateRetired: "retired", 3: "3"} {
		if got := chain.PolicyStateName(s); got != want {
			t.Errorf("PolicyStateName(%d) = %q, want %q", s, got, want)
		}
	}
}
