package chain_test

import (
	"context"
	"errors"
	"log/slog"
	"math/big"
	"path/filepath"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/teeoracle/teeoracle/internal/testchain"
	"github.com/teeoracle/teeoracle/oracle/chain"
	"github.com/teeoracle/teeoracle/oracle/store"
	"github.com/teeoracle/teeoracle/oracle/verdict"
)

// TestRegistryThroughTxManager: the registry's calldata candidates are published by
// the node's transaction manager (journaled in the node's store) on anvil, and a
// refused verdict comes back as the decoded custom error, whether the node refuses
// it at estimation or it is mined reverted.
func TestRegistryThroughTxManager(t *testing.T) {
	a := testchain.StartAnvil(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	key, from := testchain.DevKey(0)
	j, err := store.Open(filepath.Join(t.TempDir(), "node.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = j.Close() })
	m, err := chain.NewTxManager(chain.TxManagerConfig{
		From: from, Signer: chain.KeySigner(key, big.NewInt(31337)), MaxFeeCap: big.NewInt(500e9),
		ReceiptQueryInterval: 20 * time.Millisecond, Logger: slog.New(slog.DiscardHandler),
	}, a.Client, j)
	if err != nil {
		t.Fatal(err)
	}
	oracle, _ := crypto.ToECDSA(crypto.Keccak256([]byte("txmgr oracle")))
	reg, _, err := chain.DeployRegistry(ctx, a.Client, m, from, []common.Address{addrOf(oracle)}, 1, 256)
	if err != nil {
		t.Fatal(err)
	}
	policy := crypto.Keccak256Hash([]byte("p"))
	salt := common.HexToHash("0x07")
	for _, c := range []chain.TxCandidate{reg.RegisterPolicyTx(policy, 3600, ""), reg.RegisterMachineTx(salt, verdict.TEETDX, "")} {
		if _, err := reg.Transact(ctx, m, c); err != nil {
			t.Fatal(err)
		}
	}
	id := chain.MachineID(from, salt)
	head, err := a.Client.HeaderByNumber(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	parent, err := a.Client.HeaderByHash(ctx, head.ParentHash)
	if err != nil {
		t.Fatal(err)
	}
	teeKey, _ := crypto.GenerateKey()
	if _, err := reg.Transact(ctx, m, reg.AuthorizeKeyTx(id, addrOf(teeKey))); err != nil {
		t.Fatal(err)
	}
	v := verdict.Verdict{MachineID: id, TEE: verdict.TEETDX, Status: verdict.StatusTrusted, TEEKey: addrOf(teeKey),
		PolicyHash: policy, AnchorBlockNumber: parent.Number.Uint64(), AnchorBlockHash: parent.Hash(),
		IssuedAt: head.Time, ExpiresAt: head.Time + 3600}
	sig, err := verdict.SignVerdict(&v, reg.Domain(), oracle)
	if err != nil {
		t.Fatal(err)
	}
	c, err := reg.SubmitVerdictTx(chain.SignedVerdict{Verdict: v, Signatures: [][]byte{sig}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := reg.Transact(ctx, m, c); err != nil {
		t.Fatal(err)
	}
	if ok, err := reg.IsTrusted(ctx, id); err != nil || !ok {
		t.Fatalf("isTrusted after a verdict through the TxManager = %v, %v", ok, err)
	}

	// The same verdict again is stale: refused at estimation...
	_, err = reg.Transact(ctx, m, c)
	wantRevert(t, err, "StaleVerdict", v.IssuedAt, v.IssuedAt)
	// ... decoded by name by the transaction manager itself (the node's publisher
	// sends through it, not through Registry.Transact)...
	_, err = m.Send(ctx, c)
	wantRevert(t, err, "StaleVerdict", v.IssuedAt, v.IssuedAt)
	// The journal refuses to carry a verdict a confirmed transaction carried.
	c.GasLimit = 200_000
	if _, err := reg.Transact(ctx, m, c); !errors.Is(err, store.ErrAlreadyPublished) {
		t.Fatalf("resending a published verdict: %v, want store.ErrAlreadyPublished", err)
	}
	// Without refs, with a fixed gas limit, it is mined reverted and decoded by replay.
	c.Refs = nil
	rcpt, err := reg.Transact(ctx, m, c)
	if !errors.Is(err, chain.ErrReverted) || rcpt == nil {
		t.Fatalf("mined stale verdict: %v, want ErrReverted with a receipt", err)
	}
	wantRevert(t, err, "StaleVerdict", v.IssuedAt, v.IssuedAt)
}
