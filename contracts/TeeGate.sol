// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {ITeeRegistry} from "./ITeeRegistry.sol";

/// @title TeeGate
/// @notice The registry's two gate queries as a consumer should call them: one STATICCALL each,
/// written out so that the gate costs the registry's storage reads and little else (a plain
/// interface call adds about 300 gas of ABI encoding, return-data checks and decoding; see
/// docs/gas.md). Both fail closed: a call that reverts or answers anything but `true` is false.
library TeeGate {
    /// @notice `registry.isTrustedKey(key)`.
    function isTrustedKey(ITeeRegistry registry, address key) internal view returns (bool ok) {
        bytes4 selector = ITeeRegistry.isTrustedKey.selector;
        assembly ("memory-safe") {
            mstore(0x00, selector)
            mstore(0x04, key)
            // Yul evaluates arguments right to left: the call is a statement of its own, first.
            let success := staticcall(gas(), registry, 0x00, 0x24, 0x00, 0x20)
            ok := and(success, and(gt(returndatasize(), 0x1f), eq(mload(0x00), 1)))
        }
    }

    /// @notice `registry.isTrustedFor(key, workloadId)`.
    function isTrustedFor(ITeeRegistry registry, address key, bytes32 workloadId) internal view returns (bool ok) {
        bytes4 selector = ITeeRegistry.isTrustedFor.selector;
        assembly ("memory-safe") {
            let m := mload(0x40)
            mstore(m, selector)
            mstore(add(m, 0x04), key)
            mstore(add(m, 0x24), workloadId)
            let success := staticcall(gas(), registry, m, 0x44, 0x00, 0x20)
            ok := and(success, and(gt(returndatasize(), 0x1f), eq(mload(0x00), 1)))
        }
    }
}
