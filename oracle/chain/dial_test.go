package chain_test

import (
	"context"
	"encoding/json"
	"errors"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/teeoracle/teeoracle/internal/testchain"
	"github.com/teeoracle/teeoracle/oracle/chain"
)

// rpcStub answers eth_chainId with chain 31337 and eth_getCode with code at one
// address only, over real JSON-RPC on HTTP.
func rpcStub(t *testing.T, withCode common.Address) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			ID     json.RawMessage `json:"id"`
			Method string          `json:"method"`
			Params []any           `json:"params"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		var result any = "0x7a69"
		if req.Method == "eth_getCode" {
			result = "0x"
			if a, _ := req.Params[0].(string); common.HexToAddress(a) == withCode {
				result = "0x6000"
			}
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"jsonrpc": "2.0", "id": req.ID, "result": result})
	}))
	t.Cleanup(srv.Close)
	return srv
}

// Dial checks the chain id, opens the registry only where there is code, and
// never shows the URL's path (where providers put API keys) in an error.
func TestDial(t *testing.T) {
	ctx := context.Background()
	reg := common.HexToAddress("0x00000000000000000000000000000000000000aa")
	srv := rpcStub(t, reg)
	for _, tc := range []struct {
		name    string
		url     string
		reg     common.Address
		chainID uint64
		wantErr error
	}{
		{"chain only", srv.URL, common.Address{}, 0, nil},
		{"registry", srv.URL + "/v2/SECRETKEY", reg, 31337, nil},
		{"wrong chain", srv.URL + "/v2/SECRETKEY", reg, 1, chain.ErrChainMismatch},
		{"no contract", srv.URL, common.HexToAddress("0x01"), 0, chain.ErrNoContract},
	} {
		t.Run(tc.name, func(t *testing.T) {
			conn, err := chain.Dial(ctx, tc.url, tc.reg, tc.chainID)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) || strings.Contains(err.Error(), "SECRETKEY") {
					t.Fatalf("err = %v, want %v without the URL's key", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			if conn.ChainID != 31337 || (conn.Registry != nil) != (tc.reg != common.Address{}) {
				t.Errorf("chain %d, registry %v", conn.ChainID, conn.Registry)
			}
		})
	}
	srv.Close()
	if _, err := chain.Dial(ctx, srv.URL+"/v2/SECRETKEY", common.Address{}, 0); err == nil || strings.Contains(err.Error(), "SECRETKEY") {
		t.Errorf("closed endpoint: %v, want an error without the URL's key", err)
	}
}

// A Conn's sender signs as the key's address for the chain the Conn serves: its
// transaction is accepted by a real chain (anvil, chain 31337, refuses another
// chain id) and recovers to the key's address under that chain's signer.
func TestConnSender(t *testing.T) {
	a := testchain.StartAnvil(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := chain.Dial(ctx, a.URL, common.Address{}, 31337)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	key, from := testchain.DevKey(0)
	s, err := conn.Sender(key)
	if err != nil {
		t.Fatal(err)
	}
	if s.From() != from {
		t.Errorf("sender %s, want the key's address %s", s.From(), from)
	}
	s.PollInterval = 20 * time.Millisecond
	to := common.HexToAddress("0x00000000000000000000000000000000000000bb")
	rcpt, err := s.Send(ctx, chain.TxCandidate{To: &to, Value: big.NewInt(1)})
	if err != nil {
		t.Fatalf("send on chain %d: %v", conn.ChainID, err)
	}
	tx, _, err := conn.Client.TransactionByHash(ctx, rcpt.TxHash)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := types.Sender(types.LatestSignerForChainID(big.NewInt(31337)), tx)
	if tx.ChainId().Uint64() != 31337 || err != nil || signer != from {
		t.Errorf("transaction for chain %s recovers to %s (%v), want chain 31337 and %s", tx.ChainId(), signer, err, from)
	}
}
