// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {Vm} from "forge-std/Vm.sol";
import {ITeeRegistry} from "../ITeeRegistry.sol";
import {TeeRegistryBase} from "./TeeRegistryBase.sol";

/// @dev Regression tests for the attacks a stranger with a genuine TEE (and so with verdicts an
/// honest quorum signs for its own evidence) could mount on another provider's machine, and for
/// batch griefing. In each, the victim's machine stays trusted under its own key throughout.
/// docs/threat-model.md describes each attack and what stops it.
contract TeeRegistryAttacksTest is TeeRegistryBase {
    address internal stranger = makeAddr("stranger");
    address internal strangerKey = vm.addr(0x5757);
    bytes32 internal strangerMachine;

    function setUp() public override {
        super.setUp();
        // The victim (provider) runs machineId under teeKey, trusted.
        _submit(_verdict(machineId, teeKey));
        vm.prank(stranger);
        strangerMachine = reg.registerMachine(SALT, 1, "");
        _advance(5, 600);
    }

    function _assertVictimIntact() internal view {
        assertTrue(reg.isTrusted(machineId), "victim machine lost trust");
        assertTrue(reg.isTrustedKey(teeKey), "victim key lost trust");
        assertEq(reg.machine(machineId).teeKey, teeKey, "victim machine's key changed");
        assertEq(reg.machine(machineId).provider, provider);
        assertEq(reg.machineOfKey(teeKey), machineId);
    }

    /// Attack 1: a trusted verdict for (victim's machine, stranger's key) would rotate the
    /// victim's machine to the stranger's TEE. The victim never authorised that key.
    function test_attack_takeoverNeedsProviderConsent() public {
        ITeeRegistry.Verdict memory v = _verdict(machineId, strangerKey);
        bytes[] memory sigs = _signQuorum(v);
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(ITeeRegistry.KeyNotAuthorized.selector, machineId, strangerKey));
        reg.submitVerdict(v, sigs);
        _assertVictimIntact();
        // Nor can the stranger authorise its key for the victim's machine.
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(ITeeRegistry.NotMachineProvider.selector, machineId, stranger));
        reg.authorizeKey(machineId, strangerKey);
    }

    /// Attack 2: an untrusted verdict for (victim's machine, stranger's key) would rotate the
    /// victim to the stranger's key and untrust it. Untrusted verdicts never bind or rotate.
    function test_attack_knockOutByUntrustedRotation() public {
        ITeeRegistry.Verdict memory v = _verdict(machineId, strangerKey);
        v.status = 2;
        v.reasons = 1;
        bytes[] memory sigs = _signQuorum(v);
        vm.expectRevert(abi.encodeWithSelector(ITeeRegistry.UntrustedVerdictCannotBind.selector, machineId, strangerKey));
        reg.submitVerdict(v, sigs);
        // Not even with the victim's own authorisation pending for that key.
        _authorize(machineId, strangerKey);
        vm.expectRevert(abi.encodeWithSelector(ITeeRegistry.UntrustedVerdictCannotBind.selector, machineId, strangerKey));
        reg.submitVerdict(v, sigs);
        _assertVictimIntact();
    }

    /// Attack 3: an untrusted verdict binding the victim's next key to the stranger's machine
    /// would squat it, so the victim's own rotation fails KeyBoundToOtherMachine.
    function test_attack_keySquattingByUntrustedVerdict() public {
        address nextKey = vm.addr(0xBEEF);
        ITeeRegistry.Verdict memory v = _verdict(strangerMachine, nextKey);
        v.status = 2;
        bytes[] memory sigs = _signQuorum(v);
        vm.expectRevert(
            abi.encodeWithSelector(ITeeRegistry.UntrustedVerdictCannotBind.selector, strangerMachine, nextKey)
        );
        reg.submitVerdict(v, sigs);
        // A trusted verdict for it needs the stranger's consent to the key (which the stranger can
        // give for its own machine) AND the nodes' proof that the TEE holds the key, which only
        // the victim's TEE can give; the registry's part is that consent is per machine, so the
        // stranger's authorisation does not disturb the victim's.
        vm.prank(stranger);
        reg.authorizeKey(strangerMachine, nextKey);
        assertEq(reg.authorizedKey(machineId), address(0));
        _assertVictimIntact();
        // The victim rotates to its next key unhindered.
        _authorize(machineId, nextKey);
        _submit(_verdict(machineId, nextKey));
        assertTrue(reg.isTrustedKey(nextKey));
        assertEq(reg.machineOfKey(nextKey), machineId);
    }

    /// Attack 4a: anyone copies one entry of a pending batch and lands it first. The batch then
    /// skips that entry (StaleVerdict) and lands the rest.
    function test_attack_batchGriefingByFrontRunning() public {
        (ITeeRegistry.Verdict[] memory vs, bytes[][] memory ss) = _batchOf(4);
        reg.submitVerdict(vs[1], ss[1]); // the copier
        vm.expectEmit(address(reg));
        emit ITeeRegistry.VerdictSkipped(
            1,
            vs[1].machineId,
            vs[1].teeKey,
            reg.hashVerdict(vs[1]),
            abi.encodeWithSelector(ITeeRegistry.StaleVerdict.selector, vs[1].issuedAt, vs[1].issuedAt)
        );
        reg.submitVerdicts(vs, ss);
        for (uint256 i = 0; i < vs.length; ++i) {
            assertTrue(reg.isTrusted(vs[i].machineId));
            assertEq(reg.machine(vs[i].machineId).issuedAt, vs[i].issuedAt);
        }
    }

    /// Attack 4b: a provider with an entry in the batch deregisters its machine first. Its entry
    /// is skipped (MachineIdRetired); everyone else's lands.
    function test_attack_batchGriefingByDeregistration() public {
        (ITeeRegistry.Verdict[] memory vs, bytes[][] memory ss) = _batchOf(4);
        vm.prank(other);
        reg.deregisterMachine(vs[2].machineId);
        vm.recordLogs();
        reg.submitVerdicts(vs, ss);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        assertEq(logs.length, 4);
        assertEq(logs[2].topics[0], ITeeRegistry.VerdictSkipped.selector);
        (, bytes memory reason) = abi.decode(logs[2].data, (uint256, bytes));
        assertEq(reason, abi.encodeWithSelector(ITeeRegistry.MachineIdRetired.selector, vs[2].machineId));
        for (uint256 i = 0; i < vs.length; ++i) {
            assertEq(reg.isTrusted(vs[i].machineId), i != 2);
        }
        _assertVictimIntact();
    }

    /// Attack 5: a verdict naming an id X that shares the top 80 bits (the trust record's tag)
    /// with a bound machine A, for A's key, would rewrite A's record and log VerdictAccepted(X).
    /// A machine id is a function of its tag, so X is refused as never registrable.
    function test_attack_tagAliasing() public {
        bytes32 alias_ = bytes32(uint256(machineId) ^ 1); // same tag, other check bits
        assertEq(uint256(alias_) >> 176, uint256(machineId) >> 176);
        ITeeRegistry.Verdict memory v = _verdict(alias_, teeKey);
        bytes[] memory sigs = _signQuorum(v);
        vm.expectRevert(abi.encodeWithSelector(ITeeRegistry.MachineNotRegistered.selector, alias_));
        reg.submitVerdict(v, sigs);
        // The same, as an untrusted downgrade.
        v.status = 2;
        sigs = _signQuorum(v);
        vm.expectRevert(abi.encodeWithSelector(ITeeRegistry.MachineNotRegistered.selector, alias_));
        reg.submitVerdict(v, sigs);
        _assertVictimIntact();
    }

    /// Fuzzed aliasing: any id other than the bound machine's, whatever its bits, cannot act on
    /// the key's record.
    function testFuzz_onlyExactMachineActsOnRecord(bytes32 id, bool trusted) public {
        vm.assume(id != machineId);
        ITeeRegistry.Verdict memory v = _verdict(id, teeKey);
        if (!trusted) v.status = 2;
        bytes[] memory sigs = _signQuorum(v);
        // Another tag: the key is another machine's. The same tag: an id no
        // registration can produce.
        if (uint256(id) >> 176 == uint256(machineId) >> 176) {
            vm.expectRevert(abi.encodeWithSelector(ITeeRegistry.MachineNotRegistered.selector, id));
        } else {
            vm.expectRevert(abi.encodeWithSelector(ITeeRegistry.KeyBoundToOtherMachine.selector, teeKey));
        }
        reg.submitVerdict(v, sigs);
        _assertVictimIntact();
    }

    /// A rotation a batch skips (here: stale) leaves no trace: the old key stays bound and
    /// trusted, and the provider's authorisation of the new key is not used up.
    function test_skippedRotationLeavesBindingAndAuthorisation() public {
        address nextKey = vm.addr(0xBEEF);
        _authorize(machineId, nextKey);
        ITeeRegistry.Verdict[] memory vs = new ITeeRegistry.Verdict[](1);
        vs[0] = _verdict(machineId, nextKey);
        vs[0].issuedAt = uint64(START_TIME); // not newer than the bound key's verdict
        vs[0].expiresAt = vs[0].issuedAt + 1;
        bytes[][] memory ss = new bytes[][](1);
        ss[0] = _signQuorum(vs[0]);
        vm.recordLogs();
        reg.submitVerdicts(vs, ss);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        assertEq(logs.length, 1);
        assertEq(logs[0].topics[0], ITeeRegistry.VerdictSkipped.selector);
        (, bytes memory reason) = abi.decode(logs[0].data, (uint256, bytes));
        assertEq(bytes4(reason), ITeeRegistry.StaleVerdict.selector);
        assertEq(reg.authorizedKey(machineId), nextKey);
        assertEq(reg.machineOfKey(nextKey), bytes32(0));
        _assertVictimIntact();
    }

    /// The victim's own untrusted verdict (a downgrade of archived evidence) still works, and
    /// only on its own key.
    function test_downgradeOfBoundKeyStillWorks() public {
        ITeeRegistry.Verdict memory v = _verdict(machineId, teeKey);
        v.status = 2;
        v.anchorBlockNumber = 1;
        v.anchorBlockHash = keccak256("long gone");
        _submit(v);
        assertFalse(reg.isTrusted(machineId));
        assertEq(reg.machine(machineId).teeKey, teeKey);
        assertEq(reg.machine(machineId).status, 2);
    }

    /// Revocation: the provider withdraws the bound key and a pending authorisation.
    function test_revokeKeyUnbindsAndDropsAuthorisation() public {
        address nextKey = vm.addr(0xBEEF);
        _authorize(machineId, nextKey);
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(ITeeRegistry.NotMachineProvider.selector, machineId, stranger));
        reg.revokeKey(machineId);
        vm.expectEmit(address(reg));
        emit ITeeRegistry.KeyRevoked(machineId, nextKey, teeKey);
        vm.prank(provider);
        reg.revokeKey(machineId);
        assertFalse(reg.isTrusted(machineId));
        assertFalse(reg.isTrustedKey(teeKey));
        assertEq(reg.machineOfKey(teeKey), bytes32(0));
        assertEq(reg.authorizedKey(machineId), address(0));
        assertEq(reg.machine(machineId).state, 1, "the machine stays registered");
        // The revoked authorisation no longer binds.
        ITeeRegistry.Verdict memory v = _verdict(machineId, nextKey);
        bytes[] memory sigs = _signQuorum(v);
        vm.expectRevert(abi.encodeWithSelector(ITeeRegistry.KeyNotAuthorized.selector, machineId, nextKey));
        reg.submitVerdict(v, sigs);
    }

    function test_authorizeKey_emitsAndRejectsZero() public {
        vm.expectEmit(address(reg));
        emit ITeeRegistry.KeyAuthorized(machineId, strangerKey);
        vm.prank(provider);
        reg.authorizeKey(machineId, strangerKey);
        assertEq(reg.authorizedKey(machineId), strangerKey);
        vm.prank(provider);
        vm.expectRevert(ITeeRegistry.ZeroAddress.selector);
        reg.authorizeKey(machineId, address(0));
    }

    /// Four re-attestations of `other`'s machines, first bound, then re-signed one block later.
    function _batchOf(uint256 n) internal returns (ITeeRegistry.Verdict[] memory vs, bytes[][] memory ss) {
        vs = new ITeeRegistry.Verdict[](n);
        ss = new bytes[][](n);
        for (uint256 i = 0; i < n; ++i) {
            vm.prank(other);
            bytes32 id = reg.registerMachine(bytes32(i + 500), 1, "");
            _authorize(id, vm.addr(0x2000 + i));
            _submit(_verdict(id, vm.addr(0x2000 + i)));
        }
        _advance(1, 60);
        for (uint256 i = 0; i < n; ++i) {
            vs[i] = _verdict(reg.machineOfKey(vm.addr(0x2000 + i)), vm.addr(0x2000 + i));
            ss[i] = _signQuorum(vs[i]);
        }
    }
}
