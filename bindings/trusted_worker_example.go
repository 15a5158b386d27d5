// Code generated via abigen V2 - DO NOT EDIT.
// This file is a generated binding and any manual changes will be lost.

package bindings

import (
	"bytes"
	"errors"
	"math/big"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
)

// Reference imports to suppress errors if they are not otherwise used.
var (
	_ = bytes.Equal
	_ = errors.New
	_ = big.NewInt
	_ = common.Big1
	_ = types.BloomLookup
	_ = abi.ConvertType
)

// TrustedWorkerExampleMetaData contains all meta data concerning the TrustedWorkerExample contract.
var TrustedWorkerExampleMetaData = bind.MetaData{
	ABI: "[{\"type\":\"constructor\",\"inputs\":[{\"name\":\"registry_\",\"type\":\"address\",\"internalType\":\"contractITeeRegistry\"}],\"stateMutability\":\"nonpayable\"},{\"type\":\"function\",\"name\":\"registry\",\"inputs\":[],\"outputs\":[{\"name\":\"\",\"type\":\"address\",\"internalType\":\"contractITeeRegistry\"}],\"stateMutability\":\"view\"},{\"type\":\"function\",\"name\":\"submitResult\",\"inputs\":[{\"name\":\"result\",\"type\":\"bytes32\",\"internalType\":\"bytes32\"}],\"outputs\":[],\"stateMutability\":\"nonpayable\"},{\"type\":\"function\",\"name\":\"submitResultUngated\",\"inputs\":[{\"name\":\"result\",\"type\":\"bytes32\",\"internalType\":\"bytes32\"}],\"outputs\":[],\"stateMutability\":\"nonpayable\"},{\"type\":\"event\",\"name\":\"ResultSubmitted\",\"inputs\":[{\"name\":\"worker\",\"type\":\"address\",\"indexed\":true,\"internalType\":\"address\"},{\"name\":\"result\",\"type\":\"bytes32\",\"indexed\":false,\"internalType\":\"bytes32\"}],\"anonymous\":false},{\"type\":\"error\",\"name\":\"NotTrustedTee\",\"inputs\":[{\"name\":\"caller\",\"type\":\"address\",\"internalType\":\"address\"}]}]",
	ID:  "TrustedWorkerExample",
	Bin: "0x60a0604052348015600e575f5ffd5b506040516102d13803806102d1833981016040819052602b91603b565b6001600160a01b03166080526066565b5f60208284031215604a575f5ffd5b81516001600160a01b0381168114605f575f5ffd5b9392505050565b60805161024e6100835f395f81816048015260e9015261024e5ff3fe608060405234801561000f575f5ffd5b506004361061003f575f3560e01c80637b10399914610043578063aabe4b6414610093578063e0794e21146100a8575b5f5ffd5b61006a7f000000000000000000000000000000000000000000000000000000000000000081565b60405173ffffffffffffffffffffffffffffffffffffffff909116815260200160405180910390f35b6100a66100a13660046101db565b6100bb565b005b6100a66100b63660046101db565b6101a3565b6040517ff3e450740000000000000000000000000000000000000000000000000000000081523360048201527f000000000000000000000000000000000000000000000000000000000000000073ffffffffffffffffffffffffffffffffffffffff169063f3e4507490602401602060405180830381865afa158015610143573d5f5f3e3d5ffd5b505050506040513d601f19601f8201168201806040525081019061016791906101f2565b6101a3576040517f7623e05a00000000000000000000000000000000000000000000000000000000815233600482015260240160405180910390fd5b60405181815233907fdbeaa9973e40fe5679f652fdd0c8dc0a00a3af267c6f98f0893193d2331c75779060200160405180910390a250565b5f602082840312156101eb575f5ffd5b5035919050565b5f60208284031215610202575f5ffd5b81518015158114610211575f5ffd5b939250505056fea2646970667358221220570bc6c98c67f18ff127b5c4523643bac4633e4bc237d94b933028921921188e64736f6c634300081e0033",
}

// TrustedWorkerExample is an auto generated Go binding around an Ethereum contract.
type TrustedWorkerExample struct {
	abi abi.ABI
}

// GetABI returns the ABI associated with this contract binding.
func (c *TrustedWorkerExample) GetABI() abi.ABI {
	return c.abi
}

// NewTrustedWorkerExample creates a new instance of TrustedWorkerExample.
func NewTrustedWorkerExample() *TrustedWorkerExample {
	parsed, err := TrustedWorkerExampleMetaData.ParseABI()
	if err != nil {
		panic(errors.New("invalid ABI: " + err.Error()))
	}
	return &TrustedWorkerExample{abi: *parsed}
}

// Instance creates a wrapper for a deployed contract instance at the given address.
// Use this to create the instance object passed to abigen v2 library functions Call, Transact, etc.
func (c *TrustedWorkerExample) Instance(backend bind.ContractBackend, addr common.Address) *bind.BoundContract {
	return bind.NewBoundContract(addr, c.abi, backend, backend, backend)
}

// PackConstructor is the Go binding used to pack the parameters required for
// contract deployment.
//
// Solidity: constructor(address registry_) returns()
func (trustedWorkerExample *TrustedWorkerExample) PackConstructor(registry_ common.Address) []byte {
	enc, err := trustedWorkerExample.abi.Pack("", registry_)
	if err != nil {
		panic(err)
	}
	return enc
}

// PackRegistry is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x7b103999.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function registry() view returns(address)
func (trustedWorkerExample *TrustedWorkerExample) PackRegistry() []byte {
	enc, err := trustedWorkerExample.abi.Pack("registry")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackRegistry is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x7b103999.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function registry() view returns(address)
func (trustedWorkerExample *TrustedWorkerExample) TryPackRegistry() ([]byte, error) {
	return trustedWorkerExample.abi.Pack("registry")
}

// UnpackRegistry is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x7b103999.
//
// Solidity: function registry() view returns(address)
func (trustedWorkerExample *TrustedWorkerExample) UnpackRegistry(data []byte) (common.Address, error) {
	out, err := trustedWorkerExample.abi.Unpack("registry", data)
	if err != nil {
		return *new(common.Address), err
	}
	out0 := *abi.ConvertType(out[0], new(common.Address)).(*common.Address)
	return out0, nil
}

// PackSubmitResult is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xaabe4b64.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function submitResult(bytes32 result) returns()
func (trustedWorkerExample *TrustedWorkerExample) PackSubmitResult(result [32]byte) []byte {
	enc, err := trustedWorkerExample.abi.Pack("submitResult", result)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackSubmitResult is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xaabe4b64.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function submitResult(bytes32 result) returns()
func (trustedWorkerExample *TrustedWorkerExample) TryPackSubmitResult(result [32]byte) ([]byte, error) {
	return trustedWorkerExample.abi.Pack("submitResult", result)
}

// PackSubmitResultUngated is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xe0794e21.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function submitResultUngated(bytes32 result) returns()
func (trustedWorkerExample *TrustedWorkerExample) PackSubmitResultUngated(result [32]byte) []byte {
	enc, err := trustedWorkerExample.abi.Pack("submitResultUngated", result)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackSubmitResultUngated is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xe0794e21.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function submitResultUngated(bytes32 result) returns()
func (trustedWorkerExample *TrustedWorkerExample) TryPackSubmitResultUngated(result [32]byte) ([]byte, error) {
	return trustedWorkerExample.abi.Pack("submitResultUngated", result)
}

// TrustedWorkerExampleResultSubmitted represents a ResultSubmitted event raised by the TrustedWorkerExample contract.
type TrustedWorkerExampleResultSubmitted struct {
	Worker common.Address
	Result [32]byte
	Raw    *types.Log // Blockchain specific contextual infos
}

const TrustedWorkerExampleResultSubmittedEventName = "ResultSubmitted"

// ContractEventName returns the user-defined event name.
func (TrustedWorkerExampleResultSubmitted) ContractEventName() string {
	return TrustedWorkerExampleResultSubmittedEventName
}

// UnpackResultSubmittedEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event ResultSubmitted(address indexed worker, bytes32 result)
func (trustedWorkerExample *TrustedWorkerExample) UnpackResultSubmittedEvent(log *types.Log) (*TrustedWorkerExampleResultSubmitted, error) {
	event := "ResultSubmitted"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != trustedWorkerExample.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(TrustedWorkerExampleResultSubmitted)
	if len(log.Data) > 0 {
		if err := trustedWorkerExample.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range trustedWorkerExample.abi.Events[event].Inputs {
		if arg.Indexed {
			indexed = append(indexed, arg)
		}
	}
	if err := abi.ParseTopics(out, indexed, log.Topics[1:]); err != nil {
		return nil, err
	}
	out.Raw = log
	return out, nil
}

// UnpackError attempts to decode the provided error data using user-defined
// error definitions.
func (trustedWorkerExample *TrustedWorkerExample) UnpackError(raw []byte) (any, error) {
	if bytes.Equal(raw[:4], trustedWorkerExample.abi.Errors["NotTrustedTee"].ID.Bytes()[:4]) {
		return trustedWorkerExample.UnpackNotTrustedTeeError(raw[4:])
	}
	return nil, errors.New("Unknown error")
}

// TrustedWorkerExampleNotTrustedTee represents a NotTrustedTee error raised by the TrustedWorkerExample contract.
type TrustedWorkerExampleNotTrustedTee struct {
	Caller common.Address
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error NotTrustedTee(address caller)
func TrustedWorkerExampleNotTrustedTeeErrorID() common.Hash {
	return common.HexToHash("0x7623e05a5d8ebe2a13408e6c6f9738fb01073345f32266ed8420335560b971bf")
}

// UnpackNotTrustedTeeError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error NotTrustedTee(address caller)
func (trustedWorkerExample *TrustedWorkerExample) UnpackNotTrustedTeeError(raw []byte) (*TrustedWorkerExampleNotTrustedTee, error) {
	out := new(TrustedWorkerExampleNotTrustedTee)
	if err := trustedWorkerExample.abi.UnpackIntoInterface(out, "NotTrustedTee", raw); err != nil {
		return nil, err
	}
	return out, nil
}
