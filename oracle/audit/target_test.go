package audit_test

import (
	"context"
	"errors"
	"math/big"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"

	"github.com/teeoracle/teeoracle/internal/testchain"
	"github.com/teeoracle/teeoracle/oracle/audit"
	"github.com/teeoracle/teeoracle/oracle/chain"
	"github.com/teeoracle/teeoracle/oracle/store"
)

// LatestVerdict asks the registry when given one (a real registry on the simulated
// chain that accepted no verdict says so, naming itself), else the node database
// (which holds none here), and with neither is ErrNoLookup. The positive paths run
// in cmd/teeoracle's TestAuditReproducesDevnetVerdicts (--machine-id on-chain and
// with --db).
func TestLatestVerdictLookups(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	id := common.HexToHash("0x11")
	if _, err := audit.LatestVerdict(ctx, id, nil, nil); !errors.Is(err, audit.ErrNoLookup) {
		t.Fatalf("neither: %v, want ErrNoLookup", err)
	}

	st, err := store.Open(filepath.Join(t.TempDir(), "node.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := audit.LatestVerdict(ctx, id, nil, st); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("empty database: %v, want store.ErrNotFound", err)
	}

	sim := testchain.NewSimulated(t)
	key, from := testchain.DevKey(0)
	s, err := chain.NewDirectSender(sim.Client(), bind.NewKeyedTransactor(key, big.NewInt(1337)), func() { sim.Commit() })
	if err != nil {
		t.Fatal(err)
	}
	reg, _, err := chain.DeployRegistry(ctx, sim.Client(), s, from, []common.Address{from}, 1, 256)
	if err != nil {
		t.Fatal(err)
	}
	_, err = audit.LatestVerdict(ctx, id, reg, st)
	if err == nil || !strings.Contains(err.Error(), reg.Address().Hex()) || !strings.Contains(err.Error(), "accepted no verdict") {
		t.Errorf("registry without verdicts (asked before the database): %v", err)
	}
}

// OpenSource reads a node's API when given one, else opens the database file (and
// refuses what is no database file).
func TestOpenSource(t *testing.T) {
	src, st, err := audit.OpenSource("http://127.0.0.1:1", filepath.Join(t.TempDir(), "unused.db"), store.Options{})
	if _, ok := src.(*audit.NodeSource); err != nil || !ok || st != nil {
		t.Fatalf("with a node: %T, %v, %v; want a NodeSource and no store", src, st, err)
	}
	db := filepath.Join(t.TempDir(), "node.db")
	src, st, err = audit.OpenSource("", db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if s, ok := src.(audit.StoreSource); !ok || s.St != st {
		t.Fatalf("with a database: %T, want the StoreSource of the store returned", src)
	}
	if _, _, err := audit.OpenSource("", t.TempDir(), store.Options{}); err == nil {
		t.Error("a directory was opened as a database")
	}
}
