package service_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/teeoracle/teeoracle/internal/testchain"
)

// TestDueUnavailableNamesScannedBlock: while the tracker catches up with a chain
// 1,000,000 blocks above its start block (80,000 blocks a pass), the due list
// answers 503 saying which block it has scanned to, as docs/operator.md says: the
// chain is healthy and the answer is the node's own progress, not the fixed text
// of a chain that cannot answer.
func TestDueUnavailableNamesScannedBlock(t *testing.T) {
	t.Parallel()
	oracleKey, oracle := testchain.DevKey(1)
	e := newChain(t, []common.Address{oracle}, 1, 32, "--number", "1000000")
	pol := testPolicy(t, "due-behind", 600, measurement(0x11))
	e.registerPolicy(t, pol)
	n := startNode(t, e, nodeOpts{key: oracleKey, policy: pol, snp: newFakeSNP(t, time.Now().Add(-24*time.Hour)),
		rpc: &slowScans{Client: e.client, delay: 100 * time.Millisecond}})
	var body struct {
		Error string `json:"error"`
	}
	code := httpJSON(t, "GET", n.url+"/v1/machines/due", "", nil, &body)
	if code != http.StatusServiceUnavailable || !strings.Contains(body.Error, "scanned to block") {
		t.Fatalf("due list while catching up: HTTP %d %q; want 503 naming the block scanned to", code, body.Error)
	}
}
