package verdict_test

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient/simulated"
	"github.com/ethereum/go-ethereum/rpc"

	"github.com/teeoracle/teeoracle/bindings"
	"github.com/teeoracle/teeoracle/oracle/chain"
	"github.com/teeoracle/teeoracle/oracle/verdict"
)

// deployed is the TeeRegistry on go-ethereum's simulated chain.
type deployed struct {
	reg      *bindings.TeeRegistry
	contract *bind.BoundContract
	domain   verdict.Domain
	sim      *simulated.Backend
	owner    *bind.TransactOpts
}

func deploy(t *testing.T) *deployed {
	t.Helper()
	key, err := crypto.ToECDSA(crypto.Keccak256([]byte("teeoracle verdict test deployer")))
	if err != nil {
		t.Fatal(err)
	}
	from := crypto.PubkeyToAddress(key.PublicKey)
	sim := simulated.NewBackend(types.GenesisAlloc{from: {Balance: new(big.Int).Mul(big.NewInt(1e18), big.NewInt(100))}})
	t.Cleanup(func() { _ = sim.Close() })
	client := sim.Client()
	chainID, err := client.ChainID(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	opts := bind.NewKeyedTransactor(key, chainID)
	reg := bindings.NewTeeRegistry()
	oracles := []common.Address{oracleAddr(t, 0), oracleAddr(t, 1), oracleAddr(t, 2)}
	addr, tx, err := bind.DeployContract(opts, common.FromHex(bindings.TeeRegistryMetaData.Bin), client,
		reg.PackConstructor(from, oracles, 2, 256))
	if err != nil {
		t.Fatalf("deploy TeeRegistry: %v", err)
	}
	sim.Commit()
	if r, err := bind.WaitMined(context.Background(), client, tx.Hash()); err != nil || r.Status != types.ReceiptStatusSuccessful {
		t.Fatalf("deploy TeeRegistry: receipt %v, %v", r, err)
	}
	return &deployed{reg: reg, contract: reg.Instance(client, addr),
		domain: verdict.Domain{ChainID: chainID.Uint64(), Registry: addr}, sim: sim, owner: opts}
}

func oracleKey(t *testing.T, i int) *ecdsa.PrivateKey {
	k, err := crypto.ToECDSA(crypto.Keccak256([]byte(fmt.Sprintf("oracle %d", i))))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func oracleAddr(t *testing.T, i int) common.Address {
	return crypto.PubkeyToAddress(oracleKey(t, i).PublicKey)
}

func toBinding(v verdict.Verdict) bindings.ITeeRegistryVerdict {
	return bindings.ITeeRegistryVerdict{
		MachineId: v.MachineID, Tee: v.TEE, Status: uint8(v.Status), TeeKey: v.TEEKey, WorkloadId: v.WorkloadID,
		TcbStatus: v.TCBStatus, Tcb: v.TCB, PolicyHash: v.PolicyHash, EvidenceHash: v.EvidenceHash,
		AnchorBlockNumber: v.AnchorBlockNumber, AnchorBlockHash: v.AnchorBlockHash,
		IssuedAt: v.IssuedAt, ExpiresAt: v.ExpiresAt, Reasons: v.Reasons,
	}
}

func randomVerdict(r *rand.Rand) verdict.Verdict {
	h := func() (x common.Hash) {
		for i := range x {
			x[i] = byte(r.Uint32())
		}
		return
	}
	var key common.Address
	for i := range key {
		key[i] = byte(r.Uint32())
	}
	return verdict.Verdict{
		MachineID: h(), TEE: uint8(1 + r.IntN(2)), Status: verdict.Status(1 + r.IntN(2)), TEEKey: key,
		WorkloadID: h(), TCBStatus: uint8(r.IntN(8)), TCB: r.Uint64(), PolicyHash: h(), EvidenceHash: h(),
		AnchorBlockNumber: r.Uint64(), AnchorBlockHash: h(), IssuedAt: r.Uint64(), ExpiresAt: r.Uint64(), Reasons: r.Uint64(),
	}
}

// TestDigestMatchesContract checks our EIP-712 digest against the deployed
// contract's hashVerdict, and our domain separator against its domainSeparator.
func TestDigestMatchesContract(t *testing.T) {
	d := deploy(t)
	sep, err := bind.Call(d.contract, nil, d.reg.PackDomainSeparator(), d.reg.UnpackDomainSeparator)
	if err != nil {
		t.Fatalf("domainSeparator: %v", err)
	}
	if got := d.domain.Separator(); got != common.Hash(sep) {
		t.Fatalf("domain separator %s, contract %x", got, sep)
	}
	r := rand.New(rand.NewPCG(7, 8))
	vs := []verdict.Verdict{{}, {TEE: 255, Status: 255, TCBStatus: 255, TCB: ^uint64(0), AnchorBlockNumber: ^uint64(0),
		IssuedAt: ^uint64(0), ExpiresAt: ^uint64(0), Reasons: ^uint64(0)}}
	for range 30 {
		vs = append(vs, randomVerdict(r))
	}
	for i, v := range vs {
		want, err := bind.Call(d.contract, nil, d.reg.PackHashVerdict(toBinding(v)), d.reg.UnpackHashVerdict)
		if err != nil {
			t.Fatalf("verdict %d: hashVerdict: %v", i, err)
		}
		if got := v.Digest(d.domain); got != common.Hash(want) {
			t.Errorf("verdict %d: digest %s, contract %x", i, got, want)
		}
	}
}

// TestBatchDigestMatchesContract checks verdict.BatchDigest against the deployed
// contract's hashBatch over the same verdicts packed as submitBatch takes them,
// for batches of 1 to 20 (the extremes of every field included).
func TestBatchDigestMatchesContract(t *testing.T) {
	d := deploy(t)
	r := rand.New(rand.NewPCG(9, 10))
	pool := []verdict.Verdict{{}, {TEE: 255, Status: 255, TCBStatus: 255, TCB: ^uint64(0), AnchorBlockNumber: ^uint64(0),
		IssuedAt: ^uint64(0), ExpiresAt: ^uint64(0), Reasons: ^uint64(0)}}
	for range 20 {
		pool = append(pool, randomVerdict(r))
	}
	for n := 1; n <= 20; n++ {
		batch := make([]*verdict.Verdict, n)
		for i := range batch {
			batch[i] = &pool[(n+i)%len(pool)]
		}
		want, err := bind.Call(d.contract, nil, d.reg.PackHashBatch(chain.PackBatch(batch)), d.reg.UnpackHashBatch)
		if err != nil {
			t.Fatalf("batch of %d: hashBatch: %v", n, err)
		}
		if got := verdict.BatchDigest(d.domain, batch); got != common.Hash(want) {
			t.Errorf("batch of %d: digest %s, contract %x", n, got, want)
		}
	}
}

// send mines calldata from the owner and fails the test unless it succeeds.
func (d *deployed) send(t *testing.T, what string, calldata []byte) {
	t.Helper()
	tx, err := d.contract.RawTransact(d.owner, calldata)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	d.sim.Commit()
	r, err := bind.WaitMined(context.Background(), d.sim.Client(), tx.Hash())
	if err != nil || r.Status != types.ReceiptStatusSuccessful {
		t.Fatalf("%s: receipt %+v, %v", what, r, err)
	}
}

// TestAssembledSignaturesAccepted signs a verdict with three oracles, assembles the
// signatures (shuffled, with a duplicate and an outsider) and submits them: the
// registry accepts exactly what Assemble returns, and refuses what Verify refuses.
func TestAssembledSignaturesAccepted(t *testing.T) {
	d := deploy(t)
	ctx := context.Background()
	policyHash := common.Hash{0x9a}
	d.send(t, "registerPolicy", d.reg.PackRegisterPolicy(policyHash, 86400, "test"))
	salt := common.Hash{0x5a}
	d.send(t, "registerMachine", d.reg.PackRegisterMachine(salt, verdict.TEESEVSNP, "test"))
	machineID, err := bind.Call(d.contract, nil, d.reg.PackMachineIdOf(d.owner.From, salt), d.reg.UnpackMachineIdOf)
	if err != nil {
		t.Fatal(err)
	}
	d.send(t, "authorizeKey", d.reg.PackAuthorizeKey(machineID, common.Address{0x7e}))
	head, err := d.sim.Client().HeaderByNumber(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	// The anchor must be a past block when the verdict executes (and when its gas is
	// estimated against the latest state).
	d.sim.Commit()
	v := verdict.Verdict{
		MachineID: machineID, TEE: verdict.TEESEVSNP, Status: verdict.StatusTrusted, TEEKey: common.Address{0x7e},
		WorkloadID: common.Hash{1}, TCBStatus: 1, TCB: 42, PolicyHash: policyHash, EvidenceHash: common.Hash{2},
		AnchorBlockNumber: head.Number.Uint64(), AnchorBlockHash: head.Hash(),
		IssuedAt: head.Time, ExpiresAt: head.Time + 3600,
	}
	digest := v.Digest(d.domain)
	var sigs [][]byte
	for _, i := range []int{2, 0, 3, 1, 2} { // oracle 3 is not an oracle; 2 signs twice
		s, err := verdict.Sign(digest, oracleKey(t, i))
		if err != nil {
			t.Fatal(err)
		}
		sigs = append(sigs, s)
	}
	q := verdict.Quorum{Signers: []common.Address{oracleAddr(t, 0), oracleAddr(t, 1), oracleAddr(t, 2)}, Threshold: 2}
	assembled, err := verdict.Assemble(digest, sigs, q)
	if err != nil {
		t.Fatal(err)
	}
	ordered := verdict.Sigs(assembled)
	// Reversed order is refused by Verify and by the registry alike.
	reversed := [][]byte{ordered[2], ordered[1], ordered[0]}
	if err := verdict.Verify(digest, reversed, q); err == nil {
		t.Fatal("Verify accepted descending signers")
	}
	_, err = d.contract.RawTransact(d.owner, d.reg.PackSubmitVerdict(toBinding(v), reversed))
	var de rpc.DataError
	if !errors.As(err, &de) {
		t.Fatalf("descending signers: err = %v, want a revert with data", err)
	}
	data, _ := de.ErrorData().(string)
	if reason, _ := d.reg.UnpackError(common.FromHex(data)); reason == nil {
		t.Fatalf("descending signers: undecodable revert %q", data)
	} else if _, ok := reason.(*bindings.TeeRegistrySignersNotAscending); !ok {
		t.Fatalf("descending signers: revert %T, want SignersNotAscending", reason)
	}
	d.send(t, "submitVerdict", d.reg.PackSubmitVerdict(toBinding(v), ordered))
	trusted, err := bind.Call(d.contract, nil, d.reg.PackIsTrusted(machineID), d.reg.UnpackIsTrusted)
	if err != nil || !trusted {
		t.Fatalf("isTrusted = %v, %v after an accepted verdict", trusted, err)
	}
}
