package web_test

import (
	"context"
	"fmt"
	"math/big"
	"os"
	"strconv"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/ethereum/go-ethereum/rpc"

	"github.com/teeoracle/teeoracle/internal/testchain"
	"github.com/teeoracle/teeoracle/oracle/chain"
	"github.com/teeoracle/teeoracle/oracle/verdict"
)

// fleetSize is how many machines the explorer test registers besides the ones it
// attests, so that the page lists them a page at a time: 300, or
// TEEORACLE_EXPLORER_MACHINES (e.g. 10000, to measure the first paint at the scale
// the registry is designed for; registering them takes a minute or two).
func fleetSize(t *testing.T) int {
	t.Helper()
	v := os.Getenv("TEEORACLE_EXPLORER_MACHINES")
	if v == "" {
		return 300
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		t.Fatalf("TEEORACLE_EXPLORER_MACHINES=%q: want a count", v)
	}
	return n
}

// fleet is what the browser test needs to know of the bulk-registered machines.
type fleet struct {
	Count    int    `json:"count"`
	Provider string `json:"provider"`
	// Sample is one fleet machine's id, to search for.
	Sample string `json:"sample"`
}

// registerFleet registers n machines (alternately SEV-SNP and TDX) from dev key 5,
// signing the transactions here with consecutive nonces and sending them in JSON-RPC
// batches with anvil's automine off, then mining blocks until all are in: a few
// hundred registrations a block rather than a block and a receipt round trip each.
func registerFleet(ctx context.Context, t *testing.T, client *ethclient.Client, reg *chain.Registry, n int) fleet {
	t.Helper()
	key, from := testchain.DevKey(5)
	chainID, err := client.ChainID(ctx)
	if err != nil {
		t.Fatal(err)
	}
	nonce, err := client.PendingNonceAt(ctx, from)
	if err != nil {
		t.Fatal(err)
	}
	tip, err := client.SuggestGasTipCap(ctx)
	if err != nil {
		t.Fatal(err)
	}
	head, err := client.HeaderByNumber(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Full blocks raise the base fee by an eighth each: leave room for many.
	feeCap := new(big.Int).Add(new(big.Int).Mul(head.BaseFee, big.NewInt(1000)), big.NewInt(100e9))
	signer := types.LatestSignerForChainID(chainID)
	f := fleet{Count: n, Provider: from.Hex()}
	rpcc := client.Client()
	if err := rpcc.CallContext(ctx, nil, "evm_setAutomine", false); err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := rpcc.CallContext(context.Background(), nil, "evm_setAutomine", true); err != nil {
			t.Errorf("turn anvil's automine back on: %v", err)
		}
	}()
	const batch = 250
	for lo := 0; lo < n; lo += batch {
		var calls []rpc.BatchElem
		for i := lo; i < min(n, lo+batch); i++ {
			salt := common.BigToHash(big.NewInt(int64(1_000_000 + i)))
			tee := verdict.TEESEVSNP
			if i%2 == 1 {
				tee = verdict.TEETDX
			}
			c := reg.RegisterMachineTx(salt, tee, fmt.Sprintf("https://fleet.example/vm/%d", i))
			tx, err := types.SignNewTx(key, signer, &types.DynamicFeeTx{ChainID: chainID, Nonce: nonce, GasTipCap: tip, GasFeeCap: feeCap,
				Gas: 200_000, To: c.To, Data: c.Data})
			if err != nil {
				t.Fatal(err)
			}
			nonce++
			raw, err := tx.MarshalBinary()
			if err != nil {
				t.Fatal(err)
			}
			calls = append(calls, rpc.BatchElem{Method: "eth_sendRawTransaction", Args: []any{hexutil.Encode(raw)}, Result: new(common.Hash)})
			if i == 0 {
				f.Sample = chain.MachineID(from, salt).Hex()
			}
		}
		if err := client.Client().BatchCallContext(ctx, calls); err != nil {
			t.Fatal(err)
		}
		for _, c := range calls {
			if c.Error != nil {
				t.Fatalf("register fleet machine: %v", c.Error)
			}
		}
	}
	// Every registration was mined (the provider's nonce counts them all) and the
	// first one is registered.
	// Mine until the provider's nonce counts every registration; a block that adds
	// none means a registration was dropped.
	if n > 0 {
		last := ^uint64(0)
		for {
			got, err := client.NonceAt(ctx, from, nil)
			if err != nil {
				t.Fatal(err)
			}
			if got == nonce {
				break
			}
			if got == last {
				t.Fatalf("fleet provider nonce stays at %d of %d: a registration was not mined", got, nonce)
			}
			last = got
			if err := rpcc.CallContext(ctx, nil, "evm_mine"); err != nil {
				t.Fatalf("mine the fleet's registrations (nonce %d of %d): %v", got, nonce, err)
			}
		}
		rec, err := reg.Machine(ctx, common.HexToHash(f.Sample))
		if err != nil || rec.State != chain.MachineStateRegistered || rec.Provider != from {
			t.Fatalf("fleet machine %s: %+v (%v), want registered by %s", f.Sample, rec, err, from)
		}
	}
	return f
}
