// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {ITeeRegistry} from "./ITeeRegistry.sol";
import {TeeGate} from "./TeeGate.sol";

/// @title TrustedWorkerExample
/// @notice The pattern a dApp copies: accept work only from a key held inside a TEE that the
/// registry trusts right now (trusted verdict, unexpired, policy still active) and, for the pinned
/// function, only while that TEE runs the one workload the dApp approved.
/// @dev `submitResultUngated` is the same function without a gate; the difference between the
/// transactions' gas is what a gate costs (scripts/gas-report, docs/gas.md).
contract TrustedWorkerExample {
    /// @notice The registry consulted on every gated call.
    ITeeRegistry public immutable registry;
    /// @notice The workload `submitPinnedResult` requires (zero: none pinned, and that function
    /// always refuses).
    bytes32 public immutable workloadId;

    /// @notice A worker posted a result.
    event ResultSubmitted(address indexed worker, bytes32 result);

    /// @notice The caller is not the TEE key of a currently trusted machine.
    error NotTrustedTee(address caller);
    /// @notice The caller is not the TEE key of a currently trusted machine running `workloadId`.
    error NotPinnedWorkload(address caller, bytes32 workloadId);

    /// @param registry_ The TeeRegistry to consult.
    /// @param workloadId_ The workload id `submitPinnedResult` requires (from the policy's
    /// workload, e.g. what `teeoracle measure` computes for the approved image).
    constructor(ITeeRegistry registry_, bytes32 workloadId_) {
        registry = registry_;
        workloadId = workloadId_;
    }

    /// @dev Query the registry on every call: never cache trust, or an expiry, a policy
    /// retirement or a new workload would not take effect.
    modifier onlyTrustedTee() {
        if (!TeeGate.isTrustedKey(registry, msg.sender)) revert NotTrustedTee(msg.sender);
        _;
    }

    /// @dev The workload-pinned gate: trusted now, and running exactly the approved workload.
    modifier onlyPinnedWorkload() {
        if (!TeeGate.isTrustedFor(registry, msg.sender, workloadId)) revert NotPinnedWorkload(msg.sender, workloadId);
        _;
    }

    /// @notice Posts a result; only a key held by a currently trusted TEE may call.
    /// @param result The result.
    function submitResult(bytes32 result) external onlyTrustedTee {
        emit ResultSubmitted(msg.sender, result);
    }

    /// @notice Posts a result; only a key held by a currently trusted TEE running the pinned
    /// workload may call.
    /// @param result The result.
    function submitPinnedResult(bytes32 result) external onlyPinnedWorkload {
        emit ResultSubmitted(msg.sender, result);
    }

    /// @notice Same as `submitResult` without the gate; exists to isolate the gate's gas.
    /// @param result The result.
    function submitResultUngated(bytes32 result) external {
        emit ResultSubmitted(msg.sender, result);
    }
}
