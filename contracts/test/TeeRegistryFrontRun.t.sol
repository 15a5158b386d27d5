// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {Vm} from "forge-std/Vm.sol";
import {TeeRegistryBase} from "./TeeRegistryBase.sol";
import {ITeeRegistry} from "../ITeeRegistry.sol";

/// @dev What a machine's provider can do to verdicts with its own key operations: revoke and
/// re-authorise a key to replay a superseded verdict, or to send its entry of someone's batch down
/// the costly binding path after the batch's gas was estimated.
contract TeeRegistryFrontRunTest is TeeRegistryBase {
    /// The node's gas limit for a batch of n verdicts: its estimate, 5,000 per verdict
    /// (oracle/service/batch.go skipAllowance) and, once, the registry's entry reserve.
    uint256 internal constant SKIP_ALLOWANCE = 5_000;
    uint256 internal constant ENTRY_GAS_RESERVE = 200_000;
    uint256 internal constant REST_ENTRY_GAS = 11_000;
    uint256 internal constant PLAIN_ENTRY_GAS = 17_000;
    uint256 internal constant PLAIN_ENTRY_GAS_PER_SIGNATURE = 4_400;

    // ---- a revocation never revives a superseded verdict -------------------------------------

    /// V1 trusts the key, a later untrusted D supersedes it; the provider revokes and re-authorises
    /// the same key, and anyone replays V1 (its anchor still young): refused, in a single submission
    /// and in a batch, and the key stays untrusted.
    function test_revokeReauthorizeDoesNotReplaySupersededVerdict() public {
        ITeeRegistry.Verdict memory v1 = _verdict(machineId, teeKey);
        bytes[] memory s1 = _signQuorum(v1);
        reg.submitVerdict(v1, s1);
        _advance(20, 240);
        ITeeRegistry.Verdict memory d = _verdict(machineId, teeKey);
        d.status = 2;
        reg.submitVerdict(d, _signQuorum(d));
        assertFalse(reg.isTrustedKey(teeKey));
        vm.startPrank(provider);
        reg.revokeKey(machineId);
        reg.authorizeKey(machineId, teeKey);
        vm.stopPrank();
        assertLe(block.number - v1.anchorBlockNumber, reg.maxAnchorAge(), "V1's anchor is still young");

        bytes memory stale = abi.encodeWithSelector(ITeeRegistry.StaleVerdict.selector, v1.issuedAt, d.issuedAt);
        vm.expectRevert(stale);
        reg.submitVerdict(v1, s1);

        bytes memory packed = _pack(v1);
        bytes memory sigs = _batchQuorum(packed);
        bytes32 digest = reg.hashVerdict(v1);
        vm.expectEmit(address(reg));
        emit ITeeRegistry.VerdictSkipped(0, machineId, teeKey, digest, stale);
        reg.submitBatch(packed, sigs);

        assertFalse(reg.isTrustedKey(teeKey), "the superseded verdict trusted the key again");
        assertEq(reg.machine(machineId).teeKey, address(0));
        assertEq(reg.authorizedKey(machineId), teeKey, "the refusal leaves the authorisation pending");
    }

    /// After a revocation, a verdict newer than the erased record binds the same key again, and a
    /// new key binds too; one issued with the erased record does not.
    function test_revokeThenNewerVerdictBinds() public {
        ITeeRegistry.Verdict memory v1 = _verdict(machineId, teeKey);
        reg.submitVerdict(v1, _signQuorum(v1));
        vm.startPrank(provider);
        reg.revokeKey(machineId);
        reg.authorizeKey(machineId, teeKey);
        vm.stopPrank();
        // Same issuedAt as the erased record: not newer.
        ITeeRegistry.Verdict memory same = _verdict(machineId, teeKey);
        same.evidenceHash = keccak256("other evidence, same second");
        bytes[] memory sameSigs = _signQuorum(same);
        vm.expectRevert(abi.encodeWithSelector(ITeeRegistry.StaleVerdict.selector, v1.issuedAt, v1.issuedAt));
        reg.submitVerdict(same, sameSigs);

        _advance(1, 12);
        ITeeRegistry.Verdict memory v2 = _verdict(machineId, teeKey);
        reg.submitVerdict(v2, _signQuorum(v2));
        assertTrue(reg.isTrustedKey(teeKey), "a newer verdict binds the re-authorised key");
        assertEq(reg.machine(machineId).issuedAt, v2.issuedAt);

        address next = vm.addr(0xBEEF);
        vm.prank(provider);
        reg.revokeKey(machineId);
        _authorize(machineId, next);
        _advance(1, 12);
        ITeeRegistry.Verdict memory v3 = _verdict(machineId, next);
        reg.submitVerdict(v3, _signQuorum(v3));
        assertTrue(reg.isTrustedKey(next), "a newer verdict binds a new key");
        assertFalse(reg.isTrustedKey(teeKey));
    }

    /// Revoking only a pending authorisation (no key bound) leaves the floor as it was: a machine's
    /// first verdict binds whatever its issuedAt.
    function test_revokePendingOnlyKeepsFirstBinding() public {
        vm.startPrank(provider);
        reg.revokeKey(machineId);
        reg.authorizeKey(machineId, teeKey);
        vm.stopPrank();
        ITeeRegistry.Verdict memory v = _verdict(machineId, teeKey);
        reg.submitVerdict(v, _signQuorum(v));
        assertTrue(reg.isTrustedKey(teeKey));
    }

    // ---- a provider's key operations cannot make a batch run out of gas -----------------------

    /// n machines bound, one of them the front-runner's; returns the re-attestation batch.
    function _fleet(uint256 n) internal returns (bytes32[] memory ids, ITeeRegistry.Verdict[] memory vs) {
        ids = new bytes32[](n);
        address[] memory keys = new address[](n);
        ids[0] = machineId;
        keys[0] = teeKey;
        for (uint256 i = 1; i < n; ++i) {
            vm.prank(other);
            ids[i] = reg.registerMachine(bytes32(i), 1, "");
            keys[i] = vm.addr(0xB000 + i);
            _authorize(ids[i], keys[i]);
        }
        vs = new ITeeRegistry.Verdict[](n);
        for (uint256 i = 0; i < n; ++i) {
            vs[i] = _verdict(ids[i], keys[i]);
        }
        _submitBatch(vs);
        _advance(5, 60);
        for (uint256 i = 0; i < n; ++i) {
            vs[i] = _verdict(ids[i], keys[i]);
        }
    }

    /// Gas submitBatch uses on the current state, every slot cold as in a new transaction.
    function _estimate(bytes memory packed, bytes memory sigs) internal returns (uint256) {
        return _estimateCall(abi.encodeCall(reg.submitBatch, (packed, sigs)));
    }

    /// Gas the registry call `data` uses on the current state, every slot cold.
    function _estimateCall(bytes memory data) internal returns (uint256 used) {
        uint256 snap = vm.snapshotState();
        vm.cool(address(reg));
        uint256 g = gasleft();
        (bool ok,) = address(reg).call(data);
        used = g - gasleft();
        assertTrue(ok, "the estimated call reverted");
        vm.revertToState(snap);
    }

    /// Runs submitBatch with `limit` gas, cold; returns whether it succeeded and its
    /// VerdictSkipped events' (index, reason).
    function _run(bytes memory packed, bytes memory sigs, uint256 limit)
        internal
        returns (bool ok, uint256[] memory idx, bytes[] memory reasons)
    {
        return _runCall(abi.encodeCall(reg.submitBatch, (packed, sigs)), limit);
    }

    /// Runs the registry call `data` with `limit` gas, cold, as _run does.
    function _runCall(bytes memory data, uint256 limit)
        internal
        returns (bool ok, uint256[] memory idx, bytes[] memory reasons)
    {
        vm.cool(address(reg));
        vm.recordLogs();
        (ok,) = address(reg).call{gas: limit}(data);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        uint256 k;
        for (uint256 i = 0; i < logs.length; ++i) {
            if (logs[i].topics[0] == ITeeRegistry.VerdictSkipped.selector) ++k;
        }
        idx = new uint256[](k);
        reasons = new bytes[](k);
        k = 0;
        for (uint256 i = 0; i < logs.length; ++i) {
            if (logs[i].topics[0] == ITeeRegistry.VerdictSkipped.selector) {
                (idx[k], reasons[k]) = abi.decode(logs[i].data, (uint256, bytes));
                ++k;
            }
        }
    }

    function _selector(bytes memory reason) internal pure returns (bytes4 sel) {
        assembly ("memory-safe") {
            sel := mload(add(reason, 0x20))
        }
    }

    /// A batch of n re-attestations estimated, then the first machine's provider revokes and
    /// re-authorises its key, so that its entry takes the binding path when the batch is mined.
    function _estimatedThenFrontRun(uint256 n)
        internal
        returns (
            bytes32[] memory ids,
            ITeeRegistry.Verdict[] memory vs,
            bytes memory packed,
            bytes memory sigs,
            uint256 est
        )
    {
        (ids, vs) = _fleet(n);
        packed = _packAll(vs);
        sigs = _batchQuorum(packed);
        est = _estimate(packed, sigs);
        vm.startPrank(provider);
        reg.revokeKey(machineId);
        reg.authorizeKey(machineId, teeKey);
        vm.stopPrank();
    }

    /// The node estimated a batch of re-attestations; before it is mined the provider of the first
    /// machine revokes and re-authorises its key, so that entry takes the binding path. At the
    /// estimate plus 5,000 per verdict the batch still succeeds: the front-runner's entry is
    /// skipped with InsufficientGasForEntry and every other provider's verdict applies.
    function test_frontRunBindingSkipsItsEntryNotTheBatch() public {
        uint256 n = 10;
        (bytes32[] memory ids, ITeeRegistry.Verdict[] memory vs, bytes memory packed, bytes memory sigs, uint256 est) =
            _estimatedThenFrontRun(n);

        (bool ok, uint256[] memory idx, bytes[] memory reasons) = _run(packed, sigs, est + n * SKIP_ALLOWANCE);
        assertTrue(ok, "the batch ran out of gas");
        assertEq(idx.length, 1, "only the front-runner's entry is skipped");
        assertEq(idx[0], 0);
        assertEq(_selector(reasons[0]), ITeeRegistry.InsufficientGasForEntry.selector);
        for (uint256 i = 1; i < n; ++i) {
            assertEq(reg.machine(ids[i]).issuedAt, vs[i].issuedAt, "another provider's verdict did not apply");
            assertTrue(reg.isTrustedKey(vs[i].teeKey));
        }
        assertFalse(reg.isTrustedKey(teeKey), "the skipped entry bound nothing");
        // Nothing is held against the skipped verdict: sent again, it binds.
        bytes memory again = _pack(vs[0]);
        reg.submitBatch(again, _batchQuorum(again));
        assertTrue(reg.isTrustedKey(teeKey));
    }

    /// With the node's limit (the estimate, 5,000 per verdict and the entry reserve once), the
    /// front-runner's entry binds on the reserve and the whole batch applies.
    function test_frontRunBindingRunsOnTheReserve() public {
        uint256 n = 10;
        (bytes32[] memory ids, ITeeRegistry.Verdict[] memory vs, bytes memory packed, bytes memory sigs, uint256 est) =
            _estimatedThenFrontRun(n);
        (bool ok, uint256[] memory idx,) = _run(packed, sigs, est + n * SKIP_ALLOWANCE + ENTRY_GAS_RESERVE);
        assertTrue(ok);
        assertEq(idx.length, 0, "nothing skipped");
        for (uint256 i = 0; i < n; ++i) {
            assertEq(reg.machine(ids[i]).issuedAt, vs[i].issuedAt);
        }
    }

    /// Several front-runners in one batch: those the reserve covers bind, the later ones are
    /// skipped, and every other entry applies; the batch never runs out of gas.
    function test_manyFrontRunnersNeverExhaustTheBatch() public {
        uint256 n = 40;
        (bytes32[] memory ids, ITeeRegistry.Verdict[] memory vs) = _fleet(n);
        bytes memory packed = _packAll(vs);
        bytes memory sigs = _batchQuorum(packed);
        uint256 est = _estimate(packed, sigs);
        // `other` front-runs with every machine of its own at an odd index.
        vm.startPrank(other);
        for (uint256 i = 1; i < n; i += 2) {
            reg.revokeKey(ids[i]);
            reg.authorizeKey(ids[i], vs[i].teeKey);
        }
        vm.stopPrank();
        (bool ok, uint256[] memory idx, bytes[] memory reasons) =
            _run(packed, sigs, est + n * SKIP_ALLOWANCE + ENTRY_GAS_RESERVE);
        assertTrue(ok, "the batch ran out of gas");
        assertGt(idx.length, 0);
        for (uint256 k = 0; k < idx.length; ++k) {
            assertEq(idx[k] % 2, 1, "only a front-runner's entry is skipped");
            assertEq(_selector(reasons[k]), ITeeRegistry.InsufficientGasForEntry.selector);
        }
        for (uint256 i = 0; i < n; i += 2) {
            assertEq(reg.machine(ids[i]).issuedAt, vs[i].issuedAt, "an honest entry did not apply");
        }
    }

    /// A batch whose estimate already ran entries on the binding path (a fleet's first verdicts,
    /// each with a new workload) applies whole at the node's limit: the reserve check never skips
    /// an honest entry.
    function test_honestBindingBatchAppliesAtNodeLimit() public {
        uint256 n = 60;
        ITeeRegistry.Verdict[] memory vs = new ITeeRegistry.Verdict[](n);
        for (uint256 i = 0; i < n; ++i) {
            vm.prank(other);
            bytes32 id = reg.registerMachine(bytes32(i + 1), 1, "");
            address key = vm.addr(0xC000 + i);
            _authorize(id, key);
            vs[i] = _verdict(id, key);
        }
        bytes memory packed = _packAll(vs);
        bytes memory sigs = _batchQuorum(packed);
        uint256 est = _estimate(packed, sigs);
        (bool ok, uint256[] memory idx,) = _run(packed, sigs, est + n * SKIP_ALLOWANCE + ENTRY_GAS_RESERVE);
        assertTrue(ok);
        assertEq(idx.length, 0, "an honest binding was skipped");
        for (uint256 i = 0; i < n; ++i) {
            assertTrue(reg.isTrustedKey(vs[i].teeKey));
        }
    }

    /// The reserve covers the costliest entry: a binding with a new workload pair, every slot cold,
    /// measured as the gas it adds to a batch over a cold re-attestation. And REST_ENTRY_GAS lies
    /// between the costliest entry that takes no general path and the cheapest re-attestation
    /// plus the node's 5,000.
    function test_entryGasReserveCoversCostliestEntry() public {
        (bytes32[] memory ids, ITeeRegistry.Verdict[] memory vs) = _fleet(3);
        // one cold re-attestation, alone
        bytes memory one = _pack(vs[1]);
        uint256 base = _estimate(one, _batchQuorum(one));
        // a cold re-attestation and, after it, the costliest: binding a key with a new workload
        address fresh = vm.addr(0xD00D);
        vm.prank(other);
        reg.revokeKey(ids[2]);
        _authorize(ids[2], fresh);
        ITeeRegistry.Verdict memory b = _verdict(ids[2], fresh);
        b.workloadId = keccak256("a workload never seen");
        ITeeRegistry.Verdict[] memory two = new ITeeRegistry.Verdict[](2);
        two[0] = vs[1];
        two[1] = b;
        bytes memory packed = _packAll(two);
        uint256 costliest = _estimate(packed, _batchQuorum(packed)) - base;
        emit log_named_uint("costliest entry", costliest);
        assertLt(costliest, ENTRY_GAS_RESERVE);

        // re-attestations: the second of a batch of two, its pair cold (costliest) ...
        ITeeRegistry.Verdict[] memory pair = new ITeeRegistry.Verdict[](2);
        pair[0] = vs[1];
        pair[1] = vs[0];
        packed = _packAll(pair);
        uint256 cold = _estimate(packed, _batchQuorum(packed)) - base;
        // ... or on the same workload pair as the first (cheapest)
        ITeeRegistry.Verdict memory shared = _verdict(ids[0], teeKey);
        shared.workloadId = vs[1].workloadId;
        shared.tcb = vs[1].tcb;
        reg.submitVerdict(shared, _signQuorum(shared));
        _advance(1, 12);
        one = _pack(vs[1]);
        base = _estimate(one, _batchQuorum(one));
        shared = _verdict(ids[0], teeKey);
        shared.workloadId = vs[1].workloadId;
        shared.tcb = vs[1].tcb;
        pair[0] = _verdict(ids[1], vs[1].teeKey);
        pair[1] = shared;
        packed = _packAll(pair);
        uint256 warm = _estimate(packed, _batchQuorum(packed)) - base;
        emit log_named_uint("re-attestation, pair cold", cold);
        emit log_named_uint("re-attestation, pair warm", warm);
        assertLe(cold, REST_ENTRY_GAS);
        assertLe(REST_ENTRY_GAS, warm + SKIP_ALLOWANCE);
    }

    // ---- the same for submitVerdicts (each verdict with its own signatures) -------------------

    /// submitVerdicts of vs, each signed by the quorum.
    function _verdictsCall(ITeeRegistry.Verdict[] memory vs) internal view returns (bytes memory) {
        bytes[][] memory ss = new bytes[][](vs.length);
        for (uint256 i = 0; i < vs.length; ++i) {
            ss[i] = _signQuorum(vs[i]);
        }
        return abi.encodeCall(reg.submitVerdicts, (vs, ss));
    }

    /// As test_frontRunBindingSkipsItsEntryNotTheBatch, for submitVerdicts: at the estimate plus
    /// 5,000 per verdict, the front-runner's entry is skipped and every other verdict applies.
    function test_submitVerdictsFrontRunSkipsItsEntryNotTheBatch() public {
        uint256 n = 10;
        (bytes32[] memory ids, ITeeRegistry.Verdict[] memory vs) = _fleet(n);
        bytes memory data = _verdictsCall(vs);
        uint256 est = _estimateCall(data);
        vm.startPrank(provider);
        reg.revokeKey(machineId);
        reg.authorizeKey(machineId, teeKey);
        vm.stopPrank();

        (bool ok, uint256[] memory idx, bytes[] memory reasons) = _runCall(data, est + n * SKIP_ALLOWANCE);
        assertTrue(ok, "the batch ran out of gas");
        assertEq(idx.length, 1, "only the front-runner's entry is skipped");
        assertEq(idx[0], 0);
        assertEq(_selector(reasons[0]), ITeeRegistry.InsufficientGasForEntry.selector);
        for (uint256 i = 1; i < n; ++i) {
            assertEq(reg.machine(ids[i]).issuedAt, vs[i].issuedAt, "another provider's verdict did not apply");
        }
        assertFalse(reg.isTrustedKey(teeKey), "the skipped entry bound nothing");
        reg.submitVerdict(vs[0], _signQuorum(vs[0]));
        assertTrue(reg.isTrustedKey(teeKey));
    }

    /// Many front-runners in one submitVerdicts: at the node's limit those the reserve covers bind,
    /// the later ones are skipped, every other entry applies, and the call never runs out of gas.
    function test_submitVerdictsManyFrontRunnersNeverExhaustTheBatch() public {
        uint256 n = 40;
        (bytes32[] memory ids, ITeeRegistry.Verdict[] memory vs) = _fleet(n);
        bytes memory data = _verdictsCall(vs);
        uint256 est = _estimateCall(data);
        vm.startPrank(other);
        for (uint256 i = 1; i < n; i += 2) {
            reg.revokeKey(ids[i]);
            reg.authorizeKey(ids[i], vs[i].teeKey);
        }
        vm.stopPrank();
        (bool ok, uint256[] memory idx, bytes[] memory reasons) =
            _runCall(data, est + n * SKIP_ALLOWANCE + ENTRY_GAS_RESERVE);
        assertTrue(ok, "the batch ran out of gas");
        assertGt(idx.length, 0);
        for (uint256 k = 0; k < idx.length; ++k) {
            assertEq(idx[k] % 2, 1, "only a front-runner's entry is skipped");
            assertEq(_selector(reasons[k]), ITeeRegistry.InsufficientGasForEntry.selector);
        }
        for (uint256 i = 0; i < n; i += 2) {
            assertEq(reg.machine(ids[i]).issuedAt, vs[i].issuedAt, "an honest entry did not apply");
        }
    }

    /// A submitVerdicts of first bindings, each with a new workload, applies whole at the node's
    /// limit: the check never skips an honest entry.
    function test_submitVerdictsHonestBindingsApplyAtNodeLimit() public {
        uint256 n = 40;
        ITeeRegistry.Verdict[] memory vs = new ITeeRegistry.Verdict[](n);
        for (uint256 i = 0; i < n; ++i) {
            vm.prank(other);
            bytes32 id = reg.registerMachine(bytes32(i + 1), 1, "");
            address key = vm.addr(0xC000 + i);
            _authorize(id, key);
            vs[i] = _verdict(id, key);
            vs[i].workloadId = keccak256(abi.encode("workload", i));
        }
        bytes memory data = _verdictsCall(vs);
        uint256 est = _estimateCall(data);
        (bool ok, uint256[] memory idx,) = _runCall(data, est + n * SKIP_ALLOWANCE + ENTRY_GAS_RESERVE);
        assertTrue(ok);
        assertEq(idx.length, 0, "an honest binding was skipped");
        for (uint256 i = 0; i < n; ++i) {
            assertTrue(reg.isTrustedKey(vs[i].teeKey));
        }
    }

    /// Gas submitVerdicts([first, second]) uses beyond submitVerdicts([first]), each verdict signed
    /// by the first k oracles, every slot cold as in a new transaction.
    function _secondEntryGas(ITeeRegistry.Verdict memory first, ITeeRegistry.Verdict memory second, uint256 k)
        internal
        returns (uint256)
    {
        uint256[] memory keys = new uint256[](k);
        for (uint256 j = 0; j < k; ++j) {
            keys[j] = oracleKeys[j];
        }
        ITeeRegistry.Verdict[] memory one = new ITeeRegistry.Verdict[](1);
        one[0] = first;
        bytes[][] memory s1 = new bytes[][](1);
        s1[0] = _signWith(first, keys);
        ITeeRegistry.Verdict[] memory two = new ITeeRegistry.Verdict[](2);
        two[0] = first;
        two[1] = second;
        bytes[][] memory s2 = new bytes[][](2);
        s2[0] = s1[0];
        s2[1] = _signWith(second, keys);
        return _estimateCall(abi.encodeCall(reg.submitVerdicts, (two, s2)))
            - _estimateCall(abi.encodeCall(reg.submitVerdicts, (one, s1)));
    }

    /// PLAIN_ENTRY_GAS + k * PLAIN_ENTRY_GAS_PER_SIGNATURE lies between the costliest entry that
    /// takes no general path (a re-attestation with its workload pair cold) and the cheapest (its
    /// pair warm) plus the node's 5,000, for 1 to 3 signatures a verdict (a 1-of-3 registry, so
    /// that every signature given counts and is checked); and the costliest entry
    /// (a binding with a new workload pair, all cold, its signatures included) costs less than
    /// ENTRY_GAS_RESERVE, with room for later entries whose oracle or policy slots are cold.
    function test_plainEntryGasBoundsPlainEntries() public {
        _setUpRegistry(3, 1); // a quorum of one, so that 1 to 3 signatures are all valid
        (bytes32[] memory ids, ITeeRegistry.Verdict[] memory vs) = _fleet(3);
        vs[1].workloadId = keccak256("a second workload");
        reg.submitVerdict(vs[1], _signQuorum(vs[1])); // interns the second pair
        _advance(1, 12);
        vs[0] = _verdict(ids[0], teeKey);
        ITeeRegistry.Verdict memory pairCold = _verdict(ids[1], vs[1].teeKey);
        pairCold.workloadId = vs[1].workloadId;
        ITeeRegistry.Verdict memory pairWarm = _verdict(ids[1], vs[1].teeKey);
        for (uint256 k = 1; k <= 3; ++k) {
            uint256 cold = _secondEntryGas(vs[0], pairCold, k);
            uint256 warm = _secondEntryGas(vs[0], pairWarm, k);
            uint256 bound = PLAIN_ENTRY_GAS + k * PLAIN_ENTRY_GAS_PER_SIGNATURE;
            emit log_named_uint("signatures", k);
            emit log_named_uint("  re-attestation, pair cold", cold);
            emit log_named_uint("  re-attestation, pair warm", warm);
            assertLe(cold, bound);
            assertLe(bound, warm + SKIP_ALLOWANCE);
        }
        // the costliest: binding a key with a new workload, every slot cold
        address fresh = vm.addr(0xD00D);
        vm.prank(other);
        reg.revokeKey(ids[2]);
        _authorize(ids[2], fresh);
        ITeeRegistry.Verdict memory b = _verdict(ids[2], fresh);
        b.workloadId = keccak256("a workload never seen");
        uint256 costliest = _secondEntryGas(vs[0], b, 3);
        emit log_named_uint("binding with a new pair, 3 signatures", costliest);
        assertLt(costliest + 3 * 2_100 + 2_100, ENTRY_GAS_RESERVE);
    }
}
