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
	ABI: "[{\"type\":\"constructor\",\"inputs\":[{\"name\":\"registry_\",\"type\":\"address\",\"internalType\":\"contractITeeRegistry\"},{\"name\":\"workloadId_\",\"type\":\"bytes32\",\"internalType\":\"bytes32\"}],\"stateMutability\":\"nonpayable\"},{\"type\":\"function\",\"name\":\"registry\",\"inputs\":[],\"outputs\":[{\"name\":\"\",\"type\":\"address\",\"internalType\":\"contractITeeRegistry\"}],\"stateMutability\":\"view\"},{\"type\":\"function\",\"name\":\"submitPinnedResult\",\"inputs\":[{\"name\":\"result\",\"type\":\"bytes32\",\"internalType\":\"bytes32\"}],\"outputs\":[],\"stateMutability\":\"nonpayable\"},{\"type\":\"function\",\"name\":\"submitResult\",\"inputs\":[{\"name\":\"result\",\"type\":\"bytes32\",\"internalType\":\"bytes32\"}],\"outputs\":[],\"stateMutability\":\"nonpayable\"},{\"type\":\"function\",\"name\":\"submitResultUngated\",\"inputs\":[{\"name\":\"result\",\"type\":\"bytes32\",\"internalType\":\"bytes32\"}],\"outputs\":[],\"stateMutability\":\"nonpayable\"},{\"type\":\"function\",\"name\":\"workloadId\",\"inputs\":[],\"outputs\":[{\"name\":\"\",\"type\":\"bytes32\",\"internalType\":\"bytes32\"}],\"stateMutability\":\"view\"},{\"type\":\"event\",\"name\":\"ResultSubmitted\",\"inputs\":[{\"name\":\"worker\",\"type\":\"address\",\"indexed\":true,\"internalType\":\"address\"},{\"name\":\"result\",\"type\":\"bytes32\",\"indexed\":false,\"internalType\":\"bytes32\"}],\"anonymous\":false},{\"type\":\"error\",\"name\":\"NotPinnedWorkload\",\"inputs\":[{\"name\":\"caller\",\"type\":\"address\",\"internalType\":\"address\"},{\"name\":\"workloadId\",\"type\":\"bytes32\",\"internalType\":\"bytes32\"}]},{\"type\":\"error\",\"name\":\"NotTrustedTee\",\"inputs\":[{\"name\":\"caller\",\"type\":\"address\",\"internalType\":\"address\"}]}]",
	ID:  "TrustedWorkerExample",
	Bin: "0x60c060405234801561000f575f5ffd5b5060405161041338038061041383398101604081905261002e91610044565b6001600160a01b0390911660805260a05261007b565b5f5f60408385031215610055575f5ffd5b82516001600160a01b038116811461006b575f5ffd5b6020939093015192949293505050565b60805160a05161035d6100b65f395f8181606d0152818161015001526101a601525f818160a70152818161012e0152610214015261035d5ff3fe608060405234801561000f575f5ffd5b5060043610610064575f3560e01c8063a4b9d0bd1161004d578063a4b9d0bd146100ee578063aabe4b6414610103578063e0794e2114610116575f5ffd5b80635e666ee2146100685780637b103999146100a2575b5f5ffd5b61008f7f000000000000000000000000000000000000000000000000000000000000000081565b6040519081526020015b60405180910390f35b6100c97f000000000000000000000000000000000000000000000000000000000000000081565b60405173ffffffffffffffffffffffffffffffffffffffff9091168152602001610099565b6101016100fc366004610310565b610129565b005b610101610111366004610310565b61020f565b610101610124366004610310565b6101d7565b6101747f0000000000000000000000000000000000000000000000000000000000000000337f0000000000000000000000000000000000000000000000000000000000000000610271565b6101d7576040517f0d6c76a30000000000000000000000000000000000000000000000000000000081523360048201527f000000000000000000000000000000000000000000000000000000000000000060248201526044015b60405180910390fd5b60405181815233907fdbeaa9973e40fe5679f652fdd0c8dc0a00a3af267c6f98f0893193d2331c75779060200160405180910390a250565b6102397f0000000000000000000000000000000000000000000000000000000000000000336102c6565b6101d7576040517f7623e05a0000000000000000000000000000000000000000000000000000000081523360048201526024016101ce565b6040517f05f58b790000000000000000000000000000000000000000000000000000000080825260048201849052602482018390525f91602083604483895afa5f51600114601f3d1116169695505050505050565b7ff3e45074000000000000000000000000000000000000000000000000000000005f818152600483905290602082602481875afa60015f5114601f3d111681169250505092915050565b5f60208284031215610320575f5ffd5b503591905056fea2646970667358221220709d5eca62796326f755bdf1625c844871e80eb2b0335869199b74a8dcd6f55164736f6c634300081e0033",
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
// Solidity: constructor(address registry_, bytes32 workloadId_) returns()
func (trustedWorkerExample *TrustedWorkerExample) PackConstructor(registry_ common.Address, workloadId_ [32]byte) []byte {
	enc, err := trustedWorkerExample.abi.Pack("", registry_, workloadId_)
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

// PackSubmitPinnedResult is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xa4b9d0bd.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function submitPinnedResult(bytes32 result) returns()
func (trustedWorkerExample *TrustedWorkerExample) PackSubmitPinnedResult(result [32]byte) []byte {
	enc, err := trustedWorkerExample.abi.Pack("submitPinnedResult", result)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackSubmitPinnedResult is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xa4b9d0bd.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function submitPinnedResult(bytes32 result) returns()
func (trustedWorkerExample *TrustedWorkerExample) TryPackSubmitPinnedResult(result [32]byte) ([]byte, error) {
	return trustedWorkerExample.abi.Pack("submitPinnedResult", result)
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

// PackWorkloadId is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x5e666ee2.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function workloadId() view returns(bytes32)
func (trustedWorkerExample *TrustedWorkerExample) PackWorkloadId() []byte {
	enc, err := trustedWorkerExample.abi.Pack("workloadId")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackWorkloadId is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x5e666ee2.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function workloadId() view returns(bytes32)
func (trustedWorkerExample *TrustedWorkerExample) TryPackWorkloadId() ([]byte, error) {
	return trustedWorkerExample.abi.Pack("workloadId")
}

// UnpackWorkloadId is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x5e666ee2.
//
// Solidity: function workloadId() view returns(bytes32)
func (trustedWorkerExample *TrustedWorkerExample) UnpackWorkloadId(data []byte) ([32]byte, error) {
	out, err := trustedWorkerExample.abi.Unpack("workloadId", data)
	if err != nil {
		return *new([32]byte), err
	}
	out0 := *abi.ConvertType(out[0], new([32]byte)).(*[32]byte)
	return out0, nil
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
	if bytes.Equal(raw[:4], trustedWorkerExample.abi.Errors["NotPinnedWorkload"].ID.Bytes()[:4]) {
		return trustedWorkerExample.UnpackNotPinnedWorkloadError(raw[4:])
	}
	if bytes.Equal(raw[:4], trustedWorkerExample.abi.Errors["NotTrustedTee"].ID.Bytes()[:4]) {
		return trustedWorkerExample.UnpackNotTrustedTeeError(raw[4:])
	}
	return nil, errors.New("Unknown error")
}

// TrustedWorkerExampleNotPinnedWorkload represents a NotPinnedWorkload error raised by the TrustedWorkerExample contract.
type TrustedWorkerExampleNotPinnedWorkload struct {
	Caller     common.Address
	WorkloadId [32]byte
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error NotPinnedWorkload(address caller, bytes32 workloadId)
func TrustedWorkerExampleNotPinnedWorkloadErrorID() common.Hash {
	return common.HexToHash("0x0d6c76a35bb446f02a133941274dbcc5582a76065caae11264a822461bc73e9a")
}

// UnpackNotPinnedWorkloadError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error NotPinnedWorkload(address caller, bytes32 workloadId)
func (trustedWorkerExample *TrustedWorkerExample) UnpackNotPinnedWorkloadError(raw []byte) (*TrustedWorkerExampleNotPinnedWorkload, error) {
	out := new(TrustedWorkerExampleNotPinnedWorkload)
	if err := trustedWorkerExample.abi.UnpackIntoInterface(out, "NotPinnedWorkload", raw); err != nil {
		return nil, err
	}
	return out, nil
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
