package chain_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/teeoracle/teeoracle/oracle/chain"
)

// An RPC URL's path, query and user info (where providers put API keys) never
// reach an error or a log line.
func TestRedactAndScrubURL(t *testing.T) {
	for in, want := range map[string]string{
		"https://eth.example/v2/SECRET":   "https://eth.example/...",
		"http://127.0.0.1:8545":           "http://127.0.0.1:8545",
		"http://127.0.0.1:8545/":          "http://127.0.0.1:8545",
		"https://u:p@eth.example":         "https://eth.example/...",
		"https://eth.example/?key=SECRET": "https://eth.example/...",
		"not a url":                       "(unparsable URL)",
	} {
		if got := chain.RedactURL(in); got != want {
			t.Errorf("RedactURL(%q) = %q, want %q", in, got, want)
		}
	}
	raw := "https://user:PASSWORD@eth.example/v2/SECRET"
	inner := fmt.Errorf(`Post "https://user:***@eth.example/v2/SECRET": refused`)
	err := chain.ScrubURL(inner, raw)
	if strings.Contains(err.Error(), "SECRET") || strings.Contains(err.Error(), "PASSWORD") || !errors.Is(err, inner) {
		t.Errorf("ScrubURL: %v", err)
	}
	if chain.ScrubURL(nil, raw) != nil {
		t.Error("ScrubURL(nil) is not nil")
	}
}

// An endpoint that never answers is given up on after the wait with ErrNoChain
// wrapping the last error; a cancelled context ends the wait with its error.
func TestWaitForChainIDGivesUp(t *testing.T) {
	refused := errors.New("connection refused")
	_, err := chain.WaitForChainID(context.Background(), func(context.Context) (*big.Int, error) { return nil, refused },
		10*time.Millisecond, slog.New(slog.DiscardHandler))
	if !errors.Is(err, chain.ErrNoChain) || !errors.Is(err, refused) {
		t.Fatalf("err = %v, want ErrNoChain wrapping the last error", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := chain.WaitForChainID(ctx, func(context.Context) (*big.Int, error) { return nil, refused }, time.Minute, slog.New(slog.DiscardHandler)); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v", err)
	}
}

// An endpoint that never answers is asked with growing pauses and given up on with
// an error after the wait; one that answers late is waited for.
func TestWaitForChainIDBacksOff(t *testing.T) {
	log := slog.New(slog.DiscardHandler)
	calls := 0
	refused := errors.New("connection refused")
	_, err := chain.WaitForChainID(context.Background(), func(context.Context) (*big.Int, error) {
		calls++
		return nil, refused
	}, 700*time.Millisecond, log)
	if !errors.Is(err, chain.ErrNoChain) || !errors.Is(err, refused) {
		t.Fatalf("err = %v, want ErrNoChain wrapping the last error", err)
	}
	if calls != 2 { // at 0 and after 500 ms; the next pause (1 s) would pass the deadline
		t.Errorf("%d attempts within 700 ms, want 2 (back-off from 500 ms)", calls)
	}
	calls = 0
	id, err := chain.WaitForChainID(context.Background(), func(context.Context) (*big.Int, error) {
		if calls++; calls < 2 {
			return nil, refused
		}
		return big.NewInt(31337), nil
	}, time.Minute, log)
	if err != nil || id.Int64() != 31337 {
		t.Errorf("late answer: %v, %v", id, err)
	}
}

func TestRedactURLForms(t *testing.T) {
	for in, want := range map[string]string{
		"https://eth-mainnet.example/v2/KEY": "https://eth-mainnet.example/...",
		"http://127.0.0.1:8545":              "http://127.0.0.1:8545",
		"wss://user:pw@host:8546":            "wss://host:8546/...",
		"https://rpc.example/?apikey=KEY":    "https://rpc.example/...",
	} {
		if got := chain.RedactURL(in); got != want {
			t.Errorf("chain.RedactURL(%q) = %q, want %q", in, got, want)
		}
	}
}
