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

// ITeeRegistryMachineRecord is an auto generated low-level Go binding around an user-defined struct.
type ITeeRegistryMachineRecord struct {
	Provider   common.Address
	Tee        uint8
	State      uint8
	TeeKey     common.Address
	Status     uint8
	TcbStatus  uint8
	Tcb        uint64
	PolicyHash [32]byte
	IssuedAt   uint64
	ExpiresAt  uint64
}

// ITeeRegistryPolicyInfo is an auto generated low-level Go binding around an user-defined struct.
type ITeeRegistryPolicyInfo struct {
	Id              *big.Int
	State           uint8
	ValiditySeconds uint64
}

// ITeeRegistryVerdict is an auto generated low-level Go binding around an user-defined struct.
type ITeeRegistryVerdict struct {
	MachineId         [32]byte
	Tee               uint8
	Status            uint8
	TeeKey            common.Address
	WorkloadId        [32]byte
	TcbStatus         uint8
	Tcb               uint64
	PolicyHash        [32]byte
	EvidenceHash      [32]byte
	AnchorBlockNumber uint64
	AnchorBlockHash   [32]byte
	IssuedAt          uint64
	ExpiresAt         uint64
	Reasons           uint64
}

// TeeRegistryMetaData contains all meta data concerning the TeeRegistry contract.
var TeeRegistryMetaData = bind.MetaData{
	ABI: "[{\"type\":\"constructor\",\"inputs\":[{\"name\":\"initialOwner\",\"type\":\"address\",\"internalType\":\"address\"},{\"name\":\"oracles\",\"type\":\"address[]\",\"internalType\":\"address[]\"},{\"name\":\"threshold_\",\"type\":\"uint8\",\"internalType\":\"uint8\"},{\"name\":\"maxAnchorAge_\",\"type\":\"uint16\",\"internalType\":\"uint16\"}],\"stateMutability\":\"nonpayable\"},{\"type\":\"function\",\"name\":\"VERDICT_BATCH_TYPEHASH\",\"inputs\":[],\"outputs\":[{\"name\":\"\",\"type\":\"bytes32\",\"internalType\":\"bytes32\"}],\"stateMutability\":\"view\"},{\"type\":\"function\",\"name\":\"VERDICT_TYPEHASH\",\"inputs\":[],\"outputs\":[{\"name\":\"\",\"type\":\"bytes32\",\"internalType\":\"bytes32\"}],\"stateMutability\":\"view\"},{\"type\":\"function\",\"name\":\"acceptOwnership\",\"inputs\":[],\"outputs\":[],\"stateMutability\":\"nonpayable\"},{\"type\":\"function\",\"name\":\"addOracle\",\"inputs\":[{\"name\":\"oracle\",\"type\":\"address\",\"internalType\":\"address\"}],\"outputs\":[],\"stateMutability\":\"nonpayable\"},{\"type\":\"function\",\"name\":\"authorizeKey\",\"inputs\":[{\"name\":\"machineId\",\"type\":\"bytes32\",\"internalType\":\"bytes32\"},{\"name\":\"teeKey\",\"type\":\"address\",\"internalType\":\"address\"}],\"outputs\":[],\"stateMutability\":\"nonpayable\"},{\"type\":\"function\",\"name\":\"authorizedKey\",\"inputs\":[{\"name\":\"machineId\",\"type\":\"bytes32\",\"internalType\":\"bytes32\"}],\"outputs\":[{\"name\":\"\",\"type\":\"address\",\"internalType\":\"address\"}],\"stateMutability\":\"view\"},{\"type\":\"function\",\"name\":\"deregisterMachine\",\"inputs\":[{\"name\":\"machineId\",\"type\":\"bytes32\",\"internalType\":\"bytes32\"}],\"outputs\":[],\"stateMutability\":\"nonpayable\"},{\"type\":\"function\",\"name\":\"domainSeparator\",\"inputs\":[],\"outputs\":[{\"name\":\"\",\"type\":\"bytes32\",\"internalType\":\"bytes32\"}],\"stateMutability\":\"view\"},{\"type\":\"function\",\"name\":\"eip712Domain\",\"inputs\":[],\"outputs\":[{\"name\":\"fields\",\"type\":\"bytes1\",\"internalType\":\"bytes1\"},{\"name\":\"name\",\"type\":\"string\",\"internalType\":\"string\"},{\"name\":\"version\",\"type\":\"string\",\"internalType\":\"string\"},{\"name\":\"chainId\",\"type\":\"uint256\",\"internalType\":\"uint256\"},{\"name\":\"verifyingContract\",\"type\":\"address\",\"internalType\":\"address\"},{\"name\":\"salt\",\"type\":\"bytes32\",\"internalType\":\"bytes32\"},{\"name\":\"extensions\",\"type\":\"uint256[]\",\"internalType\":\"uint256[]\"}],\"stateMutability\":\"view\"},{\"type\":\"function\",\"name\":\"hashBatch\",\"inputs\":[{\"name\":\"verdicts\",\"type\":\"bytes\",\"internalType\":\"bytes\"}],\"outputs\":[{\"name\":\"\",\"type\":\"bytes32\",\"internalType\":\"bytes32\"}],\"stateMutability\":\"view\"},{\"type\":\"function\",\"name\":\"hashVerdict\",\"inputs\":[{\"name\":\"v\",\"type\":\"tuple\",\"internalType\":\"structITeeRegistry.Verdict\",\"components\":[{\"name\":\"machineId\",\"type\":\"bytes32\",\"internalType\":\"bytes32\"},{\"name\":\"tee\",\"type\":\"uint8\",\"internalType\":\"uint8\"},{\"name\":\"status\",\"type\":\"uint8\",\"internalType\":\"uint8\"},{\"name\":\"teeKey\",\"type\":\"address\",\"internalType\":\"address\"},{\"name\":\"workloadId\",\"type\":\"bytes32\",\"internalType\":\"bytes32\"},{\"name\":\"tcbStatus\",\"type\":\"uint8\",\"internalType\":\"uint8\"},{\"name\":\"tcb\",\"type\":\"uint64\",\"internalType\":\"uint64\"},{\"name\":\"policyHash\",\"type\":\"bytes32\",\"internalType\":\"bytes32\"},{\"name\":\"evidenceHash\",\"type\":\"bytes32\",\"internalType\":\"bytes32\"},{\"name\":\"anchorBlockNumber\",\"type\":\"uint64\",\"internalType\":\"uint64\"},{\"name\":\"anchorBlockHash\",\"type\":\"bytes32\",\"internalType\":\"bytes32\"},{\"name\":\"issuedAt\",\"type\":\"uint64\",\"internalType\":\"uint64\"},{\"name\":\"expiresAt\",\"type\":\"uint64\",\"internalType\":\"uint64\"},{\"name\":\"reasons\",\"type\":\"uint64\",\"internalType\":\"uint64\"}]}],\"outputs\":[{\"name\":\"\",\"type\":\"bytes32\",\"internalType\":\"bytes32\"}],\"stateMutability\":\"view\"},{\"type\":\"function\",\"name\":\"isOracle\",\"inputs\":[{\"name\":\"account\",\"type\":\"address\",\"internalType\":\"address\"}],\"outputs\":[{\"name\":\"\",\"type\":\"bool\",\"internalType\":\"bool\"}],\"stateMutability\":\"view\"},{\"type\":\"function\",\"name\":\"isTrusted\",\"inputs\":[{\"name\":\"machineId\",\"type\":\"bytes32\",\"internalType\":\"bytes32\"}],\"outputs\":[{\"name\":\"\",\"type\":\"bool\",\"internalType\":\"bool\"}],\"stateMutability\":\"view\"},{\"type\":\"function\",\"name\":\"isTrustedFor\",\"inputs\":[{\"name\":\"key\",\"type\":\"address\",\"internalType\":\"address\"},{\"name\":\"workloadId\",\"type\":\"bytes32\",\"internalType\":\"bytes32\"}],\"outputs\":[{\"name\":\"\",\"type\":\"bool\",\"internalType\":\"bool\"}],\"stateMutability\":\"view\"},{\"type\":\"function\",\"name\":\"isTrustedKey\",\"inputs\":[{\"name\":\"key\",\"type\":\"address\",\"internalType\":\"address\"}],\"outputs\":[{\"name\":\"\",\"type\":\"bool\",\"internalType\":\"bool\"}],\"stateMutability\":\"view\"},{\"type\":\"function\",\"name\":\"machine\",\"inputs\":[{\"name\":\"machineId\",\"type\":\"bytes32\",\"internalType\":\"bytes32\"}],\"outputs\":[{\"name\":\"r\",\"type\":\"tuple\",\"internalType\":\"structITeeRegistry.MachineRecord\",\"components\":[{\"name\":\"provider\",\"type\":\"address\",\"internalType\":\"address\"},{\"name\":\"tee\",\"type\":\"uint8\",\"internalType\":\"uint8\"},{\"name\":\"state\",\"type\":\"uint8\",\"internalType\":\"uint8\"},{\"name\":\"teeKey\",\"type\":\"address\",\"internalType\":\"address\"},{\"name\":\"status\",\"type\":\"uint8\",\"internalType\":\"uint8\"},{\"name\":\"tcbStatus\",\"type\":\"uint8\",\"internalType\":\"uint8\"},{\"name\":\"tcb\",\"type\":\"uint64\",\"internalType\":\"uint64\"},{\"name\":\"policyHash\",\"type\":\"bytes32\",\"internalType\":\"bytes32\"},{\"name\":\"issuedAt\",\"type\":\"uint64\",\"internalType\":\"uint64\"},{\"name\":\"expiresAt\",\"type\":\"uint64\",\"internalType\":\"uint64\"}]}],\"stateMutability\":\"view\"},{\"type\":\"function\",\"name\":\"machineIdOf\",\"inputs\":[{\"name\":\"provider\",\"type\":\"address\",\"internalType\":\"address\"},{\"name\":\"salt\",\"type\":\"bytes32\",\"internalType\":\"bytes32\"}],\"outputs\":[{\"name\":\"\",\"type\":\"bytes32\",\"internalType\":\"bytes32\"}],\"stateMutability\":\"pure\"},{\"type\":\"function\",\"name\":\"machineOfKey\",\"inputs\":[{\"name\":\"key\",\"type\":\"address\",\"internalType\":\"address\"}],\"outputs\":[{\"name\":\"\",\"type\":\"bytes32\",\"internalType\":\"bytes32\"}],\"stateMutability\":\"view\"},{\"type\":\"function\",\"name\":\"maxAnchorAge\",\"inputs\":[],\"outputs\":[{\"name\":\"\",\"type\":\"uint16\",\"internalType\":\"uint16\"}],\"stateMutability\":\"view\"},{\"type\":\"function\",\"name\":\"oracleCount\",\"inputs\":[],\"outputs\":[{\"name\":\"\",\"type\":\"uint8\",\"internalType\":\"uint8\"}],\"stateMutability\":\"view\"},{\"type\":\"function\",\"name\":\"owner\",\"inputs\":[],\"outputs\":[{\"name\":\"\",\"type\":\"address\",\"internalType\":\"address\"}],\"stateMutability\":\"view\"},{\"type\":\"function\",\"name\":\"pause\",\"inputs\":[],\"outputs\":[],\"stateMutability\":\"nonpayable\"},{\"type\":\"function\",\"name\":\"paused\",\"inputs\":[],\"outputs\":[{\"name\":\"\",\"type\":\"bool\",\"internalType\":\"bool\"}],\"stateMutability\":\"view\"},{\"type\":\"function\",\"name\":\"pendingOwner\",\"inputs\":[],\"outputs\":[{\"name\":\"\",\"type\":\"address\",\"internalType\":\"address\"}],\"stateMutability\":\"view\"},{\"type\":\"function\",\"name\":\"policy\",\"inputs\":[{\"name\":\"policyHash\",\"type\":\"bytes32\",\"internalType\":\"bytes32\"}],\"outputs\":[{\"name\":\"\",\"type\":\"tuple\",\"internalType\":\"structITeeRegistry.PolicyInfo\",\"components\":[{\"name\":\"id\",\"type\":\"uint24\",\"internalType\":\"uint24\"},{\"name\":\"state\",\"type\":\"uint8\",\"internalType\":\"uint8\"},{\"name\":\"validitySeconds\",\"type\":\"uint64\",\"internalType\":\"uint64\"}]}],\"stateMutability\":\"view\"},{\"type\":\"function\",\"name\":\"registerMachine\",\"inputs\":[{\"name\":\"salt\",\"type\":\"bytes32\",\"internalType\":\"bytes32\"},{\"name\":\"tee\",\"type\":\"uint8\",\"internalType\":\"uint8\"},{\"name\":\"metadataURI\",\"type\":\"string\",\"internalType\":\"string\"}],\"outputs\":[{\"name\":\"machineId\",\"type\":\"bytes32\",\"internalType\":\"bytes32\"}],\"stateMutability\":\"nonpayable\"},{\"type\":\"function\",\"name\":\"registerPolicy\",\"inputs\":[{\"name\":\"policyHash\",\"type\":\"bytes32\",\"internalType\":\"bytes32\"},{\"name\":\"validitySeconds\",\"type\":\"uint64\",\"internalType\":\"uint64\"},{\"name\":\"uri\",\"type\":\"string\",\"internalType\":\"string\"}],\"outputs\":[],\"stateMutability\":\"nonpayable\"},{\"type\":\"function\",\"name\":\"removeOracle\",\"inputs\":[{\"name\":\"oracle\",\"type\":\"address\",\"internalType\":\"address\"}],\"outputs\":[],\"stateMutability\":\"nonpayable\"},{\"type\":\"function\",\"name\":\"renounceOwnership\",\"inputs\":[],\"outputs\":[],\"stateMutability\":\"view\"},{\"type\":\"function\",\"name\":\"retirePolicy\",\"inputs\":[{\"name\":\"policyHash\",\"type\":\"bytes32\",\"internalType\":\"bytes32\"}],\"outputs\":[],\"stateMutability\":\"nonpayable\"},{\"type\":\"function\",\"name\":\"revokeKey\",\"inputs\":[{\"name\":\"machineId\",\"type\":\"bytes32\",\"internalType\":\"bytes32\"}],\"outputs\":[],\"stateMutability\":\"nonpayable\"},{\"type\":\"function\",\"name\":\"setMachineMetadata\",\"inputs\":[{\"name\":\"machineId\",\"type\":\"bytes32\",\"internalType\":\"bytes32\"},{\"name\":\"metadataURI\",\"type\":\"string\",\"internalType\":\"string\"}],\"outputs\":[],\"stateMutability\":\"nonpayable\"},{\"type\":\"function\",\"name\":\"setMaxAnchorAge\",\"inputs\":[{\"name\":\"blocks\",\"type\":\"uint16\",\"internalType\":\"uint16\"}],\"outputs\":[],\"stateMutability\":\"nonpayable\"},{\"type\":\"function\",\"name\":\"setThreshold\",\"inputs\":[{\"name\":\"threshold_\",\"type\":\"uint8\",\"internalType\":\"uint8\"}],\"outputs\":[],\"stateMutability\":\"nonpayable\"},{\"type\":\"function\",\"name\":\"submitBatch\",\"inputs\":[{\"name\":\"verdicts\",\"type\":\"bytes\",\"internalType\":\"bytes\"},{\"name\":\"signatures\",\"type\":\"bytes\",\"internalType\":\"bytes\"}],\"outputs\":[],\"stateMutability\":\"nonpayable\"},{\"type\":\"function\",\"name\":\"submitVerdict\",\"inputs\":[{\"name\":\"v\",\"type\":\"tuple\",\"internalType\":\"structITeeRegistry.Verdict\",\"components\":[{\"name\":\"machineId\",\"type\":\"bytes32\",\"internalType\":\"bytes32\"},{\"name\":\"tee\",\"type\":\"uint8\",\"internalType\":\"uint8\"},{\"name\":\"status\",\"type\":\"uint8\",\"internalType\":\"uint8\"},{\"name\":\"teeKey\",\"type\":\"address\",\"internalType\":\"address\"},{\"name\":\"workloadId\",\"type\":\"bytes32\",\"internalType\":\"bytes32\"},{\"name\":\"tcbStatus\",\"type\":\"uint8\",\"internalType\":\"uint8\"},{\"name\":\"tcb\",\"type\":\"uint64\",\"internalType\":\"uint64\"},{\"name\":\"policyHash\",\"type\":\"bytes32\",\"internalType\":\"bytes32\"},{\"name\":\"evidenceHash\",\"type\":\"bytes32\",\"internalType\":\"bytes32\"},{\"name\":\"anchorBlockNumber\",\"type\":\"uint64\",\"internalType\":\"uint64\"},{\"name\":\"anchorBlockHash\",\"type\":\"bytes32\",\"internalType\":\"bytes32\"},{\"name\":\"issuedAt\",\"type\":\"uint64\",\"internalType\":\"uint64\"},{\"name\":\"expiresAt\",\"type\":\"uint64\",\"internalType\":\"uint64\"},{\"name\":\"reasons\",\"type\":\"uint64\",\"internalType\":\"uint64\"}]},{\"name\":\"signatures\",\"type\":\"bytes[]\",\"internalType\":\"bytes[]\"}],\"outputs\":[],\"stateMutability\":\"nonpayable\"},{\"type\":\"function\",\"name\":\"submitVerdicts\",\"inputs\":[{\"name\":\"vs\",\"type\":\"tuple[]\",\"internalType\":\"structITeeRegistry.Verdict[]\",\"components\":[{\"name\":\"machineId\",\"type\":\"bytes32\",\"internalType\":\"bytes32\"},{\"name\":\"tee\",\"type\":\"uint8\",\"internalType\":\"uint8\"},{\"name\":\"status\",\"type\":\"uint8\",\"internalType\":\"uint8\"},{\"name\":\"teeKey\",\"type\":\"address\",\"internalType\":\"address\"},{\"name\":\"workloadId\",\"type\":\"bytes32\",\"internalType\":\"bytes32\"},{\"name\":\"tcbStatus\",\"type\":\"uint8\",\"internalType\":\"uint8\"},{\"name\":\"tcb\",\"type\":\"uint64\",\"internalType\":\"uint64\"},{\"name\":\"policyHash\",\"type\":\"bytes32\",\"internalType\":\"bytes32\"},{\"name\":\"evidenceHash\",\"type\":\"bytes32\",\"internalType\":\"bytes32\"},{\"name\":\"anchorBlockNumber\",\"type\":\"uint64\",\"internalType\":\"uint64\"},{\"name\":\"anchorBlockHash\",\"type\":\"bytes32\",\"internalType\":\"bytes32\"},{\"name\":\"issuedAt\",\"type\":\"uint64\",\"internalType\":\"uint64\"},{\"name\":\"expiresAt\",\"type\":\"uint64\",\"internalType\":\"uint64\"},{\"name\":\"reasons\",\"type\":\"uint64\",\"internalType\":\"uint64\"}]},{\"name\":\"signatures\",\"type\":\"bytes[][]\",\"internalType\":\"bytes[][]\"}],\"outputs\":[],\"stateMutability\":\"nonpayable\"},{\"type\":\"function\",\"name\":\"threshold\",\"inputs\":[],\"outputs\":[{\"name\":\"\",\"type\":\"uint8\",\"internalType\":\"uint8\"}],\"stateMutability\":\"view\"},{\"type\":\"function\",\"name\":\"transferOwnership\",\"inputs\":[{\"name\":\"newOwner\",\"type\":\"address\",\"internalType\":\"address\"}],\"outputs\":[],\"stateMutability\":\"nonpayable\"},{\"type\":\"function\",\"name\":\"trustOf\",\"inputs\":[{\"name\":\"key\",\"type\":\"address\",\"internalType\":\"address\"}],\"outputs\":[{\"name\":\"trusted\",\"type\":\"bool\",\"internalType\":\"bool\"},{\"name\":\"workloadId\",\"type\":\"bytes32\",\"internalType\":\"bytes32\"},{\"name\":\"policyHash\",\"type\":\"bytes32\",\"internalType\":\"bytes32\"},{\"name\":\"tcbStatus\",\"type\":\"uint8\",\"internalType\":\"uint8\"},{\"name\":\"expiresAt\",\"type\":\"uint64\",\"internalType\":\"uint64\"}],\"stateMutability\":\"view\"},{\"type\":\"function\",\"name\":\"unpause\",\"inputs\":[],\"outputs\":[],\"stateMutability\":\"nonpayable\"},{\"type\":\"event\",\"name\":\"EIP712DomainChanged\",\"inputs\":[],\"anonymous\":false},{\"type\":\"event\",\"name\":\"KeyAuthorized\",\"inputs\":[{\"name\":\"machineId\",\"type\":\"bytes32\",\"indexed\":true,\"internalType\":\"bytes32\"},{\"name\":\"teeKey\",\"type\":\"address\",\"indexed\":true,\"internalType\":\"address\"}],\"anonymous\":false},{\"type\":\"event\",\"name\":\"KeyBound\",\"inputs\":[{\"name\":\"machineId\",\"type\":\"bytes32\",\"indexed\":true,\"internalType\":\"bytes32\"},{\"name\":\"teeKey\",\"type\":\"address\",\"indexed\":true,\"internalType\":\"address\"}],\"anonymous\":false},{\"type\":\"event\",\"name\":\"KeyRevoked\",\"inputs\":[{\"name\":\"machineId\",\"type\":\"bytes32\",\"indexed\":true,\"internalType\":\"bytes32\"},{\"name\":\"authorizedKey\",\"type\":\"address\",\"indexed\":true,\"internalType\":\"address\"},{\"name\":\"boundKey\",\"type\":\"address\",\"indexed\":true,\"internalType\":\"address\"}],\"anonymous\":false},{\"type\":\"event\",\"name\":\"MachineDeregistered\",\"inputs\":[{\"name\":\"machineId\",\"type\":\"bytes32\",\"indexed\":true,\"internalType\":\"bytes32\"},{\"name\":\"provider\",\"type\":\"address\",\"indexed\":true,\"internalType\":\"address\"},{\"name\":\"teeKey\",\"type\":\"address\",\"indexed\":false,\"internalType\":\"address\"},{\"name\":\"authorizedKey\",\"type\":\"address\",\"indexed\":false,\"internalType\":\"address\"}],\"anonymous\":false},{\"type\":\"event\",\"name\":\"MachineMetadataUpdated\",\"inputs\":[{\"name\":\"machineId\",\"type\":\"bytes32\",\"indexed\":true,\"internalType\":\"bytes32\"},{\"name\":\"metadataURI\",\"type\":\"string\",\"indexed\":false,\"internalType\":\"string\"}],\"anonymous\":false},{\"type\":\"event\",\"name\":\"MachineRegistered\",\"inputs\":[{\"name\":\"machineId\",\"type\":\"bytes32\",\"indexed\":true,\"internalType\":\"bytes32\"},{\"name\":\"provider\",\"type\":\"address\",\"indexed\":true,\"internalType\":\"address\"},{\"name\":\"tee\",\"type\":\"uint8\",\"indexed\":false,\"internalType\":\"uint8\"},{\"name\":\"metadataURI\",\"type\":\"string\",\"indexed\":false,\"internalType\":\"string\"}],\"anonymous\":false},{\"type\":\"event\",\"name\":\"MaxAnchorAgeChanged\",\"inputs\":[{\"name\":\"blocks\",\"type\":\"uint16\",\"indexed\":false,\"internalType\":\"uint16\"}],\"anonymous\":false},{\"type\":\"event\",\"name\":\"OracleAdded\",\"inputs\":[{\"name\":\"oracle\",\"type\":\"address\",\"indexed\":true,\"internalType\":\"address\"}],\"anonymous\":false},{\"type\":\"event\",\"name\":\"OracleRemoved\",\"inputs\":[{\"name\":\"oracle\",\"type\":\"address\",\"indexed\":true,\"internalType\":\"address\"}],\"anonymous\":false},{\"type\":\"event\",\"name\":\"OwnershipTransferStarted\",\"inputs\":[{\"name\":\"previousOwner\",\"type\":\"address\",\"indexed\":true,\"internalType\":\"address\"},{\"name\":\"newOwner\",\"type\":\"address\",\"indexed\":true,\"internalType\":\"address\"}],\"anonymous\":false},{\"type\":\"event\",\"name\":\"OwnershipTransferred\",\"inputs\":[{\"name\":\"previousOwner\",\"type\":\"address\",\"indexed\":true,\"internalType\":\"address\"},{\"name\":\"newOwner\",\"type\":\"address\",\"indexed\":true,\"internalType\":\"address\"}],\"anonymous\":false},{\"type\":\"event\",\"name\":\"Paused\",\"inputs\":[{\"name\":\"account\",\"type\":\"address\",\"indexed\":false,\"internalType\":\"address\"}],\"anonymous\":false},{\"type\":\"event\",\"name\":\"PolicyRegistered\",\"inputs\":[{\"name\":\"policyHash\",\"type\":\"bytes32\",\"indexed\":true,\"internalType\":\"bytes32\"},{\"name\":\"policyId\",\"type\":\"uint24\",\"indexed\":true,\"internalType\":\"uint24\"},{\"name\":\"validitySeconds\",\"type\":\"uint64\",\"indexed\":false,\"internalType\":\"uint64\"},{\"name\":\"uri\",\"type\":\"string\",\"indexed\":false,\"internalType\":\"string\"}],\"anonymous\":false},{\"type\":\"event\",\"name\":\"PolicyRetired\",\"inputs\":[{\"name\":\"policyHash\",\"type\":\"bytes32\",\"indexed\":true,\"internalType\":\"bytes32\"},{\"name\":\"policyId\",\"type\":\"uint24\",\"indexed\":true,\"internalType\":\"uint24\"}],\"anonymous\":false},{\"type\":\"event\",\"name\":\"TeeKeyRotated\",\"inputs\":[{\"name\":\"machineId\",\"type\":\"bytes32\",\"indexed\":true,\"internalType\":\"bytes32\"},{\"name\":\"oldKey\",\"type\":\"address\",\"indexed\":true,\"internalType\":\"address\"},{\"name\":\"newKey\",\"type\":\"address\",\"indexed\":true,\"internalType\":\"address\"}],\"anonymous\":false},{\"type\":\"event\",\"name\":\"ThresholdChanged\",\"inputs\":[{\"name\":\"threshold\",\"type\":\"uint8\",\"indexed\":false,\"internalType\":\"uint8\"}],\"anonymous\":false},{\"type\":\"event\",\"name\":\"Unpaused\",\"inputs\":[{\"name\":\"account\",\"type\":\"address\",\"indexed\":false,\"internalType\":\"address\"}],\"anonymous\":false},{\"type\":\"event\",\"name\":\"VerdictAccepted\",\"inputs\":[{\"name\":\"machineId\",\"type\":\"bytes32\",\"indexed\":true,\"internalType\":\"bytes32\"},{\"name\":\"teeKey\",\"type\":\"address\",\"indexed\":true,\"internalType\":\"address\"},{\"name\":\"digest\",\"type\":\"bytes32\",\"indexed\":false,\"internalType\":\"bytes32\"},{\"name\":\"status\",\"type\":\"uint8\",\"indexed\":false,\"internalType\":\"uint8\"},{\"name\":\"workloadId\",\"type\":\"bytes32\",\"indexed\":false,\"internalType\":\"bytes32\"},{\"name\":\"evidenceHash\",\"type\":\"bytes32\",\"indexed\":false,\"internalType\":\"bytes32\"},{\"name\":\"policyHash\",\"type\":\"bytes32\",\"indexed\":false,\"internalType\":\"bytes32\"},{\"name\":\"issuedAt\",\"type\":\"uint64\",\"indexed\":false,\"internalType\":\"uint64\"},{\"name\":\"expiresAt\",\"type\":\"uint64\",\"indexed\":false,\"internalType\":\"uint64\"}],\"anonymous\":false},{\"type\":\"event\",\"name\":\"VerdictRecorded\",\"inputs\":[{\"name\":\"machineId\",\"type\":\"bytes32\",\"indexed\":true,\"internalType\":\"bytes32\"},{\"name\":\"verdictHash\",\"type\":\"bytes32\",\"indexed\":false,\"internalType\":\"bytes32\"}],\"anonymous\":false},{\"type\":\"event\",\"name\":\"VerdictSkipped\",\"inputs\":[{\"name\":\"index\",\"type\":\"uint256\",\"indexed\":false,\"internalType\":\"uint256\"},{\"name\":\"machineId\",\"type\":\"bytes32\",\"indexed\":true,\"internalType\":\"bytes32\"},{\"name\":\"teeKey\",\"type\":\"address\",\"indexed\":true,\"internalType\":\"address\"},{\"name\":\"digest\",\"type\":\"bytes32\",\"indexed\":true,\"internalType\":\"bytes32\"},{\"name\":\"reason\",\"type\":\"bytes\",\"indexed\":false,\"internalType\":\"bytes\"}],\"anonymous\":false},{\"type\":\"event\",\"name\":\"WorkloadInterned\",\"inputs\":[{\"name\":\"index\",\"type\":\"uint64\",\"indexed\":true,\"internalType\":\"uint64\"},{\"name\":\"workloadId\",\"type\":\"bytes32\",\"indexed\":true,\"internalType\":\"bytes32\"},{\"name\":\"tcb\",\"type\":\"uint64\",\"indexed\":false,\"internalType\":\"uint64\"}],\"anonymous\":false},{\"type\":\"error\",\"name\":\"AnchorHashMismatch\",\"inputs\":[{\"name\":\"anchorBlockNumber\",\"type\":\"uint64\",\"internalType\":\"uint64\"}]},{\"type\":\"error\",\"name\":\"AnchorNotInPast\",\"inputs\":[{\"name\":\"anchorBlockNumber\",\"type\":\"uint64\",\"internalType\":\"uint64\"}]},{\"type\":\"error\",\"name\":\"AnchorTooOld\",\"inputs\":[{\"name\":\"anchorBlockNumber\",\"type\":\"uint64\",\"internalType\":\"uint64\"},{\"name\":\"maxAnchorAge\",\"type\":\"uint256\",\"internalType\":\"uint256\"}]},{\"type\":\"error\",\"name\":\"BatchLengthMismatch\",\"inputs\":[{\"name\":\"verdicts\",\"type\":\"uint256\",\"internalType\":\"uint256\"},{\"name\":\"signatureLists\",\"type\":\"uint256\",\"internalType\":\"uint256\"}]},{\"type\":\"error\",\"name\":\"EmptyBatch\",\"inputs\":[]},{\"type\":\"error\",\"name\":\"ExpiryBeyondPolicyValidity\",\"inputs\":[{\"name\":\"expiresAt\",\"type\":\"uint64\",\"internalType\":\"uint64\"},{\"name\":\"maxExpiresAt\",\"type\":\"uint256\",\"internalType\":\"uint256\"}]},{\"type\":\"error\",\"name\":\"ExpiryNotAfterIssue\",\"inputs\":[{\"name\":\"issuedAt\",\"type\":\"uint64\",\"internalType\":\"uint64\"},{\"name\":\"expiresAt\",\"type\":\"uint64\",\"internalType\":\"uint64\"}]},{\"type\":\"error\",\"name\":\"InsufficientGasForEntry\",\"inputs\":[{\"name\":\"gasLeft\",\"type\":\"uint256\",\"internalType\":\"uint256\"},{\"name\":\"gasNeeded\",\"type\":\"uint256\",\"internalType\":\"uint256\"}]},{\"type\":\"error\",\"name\":\"InsufficientSignatures\",\"inputs\":[{\"name\":\"provided\",\"type\":\"uint256\",\"internalType\":\"uint256\"},{\"name\":\"threshold\",\"type\":\"uint256\",\"internalType\":\"uint256\"}]},{\"type\":\"error\",\"name\":\"InvalidMaxAnchorAge\",\"inputs\":[{\"name\":\"blocks\",\"type\":\"uint256\",\"internalType\":\"uint256\"}]},{\"type\":\"error\",\"name\":\"InvalidPolicyHash\",\"inputs\":[]},{\"type\":\"error\",\"name\":\"InvalidShortString\",\"inputs\":[]},{\"type\":\"error\",\"name\":\"InvalidSignature\",\"inputs\":[{\"name\":\"index\",\"type\":\"uint256\",\"internalType\":\"uint256\"}]},{\"type\":\"error\",\"name\":\"InvalidStatus\",\"inputs\":[{\"name\":\"status\",\"type\":\"uint8\",\"internalType\":\"uint8\"}]},{\"type\":\"error\",\"name\":\"InvalidTee\",\"inputs\":[{\"name\":\"tee\",\"type\":\"uint8\",\"internalType\":\"uint8\"}]},{\"type\":\"error\",\"name\":\"InvalidThreshold\",\"inputs\":[{\"name\":\"threshold\",\"type\":\"uint256\",\"internalType\":\"uint256\"},{\"name\":\"oracleCount\",\"type\":\"uint256\",\"internalType\":\"uint256\"}]},{\"type\":\"error\",\"name\":\"InvalidValidity\",\"inputs\":[{\"name\":\"validitySeconds\",\"type\":\"uint64\",\"internalType\":\"uint64\"}]},{\"type\":\"error\",\"name\":\"IssuedInFuture\",\"inputs\":[{\"name\":\"issuedAt\",\"type\":\"uint64\",\"internalType\":\"uint64\"}]},{\"type\":\"error\",\"name\":\"KeyBoundToOtherMachine\",\"inputs\":[{\"name\":\"teeKey\",\"type\":\"address\",\"internalType\":\"address\"}]},{\"type\":\"error\",\"name\":\"KeyNotAuthorized\",\"inputs\":[{\"name\":\"machineId\",\"type\":\"bytes32\",\"internalType\":\"bytes32\"},{\"name\":\"teeKey\",\"type\":\"address\",\"internalType\":\"address\"}]},{\"type\":\"error\",\"name\":\"MachineAlreadyRegistered\",\"inputs\":[{\"name\":\"machineId\",\"type\":\"bytes32\",\"internalType\":\"bytes32\"}]},{\"type\":\"error\",\"name\":\"MachineIdRetired\",\"inputs\":[{\"name\":\"machineId\",\"type\":\"bytes32\",\"internalType\":\"bytes32\"}]},{\"type\":\"error\",\"name\":\"MachineNotRegistered\",\"inputs\":[{\"name\":\"machineId\",\"type\":\"bytes32\",\"internalType\":\"bytes32\"}]},{\"type\":\"error\",\"name\":\"MalformedBatch\",\"inputs\":[{\"name\":\"length\",\"type\":\"uint256\",\"internalType\":\"uint256\"}]},{\"type\":\"error\",\"name\":\"MalformedSignatures\",\"inputs\":[{\"name\":\"length\",\"type\":\"uint256\",\"internalType\":\"uint256\"}]},{\"type\":\"error\",\"name\":\"NonCanonicalVerdict\",\"inputs\":[{\"name\":\"field\",\"type\":\"uint256\",\"internalType\":\"uint256\"}]},{\"type\":\"error\",\"name\":\"NotAnOracle\",\"inputs\":[{\"name\":\"oracle\",\"type\":\"address\",\"internalType\":\"address\"}]},{\"type\":\"error\",\"name\":\"NotMachineProvider\",\"inputs\":[{\"name\":\"machineId\",\"type\":\"bytes32\",\"internalType\":\"bytes32\"},{\"name\":\"caller\",\"type\":\"address\",\"internalType\":\"address\"}]},{\"type\":\"error\",\"name\":\"OracleAlreadyAdded\",\"inputs\":[{\"name\":\"oracle\",\"type\":\"address\",\"internalType\":\"address\"}]},{\"type\":\"error\",\"name\":\"OwnableInvalidOwner\",\"inputs\":[{\"name\":\"owner\",\"type\":\"address\",\"internalType\":\"address\"}]},{\"type\":\"error\",\"name\":\"OwnableUnauthorizedAccount\",\"inputs\":[{\"name\":\"account\",\"type\":\"address\",\"internalType\":\"address\"}]},{\"type\":\"error\",\"name\":\"PolicyAlreadyRegistered\",\"inputs\":[{\"name\":\"policyHash\",\"type\":\"bytes32\",\"internalType\":\"bytes32\"}]},{\"type\":\"error\",\"name\":\"PolicyNotActive\",\"inputs\":[{\"name\":\"policyHash\",\"type\":\"bytes32\",\"internalType\":\"bytes32\"}]},{\"type\":\"error\",\"name\":\"PolicyTagTaken\",\"inputs\":[{\"name\":\"policyHash\",\"type\":\"bytes32\",\"internalType\":\"bytes32\"},{\"name\":\"registered\",\"type\":\"bytes32\",\"internalType\":\"bytes32\"}]},{\"type\":\"error\",\"name\":\"RegistryNotPaused\",\"inputs\":[]},{\"type\":\"error\",\"name\":\"RegistryPaused\",\"inputs\":[]},{\"type\":\"error\",\"name\":\"RenounceOwnershipDisabled\",\"inputs\":[]},{\"type\":\"error\",\"name\":\"RetiredPolicy\",\"inputs\":[{\"name\":\"policyHash\",\"type\":\"bytes32\",\"internalType\":\"bytes32\"}]},{\"type\":\"error\",\"name\":\"SignersNotAscending\",\"inputs\":[{\"name\":\"index\",\"type\":\"uint256\",\"internalType\":\"uint256\"}]},{\"type\":\"error\",\"name\":\"StaleVerdict\",\"inputs\":[{\"name\":\"issuedAt\",\"type\":\"uint64\",\"internalType\":\"uint64\"},{\"name\":\"storedIssuedAt\",\"type\":\"uint64\",\"internalType\":\"uint64\"}]},{\"type\":\"error\",\"name\":\"StringTooLong\",\"inputs\":[{\"name\":\"str\",\"type\":\"string\",\"internalType\":\"string\"}]},{\"type\":\"error\",\"name\":\"TeeMismatch\",\"inputs\":[{\"name\":\"registered\",\"type\":\"uint8\",\"internalType\":\"uint8\"},{\"name\":\"verdict\",\"type\":\"uint8\",\"internalType\":\"uint8\"}]},{\"type\":\"error\",\"name\":\"TooManyOracles\",\"inputs\":[]},{\"type\":\"error\",\"name\":\"TooManyPolicies\",\"inputs\":[]},{\"type\":\"error\",\"name\":\"TooManyWorkloads\",\"inputs\":[]},{\"type\":\"error\",\"name\":\"UnknownPolicy\",\"inputs\":[{\"name\":\"policyHash\",\"type\":\"bytes32\",\"internalType\":\"bytes32\"}]},{\"type\":\"error\",\"name\":\"UnknownSigner\",\"inputs\":[{\"name\":\"signer\",\"type\":\"address\",\"internalType\":\"address\"}]},{\"type\":\"error\",\"name\":\"UntrustedVerdictCannotBind\",\"inputs\":[{\"name\":\"machineId\",\"type\":\"bytes32\",\"internalType\":\"bytes32\"},{\"name\":\"teeKey\",\"type\":\"address\",\"internalType\":\"address\"}]},{\"type\":\"error\",\"name\":\"ZeroAddress\",\"inputs\":[]},{\"type\":\"error\",\"name\":\"ZeroTeeKey\",\"inputs\":[]}]",
	ID:  "TeeRegistry",
	Bin: "0x610160604052348015610010575f5ffd5b50604051615b3d380380615b3d83398101604081905261002f9161055f565b604080518082018252600b81526a546565526567697374727960a81b602080830191909152825180840190935260018352603160f81b9083015290856001600160a01b03811661009957604051631e4fbdf760e01b81525f60048201526024015b60405180910390fd5b6100a28161040f565b506100ac8261042b565b610120526100b98161042b565b61014052815160208084019190912060e052815190820120610100524660a05261014560e05161010051604080517f8b73c3c69bb8fe3d512ecc4cf759cc79239f7b179b0ffacaa9a75d522b39400f60208201529081019290925260608201524660808201523060a08201525f9060c00160405160208183030381529060405280519060200120905090565b60805250503060c052825160ff101561017157604051630974082760e21b815260040160405180910390fd5b5f5b8351811015610294575f84828151811061018f5761018f61065c565b602002602001015190505f6001600160a01b0316816001600160a01b0316036101cb5760405163d92e233d60e01b815260040160405180910390fd5b6001600160a01b0381165f908152600560205260409020541561020c576040516362891bb960e01b81526001600160a01b0382166004820152602401610090565b6001600160a01b0381165f8181526005602052604080822060019081905560108054918201815583527f1b6847dc741a1b0cd08d278845f9d819d87b734759afb55fe2de5cb82a9ae6720180546001600160a01b03191684179055517e47706786c922d17b39285dc59d696bafea72c0b003d3841ae1202076f4c2e49190a250600101610173565b5060ff821615806102a8575082518260ff16115b156102d5578251604051637b7a98f160e01b815260ff841660048201526024810191909152604401610090565b61ffff811615806102eb575061010061ffff8216115b1561030f57604051632b57254b60e21b815261ffff82166004820152602401610090565b6040805160e08101825260ff8481168083528651909116602083018190525f93830184905261ffff8516606084018190526080840185905260a0840185905260c0909301939093526004805461ffff19169091176101009093029290921762010000600160d01b0319166301000000909102600160281b600160d01b031916179055610399610468565b60405160ff831681527f541ae612d90d592d7865e446bfd28eb8c1de1ced93c6f992a6df36c9e7bd33ff9060200160405180910390a160405161ffff821681527fd8753c232e93bea2b484ea3341765450acbd199ddc52c4142a05a8a7379b419d9060200160405180910390a1505050506106cb565b600180546001600160a01b0319169055610428816104c0565b50565b5f5f829050601f81511115610455578260405163305a27a960e01b81526004016100909190610670565b8051610460826106a5565b179392505050565b6004546010545f5b818110156104bb578260055f6010848154811061048f5761048f61065c565b5f9182526020808320909101546001600160a01b03168352820192909252604001902055600101610470565b505050565b5f80546001600160a01b038381166001600160a01b0319831681178455604051919092169283917f8be0079c531659141344cd1fd0a4f28419497f9722a3daafe3b4186f6b6457e09190a35050565b80516001600160a01b0381168114610525575f5ffd5b919050565b634e487b7160e01b5f52604160045260245ffd5b805160ff81168114610525575f5ffd5b805161ffff81168114610525575f5ffd5b5f5f5f5f60808587031215610572575f5ffd5b61057b8561050f565b60208601519094506001600160401b03811115610596575f5ffd5b8501601f810187136105a6575f5ffd5b80516001600160401b038111156105bf576105bf61052a565b604051600582901b90603f8201601f191681016001600160401b03811182821017156105ed576105ed61052a565b60405291825260208184018101929081018a84111561060a575f5ffd5b6020850194505b83851015610630576106228561050f565b815260209485019401610611565b509550610643925050506040860161053e565b91506106516060860161054e565b905092959194509250565b634e487b7160e01b5f52603260045260245ffd5b602081525f82518060208401528060208501604085015e5f604082850101526040601f19601f83011684010191505092915050565b805160208083015191908110156106c5575f198160200360031b1b821691505b50919050565b60805160a05160c05160e05161010051610120516101405161542161071c5f395f612e4001525f612e1501525f61279301525f61276b01525f6126c601525f6126f001525f61271a01526154215ff3fe608060405234801561000f575f5ffd5b50600436106102c2575f3560e01c806385bf82d61161017c578063e5a98603116100dd578063f3e4507411610093578063f57166de1161006e578063f57166de14610715578063f698da2514610728578063fdc85fc414610730575f5ffd5b8063f3e45074146106dc578063f402e12a146106ef578063f5577fe614610702575f5ffd5b8063ec4bdc30116100c3578063ec4bdc30146106a3578063f230748f146106b6578063f2fde38b146106c9575f5ffd5b8063e5a9860314610668578063e5aa17ae1461067b575f5ffd5b8063c9486c8b11610132578063df5dd1a511610118578063df5dd1a51461061c578063e30c39781461062f578063e56cffc114610640575f5ffd5b8063c9486c8b146105f6578063d09aab2814610609575f5ffd5b80639d666e85116101625780639d666e8514610592578063a34e7ed6146105a5578063a97e5c93146105cc575f5ffd5b806385bf82d6146105245780638da5cb5b1461056e575f5ffd5b8063613d8fcc1161022657806377e9553d116101dc57806383c76b78116101c257806383c76b78146104ee5780638456cb591461050157806384b0196e14610509575f5ffd5b806377e9553d146104d357806379ba5097146104e6575f5ffd5b80636e1ec7db1161020c5780636e1ec7db14610483578063715018a6146104a457806375cb5f3d146104ac575f5ffd5b8063613d8fcc146104605780636339e37814610470575f5ffd5b80633fb732d11161027b5780634d649a88116102615780634d649a8814610429578063572f22101461043c5780635c975abb1461044f575f5ffd5b80633fb732d1146103fd57806342cde4e814610410575f5ffd5b806318e2b319116102ab57806318e2b319146103b25780632f4949f4146103d25780633f4ba83a146103f3575f5ffd5b806305f58b79146102c6578063115f746c146102ee575b5f5ffd5b6102d96102d4366004614b99565b610743565b60405190151581526020015b60405180910390f35b61037e6102fc366004614bc1565b60408051606080820183525f8083526020808401829052928401819052938452600682529282902082518085018452905462ffffff808216835260ff63010000008304811684860190815263ffffffff640100000000909404841685880190815287519889018852945190921687529051169285019290925251169082015290565b60408051825162ffffff16815260208084015160ff16908201529181015167ffffffffffffffff16908201526060016102e5565b6103c56103c0366004614bc1565b6107dc565b6040516102e59190614bd8565b6103e56103e0366004614d06565b6109a2565b6040519081526020016102e5565b6103fb610a5f565b005b6102d961040b366004614bc1565b610b0f565b60045460ff165b60405160ff90911681526020016102e5565b6103fb610437366004614d86565b610b5b565b6103fb61044a366004614bc1565b610d5d565b60045462010000900460ff166102d9565b600454610100900460ff16610417565b6103fb61047e366004614e22565b610e76565b6004546301000000900461ffff1660405161ffff90911681526020016102e5565b6103fb610f47565b6103e57f23d2d8dafa352649d265fff39d90063ef26289dc9e67bc2e18e1708e090cf7e981565b6103fb6104e1366004614e43565b610f81565b6103fb61134a565b6103e56104fc366004614eb2565b6113a7565b6103fb6113b1565b610511611461565b6040516102e59796959493929190614efb565b610537610532366004614fad565b6114bf565b60408051951515865260208601949094529284019190915260ff16606083015267ffffffffffffffff16608082015260a0016102e5565b5f546001600160a01b03165b6040516001600160a01b0390911681526020016102e5565b6103e56105a0366004614b99565b611573565b6103e57fd3a78b836d8779a937caf32e25f5a70fbbfc85124c0ab85f5a542e3eb80c1a1781565b6102d96105da366004614fad565b6001600160a01b03165f90815260056020526040902054151590565b6103fb610604366004614fc6565b61157e565b6103fb61061736600461501a565b6117e1565b6103fb61062a366004614fad565b61184c565b6001546001600160a01b031661057a565b6103e561064e366004614fad565b6001600160a01b03165f908152600a602052604090205490565b6103fb61067636600461507c565b611a36565b61057a610689366004614bc1565b5f908152600c60205260409020546001600160a01b031690565b6103fb6106b1366004614bc1565b611b12565b6103fb6106c4366004614bc1565b611bfb565b6103fb6106d7366004614fad565b611d5c565b6102d96106ea366004614fad565b611de4565b6103fb6106fd366004615095565b611e59565b6103e56107103660046150d0565b611ea1565b6103fb6107233660046150f3565b612170565b6103e5612229565b6103fb61073e366004614fad565b612237565b5f825f52600b60205260405f205463ffffffff8160501c1664ffffffffff8260281c160142106001600f8316141680156107d45762ffffff8260101c1667ffffffffffffffff8360701c165f52600d6020528460405f2054148515151660018260081c7f0eebe433f54cc060053981949a0d1c33cab3f4e4cec7d20c97138b88922a44ed015460ff84161c16169150505b805f5260205ff35b60408051610140810182525f80825260208201819052918101829052606081018290526080810182905260a0810182905260c0810182905260e0810182905261010081018290526101208101919091525f828152600860209081526040808320815160808101835290546001600160a01b0380821680845274010000000000000000000000000000000000000000830460ff90811685880190815275010000000000000000000000000000000000000000008504821686880190815276010000000000000000000000000000000000000000000090950464ffffffffff1660608701529189529051811688870152915190911686840152868552600990935292205416806108eb575050919050565b6001600160a01b0381165f818152600b60209081526040808320546060880194909452600f84166080880152600884901c60ff1660a088015267ffffffffffffffff607085901c81168452600d8352818420600101541660c088015262ffffff601085901c168352600790915290205460e085015264ffffffffff602882901c1661010085018190526109899063ffffffff605084901c169061514a565b67ffffffffffffffff1661012085015250919392505050565b5f5f6109ae8484612532565b9050610a556109f68585846109f1604080516101e081019091527f23d2d8dafa352649d265fff39d90063ef26289dc9e67bc2e18e1708e090cf7e9815260200190565b6125d1565b826109ff6126ba565b6040805161190181526020808201939093527fd3a78b836d8779a937caf32e25f5a70fbbfc85124c0ab85f5a542e3eb80c1a175f90815260059490941b90942090915290819020908201526042601e9091012090565b9150505b92915050565b610a676127e6565b60045462010000900460ff16610aa9576040517fcd02ee4400000000000000000000000000000000000000000000000000000000815260040160405180910390fd5b600480547fffffffffffffffffffffffffffffffffffffffffffffffffffffffffff00ffff169055610ad961282d565b6040513381527f5db9ee0a495bf2e6ff9c91a7834c1ba4fdd244a5e8aa4e537bd38aeae4b073aa906020015b60405180910390a1565b5f818152600960205260408120546001600160a01b031680610b3357505f92915050565b6001600160a01b0381165f908152600b6020526040902054610b5490612885565b9392505050565b825f819003610b96576040517fc2e5347d00000000000000000000000000000000000000000000000000000000815260040160405180910390fd5b808214610bde576040517f81b5b20700000000000000000000000000000000000000000000000000000000815260048101829052602481018390526044015b60405180910390fd5b5f610be76128f0565b90505f610c22604080516101e081019091527f23d2d8dafa352649d265fff39d90063ef26289dc9e67bc2e18e1708e090cf7e9815260200190565b90505f5f5b84811015610c4757600581901b8701358701359190910190600101610c27565b505f610c556111308361516a565b610c616142688761516a565b610c6b9190615181565b90505f5b85811015610d5157368a8a83818110610c8a57610c8a615194565b90506101c002019050365f8a8a85818110610ca757610ca7615194565b9050602002810190610cb991906151c1565b91509150818190506111300261426801850394505f610cdc8484848c8c8b612932565b905080515f14610d4257610cef84612b50565b60608901516001600160a01b0316610d078a5f015190565b6040517f3424609272e19f4fd0b125eef22fe5c8de5cbdac73892f52966ec2f7dd7f572e90610d39908a908790615225565b60405180910390a45b50505050806001019050610c6f565b50505050505050505050565b610d6681612b9d565b5f818152600c6020526040812080547fffffffffffffffffffffffff000000000000000000000000000000000000000081169091556001600160a01b03169080610daf84612d01565b90925090506001600160a01b03821615610e2f57610dd2602882901c600161523d565b5f858152600860205260409020805464ffffffffff92909216760100000000000000000000000000000000000000000000027fffffffffff0000000000ffffffffffffffffffffffffffffffffffffffffffff9092169190911790555b816001600160a01b0316836001600160a01b0316857f1a91a689bea30673da5c504aebb6732d24c0a084b34520689964229eb7e50bb360405160405180910390a450505050565b610e7e6127e6565b61ffff81161580610e94575061010061ffff8216115b15610ed1576040517fad5c952c00000000000000000000000000000000000000000000000000000000815261ffff82166004820152602401610bd5565b600480547fffffffffffffffffffffffffffffffffffffffffffffffffffffff0000ffffff16630100000061ffff841602179055610f0d61282d565b60405161ffff821681527fd8753c232e93bea2b484ea3341765450acbd199ddc52c4142a05a8a7379b419d9060200160405180910390a150565b610f4f6127e6565b6040517fffc0fd9300000000000000000000000000000000000000000000000000000000815260040160405180910390fd5b610f896127e6565b83610fc0576040517f0e0ae03d00000000000000000000000000000000000000000000000000000000815260040160405180910390fd5b67ffffffffffffffff83161580610fe4575063ffffffff67ffffffffffffffff8416115b15611027576040517f5704a8d000000000000000000000000000000000000000000000000000000000815267ffffffffffffffff84166004820152602401610bd5565b5f848152600660205260409020546301000000900460ff1615611079576040517f4f20e7c500000000000000000000000000000000000000000000000000000000815260048101859052602401610bd5565b60b084901c5f818152600f602052604090205480156110ce576040517fb3383d9f0000000000000000000000000000000000000000000000000000000081526004810187905260248101829052604401610bd5565b69ffffffffffffffffffff82165f908152600f6020526040902086905560045465010000000000900462ffffff167fffffffffffffffffffffffffffffffffffffffffffffffffffffffffff0000018101611155576040517f8c47adbb00000000000000000000000000000000000000000000000000000000815260040160405180910390fd5b5f61116182600161525a565b90508060045f0160056101000a81548162ffffff021916908362ffffff16021790555060405180606001604052808262ffffff168152602001600160ff1681526020018863ffffffff1681525060065f8a81526020019081526020015f205f820151815f015f6101000a81548162ffffff021916908362ffffff1602179055506020820151815f0160036101000a81548160ff021916908360ff1602179055506040820151815f0160046101000a81548163ffffffff021916908363ffffffff1602179055509050508760075f8362ffffff1681526020019081526020015f20819055506112558162ffffff166001612d81565b600480547fffffffffffff000000000000000000000000000000000000ffffffffffffffff166801000000000000000067ffffffffffffffff630100000060208c901b6bffffffffffffffff000000001662ffffff8716171716027fffffffffffff00000000000000000000ffffffffffffffffffffffffffffffff161770010000000000000000000000000000000069ffffffffffffffffffff8716021790556112fe61282d565b8062ffffff16887f4a24e3ad2842e1240f02309d35585991a97d26f4c455b11bfcdf3a5fe6074b438989896040516113389392919061529e565b60405180910390a35050505050505050565b60015433906001600160a01b0316811461139b576040517f118cdaa70000000000000000000000000000000000000000000000000000000081526001600160a01b0382166004820152602401610bd5565b6113a481612ddd565b50565b5f610a5982612b50565b6113b96127e6565b60045462010000900460ff16156113fc576040517f24522f3400000000000000000000000000000000000000000000000000000000815260040160405180910390fd5b600480547fffffffffffffffffffffffffffffffffffffffffffffffffffffffffff00ffff166201000017905561143161282d565b6040513381527f62e78cea01bee320cd4e420270b5ea74000d11b0c9f74754ebdbfc544b05a25890602001610b05565b5f6060805f5f5f6060611472612e0e565b61147a612e39565b604080515f808252602082019092527f0f000000000000000000000000000000000000000000000000000000000000009b939a50919850469750309650945092509050565b6001600160a01b0381165f908152600b602052604081205481908190819081908082036114fb57505f945084935083925082915081905061156a565b61150481612885565b67ffffffffffffffff607083901c165f908152600d602090815260408083205462ffffff601087901c16845260079092529091205491975095509350600881901c925061156663ffffffff605083901c1664ffffffffff602884901c1661514a565b9150505b91939590929450565b5f610b548383612e64565b5f6115898585612532565b90505f6115c4604080516101e081019091527f23d2d8dafa352649d265fff39d90063ef26289dc9e67bc2e18e1708e090cf7e9815260200190565b90505f6115d3878785856125d1565b90505f6115de6126ba565b60408051611901815260208082018490527fd3a78b836d8779a937caf32e25f5a70fbbfc85124c0ab85f5a542e3eb80c1a175f908152600589901b8720909152828120928201929092526042601e909101209192509061163f908888612eba565b604080516060810190915261190181526020810184905290915089905f5b878110156117d357600581901b86015160408301526042601e83012061168484828761312a565b6117c35761173984898135815260208201358060f81c60208301528060011a6040830152602283013560601c606083015260368301356080830152605683013590508060f81c60a08301528060081b60c01c60c0830152605f83013560e0830152607f830135610100830152609f83013560c01c61012083015260a783013561014083015260c783013590508060c01c6101608301528060401b60c01c6101808301528060801b60c01c6101a0830152505050565b5f61175d8983888660018f61174e91906152ca565b61175891906152ca565b61331e565b905080515f146117c157816117738a6060015190565b6001600160a01b03166117868b5f015190565b6040517f3424609272e19f4fd0b125eef22fe5c8de5cbdac73892f52966ec2f7dd7f572e906117b89088908790615225565b60405180910390a45b505b5060df929092019160010161165d565b505050505050505050505050565b5f6117ea6128f0565b90505f6118338585858561182c604080516101e081019091527f23d2d8dafa352649d265fff39d90063ef26289dc9e67bc2e18e1708e090cf7e9815260200190565b5f19612932565b905080515f1461184557805160208201fd5b5050505050565b6118546127e6565b6001600160a01b038116611894576040517fd92e233d00000000000000000000000000000000000000000000000000000000815260040160405180910390fd5b6001600160a01b0381165f90815260056020526040902054156118ee576040517f62891bb90000000000000000000000000000000000000000000000000000000081526001600160a01b0382166004820152602401610bd5565b600454610100900460ff167fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff018101611952576040517f25d0209c00000000000000000000000000000000000000000000000000000000815260040160405180910390fd5b60108054600180820183555f929092527f1b6847dc741a1b0cd08d278845f9d819d87b734759afb55fe2de5cb82a9ae6720180547fffffffffffffffffffffffff0000000000000000000000000000000000000000166001600160a01b0385161790556119c09082906152dd565b6004805460ff92909216610100027fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff00ff909216919091179055611a0061282d565b6040516001600160a01b038316907e47706786c922d17b39285dc59d696bafea72c0b003d3841ae1202076f4c2e4905f90a25050565b611a3e6127e6565b60045460ff61010090910481169082161580611a5f57508060ff168260ff16115b15611aa3576040517f7b7a98f100000000000000000000000000000000000000000000000000000000815260ff808416600483015282166024820152604401610bd5565b600480547fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff001660ff8416179055611ad861282d565b60405160ff831681527f541ae612d90d592d7865e446bfd28eb8c1de1ced93c6f992a6df36c9e7bd33ff9060200160405180910390a15050565b611b1b81612b9d565b5f81815260086020908152604080832080547fffffffffffffffffffff00ffffffffffffffffffffffffffffffffffffffffff167502000000000000000000000000000000000000000000179055600c909152812080547fffffffffffffffffffffffff000000000000000000000000000000000000000081169091556001600160a01b031690611bab83612d01565b50604080516001600160a01b03808416825285166020820152919250339185917f1b06a343287f64a774b1ad9e454ed0bed621e38a8999eaabf94337351afe8cb3910160405180910390a3505050565b611c036127e6565b5f818152600660209081526040918290208251606081018452905462ffffff811682526301000000810460ff16928201839052640100000000900463ffffffff1692810192909252600114611c87576040517f2033f8f100000000000000000000000000000000000000000000000000000000815260048101839052602401610bd5565b5f82815260066020526040812080547fffffffffffffffffffffffffffffffffffffffffffffffffffffffff00ffffff1663020000001790558151611cd39162ffffff90911690612d81565b805160045462ffffff9182166801000000000000000090910490911603611d2457600480547fffffffffffff000000000000000000000000000000000000ffffffffffffffff169055611d2461282d565b805160405162ffffff9091169083907f13deea4c1c5dacc3b221c5a0680cac417d96a3f1d5b949b9c861f52d5ecf81db905f90a35050565b611d646127e6565b600180546001600160a01b0383167fffffffffffffffffffffffff00000000000000000000000000000000000000009091168117909155611dac5f546001600160a01b031690565b6001600160a01b03167f38d16b8cac22d99fc7c124b9cd0de2d3fa1faef420bfe791d8c362d765e2270060405160405180910390a350565b5f815f52600b60205260405f205463ffffffff8160501c1664ffffffffff8260281c160142106001600f8316141680156107d457507f0eebe433f54cc060053981949a0d1c33cab3f4e4cec7d20c97138b88922a44ed61ffff601883901c16015460ff601083901c161c600116805f5260205ff35b611e6283612b9d565b827f4a9842e32a3df742e6c639db7981f154e80ea30b86751167522406bd455404808383604051611e949291906152f6565b60405180910390a2505050565b6004545f9062010000900460ff1615611ee6576040517f24522f3400000000000000000000000000000000000000000000000000000000815260040160405180910390fd5b60ff8416600114801590611efe575060ff8416600214155b15611f3a576040517f0f32043600000000000000000000000000000000000000000000000000000000815260ff85166004820152602401610bd5565b611f443386612e64565b5f818152600860205260409020549091507501000000000000000000000000000000000000000000900460ff165f198101611fae576040517f238f656e00000000000000000000000000000000000000000000000000000000815260048101839052602401610bd5565b7ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffe60ff82160161200d576040517f4b06eae500000000000000000000000000000000000000000000000000000000815260048101839052602401610bd5565b604080516080810182523380825260ff808916602080850191825260018587019081525f606087018181528a825260089093528790209551865493519151925164ffffffffff16760100000000000000000000000000000000000000000000027fffffffffff0000000000ffffffffffffffffffffffffffffffffffffffffffff938616750100000000000000000000000000000000000000000002939093167fffffffffff000000000000ffffffffffffffffffffffffffffffffffffffffff9290951674010000000000000000000000000000000000000000027fffffffffffffffffffffff0000000000000000000000000000000000000000009094166001600160a01b03919091161792909217919091169190911717909155905183907f9a7774fcfb0a059b1834ff1e9a2946270038ce835f29ce8da1383600dd94ec139061215f90899089908990615309565b60405180910390a350949350505050565b61217982612b9d565b6001600160a01b0381166121b9576040517fd92e233d00000000000000000000000000000000000000000000000000000000815260040160405180910390fd5b5f828152600c602052604080822080547fffffffffffffffffffffffff0000000000000000000000000000000000000000166001600160a01b0385169081179091559051909184917f1847032fa89ad5955accbb58205f94961330a053924fabddaf4aafc914538ce99190a35050565b5f6122326126ba565b905090565b61223f6127e6565b6001600160a01b0381165f90815260056020526040812054900361229a576040517f219993850000000000000000000000000000000000000000000000000000000081526001600160a01b0382166004820152602401610bd5565b6040805160e08101825260045460ff808216835261010082048116602084018190526201000083049091161515938301939093526301000000810461ffff16606083015265010000000000810462ffffff16608083015268010000000000000000810467ffffffffffffffff1660a0830152700100000000000000000000000000000000900469ffffffffffffffffffff1660c0820152905f9061234090600190615325565b9050815f015160ff168160ff1610156123955781516040517f7b7a98f100000000000000000000000000000000000000000000000000000000815260ff91821660048201529082166024820152604401610bd5565b6001600160a01b0383165f9081526005602052604081208190556010546123be906001906152ca565b90505f5b8181101561247657846001600160a01b0316601082815481106123e7576123e7615194565b5f918252602090912001546001600160a01b03160361246e576010828154811061241357612413615194565b5f91825260209091200154601080546001600160a01b03909216918390811061243e5761243e615194565b905f5260205f20015f6101000a8154816001600160a01b0302191690836001600160a01b03160217905550612476565b6001016123c2565b5060108054806124885761248861533e565b5f828152602090205f19908201810180547fffffffffffffffffffffffff0000000000000000000000000000000000000000169055019055600480547fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff00ff1661010060ff8516021790556124f961282d565b6040516001600160a01b038516907f9c8e7d83025bef8a04c664b2f753f64b8814bdb7e27291d7e50935f18cc3c712905f90a250505050565b5f8180158061254a575061254760df82615398565b15155b156125c6576125576128f0565b50805f03612591576040517fc2e5347d00000000000000000000000000000000000000000000000000000000815260040160405180910390fd5b6040517f70ac562d00000000000000000000000000000000000000000000000000000000815260048101829052602401610bd5565b610a5560df826153ab565b60408051600584901b810191829052908590825b818110156126af578235855260208301358060f81c60208701528060011a60408701528060101b60601c606087015260368401356080870152605684013590508060f81c60a08701528060081b60c01c60c0870152605f84013560e0870152607f840135610100870152609f84013560c01c61012087015260a784013561014087015260c784013590508060c01c6101608701528060401b60c01c6101808701528060801b60c01c6101a0870152506101e06020860320815260df830192506020810190506125e5565b505050949350505050565b5f306001600160a01b037f00000000000000000000000000000000000000000000000000000000000000001614801561271257507f000000000000000000000000000000000000000000000000000000000000000046145b1561273c57507f000000000000000000000000000000000000000000000000000000000000000090565b612232604080517f8b73c3c69bb8fe3d512ecc4cf759cc79239f7b179b0ffacaa9a75d522b39400f60208201527f0000000000000000000000000000000000000000000000000000000000000000918101919091527f000000000000000000000000000000000000000000000000000000000000000060608201524660808201523060a08201525f9060c00160405160208183030381529060405280519060200120905090565b90565b5f546001600160a01b0316331461282b576040517f118cdaa7000000000000000000000000000000000000000000000000000000008152336004820152602401610bd5565b565b6004546010545f5b81811015612880578260055f6010848154811061285457612854615194565b5f9182526020808320909101546001600160a01b03168352820192909252604001902055600101612835565b505050565b5f600f821660011461289857505f919050565b6128b063ffffffff605084901c16602884901c61523d565b64ffffffffff1642106128c457505f919050565b5f601083901c62ffffff1690508060ff166128e2600883901c6133d5565b6001911c8116149392505050565b60045460ff601082901c16156127e3576040517f24522f3400000000000000000000000000000000000000000000000000000000815260040160405180910390fd5b60605f6101c08885376101a08401516101808501511761016085015161012086015160c087015117171760401c606085015160a01c60a086015160408701516020880151171760081c17179050805f14612a2a577faec58c1e000000000000000000000000000000000000000000000000000000006129b085613409565b6040516024016129c291815260200190565b60408051601f198184030181529190526020810180517bffffffffffffffffffffffffffffffffffffffffffffffffffffffff167fffffffff00000000000000000000000000000000000000000000000000000000909316929092179091529150612b469050565b612a3c84601887901c61ffff1661350f565b915081515f14612a4c5750612b46565b6101e0601f198501205f612a5f826138fb565b9050612a70818a8a8a60ff16613942565b935083515f14612a8257505050612b46565b5f198514158015612a975750612a9786613beb565b15612b34575f612aaa8662030d40615181565b90505f5a905081811015612b315760408051602481019290925260448083019390935280518083039093018352606490910190526020810180517bffffffffffffffffffffffffffffffffffffffffffffffffffffffff167f9237f218000000000000000000000000000000000000000000000000000000001790529350612b4692505050565b50505b612b408682895f613c7d565b93505050505b9695505050505050565b5f5f5f7f23d2d8dafa352649d265fff39d90063ef26289dc9e67bc2e18e1708e090cf7e990506040518181526101c08560208301376101e090209150612b95826138fb565b949350505050565b5f81815260086020908152604091829020825160808101845290546001600160a01b038116825274010000000000000000000000000000000000000000810460ff908116938301939093527501000000000000000000000000000000000000000000810490921692810183905276010000000000000000000000000000000000000000000090910464ffffffffff16606082015290600114612cb157806040015160ff165f03612c7c576040517f0825edf700000000000000000000000000000000000000000000000000000000815260048101839052602401610bd5565b6040517f4b06eae500000000000000000000000000000000000000000000000000000000815260048101839052602401610bd5565b80516001600160a01b03163314612cfd576040517f141de4ff00000000000000000000000000000000000000000000000000000000815260048101839052336024820152604401610bd5565b5050565b5f818152600960205260408120546001600160a01b0316908115612d7c57506001600160a01b0381165f908152600b60209081526040808320805490849055600a8352818420849055858452600990925290912080547fffffffffffffffffffffffff00000000000000000000000000000000000000001690555b915091565b5f612db0600884901c7f0eebe433f54cc060053981949a0d1c33cab3f4e4cec7d20c97138b88922a44ed615181565b8054909150600160ff85161b90838015612dcd5790821790612dd4565b8219821691505b50909155505050565b600180547fffffffffffffffffffffffff00000000000000000000000000000000000000001690556113a481613cf9565b60606122327f0000000000000000000000000000000000000000000000000000000000000000613d60565b60606122327f0000000000000000000000000000000000000000000000000000000000000000613d60565b604080516001600160a01b03841660208201529081018290525f90610b549060b090606001604051602081830303815290604052805190602001205f1c901c5f815f5260205f2060501c8260b01b179050919050565b5f8181612ec86041836153ab565b90505f5f5f875f6040518b81525b86851015612f895760208301355f94507f7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a08111612f395760408401355f1a6020830152833560408301528060608301525f5f5260205f60808460015afa505f5194505b5083612f485760019550612f89565b818411612f585760029550612f89565b835f52600560205260405f2054985088612f755760039550612f89565b839150604183019250600185019450612ed6565b50505082151580612f98575085155b80612fac5750612fa9604186615398565b15155b80612fb957508560ff1684105b80612fca575060ff601087901c1615155b1561311e57612fd76128f0565b9550612fe4604186615398565b1561301e576040517f2208c62900000000000000000000000000000000000000000000000000000000815260048101869052602401610bd5565b8560ff16841015613067576040517ff1e86aa60000000000000000000000000000000000000000000000000000000081526004810185905260ff87166024820152604401610bd5565b826001036130a4576040517f52bf984800000000000000000000000000000000000000000000000000000000815260048101839052602401610bd5565b826002036130e1576040517f590a84f700000000000000000000000000000000000000000000000000000000815260048101839052602401610bd5565b6040517fd7e8a2c20000000000000000000000000000000000000000000000000000000081526001600160a01b0382166004820152602401610bd5565b50505050509392505050565b5f5f7fdb8e8d1d8d4455e7944c7392a01835664fab59f0babadc1c71eee8e1ffa297f0905060208501358060011a8160101b60601c8260f81c60041b821760c789013593508360c01c808560401b60c01c03428211158115156002600188031016169750600185148816156131c557609f8b013560c01c804060a78d013581148115151661ffff8c60181c1683430311154384101616995050505b871561324157605f8b013594508860801c808660b01c1481151516600181146131fc57865f52600660205260405f2054965061320d565b67ffffffffffffffff8b60401c1696505b505063ffffffff8560201c16811115600160ff8760181c16141697508060501b8260281b1762ffffff861660101b84171792505b5086156133115760568a013594508460f81c60081b82179150604051935060368a01355f528460081b60c01c6020527f5edb83c663a191e7a2b4b4000180daf29ec2c95200afab1c45110412588c73f560405260605f205484604052835f52600b60205260405f20945084548060b01c5f5264ffffffffff8160281c16831160208d01355f1a600f8360041c1614168c3560205f2060501c8360b01c60b01b17148215158415151616169850881561330e578060b01c60b01b8260701b17841786558a5f528b358860205fa25b50505b5050505050509392505050565b60605f61332d612af88461516a565b61333a9062030d40615181565b90505f5a9050818110156133bd5760408051602481019290925260448083019390935280518083039093018352606490910190526020810180517bffffffffffffffffffffffffffffffffffffffffffffffffffffffff167f9237f218000000000000000000000000000000000000000000000000000000001790529050612b95565b6133ca8787876001613c7d565b979650505050505050565b5f80613401837f0eebe433f54cc060053981949a0d1c33cab3f4e4cec7d20c97138b88922a44ed615181565b549392505050565b5f60ff613417836020015190565b111561342557506001919050565b60ff613432836040015190565b111561344057506002919050565b6001600160a01b03613453836060015190565b111561346157506003919050565b60ff61346e8360a0015190565b111561347c57506005919050565b67ffffffffffffffff6134908360c0015190565b111561349e57506006919050565b67ffffffffffffffff6134b383610120015190565b11156134c157506009919050565b67ffffffffffffffff6134d683610160015190565b11156134e45750600b919050565b67ffffffffffffffff6134f983610180015190565b11156135075750600c919050565b50600d919050565b60605f61351d846040015190565b905060018114801590613531575060028114155b156135a9576040805160ff9290921660248084019190915281518084039091018152604490920190526020810180517bffffffffffffffffffffffffffffffffffffffffffffffffffffffff167f774f7f12000000000000000000000000000000000000000000000000000000001790529050610a59565b60608401515f036136125750506040805160048152602481019091526020810180517bffffffffffffffffffffffffffffffffffffffffffffffffffffffff167f7e8c1c1d00000000000000000000000000000000000000000000000000000000179052610a59565b5f61361f85610160015190565b9050428111156136a5576040805167ffffffffffffffff9290921660248084019190915281518084039091018152604490920190526020810180517bffffffffffffffffffffffffffffffffffffffffffffffffffffffff167f9f7cd980000000000000000000000000000000000000000000000000000000001790529150610a599050565b5f6136b286610180015190565b9050818111613740576040805167ffffffffffffffff9384166024820152919092166044808301919091528251808303909101815260649091019091526020810180517bffffffffffffffffffffffffffffffffffffffffffffffffffffffff167f51a221bb000000000000000000000000000000000000000000000000000000001790529150610a599050565b5f1983016138f2575f61375587610120015190565b90504381106138025760405167ffffffffffffffff821660248201527f37adee2a00000000000000000000000000000000000000000000000000000000906044015b60408051601f198184030181529190526020810180517bffffffffffffffffffffffffffffffffffffffffffffffffffffffff167fffffffff00000000000000000000000000000000000000000000000000000000909316929092179091529450610a599350505050565b8561380d82436152ca565b11156138575760405167ffffffffffffffff82166024820152604481018790527f6057870f0000000000000000000000000000000000000000000000000000000090606401613797565b804080158061386b57506101408801518114155b156138ef57506040805167ffffffffffffffff9290921660248084019190915281518084039091018152604490920190526020810180517bffffffffffffffffffffffffffffffffffffffffffffffffffffffff167fd923e16f000000000000000000000000000000000000000000000000000000001790529350610a5992505050565b50505b50505092915050565b5f610a596139076126ba565b836040517f19010000000000000000000000000000000000000000000000000000000000008152600281019290925260228201526042902090565b606082828110156139c157604080516024810192909252604480830185905281518084039091018152606490920190526020810180517bffffffffffffffffffffffffffffffffffffffffffffffffffffffff167ff1e86aa6000000000000000000000000000000000000000000000000000000001790529050612b95565b5f805b828110156126af57600581901b8701358701803590602081013590604081013590606001355f1a60418414613a655750506040805160248082019590955281518082039095018552604401905250506020810180517bffffffffffffffffffffffffffffffffffffffffffffffffffffffff167f52bf9848000000000000000000000000000000000000000000000000000000001790529250612b95915050565b5f5f613a738e848787613d9d565b5090925090505f816003811115613a8c57613a8c6153be565b14613b3157604051602481018890527f52bf984800000000000000000000000000000000000000000000000000000000906044015b60408051601f198184030181529190526020810180517bffffffffffffffffffffffffffffffffffffffffffffffffffffffff167fffffffff00000000000000000000000000000000000000000000000000000000909316929092179091529950612b9598505050505050505050565b876001600160a01b0316826001600160a01b031611613b7e57604051602481018890527f590a84f70000000000000000000000000000000000000000000000000000000090604401613ac1565b6001600160a01b0382165f908152600560205260408120549003613bd8576040516001600160a01b03831660248201527fd7e8a2c20000000000000000000000000000000000000000000000000000000090604401613ac1565b50955050600190930192506139c4915050565b5f5f613bf8836060015190565b6001600160a01b0381165f908152600b602052604081205491925003613c215750600192915050565b5f613c2d846080015190565b90505f613c3b8560c0015190565b604080515f9485526020929092527f5edb83c663a191e7a2b4b4000180daf29ec2c95200afab1c45110412588c73f58152606090932054925250159392505050565b60608115613ca257613c9785601885901c61ffff1661350f565b905080515f03612b95575b5f613cac86613e65565b805190935090915015613cbf5750612b95565b5f613cc9876140c8565b805190945090915015613cdd575050612b95565b613cef87600483901b84178887614390565b5050949350505050565b5f80546001600160a01b038381167fffffffffffffffffffffffff0000000000000000000000000000000000000000831681178455604051919092169283917f8be0079c531659141344cd1fd0a4f28419497f9722a3daafe3b4186f6b6457e09190a35050565b60605f613d6c83614477565b6040805160208082528183019092529192505f91906020820181803683375050509182525060208101929092525090565b5f80807f7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0841115613dd657505f91506003905082613e5b565b604080515f808252602082018084528a905260ff891692820192909252606081018790526080810186905260019060a0016020604051602081039080840390855afa158015613e27573d5f5f3e3d5ffd5b5050604051601f1901519150506001600160a01b038116613e5257505f925060019150829050613e5b565b92505f91508190505b9450945094915050565b5f60605f613e748460e0015190565b5f81815260066020526040902054909150600160ff601883901c1614613f6e57805f03613f3857604051602481018390525f907f9561b7e000000000000000000000000000000000000000000000000000000000906044015b60408051601f198184030181529190526020810180517bffffffffffffffffffffffffffffffffffffffffffffffffffffffff167fffffffff000000000000000000000000000000000000000000000000000000009093169290921790915290969095509350505050565b604051602481018390525f907f3b25ce960000000000000000000000000000000000000000000000000000000090604401613ecd565b5f613f7b86610160015190565b90505f613f8a87610180015190565b90505f613f9783836152ca565b905063ffffffff602085901c1680821115614064575f7f3f828c290000000000000000000000000000000000000000000000000000000084613fd98488615181565b60405167ffffffffffffffff9092166024830152604482015260640160408051601f198184030181529190526020810180517bffffffffffffffffffffffffffffffffffffffffffffffffffffffff167fffffffff0000000000000000000000000000000000000000000000000000000090931692909217909152909a909950975050505050505050565b88517fffffffffffffffffffff0000000000000000000000000000000000000000000016605083901b602886901b60108862ffffff16901b60086140a98e60a0015190565b901b6140b68e6040015190565b17171717179750505050505050915091565b5f60605f6140d7846060015190565b84516001600160a01b0382165f908152600b6020526040812054929350909190819003614115576141098683856144b7565b94509450505050915091565b60b081901c5f81815260209020839060501c7fffffffffffffffffffff00000000000000000000000000000000000000000000841617146142385760b083901c8114614202576040516001600160a01b03851660248201525f907fb291af1200000000000000000000000000000000000000000000000000000000906044015b60408051601f198184030181529190526020810180517bffffffffffffffffffffffffffffffffffffffffffffffffffffffff167fffffffff0000000000000000000000000000000000000000000000000000000090931692909217909152909890975095505050505050565b604051602481018490525f907f0825edf70000000000000000000000000000000000000000000000000000000090604401614195565b600482901c600f1695505f61424e886020015190565b90508087146142d8576040805160ff9889166024820152919097166044808301919091528751808303909101815260649091019096525050506020830180517bffffffffffffffffffffffffffffffffffffffffffffffffffffffff167f12a07f1800000000000000000000000000000000000000000000000000000000179052505f9391925050565b64ffffffffff602884901c165f6142f18a610160015190565b9050818111614384576040805167ffffffffffffffff92831660248201529290911660448084019190915281518084039091018152606490920190526020810180517bffffffffffffffffffffffffffffffffffffffffffffffffffffffff167f50cab903000000000000000000000000000000000000000000000000000000001790525f999098509650505050505050565b50505050505050915091565b5f816143bc577f7cd374d307582d8a2064c9dc5b994161f2ed7ce914d818e0404340ec279054c36143de565b7fdb8e8d1d8d4455e7944c7392a01835664fab59f0babadc1c71eee8e1ffa297f05b905060706143eb86614a1d565b901b841793506060850151805f52600b6020528460405f2055825f811461441d57845f525f8701518360205fa261446e565b6040518581526040880151602082015260808801516040820152610100880151606082015260e0880151608082015261016088015160a082015261018088015160c0820152825f8901518560e084a3505b50505050505050565b5f60ff8216601f811115610a59576040517fb3512b0c00000000000000000000000000000000000000000000000000000000815260040160405180910390fd5b5f606060016144c7866040015190565b1461454d57505060408051602481018490526001600160a01b0383166044808301919091528251808303909101815260649091019091526020810180517bffffffffffffffffffffffffffffffffffffffffffffffffffffffff167fa4862b27000000000000000000000000000000000000000000000000000000001790525f90614a15565b5f84815260086020526040902080547501000000000000000000000000000000000000000000900460ff166001811461465a578060ff165f0361462457604051602481018790525f907f0825edf700000000000000000000000000000000000000000000000000000000906044015b604051602081830303815290604052907bffffffffffffffffffffffffffffffffffffffffffffffffffffffff19166020820180517bffffffffffffffffffffffffffffffffffffffffffffffffffffffff8381831617835250505050935093505050614a15565b604051602481018790525f907f4b06eae500000000000000000000000000000000000000000000000000000000906044016145bc565b815460ff74010000000000000000000000000000000000000000909104165f614684896020015190565b9050808260ff16146147365760405160ff8084166024830152821660448201525f907f12a07f1800000000000000000000000000000000000000000000000000000000906064015b604051602081830303815290604052907bffffffffffffffffffffffffffffffffffffffffffffffffffffffff19166020820180517bffffffffffffffffffffffffffffffffffffffffffffffffffffffff83818316178352505050509550955050505050614a15565b5f888152600c60205260409020546001600160a01b0388811691161461479b57604051602481018990526001600160a01b03881660448201525f907f54395c8800000000000000000000000000000000000000000000000000000000906064016146cc565b5f888152600960205260408120546001600160a01b0316906147bf8b610160015190565b90506001600160a01b0382166148ba578554760100000000000000000000000000000000000000000000900464ffffffffff16808210156148b4575f7f50cab90300000000000000000000000000000000000000000000000000000000836148286001856152ca565b60405167ffffffffffffffff9283166024820152911660448201526064015b604051602081830303815290604052907bffffffffffffffffffffffffffffffffffffffffffffffffffffffff19166020820180517bffffffffffffffffffffffffffffffffffffffffffffffffffffffff83818316178352505050509850985050505050505050614a15565b5061497f565b6001600160a01b0382165f908152600b602052604090205460281c64ffffffffff1680821161492a5760405167ffffffffffffffff8084166024830152821660448201525f907f50cab9030000000000000000000000000000000000000000000000000000000090606401614847565b6001600160a01b038084165f818152600b60209081526040808320839055600a90915280822082905551928d16928e917fa90dac46fa21375166f0d4ac0b0e6f68ddf7916fac2b6a6068542727a402e19391a4505b5f8a8152600c6020908152604080832080547fffffffffffffffffffffffff00000000000000000000000000000000000000009081169091556009835281842080546001600160a01b038f16921682179055808452600a9092528083208d90555190918c917fdde9add5cb331222e3b8cf13193c9055a7db41b73dd2bc37ba07d28daeaa4f199190a38360ff1697505050505050505b935093915050565b5f5f614a2a836080015190565b90505f614a388460c0015190565b604080515f85815260208490527f5edb83c663a191e7a2b4b4000180daf29ec2c95200afab1c45110412588c73f58352606090209152805494509091508315614a8357505050919050565b600e54614a91906001615181565b935067ffffffffffffffff841115614ad5576040517f0e451eb500000000000000000000000000000000000000000000000000000000815260040160405180910390fd5b600e84905583815560408051808201825284815267ffffffffffffffff84811660208084018281525f8a8152600d83528690209451855551600190940180547fffffffffffffffffffffffffffffffffffffffffffffffff0000000000000000169484169490941790935592519283528592908716917f4a9bbad3468f94c41cf4ef67c91755a27a4df149781810f9b697cfa9eb9e90bc910160405180910390a3505050919050565b80356001600160a01b0381168114614b94575f5ffd5b919050565b5f5f60408385031215614baa575f5ffd5b614bb383614b7e565b946020939093013593505050565b5f60208284031215614bd1575f5ffd5b5035919050565b81516001600160a01b0316815261014081016020830151614bfe602084018260ff169052565b506040830151614c13604084018260ff169052565b506060830151614c2e60608401826001600160a01b03169052565b506080830151614c43608084018260ff169052565b5060a0830151614c5860a084018260ff169052565b5060c0830151614c7460c084018267ffffffffffffffff169052565b5060e083015160e0830152610100830151614c9c61010084018267ffffffffffffffff169052565b50610120830151614cba61012084018267ffffffffffffffff169052565b5092915050565b5f5f83601f840112614cd1575f5ffd5b50813567ffffffffffffffff811115614ce8575f5ffd5b602083019150836020828501011115614cff575f5ffd5b9250929050565b5f5f60208385031215614d17575f5ffd5b823567ffffffffffffffff811115614d2d575f5ffd5b614d3985828601614cc1565b90969095509350505050565b5f5f83601f840112614d55575f5ffd5b50813567ffffffffffffffff811115614d6c575f5ffd5b6020830191508360208260051b8501011115614cff575f5ffd5b5f5f5f5f60408587031215614d99575f5ffd5b843567ffffffffffffffff811115614daf575f5ffd5b8501601f81018713614dbf575f5ffd5b803567ffffffffffffffff811115614dd5575f5ffd5b8760206101c083028401011115614dea575f5ffd5b60209182019550935085013567ffffffffffffffff811115614e0a575f5ffd5b614e1687828801614d45565b95989497509550505050565b5f60208284031215614e32575f5ffd5b813561ffff81168114610b54575f5ffd5b5f5f5f5f60608587031215614e56575f5ffd5b84359350602085013567ffffffffffffffff81168114614e74575f5ffd5b9250604085013567ffffffffffffffff811115614e8f575f5ffd5b614e1687828801614cc1565b5f6101c08284031215614eac575f5ffd5b50919050565b5f6101c08284031215614ec3575f5ffd5b610b548383614e9b565b5f81518084528060208401602086015e5f602082860101526020601f19601f83011685010191505092915050565b7fff000000000000000000000000000000000000000000000000000000000000008816815260e060208201525f614f3560e0830189614ecd565b8281036040840152614f478189614ecd565b606084018890526001600160a01b038716608085015260a0840186905283810360c0850152845180825260208087019350909101905f5b81811015614f9c578351835260209384019390920191600101614f7e565b50909b9a5050505050505050505050565b5f60208284031215614fbd575f5ffd5b610b5482614b7e565b5f5f5f5f60408587031215614fd9575f5ffd5b843567ffffffffffffffff811115614fef575f5ffd5b614ffb87828801614cc1565b909550935050602085013567ffffffffffffffff811115614e8f575f5ffd5b5f5f5f6101e0848603121561502d575f5ffd5b6150378585614e9b565b92506101c084013567ffffffffffffffff811115615053575f5ffd5b61505f86828701614d45565b9497909650939450505050565b803560ff81168114614b94575f5ffd5b5f6020828403121561508c575f5ffd5b610b548261506c565b5f5f5f604084860312156150a7575f5ffd5b83359250602084013567ffffffffffffffff8111156150c4575f5ffd5b61505f86828701614cc1565b5f5f5f5f606085870312156150e3575f5ffd5b84359350614e746020860161506c565b5f5f60408385031215615104575f5ffd5b8235915061511460208401614b7e565b90509250929050565b7f4e487b71000000000000000000000000000000000000000000000000000000005f52601160045260245ffd5b67ffffffffffffffff8181168382160190811115610a5957610a5961511d565b8082028115828204841417610a5957610a5961511d565b80820180821115610a5957610a5961511d565b7f4e487b71000000000000000000000000000000000000000000000000000000005f52603260045260245ffd5b5f5f83357fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffe18436030181126151f4575f5ffd5b83018035915067ffffffffffffffff82111561520e575f5ffd5b6020019150600581901b3603821315614cff575f5ffd5b828152604060208201525f612b956040830184614ecd565b64ffffffffff8181168382160190811115610a5957610a5961511d565b62ffffff8181168382160190811115610a5957610a5961511d565b81835281816020850137505f602082840101525f6020601f19601f840116840101905092915050565b67ffffffffffffffff84168152604060208201525f6152c1604083018486615275565b95945050505050565b81810381811115610a5957610a5961511d565b60ff8181168382160190811115610a5957610a5961511d565b602081525f612b95602083018486615275565b60ff84168152604060208201525f6152c1604083018486615275565b60ff8281168282160390811115610a5957610a5961511d565b7f4e487b71000000000000000000000000000000000000000000000000000000005f52603160045260245ffd5b7f4e487b71000000000000000000000000000000000000000000000000000000005f52601260045260245ffd5b5f826153a6576153a661536b565b500690565b5f826153b9576153b961536b565b500490565b7f4e487b71000000000000000000000000000000000000000000000000000000005f52602160045260245ffdfea26469706673582212202b892e5c12085c66130093e49bc65b6c94f89257861961785f057931d57255f864736f6c634300081e0033",
}

// TeeRegistry is an auto generated Go binding around an Ethereum contract.
type TeeRegistry struct {
	abi abi.ABI
}

// GetABI returns the ABI associated with this contract binding.
func (c *TeeRegistry) GetABI() abi.ABI {
	return c.abi
}

// NewTeeRegistry creates a new instance of TeeRegistry.
func NewTeeRegistry() *TeeRegistry {
	parsed, err := TeeRegistryMetaData.ParseABI()
	if err != nil {
		panic(errors.New("invalid ABI: " + err.Error()))
	}
	return &TeeRegistry{abi: *parsed}
}

// Instance creates a wrapper for a deployed contract instance at the given address.
// Use this to create the instance object passed to abigen v2 library functions Call, Transact, etc.
func (c *TeeRegistry) Instance(backend bind.ContractBackend, addr common.Address) *bind.BoundContract {
	return bind.NewBoundContract(addr, c.abi, backend, backend, backend)
}

// PackConstructor is the Go binding used to pack the parameters required for
// contract deployment.
//
// Solidity: constructor(address initialOwner, address[] oracles, uint8 threshold_, uint16 maxAnchorAge_) returns()
func (teeRegistry *TeeRegistry) PackConstructor(initialOwner common.Address, oracles []common.Address, threshold_ uint8, maxAnchorAge_ uint16) []byte {
	enc, err := teeRegistry.abi.Pack("", initialOwner, oracles, threshold_, maxAnchorAge_)
	if err != nil {
		panic(err)
	}
	return enc
}

// PackVERDICTBATCHTYPEHASH is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xa34e7ed6.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function VERDICT_BATCH_TYPEHASH() view returns(bytes32)
func (teeRegistry *TeeRegistry) PackVERDICTBATCHTYPEHASH() []byte {
	enc, err := teeRegistry.abi.Pack("VERDICT_BATCH_TYPEHASH")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackVERDICTBATCHTYPEHASH is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xa34e7ed6.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function VERDICT_BATCH_TYPEHASH() view returns(bytes32)
func (teeRegistry *TeeRegistry) TryPackVERDICTBATCHTYPEHASH() ([]byte, error) {
	return teeRegistry.abi.Pack("VERDICT_BATCH_TYPEHASH")
}

// UnpackVERDICTBATCHTYPEHASH is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0xa34e7ed6.
//
// Solidity: function VERDICT_BATCH_TYPEHASH() view returns(bytes32)
func (teeRegistry *TeeRegistry) UnpackVERDICTBATCHTYPEHASH(data []byte) ([32]byte, error) {
	out, err := teeRegistry.abi.Unpack("VERDICT_BATCH_TYPEHASH", data)
	if err != nil {
		return *new([32]byte), err
	}
	out0 := *abi.ConvertType(out[0], new([32]byte)).(*[32]byte)
	return out0, nil
}

// PackVERDICTTYPEHASH is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x75cb5f3d.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function VERDICT_TYPEHASH() view returns(bytes32)
func (teeRegistry *TeeRegistry) PackVERDICTTYPEHASH() []byte {
	enc, err := teeRegistry.abi.Pack("VERDICT_TYPEHASH")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackVERDICTTYPEHASH is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x75cb5f3d.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function VERDICT_TYPEHASH() view returns(bytes32)
func (teeRegistry *TeeRegistry) TryPackVERDICTTYPEHASH() ([]byte, error) {
	return teeRegistry.abi.Pack("VERDICT_TYPEHASH")
}

// UnpackVERDICTTYPEHASH is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x75cb5f3d.
//
// Solidity: function VERDICT_TYPEHASH() view returns(bytes32)
func (teeRegistry *TeeRegistry) UnpackVERDICTTYPEHASH(data []byte) ([32]byte, error) {
	out, err := teeRegistry.abi.Unpack("VERDICT_TYPEHASH", data)
	if err != nil {
		return *new([32]byte), err
	}
	out0 := *abi.ConvertType(out[0], new([32]byte)).(*[32]byte)
	return out0, nil
}

// PackAcceptOwnership is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x79ba5097.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function acceptOwnership() returns()
func (teeRegistry *TeeRegistry) PackAcceptOwnership() []byte {
	enc, err := teeRegistry.abi.Pack("acceptOwnership")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackAcceptOwnership is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x79ba5097.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function acceptOwnership() returns()
func (teeRegistry *TeeRegistry) TryPackAcceptOwnership() ([]byte, error) {
	return teeRegistry.abi.Pack("acceptOwnership")
}

// PackAddOracle is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xdf5dd1a5.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function addOracle(address oracle) returns()
func (teeRegistry *TeeRegistry) PackAddOracle(oracle common.Address) []byte {
	enc, err := teeRegistry.abi.Pack("addOracle", oracle)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackAddOracle is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xdf5dd1a5.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function addOracle(address oracle) returns()
func (teeRegistry *TeeRegistry) TryPackAddOracle(oracle common.Address) ([]byte, error) {
	return teeRegistry.abi.Pack("addOracle", oracle)
}

// PackAuthorizeKey is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xf57166de.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function authorizeKey(bytes32 machineId, address teeKey) returns()
func (teeRegistry *TeeRegistry) PackAuthorizeKey(machineId [32]byte, teeKey common.Address) []byte {
	enc, err := teeRegistry.abi.Pack("authorizeKey", machineId, teeKey)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackAuthorizeKey is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xf57166de.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function authorizeKey(bytes32 machineId, address teeKey) returns()
func (teeRegistry *TeeRegistry) TryPackAuthorizeKey(machineId [32]byte, teeKey common.Address) ([]byte, error) {
	return teeRegistry.abi.Pack("authorizeKey", machineId, teeKey)
}

// PackAuthorizedKey is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xe5aa17ae.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function authorizedKey(bytes32 machineId) view returns(address)
func (teeRegistry *TeeRegistry) PackAuthorizedKey(machineId [32]byte) []byte {
	enc, err := teeRegistry.abi.Pack("authorizedKey", machineId)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackAuthorizedKey is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xe5aa17ae.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function authorizedKey(bytes32 machineId) view returns(address)
func (teeRegistry *TeeRegistry) TryPackAuthorizedKey(machineId [32]byte) ([]byte, error) {
	return teeRegistry.abi.Pack("authorizedKey", machineId)
}

// UnpackAuthorizedKey is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0xe5aa17ae.
//
// Solidity: function authorizedKey(bytes32 machineId) view returns(address)
func (teeRegistry *TeeRegistry) UnpackAuthorizedKey(data []byte) (common.Address, error) {
	out, err := teeRegistry.abi.Unpack("authorizedKey", data)
	if err != nil {
		return *new(common.Address), err
	}
	out0 := *abi.ConvertType(out[0], new(common.Address)).(*common.Address)
	return out0, nil
}

// PackDeregisterMachine is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xec4bdc30.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function deregisterMachine(bytes32 machineId) returns()
func (teeRegistry *TeeRegistry) PackDeregisterMachine(machineId [32]byte) []byte {
	enc, err := teeRegistry.abi.Pack("deregisterMachine", machineId)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackDeregisterMachine is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xec4bdc30.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function deregisterMachine(bytes32 machineId) returns()
func (teeRegistry *TeeRegistry) TryPackDeregisterMachine(machineId [32]byte) ([]byte, error) {
	return teeRegistry.abi.Pack("deregisterMachine", machineId)
}

// PackDomainSeparator is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xf698da25.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function domainSeparator() view returns(bytes32)
func (teeRegistry *TeeRegistry) PackDomainSeparator() []byte {
	enc, err := teeRegistry.abi.Pack("domainSeparator")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackDomainSeparator is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xf698da25.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function domainSeparator() view returns(bytes32)
func (teeRegistry *TeeRegistry) TryPackDomainSeparator() ([]byte, error) {
	return teeRegistry.abi.Pack("domainSeparator")
}

// UnpackDomainSeparator is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0xf698da25.
//
// Solidity: function domainSeparator() view returns(bytes32)
func (teeRegistry *TeeRegistry) UnpackDomainSeparator(data []byte) ([32]byte, error) {
	out, err := teeRegistry.abi.Unpack("domainSeparator", data)
	if err != nil {
		return *new([32]byte), err
	}
	out0 := *abi.ConvertType(out[0], new([32]byte)).(*[32]byte)
	return out0, nil
}

// PackEip712Domain is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x84b0196e.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function eip712Domain() view returns(bytes1 fields, string name, string version, uint256 chainId, address verifyingContract, bytes32 salt, uint256[] extensions)
func (teeRegistry *TeeRegistry) PackEip712Domain() []byte {
	enc, err := teeRegistry.abi.Pack("eip712Domain")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackEip712Domain is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x84b0196e.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function eip712Domain() view returns(bytes1 fields, string name, string version, uint256 chainId, address verifyingContract, bytes32 salt, uint256[] extensions)
func (teeRegistry *TeeRegistry) TryPackEip712Domain() ([]byte, error) {
	return teeRegistry.abi.Pack("eip712Domain")
}

// Eip712DomainOutput serves as a container for the return parameters of contract
// method Eip712Domain.
type Eip712DomainOutput struct {
	Fields            [1]byte
	Name              string
	Version           string
	ChainId           *big.Int
	VerifyingContract common.Address
	Salt              [32]byte
	Extensions        []*big.Int
}

// UnpackEip712Domain is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x84b0196e.
//
// Solidity: function eip712Domain() view returns(bytes1 fields, string name, string version, uint256 chainId, address verifyingContract, bytes32 salt, uint256[] extensions)
func (teeRegistry *TeeRegistry) UnpackEip712Domain(data []byte) (Eip712DomainOutput, error) {
	out, err := teeRegistry.abi.Unpack("eip712Domain", data)
	outstruct := new(Eip712DomainOutput)
	if err != nil {
		return *outstruct, err
	}
	outstruct.Fields = *abi.ConvertType(out[0], new([1]byte)).(*[1]byte)
	outstruct.Name = *abi.ConvertType(out[1], new(string)).(*string)
	outstruct.Version = *abi.ConvertType(out[2], new(string)).(*string)
	outstruct.ChainId = abi.ConvertType(out[3], new(big.Int)).(*big.Int)
	outstruct.VerifyingContract = *abi.ConvertType(out[4], new(common.Address)).(*common.Address)
	outstruct.Salt = *abi.ConvertType(out[5], new([32]byte)).(*[32]byte)
	outstruct.Extensions = *abi.ConvertType(out[6], new([]*big.Int)).(*[]*big.Int)
	return *outstruct, nil
}

// PackHashBatch is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x2f4949f4.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function hashBatch(bytes verdicts) view returns(bytes32)
func (teeRegistry *TeeRegistry) PackHashBatch(verdicts []byte) []byte {
	enc, err := teeRegistry.abi.Pack("hashBatch", verdicts)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackHashBatch is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x2f4949f4.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function hashBatch(bytes verdicts) view returns(bytes32)
func (teeRegistry *TeeRegistry) TryPackHashBatch(verdicts []byte) ([]byte, error) {
	return teeRegistry.abi.Pack("hashBatch", verdicts)
}

// UnpackHashBatch is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x2f4949f4.
//
// Solidity: function hashBatch(bytes verdicts) view returns(bytes32)
func (teeRegistry *TeeRegistry) UnpackHashBatch(data []byte) ([32]byte, error) {
	out, err := teeRegistry.abi.Unpack("hashBatch", data)
	if err != nil {
		return *new([32]byte), err
	}
	out0 := *abi.ConvertType(out[0], new([32]byte)).(*[32]byte)
	return out0, nil
}

// PackHashVerdict is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x83c76b78.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function hashVerdict((bytes32,uint8,uint8,address,bytes32,uint8,uint64,bytes32,bytes32,uint64,bytes32,uint64,uint64,uint64) v) view returns(bytes32)
func (teeRegistry *TeeRegistry) PackHashVerdict(v ITeeRegistryVerdict) []byte {
	enc, err := teeRegistry.abi.Pack("hashVerdict", v)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackHashVerdict is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x83c76b78.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function hashVerdict((bytes32,uint8,uint8,address,bytes32,uint8,uint64,bytes32,bytes32,uint64,bytes32,uint64,uint64,uint64) v) view returns(bytes32)
func (teeRegistry *TeeRegistry) TryPackHashVerdict(v ITeeRegistryVerdict) ([]byte, error) {
	return teeRegistry.abi.Pack("hashVerdict", v)
}

// UnpackHashVerdict is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x83c76b78.
//
// Solidity: function hashVerdict((bytes32,uint8,uint8,address,bytes32,uint8,uint64,bytes32,bytes32,uint64,bytes32,uint64,uint64,uint64) v) view returns(bytes32)
func (teeRegistry *TeeRegistry) UnpackHashVerdict(data []byte) ([32]byte, error) {
	out, err := teeRegistry.abi.Unpack("hashVerdict", data)
	if err != nil {
		return *new([32]byte), err
	}
	out0 := *abi.ConvertType(out[0], new([32]byte)).(*[32]byte)
	return out0, nil
}

// PackIsOracle is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xa97e5c93.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function isOracle(address account) view returns(bool)
func (teeRegistry *TeeRegistry) PackIsOracle(account common.Address) []byte {
	enc, err := teeRegistry.abi.Pack("isOracle", account)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackIsOracle is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xa97e5c93.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function isOracle(address account) view returns(bool)
func (teeRegistry *TeeRegistry) TryPackIsOracle(account common.Address) ([]byte, error) {
	return teeRegistry.abi.Pack("isOracle", account)
}

// UnpackIsOracle is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0xa97e5c93.
//
// Solidity: function isOracle(address account) view returns(bool)
func (teeRegistry *TeeRegistry) UnpackIsOracle(data []byte) (bool, error) {
	out, err := teeRegistry.abi.Unpack("isOracle", data)
	if err != nil {
		return *new(bool), err
	}
	out0 := *abi.ConvertType(out[0], new(bool)).(*bool)
	return out0, nil
}

// PackIsTrusted is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x3fb732d1.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function isTrusted(bytes32 machineId) view returns(bool)
func (teeRegistry *TeeRegistry) PackIsTrusted(machineId [32]byte) []byte {
	enc, err := teeRegistry.abi.Pack("isTrusted", machineId)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackIsTrusted is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x3fb732d1.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function isTrusted(bytes32 machineId) view returns(bool)
func (teeRegistry *TeeRegistry) TryPackIsTrusted(machineId [32]byte) ([]byte, error) {
	return teeRegistry.abi.Pack("isTrusted", machineId)
}

// UnpackIsTrusted is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x3fb732d1.
//
// Solidity: function isTrusted(bytes32 machineId) view returns(bool)
func (teeRegistry *TeeRegistry) UnpackIsTrusted(data []byte) (bool, error) {
	out, err := teeRegistry.abi.Unpack("isTrusted", data)
	if err != nil {
		return *new(bool), err
	}
	out0 := *abi.ConvertType(out[0], new(bool)).(*bool)
	return out0, nil
}

// PackIsTrustedFor is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x05f58b79.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function isTrustedFor(address key, bytes32 workloadId) view returns(bool)
func (teeRegistry *TeeRegistry) PackIsTrustedFor(key common.Address, workloadId [32]byte) []byte {
	enc, err := teeRegistry.abi.Pack("isTrustedFor", key, workloadId)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackIsTrustedFor is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x05f58b79.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function isTrustedFor(address key, bytes32 workloadId) view returns(bool)
func (teeRegistry *TeeRegistry) TryPackIsTrustedFor(key common.Address, workloadId [32]byte) ([]byte, error) {
	return teeRegistry.abi.Pack("isTrustedFor", key, workloadId)
}

// UnpackIsTrustedFor is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x05f58b79.
//
// Solidity: function isTrustedFor(address key, bytes32 workloadId) view returns(bool)
func (teeRegistry *TeeRegistry) UnpackIsTrustedFor(data []byte) (bool, error) {
	out, err := teeRegistry.abi.Unpack("isTrustedFor", data)
	if err != nil {
		return *new(bool), err
	}
	out0 := *abi.ConvertType(out[0], new(bool)).(*bool)
	return out0, nil
}

// PackIsTrustedKey is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xf3e45074.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function isTrustedKey(address key) view returns(bool)
func (teeRegistry *TeeRegistry) PackIsTrustedKey(key common.Address) []byte {
	enc, err := teeRegistry.abi.Pack("isTrustedKey", key)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackIsTrustedKey is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xf3e45074.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function isTrustedKey(address key) view returns(bool)
func (teeRegistry *TeeRegistry) TryPackIsTrustedKey(key common.Address) ([]byte, error) {
	return teeRegistry.abi.Pack("isTrustedKey", key)
}

// UnpackIsTrustedKey is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0xf3e45074.
//
// Solidity: function isTrustedKey(address key) view returns(bool)
func (teeRegistry *TeeRegistry) UnpackIsTrustedKey(data []byte) (bool, error) {
	out, err := teeRegistry.abi.Unpack("isTrustedKey", data)
	if err != nil {
		return *new(bool), err
	}
	out0 := *abi.ConvertType(out[0], new(bool)).(*bool)
	return out0, nil
}

// PackMachine is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x18e2b319.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function machine(bytes32 machineId) view returns((address,uint8,uint8,address,uint8,uint8,uint64,bytes32,uint64,uint64) r)
func (teeRegistry *TeeRegistry) PackMachine(machineId [32]byte) []byte {
	enc, err := teeRegistry.abi.Pack("machine", machineId)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackMachine is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x18e2b319.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function machine(bytes32 machineId) view returns((address,uint8,uint8,address,uint8,uint8,uint64,bytes32,uint64,uint64) r)
func (teeRegistry *TeeRegistry) TryPackMachine(machineId [32]byte) ([]byte, error) {
	return teeRegistry.abi.Pack("machine", machineId)
}

// UnpackMachine is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x18e2b319.
//
// Solidity: function machine(bytes32 machineId) view returns((address,uint8,uint8,address,uint8,uint8,uint64,bytes32,uint64,uint64) r)
func (teeRegistry *TeeRegistry) UnpackMachine(data []byte) (ITeeRegistryMachineRecord, error) {
	out, err := teeRegistry.abi.Unpack("machine", data)
	if err != nil {
		return *new(ITeeRegistryMachineRecord), err
	}
	out0 := *abi.ConvertType(out[0], new(ITeeRegistryMachineRecord)).(*ITeeRegistryMachineRecord)
	return out0, nil
}

// PackMachineIdOf is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x9d666e85.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function machineIdOf(address provider, bytes32 salt) pure returns(bytes32)
func (teeRegistry *TeeRegistry) PackMachineIdOf(provider common.Address, salt [32]byte) []byte {
	enc, err := teeRegistry.abi.Pack("machineIdOf", provider, salt)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackMachineIdOf is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x9d666e85.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function machineIdOf(address provider, bytes32 salt) pure returns(bytes32)
func (teeRegistry *TeeRegistry) TryPackMachineIdOf(provider common.Address, salt [32]byte) ([]byte, error) {
	return teeRegistry.abi.Pack("machineIdOf", provider, salt)
}

// UnpackMachineIdOf is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x9d666e85.
//
// Solidity: function machineIdOf(address provider, bytes32 salt) pure returns(bytes32)
func (teeRegistry *TeeRegistry) UnpackMachineIdOf(data []byte) ([32]byte, error) {
	out, err := teeRegistry.abi.Unpack("machineIdOf", data)
	if err != nil {
		return *new([32]byte), err
	}
	out0 := *abi.ConvertType(out[0], new([32]byte)).(*[32]byte)
	return out0, nil
}

// PackMachineOfKey is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xe56cffc1.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function machineOfKey(address key) view returns(bytes32)
func (teeRegistry *TeeRegistry) PackMachineOfKey(key common.Address) []byte {
	enc, err := teeRegistry.abi.Pack("machineOfKey", key)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackMachineOfKey is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xe56cffc1.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function machineOfKey(address key) view returns(bytes32)
func (teeRegistry *TeeRegistry) TryPackMachineOfKey(key common.Address) ([]byte, error) {
	return teeRegistry.abi.Pack("machineOfKey", key)
}

// UnpackMachineOfKey is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0xe56cffc1.
//
// Solidity: function machineOfKey(address key) view returns(bytes32)
func (teeRegistry *TeeRegistry) UnpackMachineOfKey(data []byte) ([32]byte, error) {
	out, err := teeRegistry.abi.Unpack("machineOfKey", data)
	if err != nil {
		return *new([32]byte), err
	}
	out0 := *abi.ConvertType(out[0], new([32]byte)).(*[32]byte)
	return out0, nil
}

// PackMaxAnchorAge is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x6e1ec7db.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function maxAnchorAge() view returns(uint16)
func (teeRegistry *TeeRegistry) PackMaxAnchorAge() []byte {
	enc, err := teeRegistry.abi.Pack("maxAnchorAge")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackMaxAnchorAge is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x6e1ec7db.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function maxAnchorAge() view returns(uint16)
func (teeRegistry *TeeRegistry) TryPackMaxAnchorAge() ([]byte, error) {
	return teeRegistry.abi.Pack("maxAnchorAge")
}

// UnpackMaxAnchorAge is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x6e1ec7db.
//
// Solidity: function maxAnchorAge() view returns(uint16)
func (teeRegistry *TeeRegistry) UnpackMaxAnchorAge(data []byte) (uint16, error) {
	out, err := teeRegistry.abi.Unpack("maxAnchorAge", data)
	if err != nil {
		return *new(uint16), err
	}
	out0 := *abi.ConvertType(out[0], new(uint16)).(*uint16)
	return out0, nil
}

// PackOracleCount is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x613d8fcc.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function oracleCount() view returns(uint8)
func (teeRegistry *TeeRegistry) PackOracleCount() []byte {
	enc, err := teeRegistry.abi.Pack("oracleCount")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackOracleCount is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x613d8fcc.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function oracleCount() view returns(uint8)
func (teeRegistry *TeeRegistry) TryPackOracleCount() ([]byte, error) {
	return teeRegistry.abi.Pack("oracleCount")
}

// UnpackOracleCount is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x613d8fcc.
//
// Solidity: function oracleCount() view returns(uint8)
func (teeRegistry *TeeRegistry) UnpackOracleCount(data []byte) (uint8, error) {
	out, err := teeRegistry.abi.Unpack("oracleCount", data)
	if err != nil {
		return *new(uint8), err
	}
	out0 := *abi.ConvertType(out[0], new(uint8)).(*uint8)
	return out0, nil
}

// PackOwner is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x8da5cb5b.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function owner() view returns(address)
func (teeRegistry *TeeRegistry) PackOwner() []byte {
	enc, err := teeRegistry.abi.Pack("owner")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackOwner is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x8da5cb5b.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function owner() view returns(address)
func (teeRegistry *TeeRegistry) TryPackOwner() ([]byte, error) {
	return teeRegistry.abi.Pack("owner")
}

// UnpackOwner is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x8da5cb5b.
//
// Solidity: function owner() view returns(address)
func (teeRegistry *TeeRegistry) UnpackOwner(data []byte) (common.Address, error) {
	out, err := teeRegistry.abi.Unpack("owner", data)
	if err != nil {
		return *new(common.Address), err
	}
	out0 := *abi.ConvertType(out[0], new(common.Address)).(*common.Address)
	return out0, nil
}

// PackPause is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x8456cb59.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function pause() returns()
func (teeRegistry *TeeRegistry) PackPause() []byte {
	enc, err := teeRegistry.abi.Pack("pause")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackPause is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x8456cb59.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function pause() returns()
func (teeRegistry *TeeRegistry) TryPackPause() ([]byte, error) {
	return teeRegistry.abi.Pack("pause")
}

// PackPaused is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x5c975abb.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function paused() view returns(bool)
func (teeRegistry *TeeRegistry) PackPaused() []byte {
	enc, err := teeRegistry.abi.Pack("paused")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackPaused is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x5c975abb.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function paused() view returns(bool)
func (teeRegistry *TeeRegistry) TryPackPaused() ([]byte, error) {
	return teeRegistry.abi.Pack("paused")
}

// UnpackPaused is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x5c975abb.
//
// Solidity: function paused() view returns(bool)
func (teeRegistry *TeeRegistry) UnpackPaused(data []byte) (bool, error) {
	out, err := teeRegistry.abi.Unpack("paused", data)
	if err != nil {
		return *new(bool), err
	}
	out0 := *abi.ConvertType(out[0], new(bool)).(*bool)
	return out0, nil
}

// PackPendingOwner is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xe30c3978.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function pendingOwner() view returns(address)
func (teeRegistry *TeeRegistry) PackPendingOwner() []byte {
	enc, err := teeRegistry.abi.Pack("pendingOwner")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackPendingOwner is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xe30c3978.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function pendingOwner() view returns(address)
func (teeRegistry *TeeRegistry) TryPackPendingOwner() ([]byte, error) {
	return teeRegistry.abi.Pack("pendingOwner")
}

// UnpackPendingOwner is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0xe30c3978.
//
// Solidity: function pendingOwner() view returns(address)
func (teeRegistry *TeeRegistry) UnpackPendingOwner(data []byte) (common.Address, error) {
	out, err := teeRegistry.abi.Unpack("pendingOwner", data)
	if err != nil {
		return *new(common.Address), err
	}
	out0 := *abi.ConvertType(out[0], new(common.Address)).(*common.Address)
	return out0, nil
}

// PackPolicy is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x115f746c.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function policy(bytes32 policyHash) view returns((uint24,uint8,uint64))
func (teeRegistry *TeeRegistry) PackPolicy(policyHash [32]byte) []byte {
	enc, err := teeRegistry.abi.Pack("policy", policyHash)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackPolicy is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x115f746c.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function policy(bytes32 policyHash) view returns((uint24,uint8,uint64))
func (teeRegistry *TeeRegistry) TryPackPolicy(policyHash [32]byte) ([]byte, error) {
	return teeRegistry.abi.Pack("policy", policyHash)
}

// UnpackPolicy is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x115f746c.
//
// Solidity: function policy(bytes32 policyHash) view returns((uint24,uint8,uint64))
func (teeRegistry *TeeRegistry) UnpackPolicy(data []byte) (ITeeRegistryPolicyInfo, error) {
	out, err := teeRegistry.abi.Unpack("policy", data)
	if err != nil {
		return *new(ITeeRegistryPolicyInfo), err
	}
	out0 := *abi.ConvertType(out[0], new(ITeeRegistryPolicyInfo)).(*ITeeRegistryPolicyInfo)
	return out0, nil
}

// PackRegisterMachine is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xf5577fe6.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function registerMachine(bytes32 salt, uint8 tee, string metadataURI) returns(bytes32 machineId)
func (teeRegistry *TeeRegistry) PackRegisterMachine(salt [32]byte, tee uint8, metadataURI string) []byte {
	enc, err := teeRegistry.abi.Pack("registerMachine", salt, tee, metadataURI)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackRegisterMachine is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xf5577fe6.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function registerMachine(bytes32 salt, uint8 tee, string metadataURI) returns(bytes32 machineId)
func (teeRegistry *TeeRegistry) TryPackRegisterMachine(salt [32]byte, tee uint8, metadataURI string) ([]byte, error) {
	return teeRegistry.abi.Pack("registerMachine", salt, tee, metadataURI)
}

// UnpackRegisterMachine is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0xf5577fe6.
//
// Solidity: function registerMachine(bytes32 salt, uint8 tee, string metadataURI) returns(bytes32 machineId)
func (teeRegistry *TeeRegistry) UnpackRegisterMachine(data []byte) ([32]byte, error) {
	out, err := teeRegistry.abi.Unpack("registerMachine", data)
	if err != nil {
		return *new([32]byte), err
	}
	out0 := *abi.ConvertType(out[0], new([32]byte)).(*[32]byte)
	return out0, nil
}

// PackRegisterPolicy is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x77e9553d.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function registerPolicy(bytes32 policyHash, uint64 validitySeconds, string uri) returns()
func (teeRegistry *TeeRegistry) PackRegisterPolicy(policyHash [32]byte, validitySeconds uint64, uri string) []byte {
	enc, err := teeRegistry.abi.Pack("registerPolicy", policyHash, validitySeconds, uri)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackRegisterPolicy is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x77e9553d.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function registerPolicy(bytes32 policyHash, uint64 validitySeconds, string uri) returns()
func (teeRegistry *TeeRegistry) TryPackRegisterPolicy(policyHash [32]byte, validitySeconds uint64, uri string) ([]byte, error) {
	return teeRegistry.abi.Pack("registerPolicy", policyHash, validitySeconds, uri)
}

// PackRemoveOracle is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xfdc85fc4.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function removeOracle(address oracle) returns()
func (teeRegistry *TeeRegistry) PackRemoveOracle(oracle common.Address) []byte {
	enc, err := teeRegistry.abi.Pack("removeOracle", oracle)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackRemoveOracle is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xfdc85fc4.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function removeOracle(address oracle) returns()
func (teeRegistry *TeeRegistry) TryPackRemoveOracle(oracle common.Address) ([]byte, error) {
	return teeRegistry.abi.Pack("removeOracle", oracle)
}

// PackRenounceOwnership is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x715018a6.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function renounceOwnership() view returns()
func (teeRegistry *TeeRegistry) PackRenounceOwnership() []byte {
	enc, err := teeRegistry.abi.Pack("renounceOwnership")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackRenounceOwnership is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x715018a6.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function renounceOwnership() view returns()
func (teeRegistry *TeeRegistry) TryPackRenounceOwnership() ([]byte, error) {
	return teeRegistry.abi.Pack("renounceOwnership")
}

// PackRetirePolicy is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xf230748f.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function retirePolicy(bytes32 policyHash) returns()
func (teeRegistry *TeeRegistry) PackRetirePolicy(policyHash [32]byte) []byte {
	enc, err := teeRegistry.abi.Pack("retirePolicy", policyHash)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackRetirePolicy is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xf230748f.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function retirePolicy(bytes32 policyHash) returns()
func (teeRegistry *TeeRegistry) TryPackRetirePolicy(policyHash [32]byte) ([]byte, error) {
	return teeRegistry.abi.Pack("retirePolicy", policyHash)
}

// PackRevokeKey is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x572f2210.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function revokeKey(bytes32 machineId) returns()
func (teeRegistry *TeeRegistry) PackRevokeKey(machineId [32]byte) []byte {
	enc, err := teeRegistry.abi.Pack("revokeKey", machineId)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackRevokeKey is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x572f2210.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function revokeKey(bytes32 machineId) returns()
func (teeRegistry *TeeRegistry) TryPackRevokeKey(machineId [32]byte) ([]byte, error) {
	return teeRegistry.abi.Pack("revokeKey", machineId)
}

// PackSetMachineMetadata is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xf402e12a.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function setMachineMetadata(bytes32 machineId, string metadataURI) returns()
func (teeRegistry *TeeRegistry) PackSetMachineMetadata(machineId [32]byte, metadataURI string) []byte {
	enc, err := teeRegistry.abi.Pack("setMachineMetadata", machineId, metadataURI)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackSetMachineMetadata is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xf402e12a.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function setMachineMetadata(bytes32 machineId, string metadataURI) returns()
func (teeRegistry *TeeRegistry) TryPackSetMachineMetadata(machineId [32]byte, metadataURI string) ([]byte, error) {
	return teeRegistry.abi.Pack("setMachineMetadata", machineId, metadataURI)
}

// PackSetMaxAnchorAge is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x6339e378.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function setMaxAnchorAge(uint16 blocks) returns()
func (teeRegistry *TeeRegistry) PackSetMaxAnchorAge(blocks uint16) []byte {
	enc, err := teeRegistry.abi.Pack("setMaxAnchorAge", blocks)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackSetMaxAnchorAge is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x6339e378.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function setMaxAnchorAge(uint16 blocks) returns()
func (teeRegistry *TeeRegistry) TryPackSetMaxAnchorAge(blocks uint16) ([]byte, error) {
	return teeRegistry.abi.Pack("setMaxAnchorAge", blocks)
}

// PackSetThreshold is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xe5a98603.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function setThreshold(uint8 threshold_) returns()
func (teeRegistry *TeeRegistry) PackSetThreshold(threshold uint8) []byte {
	enc, err := teeRegistry.abi.Pack("setThreshold", threshold)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackSetThreshold is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xe5a98603.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function setThreshold(uint8 threshold_) returns()
func (teeRegistry *TeeRegistry) TryPackSetThreshold(threshold uint8) ([]byte, error) {
	return teeRegistry.abi.Pack("setThreshold", threshold)
}

// PackSubmitBatch is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xc9486c8b.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function submitBatch(bytes verdicts, bytes signatures) returns()
func (teeRegistry *TeeRegistry) PackSubmitBatch(verdicts []byte, signatures []byte) []byte {
	enc, err := teeRegistry.abi.Pack("submitBatch", verdicts, signatures)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackSubmitBatch is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xc9486c8b.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function submitBatch(bytes verdicts, bytes signatures) returns()
func (teeRegistry *TeeRegistry) TryPackSubmitBatch(verdicts []byte, signatures []byte) ([]byte, error) {
	return teeRegistry.abi.Pack("submitBatch", verdicts, signatures)
}

// PackSubmitVerdict is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xd09aab28.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function submitVerdict((bytes32,uint8,uint8,address,bytes32,uint8,uint64,bytes32,bytes32,uint64,bytes32,uint64,uint64,uint64) v, bytes[] signatures) returns()
func (teeRegistry *TeeRegistry) PackSubmitVerdict(v ITeeRegistryVerdict, signatures [][]byte) []byte {
	enc, err := teeRegistry.abi.Pack("submitVerdict", v, signatures)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackSubmitVerdict is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xd09aab28.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function submitVerdict((bytes32,uint8,uint8,address,bytes32,uint8,uint64,bytes32,bytes32,uint64,bytes32,uint64,uint64,uint64) v, bytes[] signatures) returns()
func (teeRegistry *TeeRegistry) TryPackSubmitVerdict(v ITeeRegistryVerdict, signatures [][]byte) ([]byte, error) {
	return teeRegistry.abi.Pack("submitVerdict", v, signatures)
}

// PackSubmitVerdicts is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x4d649a88.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function submitVerdicts((bytes32,uint8,uint8,address,bytes32,uint8,uint64,bytes32,bytes32,uint64,bytes32,uint64,uint64,uint64)[] vs, bytes[][] signatures) returns()
func (teeRegistry *TeeRegistry) PackSubmitVerdicts(vs []ITeeRegistryVerdict, signatures [][][]byte) []byte {
	enc, err := teeRegistry.abi.Pack("submitVerdicts", vs, signatures)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackSubmitVerdicts is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x4d649a88.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function submitVerdicts((bytes32,uint8,uint8,address,bytes32,uint8,uint64,bytes32,bytes32,uint64,bytes32,uint64,uint64,uint64)[] vs, bytes[][] signatures) returns()
func (teeRegistry *TeeRegistry) TryPackSubmitVerdicts(vs []ITeeRegistryVerdict, signatures [][][]byte) ([]byte, error) {
	return teeRegistry.abi.Pack("submitVerdicts", vs, signatures)
}

// PackThreshold is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x42cde4e8.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function threshold() view returns(uint8)
func (teeRegistry *TeeRegistry) PackThreshold() []byte {
	enc, err := teeRegistry.abi.Pack("threshold")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackThreshold is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x42cde4e8.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function threshold() view returns(uint8)
func (teeRegistry *TeeRegistry) TryPackThreshold() ([]byte, error) {
	return teeRegistry.abi.Pack("threshold")
}

// UnpackThreshold is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x42cde4e8.
//
// Solidity: function threshold() view returns(uint8)
func (teeRegistry *TeeRegistry) UnpackThreshold(data []byte) (uint8, error) {
	out, err := teeRegistry.abi.Unpack("threshold", data)
	if err != nil {
		return *new(uint8), err
	}
	out0 := *abi.ConvertType(out[0], new(uint8)).(*uint8)
	return out0, nil
}

// PackTransferOwnership is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xf2fde38b.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function transferOwnership(address newOwner) returns()
func (teeRegistry *TeeRegistry) PackTransferOwnership(newOwner common.Address) []byte {
	enc, err := teeRegistry.abi.Pack("transferOwnership", newOwner)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackTransferOwnership is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xf2fde38b.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function transferOwnership(address newOwner) returns()
func (teeRegistry *TeeRegistry) TryPackTransferOwnership(newOwner common.Address) ([]byte, error) {
	return teeRegistry.abi.Pack("transferOwnership", newOwner)
}

// PackTrustOf is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x85bf82d6.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function trustOf(address key) view returns(bool trusted, bytes32 workloadId, bytes32 policyHash, uint8 tcbStatus, uint64 expiresAt)
func (teeRegistry *TeeRegistry) PackTrustOf(key common.Address) []byte {
	enc, err := teeRegistry.abi.Pack("trustOf", key)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackTrustOf is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x85bf82d6.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function trustOf(address key) view returns(bool trusted, bytes32 workloadId, bytes32 policyHash, uint8 tcbStatus, uint64 expiresAt)
func (teeRegistry *TeeRegistry) TryPackTrustOf(key common.Address) ([]byte, error) {
	return teeRegistry.abi.Pack("trustOf", key)
}

// TrustOfOutput serves as a container for the return parameters of contract
// method TrustOf.
type TrustOfOutput struct {
	Trusted    bool
	WorkloadId [32]byte
	PolicyHash [32]byte
	TcbStatus  uint8
	ExpiresAt  uint64
}

// UnpackTrustOf is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x85bf82d6.
//
// Solidity: function trustOf(address key) view returns(bool trusted, bytes32 workloadId, bytes32 policyHash, uint8 tcbStatus, uint64 expiresAt)
func (teeRegistry *TeeRegistry) UnpackTrustOf(data []byte) (TrustOfOutput, error) {
	out, err := teeRegistry.abi.Unpack("trustOf", data)
	outstruct := new(TrustOfOutput)
	if err != nil {
		return *outstruct, err
	}
	outstruct.Trusted = *abi.ConvertType(out[0], new(bool)).(*bool)
	outstruct.WorkloadId = *abi.ConvertType(out[1], new([32]byte)).(*[32]byte)
	outstruct.PolicyHash = *abi.ConvertType(out[2], new([32]byte)).(*[32]byte)
	outstruct.TcbStatus = *abi.ConvertType(out[3], new(uint8)).(*uint8)
	outstruct.ExpiresAt = *abi.ConvertType(out[4], new(uint64)).(*uint64)
	return *outstruct, nil
}

// PackUnpause is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x3f4ba83a.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function unpause() returns()
func (teeRegistry *TeeRegistry) PackUnpause() []byte {
	enc, err := teeRegistry.abi.Pack("unpause")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackUnpause is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x3f4ba83a.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function unpause() returns()
func (teeRegistry *TeeRegistry) TryPackUnpause() ([]byte, error) {
	return teeRegistry.abi.Pack("unpause")
}

// TeeRegistryEIP712DomainChanged represents a EIP712DomainChanged event raised by the TeeRegistry contract.
type TeeRegistryEIP712DomainChanged struct {
	Raw *types.Log // Blockchain specific contextual infos
}

const TeeRegistryEIP712DomainChangedEventName = "EIP712DomainChanged"

// ContractEventName returns the user-defined event name.
func (TeeRegistryEIP712DomainChanged) ContractEventName() string {
	return TeeRegistryEIP712DomainChangedEventName
}

// UnpackEIP712DomainChangedEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event EIP712DomainChanged()
func (teeRegistry *TeeRegistry) UnpackEIP712DomainChangedEvent(log *types.Log) (*TeeRegistryEIP712DomainChanged, error) {
	event := "EIP712DomainChanged"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != teeRegistry.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(TeeRegistryEIP712DomainChanged)
	if len(log.Data) > 0 {
		if err := teeRegistry.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range teeRegistry.abi.Events[event].Inputs {
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

// TeeRegistryKeyAuthorized represents a KeyAuthorized event raised by the TeeRegistry contract.
type TeeRegistryKeyAuthorized struct {
	MachineId [32]byte
	TeeKey    common.Address
	Raw       *types.Log // Blockchain specific contextual infos
}

const TeeRegistryKeyAuthorizedEventName = "KeyAuthorized"

// ContractEventName returns the user-defined event name.
func (TeeRegistryKeyAuthorized) ContractEventName() string {
	return TeeRegistryKeyAuthorizedEventName
}

// UnpackKeyAuthorizedEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event KeyAuthorized(bytes32 indexed machineId, address indexed teeKey)
func (teeRegistry *TeeRegistry) UnpackKeyAuthorizedEvent(log *types.Log) (*TeeRegistryKeyAuthorized, error) {
	event := "KeyAuthorized"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != teeRegistry.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(TeeRegistryKeyAuthorized)
	if len(log.Data) > 0 {
		if err := teeRegistry.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range teeRegistry.abi.Events[event].Inputs {
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

// TeeRegistryKeyBound represents a KeyBound event raised by the TeeRegistry contract.
type TeeRegistryKeyBound struct {
	MachineId [32]byte
	TeeKey    common.Address
	Raw       *types.Log // Blockchain specific contextual infos
}

const TeeRegistryKeyBoundEventName = "KeyBound"

// ContractEventName returns the user-defined event name.
func (TeeRegistryKeyBound) ContractEventName() string {
	return TeeRegistryKeyBoundEventName
}

// UnpackKeyBoundEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event KeyBound(bytes32 indexed machineId, address indexed teeKey)
func (teeRegistry *TeeRegistry) UnpackKeyBoundEvent(log *types.Log) (*TeeRegistryKeyBound, error) {
	event := "KeyBound"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != teeRegistry.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(TeeRegistryKeyBound)
	if len(log.Data) > 0 {
		if err := teeRegistry.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range teeRegistry.abi.Events[event].Inputs {
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

// TeeRegistryKeyRevoked represents a KeyRevoked event raised by the TeeRegistry contract.
type TeeRegistryKeyRevoked struct {
	MachineId     [32]byte
	AuthorizedKey common.Address
	BoundKey      common.Address
	Raw           *types.Log // Blockchain specific contextual infos
}

const TeeRegistryKeyRevokedEventName = "KeyRevoked"

// ContractEventName returns the user-defined event name.
func (TeeRegistryKeyRevoked) ContractEventName() string {
	return TeeRegistryKeyRevokedEventName
}

// UnpackKeyRevokedEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event KeyRevoked(bytes32 indexed machineId, address indexed authorizedKey, address indexed boundKey)
func (teeRegistry *TeeRegistry) UnpackKeyRevokedEvent(log *types.Log) (*TeeRegistryKeyRevoked, error) {
	event := "KeyRevoked"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != teeRegistry.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(TeeRegistryKeyRevoked)
	if len(log.Data) > 0 {
		if err := teeRegistry.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range teeRegistry.abi.Events[event].Inputs {
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

// TeeRegistryMachineDeregistered represents a MachineDeregistered event raised by the TeeRegistry contract.
type TeeRegistryMachineDeregistered struct {
	MachineId     [32]byte
	Provider      common.Address
	TeeKey        common.Address
	AuthorizedKey common.Address
	Raw           *types.Log // Blockchain specific contextual infos
}

const TeeRegistryMachineDeregisteredEventName = "MachineDeregistered"

// ContractEventName returns the user-defined event name.
func (TeeRegistryMachineDeregistered) ContractEventName() string {
	return TeeRegistryMachineDeregisteredEventName
}

// UnpackMachineDeregisteredEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event MachineDeregistered(bytes32 indexed machineId, address indexed provider, address teeKey, address authorizedKey)
func (teeRegistry *TeeRegistry) UnpackMachineDeregisteredEvent(log *types.Log) (*TeeRegistryMachineDeregistered, error) {
	event := "MachineDeregistered"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != teeRegistry.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(TeeRegistryMachineDeregistered)
	if len(log.Data) > 0 {
		if err := teeRegistry.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range teeRegistry.abi.Events[event].Inputs {
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

// TeeRegistryMachineMetadataUpdated represents a MachineMetadataUpdated event raised by the TeeRegistry contract.
type TeeRegistryMachineMetadataUpdated struct {
	MachineId   [32]byte
	MetadataURI string
	Raw         *types.Log // Blockchain specific contextual infos
}

const TeeRegistryMachineMetadataUpdatedEventName = "MachineMetadataUpdated"

// ContractEventName returns the user-defined event name.
func (TeeRegistryMachineMetadataUpdated) ContractEventName() string {
	return TeeRegistryMachineMetadataUpdatedEventName
}

// UnpackMachineMetadataUpdatedEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event MachineMetadataUpdated(bytes32 indexed machineId, string metadataURI)
func (teeRegistry *TeeRegistry) UnpackMachineMetadataUpdatedEvent(log *types.Log) (*TeeRegistryMachineMetadataUpdated, error) {
	event := "MachineMetadataUpdated"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != teeRegistry.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(TeeRegistryMachineMetadataUpdated)
	if len(log.Data) > 0 {
		if err := teeRegistry.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range teeRegistry.abi.Events[event].Inputs {
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

// TeeRegistryMachineRegistered represents a MachineRegistered event raised by the TeeRegistry contract.
type TeeRegistryMachineRegistered struct {
	MachineId   [32]byte
	Provider    common.Address
	Tee         uint8
	MetadataURI string
	Raw         *types.Log // Blockchain specific contextual infos
}

const TeeRegistryMachineRegisteredEventName = "MachineRegistered"

// ContractEventName returns the user-defined event name.
func (TeeRegistryMachineRegistered) ContractEventName() string {
	return TeeRegistryMachineRegisteredEventName
}

// UnpackMachineRegisteredEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event MachineRegistered(bytes32 indexed machineId, address indexed provider, uint8 tee, string metadataURI)
func (teeRegistry *TeeRegistry) UnpackMachineRegisteredEvent(log *types.Log) (*TeeRegistryMachineRegistered, error) {
	event := "MachineRegistered"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != teeRegistry.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(TeeRegistryMachineRegistered)
	if len(log.Data) > 0 {
		if err := teeRegistry.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range teeRegistry.abi.Events[event].Inputs {
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

// TeeRegistryMaxAnchorAgeChanged represents a MaxAnchorAgeChanged event raised by the TeeRegistry contract.
type TeeRegistryMaxAnchorAgeChanged struct {
	Blocks uint16
	Raw    *types.Log // Blockchain specific contextual infos
}

const TeeRegistryMaxAnchorAgeChangedEventName = "MaxAnchorAgeChanged"

// ContractEventName returns the user-defined event name.
func (TeeRegistryMaxAnchorAgeChanged) ContractEventName() string {
	return TeeRegistryMaxAnchorAgeChangedEventName
}

// UnpackMaxAnchorAgeChangedEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event MaxAnchorAgeChanged(uint16 blocks)
func (teeRegistry *TeeRegistry) UnpackMaxAnchorAgeChangedEvent(log *types.Log) (*TeeRegistryMaxAnchorAgeChanged, error) {
	event := "MaxAnchorAgeChanged"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != teeRegistry.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(TeeRegistryMaxAnchorAgeChanged)
	if len(log.Data) > 0 {
		if err := teeRegistry.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range teeRegistry.abi.Events[event].Inputs {
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

// TeeRegistryOracleAdded represents a OracleAdded event raised by the TeeRegistry contract.
type TeeRegistryOracleAdded struct {
	Oracle common.Address
	Raw    *types.Log // Blockchain specific contextual infos
}

const TeeRegistryOracleAddedEventName = "OracleAdded"

// ContractEventName returns the user-defined event name.
func (TeeRegistryOracleAdded) ContractEventName() string {
	return TeeRegistryOracleAddedEventName
}

// UnpackOracleAddedEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event OracleAdded(address indexed oracle)
func (teeRegistry *TeeRegistry) UnpackOracleAddedEvent(log *types.Log) (*TeeRegistryOracleAdded, error) {
	event := "OracleAdded"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != teeRegistry.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(TeeRegistryOracleAdded)
	if len(log.Data) > 0 {
		if err := teeRegistry.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range teeRegistry.abi.Events[event].Inputs {
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

// TeeRegistryOracleRemoved represents a OracleRemoved event raised by the TeeRegistry contract.
type TeeRegistryOracleRemoved struct {
	Oracle common.Address
	Raw    *types.Log // Blockchain specific contextual infos
}

const TeeRegistryOracleRemovedEventName = "OracleRemoved"

// ContractEventName returns the user-defined event name.
func (TeeRegistryOracleRemoved) ContractEventName() string {
	return TeeRegistryOracleRemovedEventName
}

// UnpackOracleRemovedEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event OracleRemoved(address indexed oracle)
func (teeRegistry *TeeRegistry) UnpackOracleRemovedEvent(log *types.Log) (*TeeRegistryOracleRemoved, error) {
	event := "OracleRemoved"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != teeRegistry.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(TeeRegistryOracleRemoved)
	if len(log.Data) > 0 {
		if err := teeRegistry.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range teeRegistry.abi.Events[event].Inputs {
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

// TeeRegistryOwnershipTransferStarted represents a OwnershipTransferStarted event raised by the TeeRegistry contract.
type TeeRegistryOwnershipTransferStarted struct {
	PreviousOwner common.Address
	NewOwner      common.Address
	Raw           *types.Log // Blockchain specific contextual infos
}

const TeeRegistryOwnershipTransferStartedEventName = "OwnershipTransferStarted"

// ContractEventName returns the user-defined event name.
func (TeeRegistryOwnershipTransferStarted) ContractEventName() string {
	return TeeRegistryOwnershipTransferStartedEventName
}

// UnpackOwnershipTransferStartedEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event OwnershipTransferStarted(address indexed previousOwner, address indexed newOwner)
func (teeRegistry *TeeRegistry) UnpackOwnershipTransferStartedEvent(log *types.Log) (*TeeRegistryOwnershipTransferStarted, error) {
	event := "OwnershipTransferStarted"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != teeRegistry.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(TeeRegistryOwnershipTransferStarted)
	if len(log.Data) > 0 {
		if err := teeRegistry.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range teeRegistry.abi.Events[event].Inputs {
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

// TeeRegistryOwnershipTransferred represents a OwnershipTransferred event raised by the TeeRegistry contract.
type TeeRegistryOwnershipTransferred struct {
	PreviousOwner common.Address
	NewOwner      common.Address
	Raw           *types.Log // Blockchain specific contextual infos
}

const TeeRegistryOwnershipTransferredEventName = "OwnershipTransferred"

// ContractEventName returns the user-defined event name.
func (TeeRegistryOwnershipTransferred) ContractEventName() string {
	return TeeRegistryOwnershipTransferredEventName
}

// UnpackOwnershipTransferredEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event OwnershipTransferred(address indexed previousOwner, address indexed newOwner)
func (teeRegistry *TeeRegistry) UnpackOwnershipTransferredEvent(log *types.Log) (*TeeRegistryOwnershipTransferred, error) {
	event := "OwnershipTransferred"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != teeRegistry.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(TeeRegistryOwnershipTransferred)
	if len(log.Data) > 0 {
		if err := teeRegistry.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range teeRegistry.abi.Events[event].Inputs {
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

// TeeRegistryPaused represents a Paused event raised by the TeeRegistry contract.
type TeeRegistryPaused struct {
	Account common.Address
	Raw     *types.Log // Blockchain specific contextual infos
}

const TeeRegistryPausedEventName = "Paused"

// ContractEventName returns the user-defined event name.
func (TeeRegistryPaused) ContractEventName() string {
	return TeeRegistryPausedEventName
}

// UnpackPausedEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event Paused(address account)
func (teeRegistry *TeeRegistry) UnpackPausedEvent(log *types.Log) (*TeeRegistryPaused, error) {
	event := "Paused"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != teeRegistry.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(TeeRegistryPaused)
	if len(log.Data) > 0 {
		if err := teeRegistry.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range teeRegistry.abi.Events[event].Inputs {
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

// TeeRegistryPolicyRegistered represents a PolicyRegistered event raised by the TeeRegistry contract.
type TeeRegistryPolicyRegistered struct {
	PolicyHash      [32]byte
	PolicyId        *big.Int
	ValiditySeconds uint64
	Uri             string
	Raw             *types.Log // Blockchain specific contextual infos
}

const TeeRegistryPolicyRegisteredEventName = "PolicyRegistered"

// ContractEventName returns the user-defined event name.
func (TeeRegistryPolicyRegistered) ContractEventName() string {
	return TeeRegistryPolicyRegisteredEventName
}

// UnpackPolicyRegisteredEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event PolicyRegistered(bytes32 indexed policyHash, uint24 indexed policyId, uint64 validitySeconds, string uri)
func (teeRegistry *TeeRegistry) UnpackPolicyRegisteredEvent(log *types.Log) (*TeeRegistryPolicyRegistered, error) {
	event := "PolicyRegistered"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != teeRegistry.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(TeeRegistryPolicyRegistered)
	if len(log.Data) > 0 {
		if err := teeRegistry.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range teeRegistry.abi.Events[event].Inputs {
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

// TeeRegistryPolicyRetired represents a PolicyRetired event raised by the TeeRegistry contract.
type TeeRegistryPolicyRetired struct {
	PolicyHash [32]byte
	PolicyId   *big.Int
	Raw        *types.Log // Blockchain specific contextual infos
}

const TeeRegistryPolicyRetiredEventName = "PolicyRetired"

// ContractEventName returns the user-defined event name.
func (TeeRegistryPolicyRetired) ContractEventName() string {
	return TeeRegistryPolicyRetiredEventName
}

// UnpackPolicyRetiredEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event PolicyRetired(bytes32 indexed policyHash, uint24 indexed policyId)
func (teeRegistry *TeeRegistry) UnpackPolicyRetiredEvent(log *types.Log) (*TeeRegistryPolicyRetired, error) {
	event := "PolicyRetired"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != teeRegistry.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(TeeRegistryPolicyRetired)
	if len(log.Data) > 0 {
		if err := teeRegistry.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range teeRegistry.abi.Events[event].Inputs {
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

// TeeRegistryTeeKeyRotated represents a TeeKeyRotated event raised by the TeeRegistry contract.
type TeeRegistryTeeKeyRotated struct {
	MachineId [32]byte
	OldKey    common.Address
	NewKey    common.Address
	Raw       *types.Log // Blockchain specific contextual infos
}

const TeeRegistryTeeKeyRotatedEventName = "TeeKeyRotated"

// ContractEventName returns the user-defined event name.
func (TeeRegistryTeeKeyRotated) ContractEventName() string {
	return TeeRegistryTeeKeyRotatedEventName
}

// UnpackTeeKeyRotatedEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event TeeKeyRotated(bytes32 indexed machineId, address indexed oldKey, address indexed newKey)
func (teeRegistry *TeeRegistry) UnpackTeeKeyRotatedEvent(log *types.Log) (*TeeRegistryTeeKeyRotated, error) {
	event := "TeeKeyRotated"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != teeRegistry.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(TeeRegistryTeeKeyRotated)
	if len(log.Data) > 0 {
		if err := teeRegistry.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range teeRegistry.abi.Events[event].Inputs {
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

// TeeRegistryThresholdChanged represents a ThresholdChanged event raised by the TeeRegistry contract.
type TeeRegistryThresholdChanged struct {
	Threshold uint8
	Raw       *types.Log // Blockchain specific contextual infos
}

const TeeRegistryThresholdChangedEventName = "ThresholdChanged"

// ContractEventName returns the user-defined event name.
func (TeeRegistryThresholdChanged) ContractEventName() string {
	return TeeRegistryThresholdChangedEventName
}

// UnpackThresholdChangedEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event ThresholdChanged(uint8 threshold)
func (teeRegistry *TeeRegistry) UnpackThresholdChangedEvent(log *types.Log) (*TeeRegistryThresholdChanged, error) {
	event := "ThresholdChanged"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != teeRegistry.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(TeeRegistryThresholdChanged)
	if len(log.Data) > 0 {
		if err := teeRegistry.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range teeRegistry.abi.Events[event].Inputs {
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

// TeeRegistryUnpaused represents a Unpaused event raised by the TeeRegistry contract.
type TeeRegistryUnpaused struct {
	Account common.Address
	Raw     *types.Log // Blockchain specific contextual infos
}

const TeeRegistryUnpausedEventName = "Unpaused"

// ContractEventName returns the user-defined event name.
func (TeeRegistryUnpaused) ContractEventName() string {
	return TeeRegistryUnpausedEventName
}

// UnpackUnpausedEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event Unpaused(address account)
func (teeRegistry *TeeRegistry) UnpackUnpausedEvent(log *types.Log) (*TeeRegistryUnpaused, error) {
	event := "Unpaused"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != teeRegistry.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(TeeRegistryUnpaused)
	if len(log.Data) > 0 {
		if err := teeRegistry.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range teeRegistry.abi.Events[event].Inputs {
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

// TeeRegistryVerdictAccepted represents a VerdictAccepted event raised by the TeeRegistry contract.
type TeeRegistryVerdictAccepted struct {
	MachineId    [32]byte
	TeeKey       common.Address
	Digest       [32]byte
	Status       uint8
	WorkloadId   [32]byte
	EvidenceHash [32]byte
	PolicyHash   [32]byte
	IssuedAt     uint64
	ExpiresAt    uint64
	Raw          *types.Log // Blockchain specific contextual infos
}

const TeeRegistryVerdictAcceptedEventName = "VerdictAccepted"

// ContractEventName returns the user-defined event name.
func (TeeRegistryVerdictAccepted) ContractEventName() string {
	return TeeRegistryVerdictAcceptedEventName
}

// UnpackVerdictAcceptedEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event VerdictAccepted(bytes32 indexed machineId, address indexed teeKey, bytes32 digest, uint8 status, bytes32 workloadId, bytes32 evidenceHash, bytes32 policyHash, uint64 issuedAt, uint64 expiresAt)
func (teeRegistry *TeeRegistry) UnpackVerdictAcceptedEvent(log *types.Log) (*TeeRegistryVerdictAccepted, error) {
	event := "VerdictAccepted"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != teeRegistry.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(TeeRegistryVerdictAccepted)
	if len(log.Data) > 0 {
		if err := teeRegistry.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range teeRegistry.abi.Events[event].Inputs {
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

// TeeRegistryVerdictRecorded represents a VerdictRecorded event raised by the TeeRegistry contract.
type TeeRegistryVerdictRecorded struct {
	MachineId   [32]byte
	VerdictHash [32]byte
	Raw         *types.Log // Blockchain specific contextual infos
}

const TeeRegistryVerdictRecordedEventName = "VerdictRecorded"

// ContractEventName returns the user-defined event name.
func (TeeRegistryVerdictRecorded) ContractEventName() string {
	return TeeRegistryVerdictRecordedEventName
}

// UnpackVerdictRecordedEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event VerdictRecorded(bytes32 indexed machineId, bytes32 verdictHash)
func (teeRegistry *TeeRegistry) UnpackVerdictRecordedEvent(log *types.Log) (*TeeRegistryVerdictRecorded, error) {
	event := "VerdictRecorded"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != teeRegistry.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(TeeRegistryVerdictRecorded)
	if len(log.Data) > 0 {
		if err := teeRegistry.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range teeRegistry.abi.Events[event].Inputs {
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

// TeeRegistryVerdictSkipped represents a VerdictSkipped event raised by the TeeRegistry contract.
type TeeRegistryVerdictSkipped struct {
	Index     *big.Int
	MachineId [32]byte
	TeeKey    common.Address
	Digest    [32]byte
	Reason    []byte
	Raw       *types.Log // Blockchain specific contextual infos
}

const TeeRegistryVerdictSkippedEventName = "VerdictSkipped"

// ContractEventName returns the user-defined event name.
func (TeeRegistryVerdictSkipped) ContractEventName() string {
	return TeeRegistryVerdictSkippedEventName
}

// UnpackVerdictSkippedEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event VerdictSkipped(uint256 index, bytes32 indexed machineId, address indexed teeKey, bytes32 indexed digest, bytes reason)
func (teeRegistry *TeeRegistry) UnpackVerdictSkippedEvent(log *types.Log) (*TeeRegistryVerdictSkipped, error) {
	event := "VerdictSkipped"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != teeRegistry.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(TeeRegistryVerdictSkipped)
	if len(log.Data) > 0 {
		if err := teeRegistry.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range teeRegistry.abi.Events[event].Inputs {
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

// TeeRegistryWorkloadInterned represents a WorkloadInterned event raised by the TeeRegistry contract.
type TeeRegistryWorkloadInterned struct {
	Index      uint64
	WorkloadId [32]byte
	Tcb        uint64
	Raw        *types.Log // Blockchain specific contextual infos
}

const TeeRegistryWorkloadInternedEventName = "WorkloadInterned"

// ContractEventName returns the user-defined event name.
func (TeeRegistryWorkloadInterned) ContractEventName() string {
	return TeeRegistryWorkloadInternedEventName
}

// UnpackWorkloadInternedEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event WorkloadInterned(uint64 indexed index, bytes32 indexed workloadId, uint64 tcb)
func (teeRegistry *TeeRegistry) UnpackWorkloadInternedEvent(log *types.Log) (*TeeRegistryWorkloadInterned, error) {
	event := "WorkloadInterned"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != teeRegistry.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(TeeRegistryWorkloadInterned)
	if len(log.Data) > 0 {
		if err := teeRegistry.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range teeRegistry.abi.Events[event].Inputs {
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
func (teeRegistry *TeeRegistry) UnpackError(raw []byte) (any, error) {
	if bytes.Equal(raw[:4], teeRegistry.abi.Errors["AnchorHashMismatch"].ID.Bytes()[:4]) {
		return teeRegistry.UnpackAnchorHashMismatchError(raw[4:])
	}
	if bytes.Equal(raw[:4], teeRegistry.abi.Errors["AnchorNotInPast"].ID.Bytes()[:4]) {
		return teeRegistry.UnpackAnchorNotInPastError(raw[4:])
	}
	if bytes.Equal(raw[:4], teeRegistry.abi.Errors["AnchorTooOld"].ID.Bytes()[:4]) {
		return teeRegistry.UnpackAnchorTooOldError(raw[4:])
	}
	if bytes.Equal(raw[:4], teeRegistry.abi.Errors["BatchLengthMismatch"].ID.Bytes()[:4]) {
		return teeRegistry.UnpackBatchLengthMismatchError(raw[4:])
	}
	if bytes.Equal(raw[:4], teeRegistry.abi.Errors["EmptyBatch"].ID.Bytes()[:4]) {
		return teeRegistry.UnpackEmptyBatchError(raw[4:])
	}
	if bytes.Equal(raw[:4], teeRegistry.abi.Errors["ExpiryBeyondPolicyValidity"].ID.Bytes()[:4]) {
		return teeRegistry.UnpackExpiryBeyondPolicyValidityError(raw[4:])
	}
	if bytes.Equal(raw[:4], teeRegistry.abi.Errors["ExpiryNotAfterIssue"].ID.Bytes()[:4]) {
		return teeRegistry.UnpackExpiryNotAfterIssueError(raw[4:])
	}
	if bytes.Equal(raw[:4], teeRegistry.abi.Errors["InsufficientGasForEntry"].ID.Bytes()[:4]) {
		return teeRegistry.UnpackInsufficientGasForEntryError(raw[4:])
	}
	if bytes.Equal(raw[:4], teeRegistry.abi.Errors["InsufficientSignatures"].ID.Bytes()[:4]) {
		return teeRegistry.UnpackInsufficientSignaturesError(raw[4:])
	}
	if bytes.Equal(raw[:4], teeRegistry.abi.Errors["InvalidMaxAnchorAge"].ID.Bytes()[:4]) {
		return teeRegistry.UnpackInvalidMaxAnchorAgeError(raw[4:])
	}
	if bytes.Equal(raw[:4], teeRegistry.abi.Errors["InvalidPolicyHash"].ID.Bytes()[:4]) {
		return teeRegistry.UnpackInvalidPolicyHashError(raw[4:])
	}
	if bytes.Equal(raw[:4], teeRegistry.abi.Errors["InvalidShortString"].ID.Bytes()[:4]) {
		return teeRegistry.UnpackInvalidShortStringError(raw[4:])
	}
	if bytes.Equal(raw[:4], teeRegistry.abi.Errors["InvalidSignature"].ID.Bytes()[:4]) {
		return teeRegistry.UnpackInvalidSignatureError(raw[4:])
	}
	if bytes.Equal(raw[:4], teeRegistry.abi.Errors["InvalidStatus"].ID.Bytes()[:4]) {
		return teeRegistry.UnpackInvalidStatusError(raw[4:])
	}
	if bytes.Equal(raw[:4], teeRegistry.abi.Errors["InvalidTee"].ID.Bytes()[:4]) {
		return teeRegistry.UnpackInvalidTeeError(raw[4:])
	}
	if bytes.Equal(raw[:4], teeRegistry.abi.Errors["InvalidThreshold"].ID.Bytes()[:4]) {
		return teeRegistry.UnpackInvalidThresholdError(raw[4:])
	}
	if bytes.Equal(raw[:4], teeRegistry.abi.Errors["InvalidValidity"].ID.Bytes()[:4]) {
		return teeRegistry.UnpackInvalidValidityError(raw[4:])
	}
	if bytes.Equal(raw[:4], teeRegistry.abi.Errors["IssuedInFuture"].ID.Bytes()[:4]) {
		return teeRegistry.UnpackIssuedInFutureError(raw[4:])
	}
	if bytes.Equal(raw[:4], teeRegistry.abi.Errors["KeyBoundToOtherMachine"].ID.Bytes()[:4]) {
		return teeRegistry.UnpackKeyBoundToOtherMachineError(raw[4:])
	}
	if bytes.Equal(raw[:4], teeRegistry.abi.Errors["KeyNotAuthorized"].ID.Bytes()[:4]) {
		return teeRegistry.UnpackKeyNotAuthorizedError(raw[4:])
	}
	if bytes.Equal(raw[:4], teeRegistry.abi.Errors["MachineAlreadyRegistered"].ID.Bytes()[:4]) {
		return teeRegistry.UnpackMachineAlreadyRegisteredError(raw[4:])
	}
	if bytes.Equal(raw[:4], teeRegistry.abi.Errors["MachineIdRetired"].ID.Bytes()[:4]) {
		return teeRegistry.UnpackMachineIdRetiredError(raw[4:])
	}
	if bytes.Equal(raw[:4], teeRegistry.abi.Errors["MachineNotRegistered"].ID.Bytes()[:4]) {
		return teeRegistry.UnpackMachineNotRegisteredError(raw[4:])
	}
	if bytes.Equal(raw[:4], teeRegistry.abi.Errors["MalformedBatch"].ID.Bytes()[:4]) {
		return teeRegistry.UnpackMalformedBatchError(raw[4:])
	}
	if bytes.Equal(raw[:4], teeRegistry.abi.Errors["MalformedSignatures"].ID.Bytes()[:4]) {
		return teeRegistry.UnpackMalformedSignaturesError(raw[4:])
	}
	if bytes.Equal(raw[:4], teeRegistry.abi.Errors["NonCanonicalVerdict"].ID.Bytes()[:4]) {
		return teeRegistry.UnpackNonCanonicalVerdictError(raw[4:])
	}
	if bytes.Equal(raw[:4], teeRegistry.abi.Errors["NotAnOracle"].ID.Bytes()[:4]) {
		return teeRegistry.UnpackNotAnOracleError(raw[4:])
	}
	if bytes.Equal(raw[:4], teeRegistry.abi.Errors["NotMachineProvider"].ID.Bytes()[:4]) {
		return teeRegistry.UnpackNotMachineProviderError(raw[4:])
	}
	if bytes.Equal(raw[:4], teeRegistry.abi.Errors["OracleAlreadyAdded"].ID.Bytes()[:4]) {
		return teeRegistry.UnpackOracleAlreadyAddedError(raw[4:])
	}
	if bytes.Equal(raw[:4], teeRegistry.abi.Errors["OwnableInvalidOwner"].ID.Bytes()[:4]) {
		return teeRegistry.UnpackOwnableInvalidOwnerError(raw[4:])
	}
	if bytes.Equal(raw[:4], teeRegistry.abi.Errors["OwnableUnauthorizedAccount"].ID.Bytes()[:4]) {
		return teeRegistry.UnpackOwnableUnauthorizedAccountError(raw[4:])
	}
	if bytes.Equal(raw[:4], teeRegistry.abi.Errors["PolicyAlreadyRegistered"].ID.Bytes()[:4]) {
		return teeRegistry.UnpackPolicyAlreadyRegisteredError(raw[4:])
	}
	if bytes.Equal(raw[:4], teeRegistry.abi.Errors["PolicyNotActive"].ID.Bytes()[:4]) {
		return teeRegistry.UnpackPolicyNotActiveError(raw[4:])
	}
	if bytes.Equal(raw[:4], teeRegistry.abi.Errors["PolicyTagTaken"].ID.Bytes()[:4]) {
		return teeRegistry.UnpackPolicyTagTakenError(raw[4:])
	}
	if bytes.Equal(raw[:4], teeRegistry.abi.Errors["RegistryNotPaused"].ID.Bytes()[:4]) {
		return teeRegistry.UnpackRegistryNotPausedError(raw[4:])
	}
	if bytes.Equal(raw[:4], teeRegistry.abi.Errors["RegistryPaused"].ID.Bytes()[:4]) {
		return teeRegistry.UnpackRegistryPausedError(raw[4:])
	}
	if bytes.Equal(raw[:4], teeRegistry.abi.Errors["RenounceOwnershipDisabled"].ID.Bytes()[:4]) {
		return teeRegistry.UnpackRenounceOwnershipDisabledError(raw[4:])
	}
	if bytes.Equal(raw[:4], teeRegistry.abi.Errors["RetiredPolicy"].ID.Bytes()[:4]) {
		return teeRegistry.UnpackRetiredPolicyError(raw[4:])
	}
	if bytes.Equal(raw[:4], teeRegistry.abi.Errors["SignersNotAscending"].ID.Bytes()[:4]) {
		return teeRegistry.UnpackSignersNotAscendingError(raw[4:])
	}
	if bytes.Equal(raw[:4], teeRegistry.abi.Errors["StaleVerdict"].ID.Bytes()[:4]) {
		return teeRegistry.UnpackStaleVerdictError(raw[4:])
	}
	if bytes.Equal(raw[:4], teeRegistry.abi.Errors["StringTooLong"].ID.Bytes()[:4]) {
		return teeRegistry.UnpackStringTooLongError(raw[4:])
	}
	if bytes.Equal(raw[:4], teeRegistry.abi.Errors["TeeMismatch"].ID.Bytes()[:4]) {
		return teeRegistry.UnpackTeeMismatchError(raw[4:])
	}
	if bytes.Equal(raw[:4], teeRegistry.abi.Errors["TooManyOracles"].ID.Bytes()[:4]) {
		return teeRegistry.UnpackTooManyOraclesError(raw[4:])
	}
	if bytes.Equal(raw[:4], teeRegistry.abi.Errors["TooManyPolicies"].ID.Bytes()[:4]) {
		return teeRegistry.UnpackTooManyPoliciesError(raw[4:])
	}
	if bytes.Equal(raw[:4], teeRegistry.abi.Errors["TooManyWorkloads"].ID.Bytes()[:4]) {
		return teeRegistry.UnpackTooManyWorkloadsError(raw[4:])
	}
	if bytes.Equal(raw[:4], teeRegistry.abi.Errors["UnknownPolicy"].ID.Bytes()[:4]) {
		return teeRegistry.UnpackUnknownPolicyError(raw[4:])
	}
	if bytes.Equal(raw[:4], teeRegistry.abi.Errors["UnknownSigner"].ID.Bytes()[:4]) {
		return teeRegistry.UnpackUnknownSignerError(raw[4:])
	}
	if bytes.Equal(raw[:4], teeRegistry.abi.Errors["UntrustedVerdictCannotBind"].ID.Bytes()[:4]) {
		return teeRegistry.UnpackUntrustedVerdictCannotBindError(raw[4:])
	}
	if bytes.Equal(raw[:4], teeRegistry.abi.Errors["ZeroAddress"].ID.Bytes()[:4]) {
		return teeRegistry.UnpackZeroAddressError(raw[4:])
	}
	if bytes.Equal(raw[:4], teeRegistry.abi.Errors["ZeroTeeKey"].ID.Bytes()[:4]) {
		return teeRegistry.UnpackZeroTeeKeyError(raw[4:])
	}
	return nil, errors.New("Unknown error")
}

// TeeRegistryAnchorHashMismatch represents a AnchorHashMismatch error raised by the TeeRegistry contract.
type TeeRegistryAnchorHashMismatch struct {
	AnchorBlockNumber uint64
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error AnchorHashMismatch(uint64 anchorBlockNumber)
func TeeRegistryAnchorHashMismatchErrorID() common.Hash {
	return common.HexToHash("0xd923e16fe7f551935570f6e52e0c93a7cca89d38301d434716d0fc55013d8d96")
}

// UnpackAnchorHashMismatchError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error AnchorHashMismatch(uint64 anchorBlockNumber)
func (teeRegistry *TeeRegistry) UnpackAnchorHashMismatchError(raw []byte) (*TeeRegistryAnchorHashMismatch, error) {
	out := new(TeeRegistryAnchorHashMismatch)
	if err := teeRegistry.abi.UnpackIntoInterface(out, "AnchorHashMismatch", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// TeeRegistryAnchorNotInPast represents a AnchorNotInPast error raised by the TeeRegistry contract.
type TeeRegistryAnchorNotInPast struct {
	AnchorBlockNumber uint64
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error AnchorNotInPast(uint64 anchorBlockNumber)
func TeeRegistryAnchorNotInPastErrorID() common.Hash {
	return common.HexToHash("0x37adee2a39f24c0cd6a3c8e2e7cb4958b301373af8e81e95090f2b3515aaeaae")
}

// UnpackAnchorNotInPastError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error AnchorNotInPast(uint64 anchorBlockNumber)
func (teeRegistry *TeeRegistry) UnpackAnchorNotInPastError(raw []byte) (*TeeRegistryAnchorNotInPast, error) {
	out := new(TeeRegistryAnchorNotInPast)
	if err := teeRegistry.abi.UnpackIntoInterface(out, "AnchorNotInPast", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// TeeRegistryAnchorTooOld represents a AnchorTooOld error raised by the TeeRegistry contract.
type TeeRegistryAnchorTooOld struct {
	AnchorBlockNumber uint64
	MaxAnchorAge      *big.Int
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error AnchorTooOld(uint64 anchorBlockNumber, uint256 maxAnchorAge)
func TeeRegistryAnchorTooOldErrorID() common.Hash {
	return common.HexToHash("0x6057870fc9f082bf467469449abb8e2ef0965a5adcc9779f9cce6c7244b52094")
}

// UnpackAnchorTooOldError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error AnchorTooOld(uint64 anchorBlockNumber, uint256 maxAnchorAge)
func (teeRegistry *TeeRegistry) UnpackAnchorTooOldError(raw []byte) (*TeeRegistryAnchorTooOld, error) {
	out := new(TeeRegistryAnchorTooOld)
	if err := teeRegistry.abi.UnpackIntoInterface(out, "AnchorTooOld", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// TeeRegistryBatchLengthMismatch represents a BatchLengthMismatch error raised by the TeeRegistry contract.
type TeeRegistryBatchLengthMismatch struct {
	Verdicts       *big.Int
	SignatureLists *big.Int
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error BatchLengthMismatch(uint256 verdicts, uint256 signatureLists)
func TeeRegistryBatchLengthMismatchErrorID() common.Hash {
	return common.HexToHash("0x81b5b207f4ceee88a305d93332dfd817c8615ec6ddd3c8ac2066f79411ad6c78")
}

// UnpackBatchLengthMismatchError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error BatchLengthMismatch(uint256 verdicts, uint256 signatureLists)
func (teeRegistry *TeeRegistry) UnpackBatchLengthMismatchError(raw []byte) (*TeeRegistryBatchLengthMismatch, error) {
	out := new(TeeRegistryBatchLengthMismatch)
	if err := teeRegistry.abi.UnpackIntoInterface(out, "BatchLengthMismatch", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// TeeRegistryEmptyBatch represents a EmptyBatch error raised by the TeeRegistry contract.
type TeeRegistryEmptyBatch struct {
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error EmptyBatch()
func TeeRegistryEmptyBatchErrorID() common.Hash {
	return common.HexToHash("0xc2e5347df6cf8d1bf68f8a9651642312bd381b900d857d97cd665976180d6ae0")
}

// UnpackEmptyBatchError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error EmptyBatch()
func (teeRegistry *TeeRegistry) UnpackEmptyBatchError(raw []byte) (*TeeRegistryEmptyBatch, error) {
	out := new(TeeRegistryEmptyBatch)
	if err := teeRegistry.abi.UnpackIntoInterface(out, "EmptyBatch", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// TeeRegistryExpiryBeyondPolicyValidity represents a ExpiryBeyondPolicyValidity error raised by the TeeRegistry contract.
type TeeRegistryExpiryBeyondPolicyValidity struct {
	ExpiresAt    uint64
	MaxExpiresAt *big.Int
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error ExpiryBeyondPolicyValidity(uint64 expiresAt, uint256 maxExpiresAt)
func TeeRegistryExpiryBeyondPolicyValidityErrorID() common.Hash {
	return common.HexToHash("0x3f828c2916f7ae05962b42456c8184cafc0a9bcc79106f7f0be5910be05ec811")
}

// UnpackExpiryBeyondPolicyValidityError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error ExpiryBeyondPolicyValidity(uint64 expiresAt, uint256 maxExpiresAt)
func (teeRegistry *TeeRegistry) UnpackExpiryBeyondPolicyValidityError(raw []byte) (*TeeRegistryExpiryBeyondPolicyValidity, error) {
	out := new(TeeRegistryExpiryBeyondPolicyValidity)
	if err := teeRegistry.abi.UnpackIntoInterface(out, "ExpiryBeyondPolicyValidity", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// TeeRegistryExpiryNotAfterIssue represents a ExpiryNotAfterIssue error raised by the TeeRegistry contract.
type TeeRegistryExpiryNotAfterIssue struct {
	IssuedAt  uint64
	ExpiresAt uint64
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error ExpiryNotAfterIssue(uint64 issuedAt, uint64 expiresAt)
func TeeRegistryExpiryNotAfterIssueErrorID() common.Hash {
	return common.HexToHash("0x51a221bba165532446fea1a4d9c1a71fa487122fbf612a9c295a50a2542d715a")
}

// UnpackExpiryNotAfterIssueError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error ExpiryNotAfterIssue(uint64 issuedAt, uint64 expiresAt)
func (teeRegistry *TeeRegistry) UnpackExpiryNotAfterIssueError(raw []byte) (*TeeRegistryExpiryNotAfterIssue, error) {
	out := new(TeeRegistryExpiryNotAfterIssue)
	if err := teeRegistry.abi.UnpackIntoInterface(out, "ExpiryNotAfterIssue", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// TeeRegistryInsufficientGasForEntry represents a InsufficientGasForEntry error raised by the TeeRegistry contract.
type TeeRegistryInsufficientGasForEntry struct {
	GasLeft   *big.Int
	GasNeeded *big.Int
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error InsufficientGasForEntry(uint256 gasLeft, uint256 gasNeeded)
func TeeRegistryInsufficientGasForEntryErrorID() common.Hash {
	return common.HexToHash("0x9237f2189b0931ff05a33e94aa7896f5973502850545108a6a394cfc9f01af4b")
}

// UnpackInsufficientGasForEntryError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error InsufficientGasForEntry(uint256 gasLeft, uint256 gasNeeded)
func (teeRegistry *TeeRegistry) UnpackInsufficientGasForEntryError(raw []byte) (*TeeRegistryInsufficientGasForEntry, error) {
	out := new(TeeRegistryInsufficientGasForEntry)
	if err := teeRegistry.abi.UnpackIntoInterface(out, "InsufficientGasForEntry", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// TeeRegistryInsufficientSignatures represents a InsufficientSignatures error raised by the TeeRegistry contract.
type TeeRegistryInsufficientSignatures struct {
	Provided  *big.Int
	Threshold *big.Int
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error InsufficientSignatures(uint256 provided, uint256 threshold)
func TeeRegistryInsufficientSignaturesErrorID() common.Hash {
	return common.HexToHash("0xf1e86aa6cac73d45dee5427a067dce79762a9dae5254b9e2f0dc87c9b6876443")
}

// UnpackInsufficientSignaturesError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error InsufficientSignatures(uint256 provided, uint256 threshold)
func (teeRegistry *TeeRegistry) UnpackInsufficientSignaturesError(raw []byte) (*TeeRegistryInsufficientSignatures, error) {
	out := new(TeeRegistryInsufficientSignatures)
	if err := teeRegistry.abi.UnpackIntoInterface(out, "InsufficientSignatures", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// TeeRegistryInvalidMaxAnchorAge represents a InvalidMaxAnchorAge error raised by the TeeRegistry contract.
type TeeRegistryInvalidMaxAnchorAge struct {
	Blocks *big.Int
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error InvalidMaxAnchorAge(uint256 blocks)
func TeeRegistryInvalidMaxAnchorAgeErrorID() common.Hash {
	return common.HexToHash("0xad5c952cfbfb2e2d32967867d2d6ccc85794f7fcaf15920b70545f5af22450bc")
}

// UnpackInvalidMaxAnchorAgeError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error InvalidMaxAnchorAge(uint256 blocks)
func (teeRegistry *TeeRegistry) UnpackInvalidMaxAnchorAgeError(raw []byte) (*TeeRegistryInvalidMaxAnchorAge, error) {
	out := new(TeeRegistryInvalidMaxAnchorAge)
	if err := teeRegistry.abi.UnpackIntoInterface(out, "InvalidMaxAnchorAge", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// TeeRegistryInvalidPolicyHash represents a InvalidPolicyHash error raised by the TeeRegistry contract.
type TeeRegistryInvalidPolicyHash struct {
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error InvalidPolicyHash()
func TeeRegistryInvalidPolicyHashErrorID() common.Hash {
	return common.HexToHash("0x0e0ae03d754d4ba84f05066567f9df1c12306c8eb4b2870a2103e859658c7b4a")
}

// UnpackInvalidPolicyHashError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error InvalidPolicyHash()
func (teeRegistry *TeeRegistry) UnpackInvalidPolicyHashError(raw []byte) (*TeeRegistryInvalidPolicyHash, error) {
	out := new(TeeRegistryInvalidPolicyHash)
	if err := teeRegistry.abi.UnpackIntoInterface(out, "InvalidPolicyHash", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// TeeRegistryInvalidShortString represents a InvalidShortString error raised by the TeeRegistry contract.
type TeeRegistryInvalidShortString struct {
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error InvalidShortString()
func TeeRegistryInvalidShortStringErrorID() common.Hash {
	return common.HexToHash("0xb3512b0c6163e5f0bafab72bb631b9d58cd7a731b082f910338aa21c83d5c274")
}

// UnpackInvalidShortStringError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error InvalidShortString()
func (teeRegistry *TeeRegistry) UnpackInvalidShortStringError(raw []byte) (*TeeRegistryInvalidShortString, error) {
	out := new(TeeRegistryInvalidShortString)
	if err := teeRegistry.abi.UnpackIntoInterface(out, "InvalidShortString", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// TeeRegistryInvalidSignature represents a InvalidSignature error raised by the TeeRegistry contract.
type TeeRegistryInvalidSignature struct {
	Index *big.Int
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error InvalidSignature(uint256 index)
func TeeRegistryInvalidSignatureErrorID() common.Hash {
	return common.HexToHash("0x52bf9848f4f569cd5e845a26f8524878f8ac004dcaace7433d78683624c84a76")
}

// UnpackInvalidSignatureError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error InvalidSignature(uint256 index)
func (teeRegistry *TeeRegistry) UnpackInvalidSignatureError(raw []byte) (*TeeRegistryInvalidSignature, error) {
	out := new(TeeRegistryInvalidSignature)
	if err := teeRegistry.abi.UnpackIntoInterface(out, "InvalidSignature", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// TeeRegistryInvalidStatus represents a InvalidStatus error raised by the TeeRegistry contract.
type TeeRegistryInvalidStatus struct {
	Status uint8
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error InvalidStatus(uint8 status)
func TeeRegistryInvalidStatusErrorID() common.Hash {
	return common.HexToHash("0x774f7f1210d2320c20f1dc988415608ef7e8050005328cfda2d2cfbccb7f5e17")
}

// UnpackInvalidStatusError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error InvalidStatus(uint8 status)
func (teeRegistry *TeeRegistry) UnpackInvalidStatusError(raw []byte) (*TeeRegistryInvalidStatus, error) {
	out := new(TeeRegistryInvalidStatus)
	if err := teeRegistry.abi.UnpackIntoInterface(out, "InvalidStatus", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// TeeRegistryInvalidTee represents a InvalidTee error raised by the TeeRegistry contract.
type TeeRegistryInvalidTee struct {
	Tee uint8
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error InvalidTee(uint8 tee)
func TeeRegistryInvalidTeeErrorID() common.Hash {
	return common.HexToHash("0x0f32043681129e592024ef71d9f4a36746388278e0c2299e83c2851eef6b4c23")
}

// UnpackInvalidTeeError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error InvalidTee(uint8 tee)
func (teeRegistry *TeeRegistry) UnpackInvalidTeeError(raw []byte) (*TeeRegistryInvalidTee, error) {
	out := new(TeeRegistryInvalidTee)
	if err := teeRegistry.abi.UnpackIntoInterface(out, "InvalidTee", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// TeeRegistryInvalidThreshold represents a InvalidThreshold error raised by the TeeRegistry contract.
type TeeRegistryInvalidThreshold struct {
	Threshold   *big.Int
	OracleCount *big.Int
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error InvalidThreshold(uint256 threshold, uint256 oracleCount)
func TeeRegistryInvalidThresholdErrorID() common.Hash {
	return common.HexToHash("0x7b7a98f144b22ac349117faf884147efe6b9d8f459322b9ed0cb76310884f093")
}

// UnpackInvalidThresholdError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error InvalidThreshold(uint256 threshold, uint256 oracleCount)
func (teeRegistry *TeeRegistry) UnpackInvalidThresholdError(raw []byte) (*TeeRegistryInvalidThreshold, error) {
	out := new(TeeRegistryInvalidThreshold)
	if err := teeRegistry.abi.UnpackIntoInterface(out, "InvalidThreshold", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// TeeRegistryInvalidValidity represents a InvalidValidity error raised by the TeeRegistry contract.
type TeeRegistryInvalidValidity struct {
	ValiditySeconds uint64
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error InvalidValidity(uint64 validitySeconds)
func TeeRegistryInvalidValidityErrorID() common.Hash {
	return common.HexToHash("0x5704a8d088713ac1abca18f3d367d10dfc7d252cb07ca8ef35bd2e633b7fb018")
}

// UnpackInvalidValidityError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error InvalidValidity(uint64 validitySeconds)
func (teeRegistry *TeeRegistry) UnpackInvalidValidityError(raw []byte) (*TeeRegistryInvalidValidity, error) {
	out := new(TeeRegistryInvalidValidity)
	if err := teeRegistry.abi.UnpackIntoInterface(out, "InvalidValidity", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// TeeRegistryIssuedInFuture represents a IssuedInFuture error raised by the TeeRegistry contract.
type TeeRegistryIssuedInFuture struct {
	IssuedAt uint64
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error IssuedInFuture(uint64 issuedAt)
func TeeRegistryIssuedInFutureErrorID() common.Hash {
	return common.HexToHash("0x9f7cd980d187695cc5880acad99dc39d7b79c826d68d0db020930182cf8b98e7")
}

// UnpackIssuedInFutureError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error IssuedInFuture(uint64 issuedAt)
func (teeRegistry *TeeRegistry) UnpackIssuedInFutureError(raw []byte) (*TeeRegistryIssuedInFuture, error) {
	out := new(TeeRegistryIssuedInFuture)
	if err := teeRegistry.abi.UnpackIntoInterface(out, "IssuedInFuture", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// TeeRegistryKeyBoundToOtherMachine represents a KeyBoundToOtherMachine error raised by the TeeRegistry contract.
type TeeRegistryKeyBoundToOtherMachine struct {
	TeeKey common.Address
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error KeyBoundToOtherMachine(address teeKey)
func TeeRegistryKeyBoundToOtherMachineErrorID() common.Hash {
	return common.HexToHash("0xb291af1297178f875e7b0356551f41fb0a601feb2a815644b4a0601b1c98f6f3")
}

// UnpackKeyBoundToOtherMachineError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error KeyBoundToOtherMachine(address teeKey)
func (teeRegistry *TeeRegistry) UnpackKeyBoundToOtherMachineError(raw []byte) (*TeeRegistryKeyBoundToOtherMachine, error) {
	out := new(TeeRegistryKeyBoundToOtherMachine)
	if err := teeRegistry.abi.UnpackIntoInterface(out, "KeyBoundToOtherMachine", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// TeeRegistryKeyNotAuthorized represents a KeyNotAuthorized error raised by the TeeRegistry contract.
type TeeRegistryKeyNotAuthorized struct {
	MachineId [32]byte
	TeeKey    common.Address
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error KeyNotAuthorized(bytes32 machineId, address teeKey)
func TeeRegistryKeyNotAuthorizedErrorID() common.Hash {
	return common.HexToHash("0x54395c88e09585d1fa1c5549cdb9dc5c78cd0bda22fd7c3898ebe9a0248503ca")
}

// UnpackKeyNotAuthorizedError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error KeyNotAuthorized(bytes32 machineId, address teeKey)
func (teeRegistry *TeeRegistry) UnpackKeyNotAuthorizedError(raw []byte) (*TeeRegistryKeyNotAuthorized, error) {
	out := new(TeeRegistryKeyNotAuthorized)
	if err := teeRegistry.abi.UnpackIntoInterface(out, "KeyNotAuthorized", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// TeeRegistryMachineAlreadyRegistered represents a MachineAlreadyRegistered error raised by the TeeRegistry contract.
type TeeRegistryMachineAlreadyRegistered struct {
	MachineId [32]byte
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error MachineAlreadyRegistered(bytes32 machineId)
func TeeRegistryMachineAlreadyRegisteredErrorID() common.Hash {
	return common.HexToHash("0x238f656e702394b001641a34f4788094b7be6e0c42c961f2d0cdb6985ba9ec10")
}

// UnpackMachineAlreadyRegisteredError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error MachineAlreadyRegistered(bytes32 machineId)
func (teeRegistry *TeeRegistry) UnpackMachineAlreadyRegisteredError(raw []byte) (*TeeRegistryMachineAlreadyRegistered, error) {
	out := new(TeeRegistryMachineAlreadyRegistered)
	if err := teeRegistry.abi.UnpackIntoInterface(out, "MachineAlreadyRegistered", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// TeeRegistryMachineIdRetired represents a MachineIdRetired error raised by the TeeRegistry contract.
type TeeRegistryMachineIdRetired struct {
	MachineId [32]byte
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error MachineIdRetired(bytes32 machineId)
func TeeRegistryMachineIdRetiredErrorID() common.Hash {
	return common.HexToHash("0x4b06eae551df63e286ec5ae2e3b3e925981c530bdb6ba437836f32752398ae42")
}

// UnpackMachineIdRetiredError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error MachineIdRetired(bytes32 machineId)
func (teeRegistry *TeeRegistry) UnpackMachineIdRetiredError(raw []byte) (*TeeRegistryMachineIdRetired, error) {
	out := new(TeeRegistryMachineIdRetired)
	if err := teeRegistry.abi.UnpackIntoInterface(out, "MachineIdRetired", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// TeeRegistryMachineNotRegistered represents a MachineNotRegistered error raised by the TeeRegistry contract.
type TeeRegistryMachineNotRegistered struct {
	MachineId [32]byte
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error MachineNotRegistered(bytes32 machineId)
func TeeRegistryMachineNotRegisteredErrorID() common.Hash {
	return common.HexToHash("0x0825edf7edd263782551e6df9a8f509779075457fddc5ebe230a54f87d16e6c3")
}

// UnpackMachineNotRegisteredError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error MachineNotRegistered(bytes32 machineId)
func (teeRegistry *TeeRegistry) UnpackMachineNotRegisteredError(raw []byte) (*TeeRegistryMachineNotRegistered, error) {
	out := new(TeeRegistryMachineNotRegistered)
	if err := teeRegistry.abi.UnpackIntoInterface(out, "MachineNotRegistered", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// TeeRegistryMalformedBatch represents a MalformedBatch error raised by the TeeRegistry contract.
type TeeRegistryMalformedBatch struct {
	Length *big.Int
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error MalformedBatch(uint256 length)
func TeeRegistryMalformedBatchErrorID() common.Hash {
	return common.HexToHash("0x70ac562d39aac733368e4feca6c3c85dd40665c1cb8c23336e1557fd5d7b1730")
}

// UnpackMalformedBatchError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error MalformedBatch(uint256 length)
func (teeRegistry *TeeRegistry) UnpackMalformedBatchError(raw []byte) (*TeeRegistryMalformedBatch, error) {
	out := new(TeeRegistryMalformedBatch)
	if err := teeRegistry.abi.UnpackIntoInterface(out, "MalformedBatch", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// TeeRegistryMalformedSignatures represents a MalformedSignatures error raised by the TeeRegistry contract.
type TeeRegistryMalformedSignatures struct {
	Length *big.Int
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error MalformedSignatures(uint256 length)
func TeeRegistryMalformedSignaturesErrorID() common.Hash {
	return common.HexToHash("0x2208c6294dd86c318abc5df0632aed3e704d538d181fa8e0c4f290acb2ea872d")
}

// UnpackMalformedSignaturesError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error MalformedSignatures(uint256 length)
func (teeRegistry *TeeRegistry) UnpackMalformedSignaturesError(raw []byte) (*TeeRegistryMalformedSignatures, error) {
	out := new(TeeRegistryMalformedSignatures)
	if err := teeRegistry.abi.UnpackIntoInterface(out, "MalformedSignatures", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// TeeRegistryNonCanonicalVerdict represents a NonCanonicalVerdict error raised by the TeeRegistry contract.
type TeeRegistryNonCanonicalVerdict struct {
	Field *big.Int
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error NonCanonicalVerdict(uint256 field)
func TeeRegistryNonCanonicalVerdictErrorID() common.Hash {
	return common.HexToHash("0xaec58c1ee88b52c4e666ca1f34a6f8ce2793e6c8ccb921c0d2077d773797a4c3")
}

// UnpackNonCanonicalVerdictError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error NonCanonicalVerdict(uint256 field)
func (teeRegistry *TeeRegistry) UnpackNonCanonicalVerdictError(raw []byte) (*TeeRegistryNonCanonicalVerdict, error) {
	out := new(TeeRegistryNonCanonicalVerdict)
	if err := teeRegistry.abi.UnpackIntoInterface(out, "NonCanonicalVerdict", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// TeeRegistryNotAnOracle represents a NotAnOracle error raised by the TeeRegistry contract.
type TeeRegistryNotAnOracle struct {
	Oracle common.Address
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error NotAnOracle(address oracle)
func TeeRegistryNotAnOracleErrorID() common.Hash {
	return common.HexToHash("0x219993856ae281f472ed917c299efb50b19b3ce718b1d22e61cb4f7e71cd957f")
}

// UnpackNotAnOracleError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error NotAnOracle(address oracle)
func (teeRegistry *TeeRegistry) UnpackNotAnOracleError(raw []byte) (*TeeRegistryNotAnOracle, error) {
	out := new(TeeRegistryNotAnOracle)
	if err := teeRegistry.abi.UnpackIntoInterface(out, "NotAnOracle", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// TeeRegistryNotMachineProvider represents a NotMachineProvider error raised by the TeeRegistry contract.
type TeeRegistryNotMachineProvider struct {
	MachineId [32]byte
	Caller    common.Address
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error NotMachineProvider(bytes32 machineId, address caller)
func TeeRegistryNotMachineProviderErrorID() common.Hash {
	return common.HexToHash("0x141de4ffa8e750347dbfa34fe825df1f77fff2d4e54b7077362854d8b9d9b6a6")
}

// UnpackNotMachineProviderError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error NotMachineProvider(bytes32 machineId, address caller)
func (teeRegistry *TeeRegistry) UnpackNotMachineProviderError(raw []byte) (*TeeRegistryNotMachineProvider, error) {
	out := new(TeeRegistryNotMachineProvider)
	if err := teeRegistry.abi.UnpackIntoInterface(out, "NotMachineProvider", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// TeeRegistryOracleAlreadyAdded represents a OracleAlreadyAdded error raised by the TeeRegistry contract.
type TeeRegistryOracleAlreadyAdded struct {
	Oracle common.Address
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error OracleAlreadyAdded(address oracle)
func TeeRegistryOracleAlreadyAddedErrorID() common.Hash {
	return common.HexToHash("0x62891bb9ab793409a8e478ff9bfa4c53220dc8d564eb52db8f79ecdc385ed77b")
}

// UnpackOracleAlreadyAddedError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error OracleAlreadyAdded(address oracle)
func (teeRegistry *TeeRegistry) UnpackOracleAlreadyAddedError(raw []byte) (*TeeRegistryOracleAlreadyAdded, error) {
	out := new(TeeRegistryOracleAlreadyAdded)
	if err := teeRegistry.abi.UnpackIntoInterface(out, "OracleAlreadyAdded", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// TeeRegistryOwnableInvalidOwner represents a OwnableInvalidOwner error raised by the TeeRegistry contract.
type TeeRegistryOwnableInvalidOwner struct {
	Owner common.Address
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error OwnableInvalidOwner(address owner)
func TeeRegistryOwnableInvalidOwnerErrorID() common.Hash {
	return common.HexToHash("0x1e4fbdf7f3ef8bcaa855599e3abf48b232380f183f08f6f813d9ffa5bd585188")
}

// UnpackOwnableInvalidOwnerError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error OwnableInvalidOwner(address owner)
func (teeRegistry *TeeRegistry) UnpackOwnableInvalidOwnerError(raw []byte) (*TeeRegistryOwnableInvalidOwner, error) {
	out := new(TeeRegistryOwnableInvalidOwner)
	if err := teeRegistry.abi.UnpackIntoInterface(out, "OwnableInvalidOwner", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// TeeRegistryOwnableUnauthorizedAccount represents a OwnableUnauthorizedAccount error raised by the TeeRegistry contract.
type TeeRegistryOwnableUnauthorizedAccount struct {
	Account common.Address
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error OwnableUnauthorizedAccount(address account)
func TeeRegistryOwnableUnauthorizedAccountErrorID() common.Hash {
	return common.HexToHash("0x118cdaa7a341953d1887a2245fd6665d741c67c8c50581daa59e1d03373fa188")
}

// UnpackOwnableUnauthorizedAccountError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error OwnableUnauthorizedAccount(address account)
func (teeRegistry *TeeRegistry) UnpackOwnableUnauthorizedAccountError(raw []byte) (*TeeRegistryOwnableUnauthorizedAccount, error) {
	out := new(TeeRegistryOwnableUnauthorizedAccount)
	if err := teeRegistry.abi.UnpackIntoInterface(out, "OwnableUnauthorizedAccount", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// TeeRegistryPolicyAlreadyRegistered represents a PolicyAlreadyRegistered error raised by the TeeRegistry contract.
type TeeRegistryPolicyAlreadyRegistered struct {
	PolicyHash [32]byte
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error PolicyAlreadyRegistered(bytes32 policyHash)
func TeeRegistryPolicyAlreadyRegisteredErrorID() common.Hash {
	return common.HexToHash("0x4f20e7c5f0941824d4a66d34f9f94c7768d80053cfe2682d53715e99ec927ab1")
}

// UnpackPolicyAlreadyRegisteredError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error PolicyAlreadyRegistered(bytes32 policyHash)
func (teeRegistry *TeeRegistry) UnpackPolicyAlreadyRegisteredError(raw []byte) (*TeeRegistryPolicyAlreadyRegistered, error) {
	out := new(TeeRegistryPolicyAlreadyRegistered)
	if err := teeRegistry.abi.UnpackIntoInterface(out, "PolicyAlreadyRegistered", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// TeeRegistryPolicyNotActive represents a PolicyNotActive error raised by the TeeRegistry contract.
type TeeRegistryPolicyNotActive struct {
	PolicyHash [32]byte
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error PolicyNotActive(bytes32 policyHash)
func TeeRegistryPolicyNotActiveErrorID() common.Hash {
	return common.HexToHash("0x2033f8f15fa14a206fb707f14d7510adeadd36b831b7481b82f79aa9877f9174")
}

// UnpackPolicyNotActiveError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error PolicyNotActive(bytes32 policyHash)
func (teeRegistry *TeeRegistry) UnpackPolicyNotActiveError(raw []byte) (*TeeRegistryPolicyNotActive, error) {
	out := new(TeeRegistryPolicyNotActive)
	if err := teeRegistry.abi.UnpackIntoInterface(out, "PolicyNotActive", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// TeeRegistryPolicyTagTaken represents a PolicyTagTaken error raised by the TeeRegistry contract.
type TeeRegistryPolicyTagTaken struct {
	PolicyHash [32]byte
	Registered [32]byte
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error PolicyTagTaken(bytes32 policyHash, bytes32 registered)
func TeeRegistryPolicyTagTakenErrorID() common.Hash {
	return common.HexToHash("0xb3383d9fb754b3beac06824091cbb356938d6a9aa0ecb281ac263cbca846cfd9")
}

// UnpackPolicyTagTakenError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error PolicyTagTaken(bytes32 policyHash, bytes32 registered)
func (teeRegistry *TeeRegistry) UnpackPolicyTagTakenError(raw []byte) (*TeeRegistryPolicyTagTaken, error) {
	out := new(TeeRegistryPolicyTagTaken)
	if err := teeRegistry.abi.UnpackIntoInterface(out, "PolicyTagTaken", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// TeeRegistryRegistryNotPaused represents a RegistryNotPaused error raised by the TeeRegistry contract.
type TeeRegistryRegistryNotPaused struct {
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error RegistryNotPaused()
func TeeRegistryRegistryNotPausedErrorID() common.Hash {
	return common.HexToHash("0xcd02ee4413a7b05d1bbada7610b7d1348cab8890d40f5f70026f67accaebe6c4")
}

// UnpackRegistryNotPausedError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error RegistryNotPaused()
func (teeRegistry *TeeRegistry) UnpackRegistryNotPausedError(raw []byte) (*TeeRegistryRegistryNotPaused, error) {
	out := new(TeeRegistryRegistryNotPaused)
	if err := teeRegistry.abi.UnpackIntoInterface(out, "RegistryNotPaused", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// TeeRegistryRegistryPaused represents a RegistryPaused error raised by the TeeRegistry contract.
type TeeRegistryRegistryPaused struct {
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error RegistryPaused()
func TeeRegistryRegistryPausedErrorID() common.Hash {
	return common.HexToHash("0x24522f34b13b548fed0737e1873d20df9f4feee861f14eaf1a9ce643000cb8ae")
}

// UnpackRegistryPausedError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error RegistryPaused()
func (teeRegistry *TeeRegistry) UnpackRegistryPausedError(raw []byte) (*TeeRegistryRegistryPaused, error) {
	out := new(TeeRegistryRegistryPaused)
	if err := teeRegistry.abi.UnpackIntoInterface(out, "RegistryPaused", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// TeeRegistryRenounceOwnershipDisabled represents a RenounceOwnershipDisabled error raised by the TeeRegistry contract.
type TeeRegistryRenounceOwnershipDisabled struct {
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error RenounceOwnershipDisabled()
func TeeRegistryRenounceOwnershipDisabledErrorID() common.Hash {
	return common.HexToHash("0xffc0fd9327ceec71a819020aff5a151b73272fa985d1c880da9e4753688140f8")
}

// UnpackRenounceOwnershipDisabledError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error RenounceOwnershipDisabled()
func (teeRegistry *TeeRegistry) UnpackRenounceOwnershipDisabledError(raw []byte) (*TeeRegistryRenounceOwnershipDisabled, error) {
	out := new(TeeRegistryRenounceOwnershipDisabled)
	if err := teeRegistry.abi.UnpackIntoInterface(out, "RenounceOwnershipDisabled", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// TeeRegistryRetiredPolicy represents a RetiredPolicy error raised by the TeeRegistry contract.
type TeeRegistryRetiredPolicy struct {
	PolicyHash [32]byte
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error RetiredPolicy(bytes32 policyHash)
func TeeRegistryRetiredPolicyErrorID() common.Hash {
	return common.HexToHash("0x3b25ce960890eef5d62dccfd7ee5c1ca0264510ceefaecd60c4d7e59382dc9cf")
}

// UnpackRetiredPolicyError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error RetiredPolicy(bytes32 policyHash)
func (teeRegistry *TeeRegistry) UnpackRetiredPolicyError(raw []byte) (*TeeRegistryRetiredPolicy, error) {
	out := new(TeeRegistryRetiredPolicy)
	if err := teeRegistry.abi.UnpackIntoInterface(out, "RetiredPolicy", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// TeeRegistrySignersNotAscending represents a SignersNotAscending error raised by the TeeRegistry contract.
type TeeRegistrySignersNotAscending struct {
	Index *big.Int
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error SignersNotAscending(uint256 index)
func TeeRegistrySignersNotAscendingErrorID() common.Hash {
	return common.HexToHash("0x590a84f76cadfc6716aaea24107af9134f0cd4c66edbe9af3ffe914656b566fa")
}

// UnpackSignersNotAscendingError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error SignersNotAscending(uint256 index)
func (teeRegistry *TeeRegistry) UnpackSignersNotAscendingError(raw []byte) (*TeeRegistrySignersNotAscending, error) {
	out := new(TeeRegistrySignersNotAscending)
	if err := teeRegistry.abi.UnpackIntoInterface(out, "SignersNotAscending", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// TeeRegistryStaleVerdict represents a StaleVerdict error raised by the TeeRegistry contract.
type TeeRegistryStaleVerdict struct {
	IssuedAt       uint64
	StoredIssuedAt uint64
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error StaleVerdict(uint64 issuedAt, uint64 storedIssuedAt)
func TeeRegistryStaleVerdictErrorID() common.Hash {
	return common.HexToHash("0x50cab903c0d8af7278f985fc94ec485a2d16984c790b77b879213096d4ae3705")
}

// UnpackStaleVerdictError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error StaleVerdict(uint64 issuedAt, uint64 storedIssuedAt)
func (teeRegistry *TeeRegistry) UnpackStaleVerdictError(raw []byte) (*TeeRegistryStaleVerdict, error) {
	out := new(TeeRegistryStaleVerdict)
	if err := teeRegistry.abi.UnpackIntoInterface(out, "StaleVerdict", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// TeeRegistryStringTooLong represents a StringTooLong error raised by the TeeRegistry contract.
type TeeRegistryStringTooLong struct {
	Str string
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error StringTooLong(string str)
func TeeRegistryStringTooLongErrorID() common.Hash {
	return common.HexToHash("0x305a27a93f8e33b7392df0a0f91d6fc63847395853c45991eec52dbf24d72381")
}

// UnpackStringTooLongError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error StringTooLong(string str)
func (teeRegistry *TeeRegistry) UnpackStringTooLongError(raw []byte) (*TeeRegistryStringTooLong, error) {
	out := new(TeeRegistryStringTooLong)
	if err := teeRegistry.abi.UnpackIntoInterface(out, "StringTooLong", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// TeeRegistryTeeMismatch represents a TeeMismatch error raised by the TeeRegistry contract.
type TeeRegistryTeeMismatch struct {
	Registered uint8
	Verdict    uint8
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error TeeMismatch(uint8 registered, uint8 verdict)
func TeeRegistryTeeMismatchErrorID() common.Hash {
	return common.HexToHash("0x12a07f183965136f3c88b6b3f2a790ea0d0385dbcdb813b0c09fbcf853092988")
}

// UnpackTeeMismatchError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error TeeMismatch(uint8 registered, uint8 verdict)
func (teeRegistry *TeeRegistry) UnpackTeeMismatchError(raw []byte) (*TeeRegistryTeeMismatch, error) {
	out := new(TeeRegistryTeeMismatch)
	if err := teeRegistry.abi.UnpackIntoInterface(out, "TeeMismatch", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// TeeRegistryTooManyOracles represents a TooManyOracles error raised by the TeeRegistry contract.
type TeeRegistryTooManyOracles struct {
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error TooManyOracles()
func TeeRegistryTooManyOraclesErrorID() common.Hash {
	return common.HexToHash("0x25d0209c0efd050954bc628679b901fe7e35bdd632e71f070173b6a6e30f7048")
}

// UnpackTooManyOraclesError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error TooManyOracles()
func (teeRegistry *TeeRegistry) UnpackTooManyOraclesError(raw []byte) (*TeeRegistryTooManyOracles, error) {
	out := new(TeeRegistryTooManyOracles)
	if err := teeRegistry.abi.UnpackIntoInterface(out, "TooManyOracles", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// TeeRegistryTooManyPolicies represents a TooManyPolicies error raised by the TeeRegistry contract.
type TeeRegistryTooManyPolicies struct {
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error TooManyPolicies()
func TeeRegistryTooManyPoliciesErrorID() common.Hash {
	return common.HexToHash("0x8c47adbb7dd1063d9d58d8c3dc7ed0701ae4d0c6b63d4bc99088062cbbd5b8db")
}

// UnpackTooManyPoliciesError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error TooManyPolicies()
func (teeRegistry *TeeRegistry) UnpackTooManyPoliciesError(raw []byte) (*TeeRegistryTooManyPolicies, error) {
	out := new(TeeRegistryTooManyPolicies)
	if err := teeRegistry.abi.UnpackIntoInterface(out, "TooManyPolicies", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// TeeRegistryTooManyWorkloads represents a TooManyWorkloads error raised by the TeeRegistry contract.
type TeeRegistryTooManyWorkloads struct {
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error TooManyWorkloads()
func TeeRegistryTooManyWorkloadsErrorID() common.Hash {
	return common.HexToHash("0x0e451eb53d4e2b2a5c49175e29a2c4e1b4193f78e46cfec6c8154dd92c4d92c7")
}

// UnpackTooManyWorkloadsError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error TooManyWorkloads()
func (teeRegistry *TeeRegistry) UnpackTooManyWorkloadsError(raw []byte) (*TeeRegistryTooManyWorkloads, error) {
	out := new(TeeRegistryTooManyWorkloads)
	if err := teeRegistry.abi.UnpackIntoInterface(out, "TooManyWorkloads", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// TeeRegistryUnknownPolicy represents a UnknownPolicy error raised by the TeeRegistry contract.
type TeeRegistryUnknownPolicy struct {
	PolicyHash [32]byte
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error UnknownPolicy(bytes32 policyHash)
func TeeRegistryUnknownPolicyErrorID() common.Hash {
	return common.HexToHash("0x9561b7e0ca1dfc6bb684cbbf10aabe7fd7f639771a68e31147d7d9983d132d6c")
}

// UnpackUnknownPolicyError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error UnknownPolicy(bytes32 policyHash)
func (teeRegistry *TeeRegistry) UnpackUnknownPolicyError(raw []byte) (*TeeRegistryUnknownPolicy, error) {
	out := new(TeeRegistryUnknownPolicy)
	if err := teeRegistry.abi.UnpackIntoInterface(out, "UnknownPolicy", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// TeeRegistryUnknownSigner represents a UnknownSigner error raised by the TeeRegistry contract.
type TeeRegistryUnknownSigner struct {
	Signer common.Address
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error UnknownSigner(address signer)
func TeeRegistryUnknownSignerErrorID() common.Hash {
	return common.HexToHash("0xd7e8a2c26fd6e574581d4dadb54adcae8e49f64b22b2d5386731d559357f82c3")
}

// UnpackUnknownSignerError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error UnknownSigner(address signer)
func (teeRegistry *TeeRegistry) UnpackUnknownSignerError(raw []byte) (*TeeRegistryUnknownSigner, error) {
	out := new(TeeRegistryUnknownSigner)
	if err := teeRegistry.abi.UnpackIntoInterface(out, "UnknownSigner", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// TeeRegistryUntrustedVerdictCannotBind represents a UntrustedVerdictCannotBind error raised by the TeeRegistry contract.
type TeeRegistryUntrustedVerdictCannotBind struct {
	MachineId [32]byte
	TeeKey    common.Address
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error UntrustedVerdictCannotBind(bytes32 machineId, address teeKey)
func TeeRegistryUntrustedVerdictCannotBindErrorID() common.Hash {
	return common.HexToHash("0xa4862b278d6ab3d95577cc308c22da8d1eb9342e905eabc0f5f4117f1e7fa6fe")
}

// UnpackUntrustedVerdictCannotBindError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error UntrustedVerdictCannotBind(bytes32 machineId, address teeKey)
func (teeRegistry *TeeRegistry) UnpackUntrustedVerdictCannotBindError(raw []byte) (*TeeRegistryUntrustedVerdictCannotBind, error) {
	out := new(TeeRegistryUntrustedVerdictCannotBind)
	if err := teeRegistry.abi.UnpackIntoInterface(out, "UntrustedVerdictCannotBind", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// TeeRegistryZeroAddress represents a ZeroAddress error raised by the TeeRegistry contract.
type TeeRegistryZeroAddress struct {
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error ZeroAddress()
func TeeRegistryZeroAddressErrorID() common.Hash {
	return common.HexToHash("0xd92e233df2717d4a40030e20904abd27b68fcbeede117eaaccbbdac9618c8c73")
}

// UnpackZeroAddressError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error ZeroAddress()
func (teeRegistry *TeeRegistry) UnpackZeroAddressError(raw []byte) (*TeeRegistryZeroAddress, error) {
	out := new(TeeRegistryZeroAddress)
	if err := teeRegistry.abi.UnpackIntoInterface(out, "ZeroAddress", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// TeeRegistryZeroTeeKey represents a ZeroTeeKey error raised by the TeeRegistry contract.
type TeeRegistryZeroTeeKey struct {
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error ZeroTeeKey()
func TeeRegistryZeroTeeKeyErrorID() common.Hash {
	return common.HexToHash("0x7e8c1c1d7b2f793929bd694cd4bcc13b853dea07fb2cba1b4229c3b879f94b26")
}

// UnpackZeroTeeKeyError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error ZeroTeeKey()
func (teeRegistry *TeeRegistry) UnpackZeroTeeKeyError(raw []byte) (*TeeRegistryZeroTeeKey, error) {
	out := new(TeeRegistryZeroTeeKey)
	if err := teeRegistry.abi.UnpackIntoInterface(out, "ZeroTeeKey", raw); err != nil {
		return nil, err
	}
	return out, nil
}
