package chain_test

import (
	"testing"

	"github.com/ethereum/go-ethereum/common"

	"github.com/teeoracle/teeoracle/oracle/chain"
)

// TestMachineIDKnownAnswer pins the machine id derivation against a value computed
// independently with Foundry's cast (docs/verdict-encoding.md):
//
//	h=$(cast keccak $(cast abi-encode "f(address,bytes32)" 0x22..22 0x00..01)); tag=${h:0:22}
//	c=$(cast keccak $(cast abi-encode "f(uint256)" $tag)); id=$tag${c:2:44}
func TestMachineIDKnownAnswer(t *testing.T) {
	got := chain.MachineID(common.HexToAddress("0x2222222222222222222222222222222222222222"), common.HexToHash("0x01"))
	want := common.HexToHash("0xc611fb372755de90f24795e8c66213e0ca889e3d6f667198fa96a5c155937306")
	if got != want {
		t.Fatalf("MachineID = %s, want %s", got, want)
	}
	if !chain.WellFormedMachineID(got) {
		t.Fatal("a derived id is not well formed")
	}
	// Any change to the check bits, or to the tag alone, makes an id no
	// registration can produce.
	for _, i := range []int{0, 9, 10, 31} {
		bad := got
		bad[i] ^= 1
		if chain.WellFormedMachineID(bad) {
			t.Errorf("id with byte %d changed is well formed", i)
		}
	}
}
