package verifier

import (
	"bytes"
	"errors"
	"fmt"
	"testing"

	"github.com/teeoracle/teeoracle/oracle/collateral"
)

// countingParse is a parser that keeps its input (as the collateral parsers keep
// slices of theirs) and counts its calls; input starting with "bad" fails.
func countingParse(calls *int) func([]byte) (*collateral.TDXCollateral, error) {
	return func(b []byte) (*collateral.TDXCollateral, error) {
		*calls++
		if bytes.HasPrefix(b, []byte("bad")) {
			return nil, errors.New("bad collateral")
		}
		return &collateral.TDXCollateral{PCKCRL: b}, nil
	}
}

// TestCollateralMemo: the same bytes are parsed once and give the same value; other
// bytes are parsed again; a caller overwriting its buffer changes neither the
// shared value nor what the next lookup finds; failures are not kept.
func TestCollateralMemo(t *testing.T) {
	var memo collateralMemo
	calls := 0
	parse := countingParse(&calls)
	buf := []byte("collateral one")
	a, err := memo.parse(buf, parse)
	if err != nil {
		t.Fatal(err)
	}
	for i := range buf {
		buf[i] = 'x'
	}
	if string(a.PCKCRL) != "collateral one" {
		t.Fatalf("the shared value changed with the caller's buffer: %q", a.PCKCRL)
	}
	b, err := memo.parse([]byte("collateral one"), parse)
	if err != nil || b != a || calls != 1 {
		t.Fatalf("second parse of the same bytes: %p (want %p), %v, %d parses (want 1)", b, a, err, calls)
	}
	if c, err := memo.parse([]byte("collateral two"), parse); err != nil || c == a || calls != 2 {
		t.Fatalf("other bytes: %p, %v, %d parses (want a new value, 2 parses)", c, err, calls)
	}
	for range 2 {
		if _, err := memo.parse([]byte("bad one"), parse); err == nil {
			t.Fatal("a failing parse succeeded")
		}
	}
	if calls != 4 {
		t.Errorf("%d parses, want 4: a failure must be parsed again", calls)
	}
}

// TestCollateralMemoBounds: the table never holds more than its entries or bytes,
// and input larger than the byte bound is parsed every time.
func TestCollateralMemoBounds(t *testing.T) {
	var memo collateralMemo
	calls := 0
	parse := countingParse(&calls)
	for i := range collateralMemoEntries + 10 {
		if _, err := memo.parse(fmt.Appendf(nil, "entry %d", i), parse); err != nil {
			t.Fatal(err)
		}
		if len(memo.m) > collateralMemoEntries {
			t.Fatalf("%d entries, more than %d", len(memo.m), collateralMemoEntries)
		}
	}
	big := bytes.Repeat([]byte("b"), collateralMemoBytes/2+1)
	for i := range 3 {
		big[0] = byte('0' + i)
		if _, err := memo.parse(big, parse); err != nil {
			t.Fatal(err)
		}
		if memo.bytes > collateralMemoBytes {
			t.Fatalf("%d bytes kept, more than %d", memo.bytes, collateralMemoBytes)
		}
	}
	huge := bytes.Repeat([]byte("h"), collateralMemoBytes+1)
	calls = 0
	for range 2 {
		if _, err := memo.parse(huge, parse); err != nil {
			t.Fatal(err)
		}
	}
	if calls != 2 {
		t.Errorf("input over the byte bound parsed %d times in two calls, want 2 (not kept)", calls)
	}
}
