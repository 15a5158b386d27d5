package keccak

import (
	"bytes"
	"testing"

	"github.com/ethereum/go-ethereum/crypto"
)

// TestMatchesGoEthereum: the same digests as go-ethereum's crypto package, for
// empty, short, several and block-sized inputs.
func TestMatchesGoEthereum(t *testing.T) {
	inputs := [][][]byte{
		{},
		{nil},
		{[]byte("abc")},
		{[]byte{0x19, 0x01}, bytes.Repeat([]byte{7}, 32), bytes.Repeat([]byte{9}, 32)},
		{bytes.Repeat([]byte{0xff}, 136)},
		{bytes.Repeat([]byte{1}, 1000)},
	}
	for i, in := range inputs {
		if got, want := Sum256(in...), crypto.Keccak256(in...); !bytes.Equal(got, want) {
			t.Errorf("input %d: %x, go-ethereum %x", i, got, want)
		}
		if got, want := Hash256(in...), crypto.Keccak256Hash(in...); got != want {
			t.Errorf("input %d: %s, go-ethereum %s", i, got, want)
		}
	}
	// The empty string's Keccak-256, a published constant.
	if got := Hash256().Hex(); got != "0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470" {
		t.Errorf("keccak256(\"\") = %s", got)
	}
}
