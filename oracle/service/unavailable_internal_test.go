package service

import (
	"errors"
	"fmt"
	"testing"

	"github.com/teeoracle/teeoracle/oracle/api"
)

// TestUnavailableOnlyOwnConditionsPublic: a 503's cause reaches the client only for
// the node's own conditions; a failed chain read, which names the RPC endpoint, is
// never a PublicError, and each is still an ErrUnavailable.
func TestUnavailableOnlyOwnConditionsPublic(t *testing.T) {
	for _, tc := range []struct {
		err    error
		public bool
	}{
		{fmt.Errorf("%w: scanned to block 80000 of 1000004", errTrackBehind), true},
		{fmt.Errorf("%w: the chain has only 3 blocks; anchors sit 8 below the head", errShortChain), true},
		{fmt.Errorf("%w: block 9 (time 90) is not after the machine's current verdict (issued at 95)", ErrStaleAnchor), true},
		{errors.New(`Post "https://rpc.internal.example:8545": dial tcp 10.1.2.3:8545: connect: connection refused`), false},
	} {
		err := unavailable(tc.err)
		var pe *api.PublicError
		if errors.As(err, &pe) != tc.public || !errors.Is(err, api.ErrUnavailable) {
			t.Errorf("unavailable(%q) = %#v; want public %v and ErrUnavailable", tc.err, err, tc.public)
		}
	}
}
