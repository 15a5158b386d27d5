package chain_test

import (
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/teeoracle/teeoracle/oracle/chain"
)

// TestEntryGasReserveMatchesContract holds chain.EntryGasReserve, which the node,
// the gas report and the tests add to a batch's gas limit, to the registry's own
// ENTRY_GAS_RESERVE: a smaller Go value would leave the last key bindings of an
// honest batch skipped for want of gas.
func TestEntryGasReserveMatchesContract(t *testing.T) {
	src, err := os.ReadFile("../../contracts/TeeRegistry.sol")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`uint256 internal constant ENTRY_GAS_RESERVE = ([0-9_]+);`).FindSubmatch(src)
	if m == nil {
		t.Fatal("contracts/TeeRegistry.sol declares no ENTRY_GAS_RESERVE")
	}
	want, err := strconv.ParseUint(strings.ReplaceAll(string(m[1]), "_", ""), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	if chain.EntryGasReserve != want {
		t.Fatalf("chain.EntryGasReserve = %d, the registry's ENTRY_GAS_RESERVE = %d", chain.EntryGasReserve, want)
	}
}
