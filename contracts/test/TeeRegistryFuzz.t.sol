// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {Vm} from "forge-std/Vm.sol";
import {TeeRegistry} from "../TeeRegistry.sol";
import {ITeeRegistry} from "../ITeeRegistry.sol";
import {TeeRegistryBase} from "./TeeRegistryBase.sol";

/// @dev Fuzz tests of the signature and batch paths and of the trust-record packing.
contract TeeRegistryFuzzTest is TeeRegistryBase {
    uint256 internal constant SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141;

    /// Random oracle set size N, threshold M, signer subset and order: accepted exactly when the
    /// subset has at least M signers in ascending order, else the specific error.
    function testFuzz_quorumSubsetsAndOrder(uint8 nSeed, uint8 mSeed, uint256 subsetMask, uint256 shuffleSeed)
        public
    {
        uint256 n = bound(nSeed, 1, 7);
        uint8 m = uint8(bound(mSeed, 1, n));
        _setUpRegistry(n, m);

        // Pick a subset of oracles (possibly empty), then shuffle it.
        uint256[] memory picked = new uint256[](n);
        uint256 k = 0;
        for (uint256 i = 0; i < n; ++i) {
            if ((subsetMask >> i) & 1 == 1) picked[k++] = i;
        }
        for (uint256 i = k; i > 1; --i) {
            uint256 j = uint256(keccak256(abi.encode(shuffleSeed, i))) % i;
            (picked[i - 1], picked[j]) = (picked[j], picked[i - 1]);
        }
        uint256[] memory keys = new uint256[](k);
        for (uint256 i = 0; i < k; ++i) {
            keys[i] = oracleKeys[picked[i]];
        }

        ITeeRegistry.Verdict memory v = _verdict(machineId, teeKey);
        bytes[] memory sigs = _signWith(v, keys);
        if (k < m) {
            vm.expectRevert(abi.encodeWithSelector(ITeeRegistry.InsufficientSignatures.selector, k, m));
        } else {
            // oracles[] is ascending by address, so order by index is order by address.
            for (uint256 i = 1; i < k; ++i) {
                if (picked[i] < picked[i - 1]) {
                    vm.expectRevert(abi.encodeWithSelector(ITeeRegistry.SignersNotAscending.selector, i));
                    break;
                }
            }
        }
        reg.submitVerdict(v, sigs);
        bool ascending = true;
        for (uint256 i = 1; i < k; ++i) {
            if (picked[i] < picked[i - 1]) ascending = false;
        }
        assertEq(reg.isTrusted(machineId), k >= m && ascending);
    }

    /// A stranger's signature anywhere in an otherwise valid, ascending set is rejected by name.
    function testFuzz_strangerSignerRejected(uint256 strangerPk, uint8 nSeed) public {
        strangerPk = bound(strangerPk, 1, SECP256K1_N - 1);
        address stranger = vm.addr(strangerPk);
        for (uint256 i = 0; i < oracles.length; ++i) {
            vm.assume(stranger != oracles[i]);
        }
        uint256 n = bound(nSeed, 2, 3); // threshold is 2 of 3
        uint256[] memory keys = new uint256[](n);
        address[] memory addrs = new address[](n);
        keys[0] = strangerPk;
        addrs[0] = stranger;
        for (uint256 i = 1; i < n; ++i) {
            keys[i] = oracleKeys[i - 1];
            addrs[i] = oracles[i - 1];
        }
        _sortByAddress(keys, addrs);
        ITeeRegistry.Verdict memory v = _verdict(machineId, teeKey);
        bytes[] memory sigs = _signWith(v, keys);
        vm.expectRevert(abi.encodeWithSelector(ITeeRegistry.UnknownSigner.selector, stranger));
        reg.submitVerdict(v, sigs);
    }

    /// The high-s twin of any valid signature is rejected as invalid (OZ ECDSA), never counted.
    function testFuzz_malleableTwinRejected(bytes32 salt) public {
        ITeeRegistry.Verdict memory v = _verdict(machineId, teeKey);
        v.evidenceHash = salt;
        bytes[] memory sigs = _signQuorum(v);
        uint256 which = uint256(salt) % sigs.length;
        (uint8 pv, bytes32 r, bytes32 s) = vm.sign(oracleKeys[which], reg.hashVerdict(v));
        sigs[which] = abi.encodePacked(r, bytes32(SECP256K1_N - uint256(s)), pv == 27 ? uint8(28) : uint8(27));
        vm.expectRevert(abi.encodeWithSelector(ITeeRegistry.InvalidSignature.selector, which));
        reg.submitVerdict(v, sigs);
    }

    /// Random signature bytes of any length never pass.
    function testFuzz_garbageSignatureRejected(bytes memory garbage) public {
        ITeeRegistry.Verdict memory v = _verdict(machineId, teeKey);
        bytes[] memory sigs = _signQuorum(v);
        sigs[0] = garbage;
        vm.expectRevert();
        reg.submitVerdict(v, sigs);
        assertFalse(reg.isTrusted(machineId));
    }

    /// Random verdict fields round-trip exactly through the packed trust record.
    function testFuzz_recordRoundTrip(
        uint8 tcbStatus,
        uint64 tcb,
        bytes32 workloadId,
        bytes32 evidenceHash,
        uint64 reasons,
        uint32 age,
        uint32 lifetime,
        bool trusted,
        bool tdx
    ) public {
        vm.warp(START_TIME + 10 * 365 days);
        _advance(1, 0);
        uint64 validity = uint64(type(uint32).max);
        bytes32 policy = keccak256("long policy");
        vm.prank(owner);
        reg.registerPolicy(policy, validity, "");
        bytes32 id = machineId;
        if (tdx) {
            vm.prank(other);
            id = reg.registerMachine(SALT, 2, "");
            _authorize(id, teeKey);
        }
        ITeeRegistry.Verdict memory v = _verdict(id, teeKey);
        v.tee = tdx ? 2 : 1;
        v.status = trusted ? 1 : 2;
        v.tcbStatus = tcbStatus;
        v.tcb = tcb;
        v.workloadId = workloadId;
        v.evidenceHash = evidenceHash;
        v.reasons = reasons;
        v.policyHash = policy;
        v.issuedAt = uint64(block.timestamp - bound(age, 0, 5 * 365 days));
        v.expiresAt = v.issuedAt + uint64(bound(lifetime, 1, validity));
        if (!trusted) {
            v.anchorBlockNumber = 0;
            v.anchorBlockHash = bytes32(0);
            // An untrusted verdict only downgrades a bound key: bind it first, one second earlier.
            ITeeRegistry.Verdict memory first = _verdict(id, teeKey);
            first.tee = v.tee;
            first.issuedAt = v.issuedAt - 1;
            first.expiresAt = v.issuedAt;
            _submit(first);
        }
        vm.expectEmit(address(reg));
        emit ITeeRegistry.VerdictAccepted(
            id, teeKey, reg.hashVerdict(v), v.status, workloadId, evidenceHash, policy, v.issuedAt, v.expiresAt
        );
        _submit(v);
        ITeeRegistry.MachineRecord memory r = reg.machine(id);
        assertEq(r.teeKey, teeKey);
        assertEq(r.tee, v.tee);
        assertEq(r.status, v.status);
        assertEq(r.tcbStatus, tcbStatus);
        assertEq(r.tcb, tcb);
        assertEq(r.policyHash, policy);
        assertEq(r.issuedAt, v.issuedAt);
        assertEq(r.expiresAt, v.expiresAt);
        assertEq(reg.machineOfKey(teeKey), id);
        assertEq(reg.isTrusted(id), trusted && block.timestamp < v.expiresAt);
        assertEq(reg.isTrustedKey(teeKey), reg.isTrusted(id));
    }

    /// The contract's digest equals an independent field-by-field EIP-712 encoding.
    function testFuzz_hashVerdictMatchesSpec(ITeeRegistry.Verdict memory v) public view {
        bytes memory a = abi.encode(
            reg.VERDICT_TYPEHASH(), v.machineId, uint256(v.tee), uint256(v.status), v.teeKey, v.workloadId
        );
        bytes memory b =
            abi.encode(uint256(v.tcbStatus), uint256(v.tcb), v.policyHash, v.evidenceHash, v.anchorBlockNumber);
        bytes memory c = abi.encode(v.anchorBlockHash, v.issuedAt, v.expiresAt, v.reasons);
        bytes32 expected = keccak256(abi.encodePacked(hex"1901", reg.domainSeparator(), keccak256(bytes.concat(a, b, c))));
        assertEq(reg.hashVerdict(v), expected);
    }

    /// A batch of random size with one random bad entry (or none): the bad entry is skipped with
    /// its reason and leaves no trace, every other entry lands.
    function testFuzz_batchSkipsOnlyBadEntry(uint8 nSeed, uint8 badSeed, uint8 kind) public {
        uint256 n = bound(nSeed, 1, 12);
        uint256 bad = bound(badSeed, 0, n); // == n: no bad entry
        ITeeRegistry.Verdict[] memory vs = new ITeeRegistry.Verdict[](n);
        bytes[][] memory ss = new bytes[][](n);
        for (uint256 i = 0; i < n; ++i) {
            vm.prank(other);
            bytes32 id = reg.registerMachine(bytes32(i + 1), 1, "");
            vs[i] = _verdict(id, vm.addr(0x1000 + i));
            _authorize(id, vs[i].teeKey);
        }
        if (bad < n) {
            uint256 k = kind % 7;
            if (k == 0) vs[bad].policyHash = keccak256("unknown");
            else if (k == 1) vs[bad].expiresAt = vs[bad].issuedAt;
            else if (k == 2) vs[bad].tee = 2;
            else if (k == 3) vs[bad].anchorBlockHash = keccak256("fork");
            else if (k == 4) vs[bad].status = 2; // untrusted: may not bind
            else if (k == 5) vs[bad].teeKey = vm.addr(0x9999); // not authorised
            else vs[bad].machineId = keccak256("unregistered");
        }
        for (uint256 i = 0; i < n; ++i) {
            ss[i] = _signQuorum(vs[i]);
        }
        if (bad < n) {
            vm.expectEmit(true, true, true, false, address(reg));
            emit ITeeRegistry.VerdictSkipped(bad, vs[bad].machineId, vs[bad].teeKey, reg.hashVerdict(vs[bad]), "");
        }
        vm.recordLogs();
        reg.submitVerdicts(vs, ss);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        uint256 verdictLogs;
        uint256 boundLogs;
        for (uint256 i = 0; i < logs.length; ++i) {
            bytes32 t0 = logs[i].topics[0];
            if (t0 == ITeeRegistry.VerdictAccepted.selector || t0 == ITeeRegistry.VerdictSkipped.selector) ++verdictLogs;
            else if (t0 == ITeeRegistry.KeyBound.selector) ++boundLogs;
            // the rest are the first verdicts' interned workloads (each machine runs its own)
            else assertEq(t0, ITeeRegistry.WorkloadInterned.selector, "only verdict, binding and interning events");
        }
        assertEq(verdictLogs, n, "one VerdictAccepted or VerdictSkipped per entry");
        assertEq(boundLogs, bad < n ? n - 1 : n, "one KeyBound per landed entry (each binds its key)");
        for (uint256 i = 0; i < n; ++i) {
            assertEq(reg.isTrusted(vs[i].machineId), i != bad);
            assertEq(reg.machineOfKey(vs[i].teeKey) != bytes32(0), i != bad);
        }
    }
}
