// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {Vm} from "forge-std/Vm.sol";
import {ITeeRegistry} from "../ITeeRegistry.sol";
import {TeeRegistryBase} from "./TeeRegistryBase.sol";

/// @dev The storage behind the gas goals: interned (workload id, TCB) pairs, unique 80-bit policy
/// tags (what the batch fast path matches the newest policy by), and the copies of the config
/// word in the oracles' slots (what `submitBatch` reads instead of the config slot).
contract TeeRegistryInternTest is TeeRegistryBase {
    bytes32 internal constant IMAGE = keccak256("fleet image v1");
    uint64 internal constant TCB = 0x0b00000000001587;

    event WorkloadInterned(uint64 indexed index, bytes32 indexed workloadId, uint64 tcb);
    event VerdictSkipped(
        uint256 index, bytes32 indexed machineId, address indexed teeKey, bytes32 indexed digest, bytes reason
    );

    /// @dev n machines of `other`, each with its own authorised key.
    function _fleet(uint256 n) internal returns (bytes32[] memory ids, address[] memory keys) {
        ids = new bytes32[](n);
        keys = new address[](n);
        for (uint256 i = 0; i < n; ++i) {
            vm.prank(other);
            ids[i] = reg.registerMachine(bytes32(i + 100), 1, "");
            keys[i] = vm.addr(0x7000 + i);
            _authorize(ids[i], keys[i]);
        }
    }

    function _fleetVerdicts(bytes32[] memory ids, address[] memory keys, bytes32 image, uint64 tcb)
        internal
        view
        returns (ITeeRegistry.Verdict[] memory vs)
    {
        vs = new ITeeRegistry.Verdict[](ids.length);
        for (uint256 i = 0; i < ids.length; ++i) {
            vs[i] = _verdict(ids[i], keys[i]);
            vs[i].workloadId = image;
            vs[i].tcb = tcb;
        }
    }

    function _pairSlot(bytes32 workloadId, uint64 tcb) internal pure returns (bytes32) {
        return keccak256(abi.encode(workloadId, uint256(tcb), keccak256("teeoracle.TeeRegistry.pairIndex")));
    }

    function _interned(Vm.Log[] memory logs) internal pure returns (uint256 count) {
        for (uint256 i = 0; i < logs.length; ++i) {
            if (logs[i].topics[0] == WorkloadInterned.selector) ++count;
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Interned (workload id, TCB) pairs
    // ---------------------------------------------------------------------------------------------

    /// @dev A fleet on one image interns one pair, once; every machine's record points at it, and a
    /// re-attestation of the whole fleet interns nothing.
    function test_intern_fleetSharesOnePair() public {
        (bytes32[] memory ids, address[] memory keys) = _fleet(5);
        vm.expectEmit(address(reg));
        emit WorkloadInterned(1, IMAGE, TCB);
        vm.recordLogs();
        _submitBatch(_fleetVerdicts(ids, keys, IMAGE, TCB));
        assertEq(_interned(vm.getRecordedLogs()), 1, "one pair for the fleet");
        assertEq(uint256(vm.load(address(reg), _pairSlot(IMAGE, TCB))), 1, "pair index at its namespaced slot");
        _advance(1, 60);
        vm.recordLogs();
        _submitBatch(_fleetVerdicts(ids, keys, IMAGE, TCB));
        assertEq(_interned(vm.getRecordedLogs()), 0, "re-attestation interns nothing");
        for (uint256 i = 0; i < ids.length; ++i) {
            assertTrue(reg.isTrustedFor(keys[i], IMAGE));
            assertEq(reg.machine(ids[i]).tcb, TCB);
            (, bytes32 w,,,) = reg.trustOf(keys[i]);
            assertEq(w, IMAGE);
        }
    }

    /// @dev A TCB update is a new pair: its first verdict interns it, the rest of the fleet reuses
    /// it, and each record reports its own verdict's TCB and workload.
    function test_intern_tcbUpdateAndNewImage() public {
        (bytes32[] memory ids, address[] memory keys) = _fleet(3);
        _submitBatch(_fleetVerdicts(ids, keys, IMAGE, TCB));
        _advance(1, 60);
        ITeeRegistry.Verdict[] memory vs = _fleetVerdicts(ids, keys, IMAGE, TCB + 1);
        vs[2].workloadId = keccak256("fleet image v2");
        vm.expectEmit(address(reg));
        emit WorkloadInterned(2, IMAGE, TCB + 1);
        vm.expectEmit(address(reg));
        emit WorkloadInterned(3, vs[2].workloadId, TCB + 1);
        vm.recordLogs();
        _submitBatch(vs);
        assertEq(_interned(vm.getRecordedLogs()), 2);
        assertEq(reg.machine(ids[0]).tcb, TCB + 1);
        assertEq(reg.machine(ids[1]).tcb, TCB + 1);
        assertTrue(reg.isTrustedFor(keys[1], IMAGE));
        assertTrue(reg.isTrustedFor(keys[2], vs[2].workloadId));
        assertFalse(reg.isTrustedFor(keys[2], IMAGE));
        // Back to an interned pair: no new entry, the record follows.
        _advance(1, 60);
        vs = _fleetVerdicts(ids, keys, IMAGE, TCB);
        vm.recordLogs();
        _submitBatch(vs);
        assertEq(_interned(vm.getRecordedLogs()), 0);
        assertEq(reg.machine(ids[2]).tcb, TCB);
        assertTrue(reg.isTrustedFor(keys[2], IMAGE));
    }

    /// @dev Two pairs that differ only in the TCB, or only in the workload, never share an index;
    /// a verdict with the other pair does not pass for the first one.
    function test_intern_distinctPairsDistinctIndices() public {
        (bytes32[] memory ids, address[] memory keys) = _fleet(3);
        ITeeRegistry.Verdict[] memory vs = _fleetVerdicts(ids, keys, IMAGE, TCB);
        vs[1].tcb = TCB ^ 1;
        vs[2].workloadId = bytes32(uint256(IMAGE) ^ 1);
        _submitBatch(vs);
        uint256 a = uint256(vm.load(address(reg), _pairSlot(IMAGE, TCB)));
        uint256 b = uint256(vm.load(address(reg), _pairSlot(IMAGE, TCB ^ 1)));
        uint256 c = uint256(vm.load(address(reg), _pairSlot(vs[2].workloadId, TCB)));
        assertTrue(a != 0 && b != 0 && c != 0 && a != b && b != c && a != c, "three indices");
        assertEq(reg.machine(ids[1]).tcb, TCB ^ 1);
        assertFalse(reg.isTrustedFor(keys[2], IMAGE));
    }

    /// @dev A refused verdict interns nothing (every check precedes every write).
    function test_intern_refusedVerdictInternsNothing() public {
        (bytes32[] memory ids, address[] memory keys) = _fleet(1);
        ITeeRegistry.Verdict memory v = _fleetVerdicts(ids, keys, IMAGE, TCB)[0];
        v.teeKey = vm.addr(0x9999); // not authorised
        vm.recordLogs();
        _submitBatch(_one(v));
        assertEq(_interned(vm.getRecordedLogs()), 0);
        assertEq(uint256(vm.load(address(reg), _pairSlot(IMAGE, TCB))), 0);
    }

    // ---------------------------------------------------------------------------------------------
    // Policy tags
    // ---------------------------------------------------------------------------------------------

    /// @dev Two hashes with the same top 80 bits (all the fast path compares): the second is refused
    /// with PolicyTagTaken, whatever its low bits, and leaves nothing behind.
    function test_policyTag_sharedTagRefused() public {
        bytes32 a = bytes32((uint256(0xC0FFEE) << 176) | 0x1111);
        bytes32 b = bytes32((uint256(0xC0FFEE) << 176) | (uint256(0x2222) << 100) | 0x3333);
        assertEq(uint256(a) >> 176, uint256(b) >> 176, "same tag");
        assertTrue(a != b);
        vm.startPrank(owner);
        reg.registerPolicy(a, VALIDITY, "a");
        vm.expectRevert(abi.encodeWithSelector(ITeeRegistry.PolicyTagTaken.selector, b, a));
        reg.registerPolicy(b, VALIDITY, "b");
        // Retiring the holder does not free its tag: a retired policy's tag stays taken.
        reg.retirePolicy(a);
        vm.expectRevert(abi.encodeWithSelector(ITeeRegistry.PolicyTagTaken.selector, b, a));
        reg.registerPolicy(b, VALIDITY, "b");
        vm.stopPrank();
        assertEq(reg.policy(b).state, 0, "b unknown");
        // A hash with another tag registers.
        bytes32 c = bytes32((uint256(0xC0FFEF) << 176) | 0x1111);
        vm.prank(owner);
        reg.registerPolicy(c, VALIDITY, "c");
        assertEq(reg.policy(c).state, 1);
    }

    /// @dev The fast path cannot be steered to another policy: a verdict naming a policy that is
    /// not the hot one is decided under its own policy (its id in the record, its validity, its
    /// retirement), and the hot policy cannot be shadowed by a second registration of its tag.
    function test_policyTag_fastPathNotSteered() public {
        bytes32 hot = bytes32((uint256(0xBEEF) << 176) | 0xAAAA);
        bytes32 twin = bytes32((uint256(0xBEEF) << 176) | 0xBBBB);
        vm.startPrank(owner);
        reg.registerPolicy(hot, 2 hours, "hot"); // newest: the config word's hot policy
        vm.expectRevert(abi.encodeWithSelector(ITeeRegistry.PolicyTagTaken.selector, twin, hot));
        reg.registerPolicy(twin, VALIDITY, "twin");
        vm.stopPrank();
        _submit(_verdict(machineId, teeKey)); // bound under POLICY (not hot)
        _advance(1, 60);
        // A re-attestation under POLICY (validity 1 day) by the batch: recorded under POLICY.
        ITeeRegistry.Verdict memory v = _verdict(machineId, teeKey);
        _submitBatch(_one(v));
        (, , bytes32 pol,,) = reg.trustOf(teeKey);
        assertEq(pol, POLICY, "recorded under its own policy, not the hot one");
        assertEq(reg.machine(machineId).issuedAt, v.issuedAt);
        // Under the hot policy, a lifetime beyond its 2 hours is refused, as submitVerdict would.
        _advance(1, 60);
        ITeeRegistry.Verdict memory h = _verdict(machineId, teeKey);
        h.policyHash = hot;
        bytes memory packed = _packAll(_one(h));
        bytes memory sigs = _batchQuorum(packed);
        vm.expectEmit(address(reg));
        emit VerdictSkipped(
            0,
            machineId,
            teeKey,
            reg.hashVerdict(h),
            abi.encodeWithSelector(ITeeRegistry.ExpiryBeyondPolicyValidity.selector, h.expiresAt, h.issuedAt + 2 hours)
        );
        reg.submitBatch(packed, sigs);
        h.expiresAt = h.issuedAt + 2 hours;
        _submitBatch(_one(h));
        (, , pol,,) = reg.trustOf(teeKey);
        assertEq(pol, hot);
        // Retiring POLICY does not touch the hot policy's records, and vice versa.
        vm.prank(owner);
        reg.retirePolicy(POLICY);
        assertTrue(reg.isTrustedKey(teeKey));
        vm.prank(owner);
        reg.retirePolicy(hot);
        assertFalse(reg.isTrustedKey(teeKey));
    }

    // ---------------------------------------------------------------------------------------------
    // The config word in the oracles' slots
    // ---------------------------------------------------------------------------------------------

    /// @dev Slot of `_oracleConfig[oracle]` (mapping at slot 5, after the config word at 4).
    function _oracleSlot(address oracle) internal pure returns (bytes32) {
        return keccak256(abi.encode(oracle, uint256(5)));
    }

    function _assertCopies(address[] memory current, address[] memory removed) internal view {
        uint256 cfg = uint256(vm.load(address(reg), bytes32(uint256(4))));
        assertTrue(cfg != 0);
        for (uint256 i = 0; i < current.length; ++i) {
            assertEq(uint256(vm.load(address(reg), _oracleSlot(current[i]))), cfg, "oracle holds the config word");
            assertTrue(reg.isOracle(current[i]));
        }
        for (uint256 i = 0; i < removed.length; ++i) {
            assertEq(uint256(vm.load(address(reg), _oracleSlot(removed[i]))), 0, "removed oracle's slot erased");
            assertFalse(reg.isOracle(removed[i]));
        }
    }

    /// @dev Every governance change of the config rewrites every oracle's copy.
    function test_oracleConfig_copiesFollowEveryChange() public {
        address[] memory none = new address[](0);
        _assertCopies(oracles, none);
        address extra = vm.addr(0xE47A);
        vm.startPrank(owner);
        reg.setThreshold(3);
        _assertCopies(oracles, none);
        reg.setMaxAnchorAge(17);
        _assertCopies(oracles, none);
        reg.registerPolicy(keccak256("p2"), VALIDITY, "");
        _assertCopies(oracles, none);
        reg.retirePolicy(keccak256("p2"));
        _assertCopies(oracles, none);
        reg.pause();
        _assertCopies(oracles, none);
        reg.unpause();
        reg.addOracle(extra);
        address[] memory four = new address[](4);
        for (uint256 i = 0; i < 3; ++i) {
            four[i] = oracles[i];
        }
        four[3] = extra;
        _assertCopies(four, none);
        reg.setThreshold(2);
        reg.removeOracle(oracles[0]);
        address[] memory gone = new address[](1);
        gone[0] = oracles[0];
        address[] memory left = new address[](3);
        left[0] = oracles[1];
        left[1] = oracles[2];
        left[2] = extra;
        _assertCopies(left, gone);
        vm.stopPrank();
        assertEq(reg.oracleCount(), 3);
    }

    /// @dev A removed oracle's signature no longer counts, and a paused registry refuses a batch
    /// with RegistryPaused before any other reason, as it did when the batch read the config slot.
    function test_oracleConfig_removedAndPaused() public {
        ITeeRegistry.Verdict memory v = _verdict(machineId, teeKey);
        bytes memory packed = _packAll(_one(v));
        bytes memory sigs = _batchQuorum(packed);
        vm.prank(owner);
        reg.pause();
        vm.expectRevert(ITeeRegistry.RegistryPaused.selector);
        reg.submitBatch(packed, sigs);
        vm.expectRevert(ITeeRegistry.RegistryPaused.selector);
        reg.submitBatch(packed, "");
        vm.expectRevert(ITeeRegistry.RegistryPaused.selector);
        reg.submitBatch("", sigs);
        vm.prank(owner);
        reg.unpause();
        vm.expectRevert(abi.encodeWithSelector(ITeeRegistry.InsufficientSignatures.selector, 0, 2));
        reg.submitBatch(packed, "");
        vm.prank(owner);
        reg.removeOracle(oracles[0]);
        vm.expectRevert(abi.encodeWithSelector(ITeeRegistry.UnknownSigner.selector, oracles[0]));
        reg.submitBatch(packed, sigs);
        reg.submitBatch(packed, _sigSet(reg.hashBatch(packed), _keys(oracleKeys[1], oracleKeys[2])));
        assertTrue(reg.isTrusted(machineId));
    }
}
