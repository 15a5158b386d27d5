// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {ITeeRegistry} from "../ITeeRegistry.sol";
import {TrustedWorkerExample} from "../TrustedWorkerExample.sol";
import {TeeRegistryBase} from "./TeeRegistryBase.sol";

/// @dev Named gas snapshots (snapshots/TeeRegistryGasTest.json). `vm.cool` before each measured
/// call makes the registry's account and storage cold again, as at the start of a real
/// transaction. These figures are execution gas of the call only: a whole transaction adds the
/// 21,000 base, calldata, and the cold account access (measured with anvil, see docs/contracts.md).
contract TeeRegistryGasTest is TeeRegistryBase {
    function setUp() public override {
        _setUpRegistry(1, 1);
    }

    function test_gas_register() public {
        vm.cool(address(reg));
        vm.prank(other);
        reg.registerMachine(bytes32(uint256(42)), 2, "https://provider.example/m/42");
        vm.snapshotGasLastCall("register");
    }

    function test_gas_authorizeKey() public {
        vm.cool(address(reg));
        vm.prank(provider);
        reg.authorizeKey(machineId, vm.addr(0xBEEF));
        vm.snapshotGasLastCall("authorize_key");
    }

    function test_gas_firstVerdict() public {
        ITeeRegistry.Verdict memory v = _verdict(machineId, teeKey);
        bytes[] memory sigs = _signQuorum(v);
        vm.cool(address(reg));
        reg.submitVerdict(v, sigs);
        vm.snapshotGasLastCall("first_verdict");
        assertTrue(reg.isTrusted(machineId));
    }

    function test_gas_reattest1of1() public {
        _submit(_verdict(machineId, teeKey));
        _advance(10, 3600);
        ITeeRegistry.Verdict memory v = _verdict(machineId, teeKey);
        bytes[] memory sigs = _signQuorum(v);
        vm.cool(address(reg));
        reg.submitVerdict(v, sigs);
        vm.snapshotGasLastCall("reattest_1of1");
        assertEq(reg.machine(machineId).issuedAt, v.issuedAt);
    }

    function test_gas_reattest2of3() public {
        _setUpRegistry(3, 2);
        _submit(_verdict(machineId, teeKey));
        _advance(10, 3600);
        ITeeRegistry.Verdict memory v = _verdict(machineId, teeKey);
        bytes[] memory sigs = _signQuorum(v);
        assertEq(sigs.length, 2);
        vm.cool(address(reg));
        reg.submitVerdict(v, sigs);
        vm.snapshotGasLastCall("reattest_2of3");
        assertEq(reg.machine(machineId).issuedAt, v.issuedAt);
    }

    function test_gas_keyRotation() public {
        _submit(_verdict(machineId, teeKey));
        _advance(10, 3600);
        ITeeRegistry.Verdict memory v = _verdict(machineId, vm.addr(0xBEEF));
        _authorize(machineId, v.teeKey);
        bytes[] memory sigs = _signQuorum(v);
        vm.cool(address(reg));
        reg.submitVerdict(v, sigs);
        vm.snapshotGasLastCall("key_rotation");
    }

    function test_gas_batch50() public {
        uint256 n = 50;
        ITeeRegistry.Verdict[] memory vs = new ITeeRegistry.Verdict[](n);
        bytes[][] memory ss = new bytes[][](n);
        for (uint256 i = 0; i < n; ++i) {
            vm.prank(other);
            bytes32 id = reg.registerMachine(bytes32(i + 1000), 1, "");
            vs[i] = _verdict(id, vm.addr(0x1000 + i));
            _authorize(id, vs[i].teeKey);
        }
        for (uint256 i = 0; i < n; ++i) {
            ss[i] = _signQuorum(vs[i]);
        }
        reg.submitVerdicts(vs, ss); // first verdicts
        _advance(10, 3600);
        // The measured batch re-attests all 50 (the steady state of continuous attestation).
        for (uint256 i = 0; i < n; ++i) {
            vs[i] = _verdict(vs[i].machineId, vs[i].teeKey);
            ss[i] = _signQuorum(vs[i]);
        }
        vm.cool(address(reg));
        reg.submitVerdicts(vs, ss);
        uint256 used = vm.snapshotGasLastCall("batch50");
        vm.snapshotValue("batch50_per_verdict", used / n);
        for (uint256 i = 0; i < n; ++i) {
            assertTrue(reg.isTrusted(vs[i].machineId));
        }
    }

    /// @dev A single re-attestation through the batch entry point (one packed verdict, one signature).
    function test_gas_reattestBatch1of1() public {
        _submit(_verdict(machineId, teeKey));
        _advance(10, 3600);
        ITeeRegistry.Verdict memory v = _verdict(machineId, teeKey);
        bytes memory packed = _pack(v);
        bytes memory sigs = _batchQuorum(packed);
        vm.cool(address(reg));
        reg.submitBatch(packed, sigs);
        vm.snapshotGasLastCall("reattest_batch_1of1");
        assertEq(reg.machine(machineId).issuedAt, v.issuedAt);
    }

    /// @dev The issue's batch: 100 re-attestations under one 2-of-3 signature set.
    function test_gas_batch100of2of3() public {
        _setUpRegistry(3, 2);
        uint256 n = 100;
        ITeeRegistry.Verdict[] memory vs = new ITeeRegistry.Verdict[](n);
        for (uint256 i = 0; i < n; ++i) {
            vm.prank(other);
            bytes32 id = reg.registerMachine(bytes32(i + 1000), 1, "");
            vs[i] = _verdict(id, vm.addr(0x1000 + i));
            _authorize(id, vs[i].teeKey);
        }
        _submitBatch(vs); // first verdicts
        _advance(10, 3600);
        for (uint256 i = 0; i < n; ++i) {
            vs[i] = _verdict(vs[i].machineId, vs[i].teeKey);
        }
        bytes memory packed = _packAll(vs);
        bytes memory sigs = _batchQuorum(packed);
        vm.cool(address(reg));
        reg.submitBatch(packed, sigs);
        uint256 used = vm.snapshotGasLastCall("batch100_2of3");
        vm.snapshotValue("batch100_2of3_per_verdict", used / n);
        for (uint256 i = 0; i < n; ++i) {
            assertTrue(reg.isTrusted(vs[i].machineId));
        }
    }

    /// @dev The same batch with every machine on one image (a provider's fleet): the interned
    /// (workload id, TCB) pair is read cold by the first verdict and warm by the other 99.
    function test_gas_batch100of2of3SharedImage() public {
        _setUpRegistry(3, 2);
        uint256 n = 100;
        ITeeRegistry.Verdict[] memory vs = new ITeeRegistry.Verdict[](n);
        for (uint256 i = 0; i < n; ++i) {
            vm.prank(other);
            bytes32 id = reg.registerMachine(bytes32(i + 1000), 1, "");
            vs[i] = _verdict(id, vm.addr(0x1000 + i));
            vs[i].workloadId = keccak256("fleet image");
            _authorize(id, vs[i].teeKey);
        }
        _submitBatch(vs); // first verdicts
        _advance(10, 3600);
        for (uint256 i = 0; i < n; ++i) {
            vs[i] = _verdict(vs[i].machineId, vs[i].teeKey);
            vs[i].workloadId = keccak256("fleet image");
        }
        bytes memory packed = _packAll(vs);
        bytes memory sigs = _batchQuorum(packed);
        vm.cool(address(reg));
        reg.submitBatch(packed, sigs);
        uint256 used = vm.snapshotGasLastCall("batch100_2of3_shared_image");
        vm.snapshotValue("batch100_2of3_shared_image_per_verdict", used / n);
        for (uint256 i = 0; i < n; ++i) {
            assertTrue(reg.isTrustedFor(vs[i].teeKey, keccak256("fleet image")));
        }
    }

    function test_gas_isTrusted() public {
        _submit(_verdict(machineId, teeKey));
        vm.cool(address(reg));
        assertTrue(reg.isTrustedKey(teeKey));
        vm.snapshotGasLastCall("is_trusted_key");
        vm.cool(address(reg));
        assertTrue(reg.isTrusted(machineId));
        vm.snapshotGasLastCall("is_trusted_machine");
    }

    /// @dev The gate as a dApp pays it: the gated call minus the identical ungated one.
    function test_gas_isTrustedViaConsumer() public {
        _submit(_verdict(machineId, teeKey));
        TrustedWorkerExample worker = new TrustedWorkerExample(reg, keccak256(abi.encode("workload", machineId)));
        vm.cool(address(reg));
        vm.cool(address(worker));
        vm.prank(teeKey);
        worker.submitResult(bytes32(uint256(1)));
        uint256 gated = vm.snapshotGasLastCall("consumer_gated");
        vm.cool(address(reg));
        vm.cool(address(worker));
        vm.prank(teeKey);
        worker.submitResultUngated(bytes32(uint256(1)));
        uint256 ungated = vm.snapshotGasLastCall("consumer_ungated");
        vm.snapshotValue("is_trusted", gated - ungated);
        vm.cool(address(reg));
        vm.cool(address(worker));
        vm.prank(teeKey);
        worker.submitPinnedResult(bytes32(uint256(1)));
        uint256 pinned = vm.snapshotGasLastCall("consumer_pinned");
        vm.snapshotValue("is_trusted_for", pinned - ungated);
    }

    /// @dev A re-attestation whose workload id changed to one no verdict named before: the general
    /// path interns the new (workload id, TCB) pair (three fresh slots and WorkloadInterned).
    function test_gas_reattestBatchNewWorkload() public {
        _submit(_verdict(machineId, teeKey));
        _advance(10, 3600);
        ITeeRegistry.Verdict memory v = _verdict(machineId, teeKey);
        v.workloadId = keccak256("workload v2");
        bytes memory packed = _pack(v);
        bytes memory sigs = _batchQuorum(packed);
        vm.cool(address(reg));
        reg.submitBatch(packed, sigs);
        vm.snapshotGasLastCall("reattest_batch_1of1_new_workload");
        assertTrue(reg.isTrustedFor(teeKey, v.workloadId));
    }
}
