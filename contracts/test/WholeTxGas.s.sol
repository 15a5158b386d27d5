// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {Script} from "forge-std/Script.sol";
import {TeeRegistry} from "../TeeRegistry.sol";
import {ITeeRegistry} from "../ITeeRegistry.sol";
import {TrustedWorkerExample} from "../TrustedWorkerExample.sol";

/// @notice Sends every measured operation as a real transaction, for whole-transaction gas
/// (21,000 base + calldata + execution) as a chain charges it. Run by contracts/test/whole-tx-gas
/// against a fresh anvil; the wrapper reads each receipt's gasUsed.
/// Env: DEPLOYER_KEY (funded; deploys, governs, provides) and TEE_KEY (funded; calls the consumer).
contract WholeTxGas is Script {
    bytes32 constant POLICY = keccak256("teeoracle.policy.v1");
    uint64 constant VALIDITY = 1 days;

    uint256 deployerKey;
    uint256 teeKeyPk;
    uint256[] oracleKeys;

    function run() external {
        deployerKey = vm.envUint("DEPLOYER_KEY");
        teeKeyPk = vm.envUint("TEE_KEY");
        address teeKey = vm.addr(teeKeyPk);

        // --- 1-of-1 registry: register, first_verdict, reattest_1of1, consumer gate -----------------
        TeeRegistry reg = _deploy(1, 1);
        vm.startBroadcast(deployerKey);
        bytes32 id = reg.registerMachine(bytes32(uint256(1)), 1, "https://provider.example/m/1"); // register
        _submit(reg, id, teeKey, 100); // first_verdict
        _submit(reg, id, teeKey, 50); // reattest_1of1
        TrustedWorkerExample worker = new TrustedWorkerExample(reg);
        vm.stopBroadcast();
        vm.startBroadcast(teeKeyPk);
        worker.submitResultUngated(bytes32(uint256(1))); // consumer_ungated
        worker.submitResult(bytes32(uint256(1))); // consumer_gated
        vm.stopBroadcast();

        // --- batch of 50 re-attestations on the 1-of-1 registry ------------------------------------
        uint256 n = 50;
        bytes32[] memory ids = new bytes32[](n);
        vm.startBroadcast(deployerKey);
        for (uint256 i = 0; i < n; ++i) {
            ids[i] = reg.registerMachine(bytes32(i + 1000), 1, "");
        }
        _batch(reg, ids, 100); // batch50_first
        _batch(reg, ids, 50); // batch50
        vm.stopBroadcast();

        // --- 2-of-3 registry: reattest_2of3 -------------------------------------------------------
        TeeRegistry reg3 = _deploy(3, 2);
        vm.startBroadcast(deployerKey);
        bytes32 id3 = reg3.registerMachine(bytes32(uint256(1)), 1, "");
        _submit(reg3, id3, teeKey, 100);
        _submit(reg3, id3, teeKey, 50); // reattest_2of3
        vm.stopBroadcast();
    }

    function _deploy(uint256 n, uint8 m) internal returns (TeeRegistry reg) {
        delete oracleKeys;
        address[] memory addrs = new address[](n);
        for (uint256 i = 0; i < n; ++i) {
            oracleKeys.push(uint256(keccak256(abi.encode("oracle", n, i))) % (2 ** 250) + 1);
        }
        // ascending by address
        for (uint256 i = 1; i < n; ++i) {
            for (uint256 j = i; j > 0 && vm.addr(oracleKeys[j - 1]) > vm.addr(oracleKeys[j]); --j) {
                (oracleKeys[j - 1], oracleKeys[j]) = (oracleKeys[j], oracleKeys[j - 1]);
            }
        }
        for (uint256 i = 0; i < n; ++i) {
            addrs[i] = vm.addr(oracleKeys[i]);
        }
        vm.startBroadcast(deployerKey);
        reg = new TeeRegistry(vm.addr(deployerKey), addrs, m, 256);
        reg.registerPolicy(POLICY, VALIDITY, "ipfs://policy-v1");
        vm.stopBroadcast();
    }

    /// @dev issuedAt = now - age, so a later call with a smaller age is newer, and both are in
    /// the past when the transactions land in later blocks.
    function _verdict(TeeRegistry reg, bytes32 id, address key, uint64 age)
        internal
        view
        returns (ITeeRegistry.Verdict memory v, bytes[] memory sigs)
    {
        uint64 anchor = uint64(block.number - 1);
        uint64 issued = uint64(block.timestamp) - age;
        v = ITeeRegistry.Verdict({
            machineId: id,
            tee: 1,
            status: 1,
            teeKey: key,
            workloadId: keccak256(abi.encode("workload", id)),
            tcbStatus: 1,
            tcb: 0x0b00000000001587,
            policyHash: POLICY,
            evidenceHash: keccak256(abi.encode("evidence", id, key, issued)),
            anchorBlockNumber: anchor,
            anchorBlockHash: blockhash(anchor),
            issuedAt: issued,
            expiresAt: issued + VALIDITY,
            reasons: 0
        });
        bytes32 digest = reg.hashVerdict(v);
        uint256 m = reg.threshold();
        sigs = new bytes[](m);
        for (uint256 i = 0; i < m; ++i) {
            (uint8 sv, bytes32 r, bytes32 s) = vm.sign(oracleKeys[i], digest);
            sigs[i] = abi.encodePacked(r, s, sv);
        }
    }

    function _submit(TeeRegistry reg, bytes32 id, address key, uint64 age) internal {
        (ITeeRegistry.Verdict memory v, bytes[] memory sigs) = _verdict(reg, id, key, age);
        reg.submitVerdict(v, sigs);
    }

    function _batch(TeeRegistry reg, bytes32[] memory ids, uint64 age) internal {
        ITeeRegistry.Verdict[] memory vs = new ITeeRegistry.Verdict[](ids.length);
        bytes[][] memory ss = new bytes[][](ids.length);
        for (uint256 i = 0; i < ids.length; ++i) {
            (vs[i], ss[i]) = _verdict(reg, ids[i], vm.addr(0x1000 + i), age);
        }
        reg.submitVerdicts(vs, ss);
    }
}
