// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {ITeeRegistry} from "../ITeeRegistry.sol";
import {TeeRegistryBase} from "./TeeRegistryBase.sol";

/// @dev A `Verdict` argument is 14 ABI words, and nothing in the ABI stops a word from having bits
/// above its type's width (a uint8 word of 2^70, an address word with bit 200 set). The registry
/// refuses such a verdict (NonCanonicalVerdict) even when a quorum signed exactly those words:
/// stored, they would spill into other fields of the packed trust record or key it under a slot
/// no query reads. The calls here are built by hand from raw words, as an attacker would send them.
contract TeeRegistryCanonicalTest is TeeRegistryBase {
    uint256 internal constant F_TEE_KEY = 3;
    uint256 internal constant F_TCB_STATUS = 5;

    event VerdictAccepted(
        bytes32 indexed machineId,
        address indexed teeKey,
        bytes32 digest,
        uint8 status,
        bytes32 workloadId,
        bytes32 evidenceHash,
        bytes32 policyHash,
        uint64 issuedAt,
        uint64 expiresAt
    );
    event VerdictSkipped(
        uint256 index, bytes32 indexed machineId, address indexed teeKey, bytes32 indexed digest, bytes reason
    );

    /// @dev The verdict's 14 ABI words (a static struct encodes as its words in order).
    function _raw(ITeeRegistry.Verdict memory v) internal pure returns (uint256[14] memory w) {
        w = abi.decode(abi.encode(v), (uint256[14]));
    }

    /// @dev hashVerdict over the raw words, exactly as the registry hashes what it is sent.
    function _rawDigest(uint256[14] memory w) internal view returns (bytes32) {
        (bool ok, bytes memory ret) = address(reg).staticcall(abi.encodeWithSelector(ITeeRegistry.hashVerdict.selector, w));
        assertTrue(ok, "hashVerdict of raw words reverted");
        return abi.decode(ret, (bytes32));
    }

    /// @dev A valid quorum's signatures over the raw words' digest.
    function _rawQuorum(uint256[14] memory w) internal view returns (bytes[] memory sigs) {
        bytes32 digest = _rawDigest(w);
        uint256 m = reg.threshold();
        sigs = new bytes[](m);
        for (uint256 i = 0; i < m; ++i) {
            sigs[i] = _sig(oracleKeys[i], digest);
        }
    }

    /// @dev submitVerdict with the raw words, signed by a quorum; returns the call's outcome.
    function _rawSubmit(uint256[14] memory w) internal returns (bool ok, bytes memory ret) {
        bytes[] memory sigs = _rawQuorum(w);
        (ok, ret) = address(reg).call(abi.encodeWithSelector(ITeeRegistry.submitVerdict.selector, w, sigs));
    }

    function _assertRefused(uint256[14] memory w, uint256 field) internal {
        (bool ok, bytes memory ret) = _rawSubmit(w);
        assertFalse(ok, "a non-canonical verdict was accepted");
        assertEq(ret, abi.encodeWithSelector(ITeeRegistry.NonCanonicalVerdict.selector, field));
    }

    /// A tcbStatus word whose high bits land in the record's issuedAt and lifetime fields would
    /// give the key a verdict expiring in the year 10870 whatever the policy's validity, and make
    /// every honest later verdict (a downgrade) stale.
    function test_reject_tcbStatusSpillingIntoExpiry() public {
        _submit(_verdict(machineId, teeKey));
        _advance(1, 60);
        ITeeRegistry.Verdict memory v = _verdict(machineId, teeKey);
        uint256[14] memory w = _raw(v);
        w[F_TCB_STATUS] = 1 | (1 << 70) | (uint256(0xffffffff) << 72);
        _assertRefused(w, F_TCB_STATUS);
        ITeeRegistry.MachineRecord memory r = reg.machine(machineId);
        assertEq(r.issuedAt, v.issuedAt - 60, "the refused verdict changed the record");
        assertEq(r.expiresAt, v.issuedAt - 60 + VALIDITY);
        // The honest downgrade that such a record would have made stale lands.
        _advance(1, 60);
        ITeeRegistry.Verdict memory down = _verdict(machineId, teeKey);
        down.status = 2;
        _submit(down);
        assertFalse(reg.isTrustedKey(teeKey));
        assertEq(reg.machine(machineId).issuedAt, down.issuedAt);
    }

    /// A tcbStatus word setting all 40 issuedAt bits of the record would make isTrusted and
    /// trustOf overflow (issuedAt + lifetime) and revert for the key.
    function test_reject_tcbStatusFillingIssuedAt() public {
        ITeeRegistry.Verdict memory v = _verdict(machineId, teeKey);
        uint256[14] memory w = _raw(v);
        w[F_TCB_STATUS] = 1 | (uint256(0xffffffffff) << 32);
        _assertRefused(w, F_TCB_STATUS);
        assertFalse(reg.isTrusted(machineId));
        (bool trusted,,,, uint64 expiresAt) = reg.trustOf(teeKey);
        assertFalse(trusted);
        assertEq(expiresAt, 0);
        // The canonical verdict still binds the key.
        _submit(v);
        assertTrue(reg.isTrusted(machineId));
    }

    /// A teeKey word K | 1 << 200 would bind K to the machine (machineKey, machineOfKey) while
    /// writing the trust record under a slot no query of K reads, leaving K free to be bound to
    /// another machine whose record isTrusted(machineId) would then read.
    function test_reject_teeKeyAbove160Bits() public {
        uint256[14] memory w = _raw(_verdict(machineId, teeKey));
        w[F_TEE_KEY] = uint256(uint160(teeKey)) | (1 << 200);
        _assertRefused(w, F_TEE_KEY);
        assertEq(reg.machine(machineId).teeKey, address(0));
        assertEq(reg.machineOfKey(teeKey), bytes32(0));
        assertEq(reg.authorizedKey(machineId), teeKey, "the refused verdict used up the authorisation");
    }

    /// Every width-limited field is checked, each named by its index, whichever high bit is set.
    function testFuzz_reject_anyHighBit(uint8 pick, uint8 bitSeed) public {
        // (field, width) of every field narrower than a word.
        uint8[9] memory fields = [1, 2, 3, 5, 6, 9, 11, 12, 13];
        uint16[9] memory widths = [uint16(8), 8, 160, 8, 64, 64, 64, 64, 64];
        uint256 k = pick % fields.length;
        uint256 bit = widths[k] + uint256(bitSeed) % (256 - widths[k]);
        uint256[14] memory w = _raw(_verdict(machineId, teeKey));
        w[fields[k]] |= 1 << bit;
        _assertRefused(w, fields[k]);
        assertEq(reg.machine(machineId).teeKey, address(0));
    }

    /// submitVerdicts skips a non-canonical entry with the error and applies the others.
    function test_batch_skipsNonCanonicalEntry() public {
        ITeeRegistry.Verdict memory v = _verdict(machineId, teeKey);
        uint256[14] memory dirty = _raw(v);
        dirty[F_TCB_STATUS] = 1 | (1 << 70) | (uint256(0xffffffff) << 72);
        uint256[14][] memory vs = new uint256[14][](2);
        vs[0] = dirty;
        vs[1] = _raw(v);
        bytes[][] memory sigs = new bytes[][](2);
        sigs[0] = _rawQuorum(dirty);
        sigs[1] = _signQuorum(v);
        vm.expectEmit(address(reg));
        emit VerdictSkipped(
            0,
            machineId,
            teeKey,
            _rawDigest(dirty),
            abi.encodeWithSelector(ITeeRegistry.NonCanonicalVerdict.selector, F_TCB_STATUS)
        );
        vm.expectEmit(address(reg));
        emit VerdictAccepted(
            machineId, teeKey, reg.hashVerdict(v), 1, v.workloadId, v.evidenceHash, POLICY, v.issuedAt, v.expiresAt
        );
        (bool ok,) = address(reg).call(abi.encodeWithSelector(ITeeRegistry.submitVerdicts.selector, vs, sigs));
        assertTrue(ok, "submitVerdicts reverted");
        assertEq(reg.machine(machineId).expiresAt, v.expiresAt);
        assertEq(reg.machine(machineId).tcbStatus, 1);
    }

    /// submitVerdicts skips an entry whose teeKey word has bits above 160 (logging the key's low
    /// 160 bits) instead of reverting the whole batch on reading it; the others land.
    function test_batch_skipsEntryWithDirtyTeeKey() public {
        ITeeRegistry.Verdict memory v = _verdict(machineId, teeKey);
        uint256[14] memory dirty = _raw(v);
        dirty[F_TEE_KEY] |= 1 << 200;
        uint256[14][] memory vs = new uint256[14][](2);
        vs[0] = dirty;
        vs[1] = _raw(v);
        bytes[][] memory sigs = new bytes[][](2);
        sigs[0] = _rawQuorum(dirty);
        sigs[1] = _signQuorum(v);
        vm.expectEmit(address(reg));
        emit VerdictSkipped(
            0, machineId, teeKey, _rawDigest(dirty), abi.encodeWithSelector(ITeeRegistry.NonCanonicalVerdict.selector, F_TEE_KEY)
        );
        vm.expectEmit(address(reg));
        emit VerdictAccepted(
            machineId, teeKey, reg.hashVerdict(v), 1, v.workloadId, v.evidenceHash, POLICY, v.issuedAt, v.expiresAt
        );
        (bool ok, bytes memory ret) = address(reg).call(abi.encodeWithSelector(ITeeRegistry.submitVerdicts.selector, vs, sigs));
        assertTrue(ok, "submitVerdicts reverted");
        assertEq(ret.length, 0);
        assertEq(reg.machine(machineId).teeKey, teeKey);
        assertTrue(reg.isTrustedKey(teeKey));
    }
}
