package verdict_test

import (
	"context"
	"crypto/ecdsa"
	"fmt"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient/simulated"

	"github.com/teeoracle/teeoracle/bindings"
	"github.com/teeoracle/teeoracle/oracle/verdict"
)

// deployed is the TeeRegistry on go-ethereum's simulated chain.
type deployed struct {
	reg      *bindings.TeeRegistry
	contract *bind.BoundContract
	domain   verdict.Domain
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
		domain: verdict.Domain{ChainID: chainID.Uint64(), Registry: addr}}
}

func oracleKey(t *testing.T, i int) *ecdsa.PrivateKey {
	k, err := crypto.ToECDSA(crypto.Keccak256([]byte(fmt.Sprintf("oracle %d", i))))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func oracleAddr(t *testing.T, i int) common.Address { return crypto.PubkeyToAddress(oracleKey(t, i).PublicKey) }

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
