package chain

import (
	"errors"
	"fmt"
	"math/big"
	"strings"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/rpc"

	"github.com/teeoracle/teeoracle/bindings"
)

// RevertError is a contract revert decoded from its revert data: a custom error of
// the registry or the example consumer (InsufficientSignatures, StaleVerdict, ...),
// a require message (Name "Error") or a panic code (Name "Panic"). Callers test for
// it with errors.As and switch on Name; Args holds the error's arguments in
// declaration order, as go-ethereum's ABI decoder returns them (*big.Int for
// uint256, uint64 for uint64, common.Address, [32]byte, string).
type RevertError struct {
	// Name is the Solidity error name; empty when the selector is unknown.
	Name string
	// Args are the decoded arguments, in declaration order.
	Args []any
	// ArgNames are the parameter names of Args, from the ABI.
	ArgNames []string
	// Data is the raw revert data (selector and arguments).
	Data []byte

	cause error
}

// Error renders the revert like Solidity: InsufficientSignatures(provided: 1, threshold: 2).
func (e *RevertError) Error() string {
	if e.Name == "" {
		sel := e.Data
		if len(sel) > 4 {
			sel = sel[:4]
		}
		return fmt.Sprintf("execution reverted with unknown error %s (%d bytes of revert data)", hexutil.Encode(sel), len(e.Data))
	}
	parts := make([]string, len(e.Args))
	for i, a := range e.Args {
		name := ""
		if i < len(e.ArgNames) && e.ArgNames[i] != "" {
			name = e.ArgNames[i] + ": "
		}
		parts[i] = name + formatArg(a)
	}
	return fmt.Sprintf("execution reverted: %s(%s)", e.Name, strings.Join(parts, ", "))
}

// Unwrap returns the error the revert data was found in (the node's answer, or
// ErrReverted for a mined transaction), so errors.Is keeps working through it.
func (e *RevertError) Unwrap() error { return e.cause }

func formatArg(a any) string {
	switch v := a.(type) {
	case [32]byte:
		return hexutil.Encode(v[:])
	case []byte:
		return hexutil.Encode(v)
	case string:
		return fmt.Sprintf("%q", v)
	default:
		return fmt.Sprint(v)
	}
}

// Selectors of Solidity's built-in revert forms.
var (
	selError = [4]byte{0x08, 0xc3, 0x79, 0xa0} // Error(string)
	selPanic = [4]byte{0x4e, 0x48, 0x7b, 0x71} // Panic(uint256)
)

// ErrMalformedRevert is wrapped in the error DecodeRevertData returns for revert data
// whose selector is known but whose arguments do not decode.
var ErrMalformedRevert = errors.New("malformed revert data")

// DecodeRevertData decodes raw revert data against the custom errors of abis (then
// Error(string) and Panic(uint256)). Data with an unknown selector, or shorter than
// a selector, yields a RevertError with an empty Name; data whose arguments do not
// match the ABI yields ErrMalformedRevert.
func DecodeRevertData(data []byte, abis ...*abi.ABI) (*RevertError, error) {
	e := &RevertError{Data: append([]byte(nil), data...)}
	if len(data) < 4 {
		return e, nil
	}
	var sel [4]byte
	copy(sel[:], data[:4])
	args := data[4:]
	switch sel {
	case selError:
		msg, err := abi.UnpackRevert(data)
		if err != nil {
			return nil, fmt.Errorf("%w: Error(string): %w", ErrMalformedRevert, err)
		}
		e.Name, e.Args, e.ArgNames = "Error", []any{msg}, []string{"message"}
		return e, nil
	case selPanic:
		if len(args) != 32 {
			return nil, fmt.Errorf("%w: Panic(uint256) with %d bytes of arguments, want 32", ErrMalformedRevert, len(args))
		}
		e.Name, e.Args, e.ArgNames = "Panic", []any{new(big.Int).SetBytes(args)}, []string{"code"}
		return e, nil
	}
	for _, a := range abis {
		if a == nil {
			continue
		}
		def, err := a.ErrorByID(sel)
		if err != nil {
			continue
		}
		vals, err := def.Inputs.Unpack(args)
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %w", ErrMalformedRevert, def.Sig, err)
		}
		e.Name, e.Args = def.Name, vals
		for _, in := range def.Inputs {
			e.ArgNames = append(e.ArgNames, in.Name)
		}
		return e, nil
	}
	return e, nil
}

// revertData digs the revert data out of a JSON-RPC error (eth_call,
// eth_estimateGas): nodes put it, hex encoded, in the error's data field
// (go-ethereum and anvil both use code 3 with "execution reverted").
func revertData(err error) ([]byte, bool) {
	var de rpc.DataError
	if !errors.As(err, &de) {
		return nil, false
	}
	switch d := de.ErrorData().(type) {
	case string:
		b, err := hexutil.Decode(d)
		if err != nil {
			return nil, false // e.g. "transaction indexing is in progress"
		}
		return b, true
	case []byte:
		return d, true
	case hexutil.Bytes:
		return d, true
	}
	return nil, false
}

// decodeRevert returns err with its revert decoded as a *RevertError wrapping it,
// or err unchanged when it carries no revert data.
func decodeRevert(err error, abis ...*abi.ABI) error {
	if err == nil {
		return nil
	}
	var already *RevertError
	if errors.As(err, &already) {
		return err
	}
	data, ok := revertData(err)
	if !ok {
		return err
	}
	re, derr := DecodeRevertData(data, abis...)
	if derr != nil {
		return fmt.Errorf("%w (revert data: %w)", err, derr)
	}
	re.cause = err
	return re
}

// knownABIs are the contracts whose errors this package decodes wherever a revert
// reaches it without a Registry at hand (the transaction manager's gas estimation):
// the registry and the example consumer.
func knownABIs() []*abi.ABI {
	reg, cons := bindings.NewTeeRegistry().GetABI(), bindings.NewTrustedWorkerExample().GetABI()
	return []*abi.ABI{&reg, &cons}
}
