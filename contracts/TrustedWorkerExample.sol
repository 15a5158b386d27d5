// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {ITeeRegistry} from "./ITeeRegistry.sol";

/// @title TrustedWorkerExample
/// @notice The pattern a dApp copies: accept work only from a key held inside a TEE that the
/// registry trusts right now (trusted verdict, unexpired, policy still active).
/// @dev `submitResultUngated` is the same function without the gate; the difference between the
/// two transactions' gas is what the gate (one call, two storage reads in the registry) costs.
contract TrustedWorkerExample {
    /// @notice The registry consulted on every gated call.
    ITeeRegistry public immutable registry;

    /// @notice A worker posted a result.
    event ResultSubmitted(address indexed worker, bytes32 result);

    /// @notice The caller is not the TEE key of a currently trusted machine.
    error NotTrustedTee(address caller);

    /// @param registry_ The TeeRegistry to consult.
    constructor(ITeeRegistry registry_) {
        registry = registry_;
    }

    /// @dev Query the registry on every call: never cache trust, or an expiry or a policy
    /// retirement would not take effect.
    modifier onlyTrustedTee() {
        if (!registry.isTrustedKey(msg.sender)) revert NotTrustedTee(msg.sender);
        _;
    }

    /// @notice Posts a result; only a key held by a currently trusted TEE may call.
    /// @param result The result.
    function submitResult(bytes32 result) external onlyTrustedTee {
        emit ResultSubmitted(msg.sender, result);
    }

    /// @notice Same as `submitResult` without the gate; exists to isolate the gate's gas.
    /// @param result The result.
    function submitResultUngated(bytes32 result) external {
        emit ResultSubmitted(msg.sender, result);
    }
}
