package testchain

import (
	"context"
	"errors"
	"syscall"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
)

// TestAnvilStartsWithDevAccountsAndStops: anvil's funded accounts are DevKey's,
// and Stop leaves no process behind (the native binary or the npm launcher and
// its child, killed as a process group).
func TestAnvilStartsWithDevAccountsAndStops(t *testing.T) {
	a := StartAnvil(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var accounts []common.Address
	if err := a.Client.Client().CallContext(ctx, &accounts, "eth_accounts"); err != nil {
		t.Fatal(err)
	}
	if len(accounts) < DevKeyCount {
		t.Fatalf("anvil has %d accounts, want at least %d", len(accounts), DevKeyCount)
	}
	for i := range DevKeyCount {
		if _, addr := DevKey(i); accounts[i] != addr {
			t.Fatalf("dev key %d is %s, anvil's account %d is %s", i, addr, i, accounts[i])
		}
	}
	pid := a.Pid()
	if err := a.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := a.Stop(); err != nil {
		t.Fatalf("second Stop: %v", err)
	}
	if err := syscall.Kill(-pid, 0); !errors.Is(err, syscall.ESRCH) {
		t.Fatalf("process group %d still exists after Stop (kill -0: %v)", pid, err)
	}
}

func TestSimulatedFundsDevAccounts(t *testing.T) {
	sim := NewSimulated(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for i := range DevKeyCount {
		_, addr := DevKey(i)
		bal, err := sim.Client().BalanceAt(ctx, addr, nil)
		if err != nil || bal.Cmp(devBalance()) != 0 {
			t.Fatalf("dev account %d balance %v, %v; want %v", i, bal, err, devBalance())
		}
	}
}
