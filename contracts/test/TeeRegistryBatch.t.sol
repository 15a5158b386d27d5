// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {Vm} from "forge-std/Vm.sol";
import {TeeRegistry} from "../TeeRegistry.sol";
import {ITeeRegistry} from "../ITeeRegistry.sol";
import {TeeRegistryBase} from "./TeeRegistryBase.sol";

/// @dev submitBatch: one quorum signature set over the EIP-712 VerdictBatch digest of packed
/// verdicts. Every per-entry refusal skips that entry with the reason submitVerdict would revert
/// with; only a bad signature set (or a malformed batch, or the pause) fails the transaction.
contract TeeRegistryBatchTest is TeeRegistryBase {
    bytes32 internal id2;
    address internal key2;
    /// @dev The policy of `_expectSkipped`'s good entry.
    bytes32 internal goodPolicy = POLICY;

    event VerdictRecorded(bytes32 indexed machineId, bytes32 verdictHash);
    event VerdictSkipped(
        uint256 index, bytes32 indexed machineId, address indexed teeKey, bytes32 indexed digest, bytes reason
    );

    /// @dev 2-of-3; the fixture machine and a second one are bound by a first batch, so that
    /// `_verdict` of either is a valid re-attestation one block and a minute later.
    function setUp() public override {
        _setUpRegistry(3, 2);
        key2 = vm.addr(0xB0B);
        vm.prank(other);
        id2 = reg.registerMachine(bytes32(uint256(2)), 1, "");
        _authorize(id2, key2);
        ITeeRegistry.Verdict[] memory vs = new ITeeRegistry.Verdict[](2);
        vs[0] = _verdict(machineId, teeKey);
        vs[1] = _verdict(id2, key2);
        _submitBatch(vs);
        _advance(1, 60);
    }

    function _pair(ITeeRegistry.Verdict memory a, ITeeRegistry.Verdict memory b)
        internal
        pure
        returns (ITeeRegistry.Verdict[] memory vs)
    {
        vs = new ITeeRegistry.Verdict[](2);
        vs[0] = a;
        vs[1] = b;
    }

    /// @dev Submits [bad, good re-attestation of id2]: bad is skipped with exactly `err` and leaves
    /// its machine's record as it was; the good one lands.
    function _expectSkipped(ITeeRegistry.Verdict memory bad, bytes memory err) internal {
        ITeeRegistry.MachineRecord memory before = reg.machine(bad.machineId);
        vm.warp(block.timestamp + 1); // so that each call's good entry is newer than the last
        ITeeRegistry.Verdict memory good = _verdict(id2, key2);
        good.policyHash = goodPolicy;
        bytes memory packed = _packAll(_pair(bad, good));
        bytes memory sigs = _batchQuorum(packed);
        vm.expectEmit(address(reg));
        emit VerdictSkipped(0, bad.machineId, bad.teeKey, reg.hashVerdict(bad), err);
        vm.expectEmit(address(reg));
        emit VerdictRecorded(id2, reg.hashVerdict(good));
        reg.submitBatch(packed, sigs);
        assertEq(abi.encode(reg.machine(bad.machineId)), abi.encode(before), "a skipped entry changed its machine");
        assertEq(reg.machine(id2).issuedAt, good.issuedAt);
    }

    // ---------------------------------------------------------------------------------------------
    // Digest and acceptance
    // ---------------------------------------------------------------------------------------------

    function test_hashBatch_matchesSpec() public view {
        ITeeRegistry.Verdict[] memory vs = new ITeeRegistry.Verdict[](3);
        vs[0] = _verdict(machineId, teeKey);
        vs[1] = _verdict(id2, key2);
        vs[2] = _verdict(keccak256("x"), vm.addr(7));
        vs[2].tee = 2;
        vs[2].status = 2;
        vs[2].tcb = type(uint64).max;
        vs[2].reasons = 0x8000000000000001;
        vs[2].anchorBlockNumber = type(uint64).max - 1;
        vs[2].expiresAt = type(uint64).max;
        assertEq(reg.hashBatch(_packAll(vs)), _specBatchDigest(vs));
        assertEq(reg.hashBatch(_pack(vs[0])), _specBatchDigest(_one(vs[0])));
    }

    function test_batch_reattestationsLandWithTheirOwnVerdictHash() public {
        ITeeRegistry.Verdict memory a = _verdict(machineId, teeKey);
        ITeeRegistry.Verdict memory b = _verdict(id2, key2);
        b.tcbStatus = 3;
        b.tcb = 0x0b00000000001999;
        b.expiresAt = b.issuedAt + 600;
        vm.expectEmit(address(reg));
        emit VerdictRecorded(machineId, reg.hashVerdict(a));
        vm.expectEmit(address(reg));
        emit VerdictRecorded(id2, reg.hashVerdict(b));
        _submitBatch(_pair(a, b));
        ITeeRegistry.MachineRecord memory r = reg.machine(id2);
        assertEq(r.teeKey, key2);
        assertEq(r.status, 1);
        assertEq(r.tcbStatus, 3);
        assertEq(r.tcb, b.tcb);
        assertEq(r.policyHash, POLICY);
        assertEq(r.issuedAt, b.issuedAt);
        assertEq(r.expiresAt, b.expiresAt);
        assertTrue(reg.isTrustedKey(teeKey) && reg.isTrustedKey(key2));
    }

    function test_batch_untrustedDowngradeLands() public {
        ITeeRegistry.Verdict memory v = _verdict(machineId, teeKey);
        v.status = 2;
        v.anchorBlockNumber = 1; // downgrades need no fresh anchor
        v.anchorBlockHash = bytes32(0);
        _submitBatch(_one(v));
        assertFalse(reg.isTrusted(machineId));
        assertEq(reg.machine(machineId).status, 2);
    }

    /// A first binding through submitBatch logs the key it bound (VerdictRecorded names no key);
    /// the re-attestations beside it (the fast path) log only their VerdictRecorded.
    function test_batch_bindingLogsKeyBoundReattestationDoesNot() public {
        address key3 = vm.addr(0xC0C);
        vm.prank(other);
        bytes32 id3 = reg.registerMachine(bytes32(uint256(3)), 1, "");
        _authorize(id3, key3);
        ITeeRegistry.Verdict[] memory vs = new ITeeRegistry.Verdict[](3);
        vs[0] = _verdict(machineId, teeKey);
        vs[1] = _verdict(id3, key3);
        vs[2] = _verdict(id2, key2);
        bytes memory packed = _packAll(vs);
        bytes memory sigs = _batchQuorum(packed);
        bytes32 h = reg.hashVerdict(vs[1]);
        vm.recordLogs();
        vm.expectEmit(address(reg));
        emit ITeeRegistry.KeyBound(id3, key3);
        vm.expectEmit(address(reg));
        emit VerdictRecorded(id3, h);
        reg.submitBatch(packed, sigs);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        uint256 bound;
        for (uint256 i = 0; i < logs.length; ++i) {
            if (logs[i].emitter == address(reg) && logs[i].topics[0] == ITeeRegistry.KeyBound.selector) {
                ++bound;
                assertEq(logs[i].topics[1], id3);
                assertEq(logs[i].topics[2], bytes32(uint256(uint160(key3))));
            }
        }
        assertEq(bound, 1, "KeyBound logged other than once, for the one binding");
        assertEq(reg.authorizedKey(id3), address(0));
        assertEq(reg.machineOfKey(key3), id3);
    }

    function test_batch_twoVerdictsForOneKeyApplyInOrder() public {
        ITeeRegistry.Verdict memory a = _verdict(machineId, teeKey);
        _advance(1, 60);
        ITeeRegistry.Verdict memory b = _verdict(machineId, teeKey);
        _submitBatch(_pair(a, b));
        assertEq(reg.machine(machineId).issuedAt, b.issuedAt);
        // The other order: the second is older than the first and is skipped.
        _advance(1, 60);
        ITeeRegistry.Verdict memory c = _verdict(machineId, teeKey);
        _advance(1, 60);
        ITeeRegistry.Verdict memory d = _verdict(machineId, teeKey);
        bytes memory packed = _packAll(_pair(d, c));
        bytes memory sigs = _batchQuorum(packed);
        vm.expectEmit(address(reg));
        emit VerdictSkipped(
            1, machineId, teeKey, reg.hashVerdict(c), abi.encodeWithSelector(ITeeRegistry.StaleVerdict.selector, c.issuedAt, d.issuedAt)
        );
        reg.submitBatch(packed, sigs);
        assertEq(reg.machine(machineId).issuedAt, d.issuedAt);
    }

    function test_batch_bindsAndRotatesKeys() public {
        vm.prank(other);
        bytes32 id3 = reg.registerMachine(bytes32(uint256(3)), 1, "");
        _authorize(id3, vm.addr(0xC0C));
        address rotated = vm.addr(0xD0D);
        _authorize(machineId, rotated);
        _submitBatch(_pair(_verdict(id3, vm.addr(0xC0C)), _verdict(machineId, rotated)));
        assertTrue(reg.isTrustedKey(vm.addr(0xC0C)));
        assertTrue(reg.isTrustedKey(rotated));
        assertFalse(reg.isTrustedKey(teeKey));
        assertEq(reg.machineOfKey(rotated), machineId);
    }

    // ---------------------------------------------------------------------------------------------
    // Per-entry refusals: skipped with the reason, the rest lands
    // ---------------------------------------------------------------------------------------------

    function test_skip_stale() public {
        ITeeRegistry.Verdict memory v = _verdict(machineId, teeKey);
        uint64 stored = reg.machine(machineId).issuedAt;
        v.issuedAt = stored;
        v.expiresAt = stored + VALIDITY;
        _expectSkipped(v, abi.encodeWithSelector(ITeeRegistry.StaleVerdict.selector, stored, stored));
    }

    function test_skip_unknownAndRetiredPolicy() public {
        ITeeRegistry.Verdict memory v = _verdict(machineId, teeKey);
        v.policyHash = keccak256("unregistered policy");
        _expectSkipped(v, abi.encodeWithSelector(ITeeRegistry.UnknownPolicy.selector, v.policyHash));
        bytes32 p2 = keccak256("policy v2");
        vm.startPrank(owner);
        reg.registerPolicy(p2, VALIDITY, "");
        reg.retirePolicy(POLICY);
        vm.stopPrank();
        goodPolicy = p2;
        _expectSkipped(_verdict(machineId, teeKey), abi.encodeWithSelector(ITeeRegistry.RetiredPolicy.selector, POLICY));
    }

    function test_skip_retiredHotPolicy() public {
        // The newest policy is the hot one (kept in the config word): retiring it must stop it.
        vm.prank(owner);
        reg.retirePolicy(POLICY);
        ITeeRegistry.Verdict memory v = _verdict(machineId, teeKey);
        ITeeRegistry.Verdict memory w = _verdict(id2, key2);
        bytes memory packed = _packAll(_pair(v, w));
        bytes memory sigs = _batchQuorum(packed);
        vm.expectEmit(address(reg));
        emit VerdictSkipped(0, machineId, teeKey, reg.hashVerdict(v), abi.encodeWithSelector(ITeeRegistry.RetiredPolicy.selector, POLICY));
        vm.expectEmit(address(reg));
        emit VerdictSkipped(1, id2, key2, reg.hashVerdict(w), abi.encodeWithSelector(ITeeRegistry.RetiredPolicy.selector, POLICY));
        reg.submitBatch(packed, sigs);
    }

    function test_skip_timesAndFields() public {
        ITeeRegistry.Verdict memory v = _verdict(machineId, teeKey);
        v.expiresAt = v.issuedAt + VALIDITY + 1;
        _expectSkipped(
            v, abi.encodeWithSelector(ITeeRegistry.ExpiryBeyondPolicyValidity.selector, v.expiresAt, uint256(v.issuedAt) + VALIDITY)
        );
        v = _verdict(machineId, teeKey);
        v.issuedAt = uint64(block.timestamp + 1000);
        v.expiresAt = v.issuedAt + 10;
        _expectSkipped(v, abi.encodeWithSelector(ITeeRegistry.IssuedInFuture.selector, v.issuedAt));
        v = _verdict(machineId, teeKey);
        v.expiresAt = v.issuedAt;
        _expectSkipped(v, abi.encodeWithSelector(ITeeRegistry.ExpiryNotAfterIssue.selector, v.issuedAt, v.expiresAt));
        v = _verdict(machineId, teeKey);
        v.status = 3;
        _expectSkipped(v, abi.encodeWithSelector(ITeeRegistry.InvalidStatus.selector, 3));
        v = _verdict(machineId, address(0));
        _expectSkipped(v, abi.encodeWithSelector(ITeeRegistry.ZeroTeeKey.selector));
    }

    function test_skip_anchor() public {
        ITeeRegistry.Verdict memory v = _verdict(machineId, teeKey);
        v.anchorBlockNumber = uint64(block.number);
        _expectSkipped(v, abi.encodeWithSelector(ITeeRegistry.AnchorNotInPast.selector, v.anchorBlockNumber));
        vm.prank(owner);
        reg.setMaxAnchorAge(10);
        v = _verdict(machineId, teeKey);
        v.anchorBlockNumber = uint64(block.number - 11);
        v.anchorBlockHash = blockhash(block.number - 11);
        _expectSkipped(v, abi.encodeWithSelector(ITeeRegistry.AnchorTooOld.selector, v.anchorBlockNumber, 10));
        v = _verdict(machineId, teeKey);
        v.anchorBlockHash = keccak256("fork");
        _expectSkipped(v, abi.encodeWithSelector(ITeeRegistry.AnchorHashMismatch.selector, v.anchorBlockNumber));
    }

    function test_skip_machineAndBindingRules() public {
        // TEE type of the bound record.
        ITeeRegistry.Verdict memory v = _verdict(machineId, teeKey);
        v.tee = 2;
        _expectSkipped(v, abi.encodeWithSelector(ITeeRegistry.TeeMismatch.selector, 1, 2));
        // The key is bound to another machine.
        vm.prank(other);
        bytes32 id3 = reg.registerMachine(bytes32(uint256(3)), 1, "");
        _authorize(id3, teeKey);
        _expectSkipped(_verdict(id3, teeKey), abi.encodeWithSelector(ITeeRegistry.KeyBoundToOtherMachine.selector, teeKey));
        // An unregistered machine, and a well-tagged id with other check bits.
        bytes32 ghost = reg.machineIdOf(other, bytes32(uint256(999)));
        _expectSkipped(_verdict(ghost, vm.addr(0xE0E)), abi.encodeWithSelector(ITeeRegistry.MachineNotRegistered.selector, ghost));
        bytes32 forged = machineId ^ bytes32(uint256(1));
        _expectSkipped(_verdict(forged, teeKey), abi.encodeWithSelector(ITeeRegistry.MachineNotRegistered.selector, forged));
        // A key the provider did not authorise; an untrusted verdict cannot bind.
        address stranger = vm.addr(0xF0F);
        _expectSkipped(
            _verdict(machineId, stranger), abi.encodeWithSelector(ITeeRegistry.KeyNotAuthorized.selector, machineId, stranger)
        );
        _authorize(machineId, stranger);
        v = _verdict(machineId, stranger);
        v.status = 2;
        _expectSkipped(v, abi.encodeWithSelector(ITeeRegistry.UntrustedVerdictCannotBind.selector, machineId, stranger));
        // A deregistered (retired) machine id.
        vm.prank(provider);
        reg.deregisterMachine(machineId);
        _expectSkipped(_verdict(machineId, teeKey), abi.encodeWithSelector(ITeeRegistry.MachineIdRetired.selector, machineId));
    }

    // ---------------------------------------------------------------------------------------------
    // Signature-set attacks: the whole batch fails
    // ---------------------------------------------------------------------------------------------

    function _batch2() internal view returns (ITeeRegistry.Verdict[] memory) {
        return _pair(_verdict(machineId, teeKey), _verdict(id2, key2));
    }

    function test_reject_signaturesOfAnotherBatch() public {
        ITeeRegistry.Verdict[] memory vs = _batch2();
        bytes memory sigs = _batchQuorum(_packAll(vs));
        // Replayed on a different batch (another verdict for the second machine).
        ITeeRegistry.Verdict[] memory other_ = _batch2();
        other_[1].tcbStatus = 2;
        vm.expectPartialRevert(ITeeRegistry.UnknownSigner.selector);
        reg.submitBatch(_packAll(other_), sigs);
        // The same verdicts reordered.
        vm.expectPartialRevert(ITeeRegistry.UnknownSigner.selector);
        reg.submitBatch(_packAll(_pair(vs[1], vs[0])), sigs);
        // A subset of the signed batch.
        vm.expectPartialRevert(ITeeRegistry.UnknownSigner.selector);
        reg.submitBatch(_pack(vs[0]), sigs);
        // A per-verdict signature presented as a batch signature.
        bytes memory single = bytes.concat(_sig(oracleKeys[0], reg.hashVerdict(vs[0])), _sig(oracleKeys[1], reg.hashVerdict(vs[0])));
        vm.expectPartialRevert(ITeeRegistry.UnknownSigner.selector);
        reg.submitBatch(_pack(vs[0]), single);
        // A batch signed for this registry's address on another chain (other chain id in the domain).
        vm.chainId(block.chainid + 1);
        bytes memory foreign = _batchQuorum(_packAll(vs));
        vm.chainId(block.chainid - 1);
        vm.expectPartialRevert(ITeeRegistry.UnknownSigner.selector);
        reg.submitBatch(_packAll(vs), foreign);
        // A batch signed for another registry on this chain, with the same oracles (other
        // verifying contract in the domain).
        TeeRegistry twin = new TeeRegistry(owner, oracles, 2, 256);
        bytes32 twinDigest = twin.hashBatch(_packAll(vs));
        assertTrue(twinDigest != reg.hashBatch(_packAll(vs)));
        bytes memory twinSigs = _sigSet(twinDigest, _keys(oracleKeys[0], oracleKeys[1]));
        vm.expectPartialRevert(ITeeRegistry.UnknownSigner.selector);
        reg.submitBatch(_packAll(vs), twinSigs);
        // Nothing changed, and the genuine set still works.
        reg.submitBatch(_packAll(vs), sigs);
        assertEq(reg.machine(id2).issuedAt, vs[1].issuedAt);
    }

    function test_reject_badSignatureSets() public {
        bytes memory packed = _packAll(_batch2());
        bytes32 d = reg.hashBatch(packed);
        vm.expectRevert(abi.encodeWithSelector(ITeeRegistry.InsufficientSignatures.selector, 1, 2));
        reg.submitBatch(packed, _sigSet(d, _keys(oracleKeys[0])));
        vm.expectRevert(abi.encodeWithSelector(ITeeRegistry.InsufficientSignatures.selector, 0, 2));
        reg.submitBatch(packed, "");
        vm.expectRevert(abi.encodeWithSelector(ITeeRegistry.SignersNotAscending.selector, 1));
        reg.submitBatch(packed, _sigSet(d, _keys(oracleKeys[0], oracleKeys[0])));
        vm.expectRevert(abi.encodeWithSelector(ITeeRegistry.SignersNotAscending.selector, 1));
        reg.submitBatch(packed, _sigSet(d, _keys(oracleKeys[1], oracleKeys[0])));
        (uint256[] memory k, address[] memory a) = _sortedKeys("stranger", 1);
        uint256[] memory keys = a[0] < oracles[0] ? _keys(k[0], oracleKeys[0]) : _keys(oracleKeys[0], k[0]);
        vm.expectRevert(abi.encodeWithSelector(ITeeRegistry.UnknownSigner.selector, a[0]));
        reg.submitBatch(packed, _sigSet(d, keys));
        bytes memory good = _sigSet(d, _keys(oracleKeys[0], oracleKeys[1]));
        vm.expectRevert(abi.encodeWithSelector(ITeeRegistry.MalformedSignatures.selector, 131));
        reg.submitBatch(packed, bytes.concat(good, hex"00"));
        // The high-s twin of a valid signature, and a v that is neither 27 nor 28.
        (uint8 pv, bytes32 r, bytes32 s) = vm.sign(oracleKeys[0], d);
        uint256 n = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141;
        bytes memory twin = abi.encodePacked(r, bytes32(n - uint256(s)), pv == 27 ? uint8(28) : uint8(27));
        vm.expectRevert(abi.encodeWithSelector(ITeeRegistry.InvalidSignature.selector, 0));
        reg.submitBatch(packed, bytes.concat(twin, _sig(oracleKeys[1], d)));
        vm.expectRevert(abi.encodeWithSelector(ITeeRegistry.InvalidSignature.selector, 0));
        reg.submitBatch(packed, bytes.concat(abi.encodePacked(r, s, uint8(29)), _sig(oracleKeys[1], d)));
        // A removed oracle no longer counts.
        vm.prank(owner);
        reg.removeOracle(oracles[0]);
        vm.expectRevert(abi.encodeWithSelector(ITeeRegistry.UnknownSigner.selector, oracles[0]));
        reg.submitBatch(packed, good);
    }

    function test_reject_malformedBatchAndPause() public {
        vm.expectRevert(abi.encodeWithSelector(ITeeRegistry.EmptyBatch.selector));
        reg.submitBatch("", "");
        bytes memory packed = _packAll(_batch2());
        bytes memory sigs = _batchQuorum(packed);
        vm.expectRevert(abi.encodeWithSelector(ITeeRegistry.MalformedBatch.selector, packed.length + 1));
        reg.submitBatch(bytes.concat(packed, hex"00"), sigs);
        vm.expectRevert(abi.encodeWithSelector(ITeeRegistry.MalformedBatch.selector, packed.length - 1));
        reg.hashBatch(_slice(packed, packed.length - 1));
        vm.prank(owner);
        reg.pause();
        vm.expectRevert(abi.encodeWithSelector(ITeeRegistry.RegistryPaused.selector));
        reg.submitBatch(packed, sigs);
    }

    function _slice(bytes memory b, uint256 n) internal pure returns (bytes memory out) {
        out = new bytes(n);
        for (uint256 i = 0; i < n; ++i) {
            out[i] = b[i];
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Differential fuzz: the batch path (fast re-attestation path included) decides like
    // submitVerdict, with the same reason and the same resulting record.
    // ---------------------------------------------------------------------------------------------

    function testFuzz_batchDecidesLikeSubmitVerdict(uint8 field, uint64 delta, bool down, bool otherKey) public {
        ITeeRegistry.Verdict memory v = _verdict(machineId, otherKey ? key2 : teeKey);
        uint256 f = field % 11;
        if (f == 0) v.issuedAt = down ? v.issuedAt - (delta % 200) : v.issuedAt + (delta % 3);
        if (f == 1) v.expiresAt = down ? v.expiresAt - (delta % (VALIDITY + 100)) : v.expiresAt + (delta % 3);
        if (f == 2) v.anchorBlockNumber = down ? v.anchorBlockNumber - (delta % 300) : v.anchorBlockNumber + (delta % 3);
        if (f == 3) v.tee = uint8(delta % 4);
        if (f == 4) v.status = uint8(delta % 4);
        if (f == 5) v.tcbStatus = uint8(delta);
        if (f == 6) v.tcb = delta;
        if (f == 7) v.policyHash = down ? keccak256(abi.encode(delta)) : POLICY;
        if (f == 8) v.machineId = down ? id2 : v.machineId ^ bytes32(uint256(delta % 3));
        if (f == 9) v.anchorBlockHash = down ? bytes32(uint256(delta)) : v.anchorBlockHash;
        if (f == 10) v.workloadId = keccak256(abi.encode(delta));
        if (v.status == 2 && down) {
            v.anchorBlockNumber = 1;
            v.anchorBlockHash = bytes32(0);
        }
        uint256 snap = vm.snapshotState();
        bytes[] memory sigs = _signQuorum(v);
        (bool ok, bytes memory reason) = address(reg).call(abi.encodeCall(reg.submitVerdict, (v, sigs)));
        bytes memory want = abi.encode(reg.machine(machineId), reg.machine(id2), _trustOf(teeKey), _trustOf(key2));
        vm.revertToState(snap);

        vm.recordLogs();
        _submitBatch(_one(v));
        Vm.Log[] memory logs = vm.getRecordedLogs();
        bool recorded;
        bytes memory skipped;
        for (uint256 i = 0; i < logs.length; ++i) {
            if (logs[i].topics[0] == VerdictRecorded.selector) {
                recorded = true;
                assertEq(abi.decode(logs[i].data, (bytes32)), reg.hashVerdict(v));
            }
            if (logs[i].topics[0] == VerdictSkipped.selector) (, skipped) = abi.decode(logs[i].data, (uint256, bytes));
        }
        assertEq(recorded, ok, "accepted by one path only");
        if (!ok) assertEq(skipped, reason, "different refusal");
        assertEq(abi.encode(reg.machine(machineId), reg.machine(id2), _trustOf(teeKey), _trustOf(key2)), want, "different records");
    }

    /// @dev The policy-active bitmap lives at keccak256("teeoracle.TeeRegistry.activePolicyBits")
    /// + word (the registry writes the hash out as a number for its assembly).
    function test_activePolicyBitmapSlot() public {
        bytes32 base = keccak256("teeoracle.TeeRegistry.activePolicyBits");
        assertEq(uint256(vm.load(address(reg), base)), 1 << 1, "policy 1 active");
        vm.prank(owner);
        reg.retirePolicy(POLICY);
        assertEq(uint256(vm.load(address(reg), base)), 0, "policy 1 retired");
        assertFalse(reg.isTrustedKey(teeKey));
    }

    function _trustOf(address key) internal view returns (bytes memory) {
        (bool trusted, bytes32 w, bytes32 p, uint8 s, uint64 e) = reg.trustOf(key);
        return abi.encode(trusted, w, p, s, e);
    }

    // ---------------------------------------------------------------------------------------------
    // Workload per key (isTrustedFor, trustOf)
    // ---------------------------------------------------------------------------------------------

    function test_workload_storedPerKeyAndQueried() public {
        bytes32 w = keccak256(abi.encode("workload", machineId));
        assertTrue(reg.isTrustedFor(teeKey, w));
        assertFalse(reg.isTrustedFor(teeKey, keccak256(abi.encode("workload", id2))));
        assertFalse(reg.isTrustedFor(teeKey, bytes32(0)));
        assertFalse(reg.isTrustedFor(vm.addr(0x5555), bytes32(0)));
        (bool trusted, bytes32 wl, bytes32 pol, uint8 tcbStatus, uint64 expiresAt) = reg.trustOf(teeKey);
        ITeeRegistry.MachineRecord memory r = reg.machine(machineId);
        assertTrue(trusted);
        assertEq(wl, w);
        assertEq(pol, POLICY);
        assertEq(tcbStatus, r.tcbStatus);
        assertEq(expiresAt, r.expiresAt);
        (trusted, wl, pol, tcbStatus, expiresAt) = reg.trustOf(vm.addr(0x5555));
        assertFalse(trusted);
        assertEq(abi.encode(wl, pol, tcbStatus, expiresAt), abi.encode(bytes32(0), bytes32(0), uint8(0), uint64(0)));
    }

    function test_workload_followsEveryAcceptedVerdict() public {
        // Batch (fast path), then submitVerdict (general path), each with a new workload.
        ITeeRegistry.Verdict memory v = _verdict(machineId, teeKey);
        v.workloadId = keccak256("image v2");
        _submitBatch(_one(v));
        assertTrue(reg.isTrustedFor(teeKey, v.workloadId));
        assertFalse(reg.isTrustedFor(teeKey, keccak256(abi.encode("workload", machineId))));
        _advance(1, 60);
        ITeeRegistry.Verdict memory w = _verdict(machineId, teeKey);
        w.workloadId = keccak256("image v3");
        _submit(w);
        assertTrue(reg.isTrustedFor(teeKey, w.workloadId));
        assertFalse(reg.isTrustedFor(teeKey, v.workloadId));
        // A skipped entry leaves it alone.
        ITeeRegistry.Verdict memory stale = _verdict(machineId, teeKey);
        stale.workloadId = keccak256("image v4");
        _submitBatch(_one(stale));
        assertTrue(reg.isTrustedFor(teeKey, w.workloadId));
        // An untrusted verdict untrusts the key for every workload.
        _advance(1, 60);
        ITeeRegistry.Verdict memory down = _verdict(machineId, teeKey);
        down.status = 2;
        _submitBatch(_one(down));
        assertFalse(reg.isTrustedFor(teeKey, down.workloadId));
        assertFalse(reg.isTrustedFor(teeKey, w.workloadId));
    }

    function test_workload_erasedWhenTheKeyIsUnbound() public {
        bytes32 w = keccak256(abi.encode("workload", machineId));
        // Rotation: the old key's workload goes with its record.
        address rotated = vm.addr(0xD0D);
        _authorize(machineId, rotated);
        _submitBatch(_one(_verdict(machineId, rotated)));
        (, bytes32 old,,,) = reg.trustOf(teeKey);
        assertEq(old, bytes32(0));
        assertFalse(reg.isTrustedFor(teeKey, w));
        assertTrue(reg.isTrustedFor(rotated, w));
        // Revocation and deregistration.
        vm.prank(provider);
        reg.revokeKey(machineId);
        assertFalse(reg.isTrustedFor(rotated, w));
        (, old,,,) = reg.trustOf(rotated);
        assertEq(old, bytes32(0));
        bytes32 w2 = keccak256(abi.encode("workload", id2));
        assertTrue(reg.isTrustedFor(key2, w2));
        vm.prank(other);
        reg.deregisterMachine(id2);
        assertFalse(reg.isTrustedFor(key2, w2));
        (, old,,,) = reg.trustOf(key2);
        assertEq(old, bytes32(0));
    }

    function test_workload_expiryAndPolicyRetirement() public {
        bytes32 w = keccak256(abi.encode("workload", machineId));
        (,,,, uint64 expiresAt) = reg.trustOf(teeKey);
        vm.warp(expiresAt);
        assertFalse(reg.isTrustedFor(teeKey, w));
        vm.warp(expiresAt - 1);
        assertTrue(reg.isTrustedFor(teeKey, w));
        vm.prank(owner);
        reg.retirePolicy(POLICY);
        assertFalse(reg.isTrustedFor(teeKey, w));
    }
}
