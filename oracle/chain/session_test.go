package chain_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/teeoracle/teeoracle/internal/testchain"
	"github.com/teeoracle/teeoracle/oracle/chain"
)

// A session runs its work with the registry opened, under a context bounded by its
// timeout, with a sender only when it has a key, and never lets the URL's key out
// in an error, its own or its work's.
func TestSessionRun(t *testing.T) {
	reg := common.HexToAddress("0x00000000000000000000000000000000000000aa")
	url := rpcStub(t, reg).URL + "/v2/SECRETKEY"
	key, from := testchain.DevKey(0)
	s := chain.Session{RPCURL: url, Registry: reg, ChainID: 31337, Timeout: time.Minute}
	for _, withKey := range []bool{false, true} {
		s.Key = nil
		if withKey {
			s.Key = key
		}
		err := s.Run(context.Background(), func(ctx context.Context, cc *chain.Conn, sender *chain.DirectSender) error {
			if _, ok := ctx.Deadline(); !ok || cc.Registry == nil || cc.ChainID != 31337 {
				t.Errorf("deadline %v, registry %v, chain %d", ok, cc.Registry, cc.ChainID)
			}
			if (sender != nil) != withKey || (withKey && sender.From() != from) {
				t.Errorf("key %v: sender %v", withKey, sender)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	errWork := errors.New("refused")
	err := s.Run(context.Background(), func(context.Context, *chain.Conn, *chain.DirectSender) error {
		return fmt.Errorf("post %s: %w", url, errWork)
	})
	if !errors.Is(err, errWork) || strings.Contains(err.Error(), "SECRETKEY") {
		t.Errorf("work's error %v: want it, without the URL's key", err)
	}
	s.ChainID = 1
	if err := s.Run(context.Background(), nil); !errors.Is(err, chain.ErrChainMismatch) || strings.Contains(err.Error(), "SECRETKEY") {
		t.Errorf("wrong chain: %v", err)
	}
}
