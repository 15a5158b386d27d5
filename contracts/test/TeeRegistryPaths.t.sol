// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {Vm} from "forge-std/Vm.sol";
import {TeeRegistry} from "../TeeRegistry.sol";
import {ITeeRegistry} from "../ITeeRegistry.sol";
import {TeeRegistryBase} from "./TeeRegistryBase.sol";

/// @dev The batch's assembly fast path (`_fastReattest`, config taken from the signers' slots, hot
/// policy matched by its 80-bit tag, pair index read from its namespaced slot) against the general
/// path of `submitVerdict` (config slot, policy slot, `_apply`): from the same state, a verdict
/// mutated field by field is accepted by both with the same trust record, or refused by both with
/// the same reason. And the cost of rewriting the config copies with the most oracles allowed.
contract TeeRegistryPathsTest is TeeRegistryBase {
    bytes32 internal constant HOT = keccak256("teeoracle.policy.hot");
    bytes32 internal constant RETIRED = keccak256("teeoracle.policy.retired");
    bytes32 internal constant UNKNOWN = keccak256("teeoracle.policy.unknown");
    uint256 internal constant TRUST_SLOT = 11; // _trust (forge inspect TeeRegistry storageLayout)

    bytes32 internal otherId;
    address internal otherKey;

    function setUp() public override {
        super.setUp();
        vm.startPrank(owner);
        reg.registerPolicy(RETIRED, VALIDITY, "retired");
        reg.retirePolicy(RETIRED);
        reg.registerPolicy(HOT, 2 hours, "hot"); // newest and active: the config word's hot policy
        reg.setMaxAnchorAge(16);
        vm.stopPrank();
        _submit(_verdict(machineId, teeKey)); // bound under POLICY, its pair interned
        vm.prank(other);
        otherId = reg.registerMachine(bytes32(uint256(7)), 2, "");
        otherKey = vm.addr(0xB0B);
        _authorize(otherId, otherKey);
        _submit(_tdx(_verdict(otherId, otherKey)));
        _advance(20, 600);
    }

    function _tdx(ITeeRegistry.Verdict memory v) internal pure returns (ITeeRegistry.Verdict memory) {
        v.tee = 2;
        return v;
    }

    function _trustWord(address key) internal view returns (uint256) {
        return uint256(vm.load(address(reg), keccak256(abi.encode(key, TRUST_SLOT))));
    }

    /// @dev The re-attestation of `machineId`, each field mutated by one seed byte.
    function _mutate(bytes32 seeds) internal view returns (ITeeRegistry.Verdict memory v) {
        v = _verdict(machineId, teeKey);
        uint256 s = uint256(seeds);
        uint256 k;
        k = (s >> 0) % 16; // status
        if (k == 1) v.status = 2;
        else if (k == 2) v.status = 0;
        else if (k == 3) v.status = 3;
        k = (s >> 8) % 16; // tee
        if (k == 1) v.tee = 2;
        else if (k == 2) v.tee = 17;
        k = (s >> 16) % 16; // issuedAt
        uint64 stored = reg.machine(machineId).issuedAt;
        if (k == 1) v.issuedAt = stored;
        else if (k == 2) v.issuedAt = stored - 1;
        else if (k == 3) v.issuedAt = uint64(block.timestamp + 1);
        else if (k == 4) v.issuedAt = stored + 1;
        k = (s >> 24) % 16; // expiresAt
        if (k == 0) v.expiresAt = v.issuedAt + 1;
        else if (k == 1) v.expiresAt = v.issuedAt;
        else if (k == 2) v.expiresAt = v.issuedAt - 1;
        else if (k == 3) v.expiresAt = v.issuedAt + 2 hours;
        else if (k == 4) v.expiresAt = v.issuedAt + 2 hours + 1;
        else if (k == 5) v.expiresAt = v.issuedAt + VALIDITY + 1;
        else v.expiresAt = v.issuedAt + VALIDITY;
        k = (s >> 32) % 16; // anchor
        if (k == 1) v.anchorBlockNumber = uint64(block.number);
        else if (k == 2) v.anchorBlockNumber = uint64(block.number - 16);
        else if (k == 3) v.anchorBlockNumber = uint64(block.number - 17);
        else if (k == 4) v.anchorBlockHash = bytes32(uint256(v.anchorBlockHash) ^ 1);
        else if (k == 5) v.anchorBlockNumber = uint64(block.number + 5);
        if (k == 2 || k == 3) v.anchorBlockHash = blockhash(v.anchorBlockNumber);
        k = (s >> 40) % 16; // policy
        if (k == 1) v.policyHash = HOT;
        else if (k == 2) v.policyHash = RETIRED;
        else if (k == 3) v.policyHash = UNKNOWN;
        else if (k == 4) v.policyHash = bytes32(uint256(HOT) ^ 1); // hot tag, unregistered: see below
        k = (s >> 48) % 16; // workload pair
        if (k == 1) v.workloadId = keccak256(abi.encode("new image", s >> 56));
        else if (k == 2) v.tcb = uint64(s >> 200);
        else if (k == 3) v.workloadId = keccak256(abi.encode("workload", otherId)); // the other machine's pair
        else if (k == 4) v.workloadId = bytes32(0);
        k = (s >> 64) % 16; // machine and key
        if (k == 1) v.machineId = otherId;
        else if (k == 2) v.machineId = bytes32(uint256(machineId) ^ 1); // same tag, other check bits
        else if (k == 3) v.teeKey = otherKey;
        else if (k == 4) v.teeKey = vm.addr(0xD00D); // unbound, unauthorised
        else if (k == 5) v.teeKey = address(0);
        v.tcbStatus = uint8(s >> 72);
    }

    /// @dev Both paths from the same state: same acceptance, same record, same reason.
    function testFuzz_fastPathAgreesWithGeneralPath(bytes32 seeds) public {
        ITeeRegistry.Verdict memory v = _mutate(seeds);
        // The one documented divergence (docs/contracts.md, "The hot policy"): an unregistered
        // hash with the hot policy's top 80 bits, which a quorum has to sign; pinned below.
        vm.assume(v.policyHash != bytes32(uint256(HOT) ^ 1));
        uint256 snap = vm.snapshotState();
        (bool okGeneral, bytes memory ret) =
            address(reg).call(abi.encodeCall(ITeeRegistry.submitVerdict, (v, _signQuorum(v))));
        uint256 recGeneral = _trustWord(v.teeKey);
        uint256 pairsGeneral = uint256(vm.load(address(reg), bytes32(uint256(14))));
        vm.revertToState(snap);

        ITeeRegistry.Verdict[] memory one = _one(v);
        bytes memory packed = _packAll(one);
        bytes memory sigs = _batchQuorum(packed);
        vm.recordLogs();
        reg.submitBatch(packed, sigs);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        bytes memory skipped;
        bool wasSkipped;
        for (uint256 i = 0; i < logs.length; ++i) {
            if (logs[i].topics[0] == ITeeRegistry.VerdictSkipped.selector) {
                (, skipped) = abi.decode(logs[i].data, (uint256, bytes));
                wasSkipped = true;
            }
        }
        assertEq(!wasSkipped, okGeneral, "same acceptance");
        if (okGeneral) {
            assertEq(_trustWord(v.teeKey), recGeneral, "same trust record");
            assertEq(uint256(vm.load(address(reg), bytes32(uint256(14)))), pairsGeneral, "same pairs interned");
            _assertQueries(v);
        } else {
            assertEq(skipped, ret, "same reason");
        }
    }

    /// @dev The queries report the accepted verdict's own pair, and never match a zero workload id.
    function _assertQueries(ITeeRegistry.Verdict memory v) internal view {
        (bool trusted, bytes32 w,,,) = reg.trustOf(v.teeKey);
        assertEq(w, v.workloadId, "trustOf names the verdict's workload");
        assertEq(reg.machine(v.machineId).tcb, v.tcb, "machine names the verdict's TCB");
        assertEq(reg.isTrustedFor(v.teeKey, v.workloadId), trusted && v.workloadId != bytes32(0), "isTrustedFor");
        assertEq(trusted, v.status == 1 && block.timestamp < v.expiresAt, "trusted exactly for an unexpired trusted verdict");
    }

    /// @dev The documented residual, pinned: a quorum-signed re-attestation naming an unregistered
    /// hash with the hot policy's top 80 bits is recorded under the hot policy by the batch fast
    /// path, where submitVerdict refuses it (UnknownPolicy). Reaching it needs the quorum's
    /// signatures over that hash (and, for a real hash, a 2^80 search); the record it leaves is
    /// one the quorum could have signed under the hot policy itself (same id, same validity).
    function test_hotTagResidualNeedsQuorum() public {
        ITeeRegistry.Verdict memory v = _verdict(machineId, teeKey);
        v.policyHash = bytes32(uint256(HOT) ^ 1);
        v.expiresAt = v.issuedAt + 2 hours;
        bytes[] memory sigs = _signQuorum(v);
        vm.expectRevert(abi.encodeWithSelector(ITeeRegistry.UnknownPolicy.selector, v.policyHash));
        reg.submitVerdict(v, sigs);
        // Below the quorum, nothing.
        bytes memory packed = _packAll(_one(v));
        bytes memory lone = _sigSet(reg.hashBatch(packed), _keys(oracleKeys[0]));
        vm.expectRevert(abi.encodeWithSelector(ITeeRegistry.InsufficientSignatures.selector, 1, 2));
        reg.submitBatch(packed, lone);
        reg.submitBatch(packed, _batchQuorum(packed));
        (,, bytes32 pol,,) = reg.trustOf(teeKey);
        assertEq(pol, HOT, "recorded under the hot policy (its id), never an unknown one");
    }

    /// @dev Governance with the most oracles allowed (255): every config change rewrites 255 copies.
    /// Bounded, and far below a block: pause, the emergency switch, costs about 1.9M gas (under 2.5M).
    function test_syncCostWith255Oracles() public {
        address[] memory many = new address[](255);
        for (uint256 i = 0; i < 255; ++i) {
            many[i] = address(uint160(0x1000 + i));
        }
        TeeRegistry big = new TeeRegistry(owner, many, 128, 64);
        vm.startPrank(owner);
        vm.cool(address(big)); // the constructor's writes were in this transaction: cold again
        uint256 g = gasleft();
        big.pause();
        uint256 used = g - gasleft();
        emit log_named_uint("pause() with 255 oracles, gas", used);
        assertLt(used, 2_500_000);
        vm.expectRevert(ITeeRegistry.TooManyOracles.selector);
        big.addOracle(address(0xBEEF));
        vm.cool(address(big));
        g = gasleft();
        big.removeOracle(many[0]);
        used = g - gasleft();
        emit log_named_uint("removeOracle() with 255 oracles, gas", used);
        assertLt(used, 2_500_000);
        vm.stopPrank();
        for (uint256 i = 1; i < 255; ++i) {
            assertTrue(big.isOracle(many[i]));
        }
        assertFalse(big.isOracle(many[0]));
    }
}
