// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {ITeeRegistry} from "../ITeeRegistry.sol";
import {TrustedWorkerExample} from "../TrustedWorkerExample.sol";
import {TeeRegistryBase} from "./TeeRegistryBase.sol";

contract TrustedWorkerExampleTest is TeeRegistryBase {
    TrustedWorkerExample internal worker;

    function setUp() public override {
        super.setUp();
        worker = new TrustedWorkerExample(reg, keccak256(abi.encode("workload", machineId)));
    }

    function test_gated_acceptsTrustedKey() public {
        _submit(_verdict(machineId, teeKey));
        vm.expectEmit(address(worker));
        emit TrustedWorkerExample.ResultSubmitted(teeKey, bytes32(uint256(7)));
        vm.prank(teeKey);
        worker.submitResult(bytes32(uint256(7)));
    }

    function test_gated_rejectsUnknownCaller() public {
        address stranger = makeAddr("stranger");
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(TrustedWorkerExample.NotTrustedTee.selector, stranger));
        worker.submitResult(bytes32(0));
    }

    function test_gated_rejectsAfterExpiry() public {
        ITeeRegistry.Verdict memory v = _verdict(machineId, teeKey);
        _submit(v);
        vm.warp(v.expiresAt);
        vm.prank(teeKey);
        vm.expectRevert(abi.encodeWithSelector(TrustedWorkerExample.NotTrustedTee.selector, teeKey));
        worker.submitResult(bytes32(0));
    }

    function test_gated_rejectsAfterPolicyRetired() public {
        _submit(_verdict(machineId, teeKey));
        vm.prank(owner);
        reg.retirePolicy(POLICY);
        vm.prank(teeKey);
        vm.expectRevert(abi.encodeWithSelector(TrustedWorkerExample.NotTrustedTee.selector, teeKey));
        worker.submitResult(bytes32(0));
    }

    function test_gated_rejectsUntrustedVerdict() public {
        _submit(_verdict(machineId, teeKey));
        _advance(1, 60);
        ITeeRegistry.Verdict memory v = _verdict(machineId, teeKey);
        v.status = 2;
        _submit(v);
        vm.prank(teeKey);
        vm.expectRevert(abi.encodeWithSelector(TrustedWorkerExample.NotTrustedTee.selector, teeKey));
        worker.submitResult(bytes32(0));
    }

    function test_gated_rejectsAfterDeregistration() public {
        _submit(_verdict(machineId, teeKey));
        vm.prank(provider);
        reg.deregisterMachine(machineId);
        vm.prank(teeKey);
        vm.expectRevert(abi.encodeWithSelector(TrustedWorkerExample.NotTrustedTee.selector, teeKey));
        worker.submitResult(bytes32(0));
    }

    function test_ungated_acceptsAnyone() public {
        address stranger = makeAddr("stranger");
        vm.expectEmit(address(worker));
        emit TrustedWorkerExample.ResultSubmitted(stranger, bytes32(uint256(1)));
        vm.prank(stranger);
        worker.submitResultUngated(bytes32(uint256(1)));
    }

    function test_pinned_acceptsOnlyThePinnedWorkload() public {
        ITeeRegistry.Verdict memory v = _verdict(machineId, teeKey);
        _submit(v);
        assertEq(worker.workloadId(), v.workloadId);
        vm.prank(teeKey);
        worker.submitPinnedResult(bytes32(uint256(1)));
        // The same machine re-attested with another workload is still trusted, but not pinned.
        _advance(1, 60);
        ITeeRegistry.Verdict memory w = _verdict(machineId, teeKey);
        w.workloadId = keccak256("modified image");
        _submit(w);
        assertTrue(reg.isTrustedKey(teeKey));
        vm.prank(teeKey);
        vm.expectRevert(abi.encodeWithSelector(TrustedWorkerExample.NotPinnedWorkload.selector, teeKey, v.workloadId));
        worker.submitPinnedResult(bytes32(uint256(1)));
        vm.prank(teeKey);
        worker.submitResult(bytes32(uint256(1)));
    }

    function test_pinned_rejectsUntrustedAndZeroPin() public {
        ITeeRegistry.Verdict memory v = _verdict(machineId, teeKey);
        _submit(v);
        vm.warp(v.expiresAt);
        vm.prank(teeKey);
        vm.expectRevert(abi.encodeWithSelector(TrustedWorkerExample.NotPinnedWorkload.selector, teeKey, v.workloadId));
        worker.submitPinnedResult(bytes32(0));
        TrustedWorkerExample unpinned = new TrustedWorkerExample(reg, bytes32(0));
        vm.warp(v.issuedAt + 1);
        assertTrue(reg.isTrustedKey(teeKey));
        vm.prank(teeKey);
        vm.expectRevert(abi.encodeWithSelector(TrustedWorkerExample.NotPinnedWorkload.selector, teeKey, bytes32(0)));
        unpinned.submitPinnedResult(bytes32(0));
    }
}
