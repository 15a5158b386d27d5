// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {Script, console} from "forge-std/Script.sol";
import {TeeRegistry} from "../contracts/TeeRegistry.sol";
import {TrustedWorkerExample} from "../contracts/TrustedWorkerExample.sol";

/// @notice Deploys TeeRegistry (and optionally the example consumer) to anvil or any RPC endpoint.
/// Configuration comes from the environment:
///   REGISTRY_ORACLES         comma-separated oracle signer addresses (required)
///   REGISTRY_THRESHOLD       quorum M, 1 <= M <= number of oracles (default 1)
///   REGISTRY_OWNER           governance account (default: the broadcasting account)
///   REGISTRY_MAX_ANCHOR_AGE  largest anchor age in blocks, 1..256 (default 256)
///   REGISTRY_EXAMPLE_WORKLOAD  workload id the example consumer pins (default zero: none)
///   DEPLOY_EXAMPLE_CONSUMER  also deploy TrustedWorkerExample (default false)
/// Usage:
///   REGISTRY_ORACLES=0xabc...,0xdef... REGISTRY_THRESHOLD=2 \
///   forge script scripts/Deploy.s.sol --rpc-url $RPC_URL --private-key $KEY --broadcast
/// It prints `TeeRegistry <address>` (and `TrustedWorkerExample <address>`) on success.
contract Deploy is Script {
    function run() external returns (TeeRegistry registry, TrustedWorkerExample example) {
        address[] memory oracles = vm.envAddress("REGISTRY_ORACLES", ",");
        uint256 threshold = vm.envOr("REGISTRY_THRESHOLD", uint256(1));
        uint256 maxAnchorAge = vm.envOr("REGISTRY_MAX_ANCHOR_AGE", uint256(256));
        bool withExample = vm.envOr("DEPLOY_EXAMPLE_CONSUMER", false);
        require(threshold <= type(uint8).max, "REGISTRY_THRESHOLD out of range");
        require(maxAnchorAge <= type(uint16).max, "REGISTRY_MAX_ANCHOR_AGE out of range");

        vm.startBroadcast();
        (, address broadcaster,) = vm.readCallers();
        address owner = vm.envOr("REGISTRY_OWNER", broadcaster);
        registry = new TeeRegistry(owner, oracles, uint8(threshold), uint16(maxAnchorAge));
        if (withExample) example = new TrustedWorkerExample(registry, vm.envOr("REGISTRY_EXAMPLE_WORKLOAD", bytes32(0)));
        vm.stopBroadcast();

        console.log("TeeRegistry", address(registry));
        if (withExample) console.log("TrustedWorkerExample", address(example));
    }
}
