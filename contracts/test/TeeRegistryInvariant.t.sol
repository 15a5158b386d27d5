// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {Test} from "forge-std/Test.sol";
import {Vm} from "forge-std/Vm.sol";
import {TeeRegistry} from "../TeeRegistry.sol";
import {ITeeRegistry} from "../ITeeRegistry.sol";

/// @dev Drives the registry with random providers, verdicts (quorum-signed and not), policy
/// changes and time, and keeps a ghost model of what a correct registry must allow.
contract RegistryHandler is Test {
    TeeRegistry public immutable reg;
    address public immutable owner;
    uint256[] internal oracleKeys; // ascending by address
    address[] public providers;
    uint256[] internal teeKeyPks;
    bytes32[] public policies;
    bytes32[] public machines;

    struct Ghost {
        bytes32 machineId;
        uint8 status;
        uint64 expiresAt;
        bytes32 policy;
        bytes32 workload;
    }

    mapping(address key => Ghost) public ghostRecord;
    mapping(bytes32 machineId => address) public ghostKey;
    mapping(bytes32 machineId => address) public ghostProvider;
    mapping(bytes32 machineId => bool) public ghostDeregistered;
    mapping(bytes32 machineId => address) public ghostAuthorized;
    mapping(bytes32 policy => bool) public ghostRetired;
    uint256 public foreignTouches; // provider operations that succeeded for a non-provider
    uint256 public forgedAccepted; // sub-quorum or stranger-signed verdicts that were accepted
    uint256 public acceptedVerdicts;
    /// Accepted verdicts that bound or rotated a key without the provider's authorisation of that
    /// key, or that bound a key with an untrusted verdict, or that downgraded a key not bound to
    /// the machine they name.
    uint256 public bindingViolations;

    constructor(TeeRegistry reg_, address owner_, uint256[] memory oracleKeys_, bytes32 policy) {
        reg = reg_;
        owner = owner_;
        oracleKeys = oracleKeys_;
        policies.push(policy);
        for (uint256 i = 0; i < 3; ++i) {
            providers.push(makeAddr(string(abi.encode("provider", i))));
        }
        for (uint256 i = 0; i < 5; ++i) {
            teeKeyPks.push(0xC0FFEE + i);
        }
    }

    function teeKeyCount() external view returns (uint256) {
        return teeKeyPks.length;
    }

    function teeKeyAt(uint256 i) external pure returns (address) {
        return vm.addr(0xC0FFEE + i);
    }

    function machineCount() external view returns (uint256) {
        return machines.length;
    }

    // ---- providers ------------------------------------------------------------------------------

    function register(uint256 providerSeed, uint256 saltSeed, bool tdx) external {
        address p = providers[providerSeed % providers.length];
        bytes32 salt = bytes32(saltSeed % 16);
        vm.prank(p);
        try reg.registerMachine(salt, tdx ? 2 : 1, "") returns (bytes32 id) {
            machines.push(id);
            ghostProvider[id] = p;
        } catch {}
    }

    function deregister(uint256 callerSeed, uint256 machineSeed) external {
        if (machines.length == 0) return;
        bytes32 id = machines[machineSeed % machines.length];
        address caller = providers[callerSeed % providers.length];
        vm.prank(caller);
        try reg.deregisterMachine(id) {
            if (caller != ghostProvider[id]) ++foreignTouches;
            ghostDeregistered[id] = true;
            delete ghostAuthorized[id];
            address key = ghostKey[id];
            if (key != address(0)) {
                delete ghostRecord[key];
                delete ghostKey[id];
            }
        } catch {}
    }

    /// @dev Usually the machine's provider, sometimes another one (which must fail).
    function authorize(uint256 callerSeed, uint256 machineSeed, uint256 keySeed) public {
        if (machines.length == 0) return;
        bytes32 id = machines[machineSeed % machines.length];
        address caller = callerSeed % 4 == 0 ? providers[callerSeed % providers.length] : ghostProvider[id];
        address key = vm.addr(teeKeyPks[keySeed % teeKeyPks.length]);
        vm.prank(caller);
        try reg.authorizeKey(id, key) {
            if (caller != ghostProvider[id]) ++foreignTouches;
            ghostAuthorized[id] = key;
        } catch {}
    }

    function revoke(uint256 callerSeed, uint256 machineSeed) external {
        // Rare, so that most machines keep their keys for a while.
        if (machines.length == 0 || callerSeed % 3 != 0) return;
        bytes32 id = machines[machineSeed % machines.length];
        address caller = callerSeed % 2 == 0 ? providers[(callerSeed >> 8) % providers.length] : ghostProvider[id];
        vm.prank(caller);
        try reg.revokeKey(id) {
            if (caller != ghostProvider[id]) ++foreignTouches;
            delete ghostAuthorized[id];
            address key = ghostKey[id];
            if (key != address(0)) {
                delete ghostRecord[key];
                delete ghostKey[id];
            }
        } catch {}
    }

    function setMetadata(uint256 callerSeed, uint256 machineSeed) external {
        if (machines.length == 0) return;
        bytes32 id = machines[machineSeed % machines.length];
        address caller = providers[callerSeed % providers.length];
        vm.prank(caller);
        try reg.setMachineMetadata(id, "x") {
            if (caller != ghostProvider[id]) ++foreignTouches;
        } catch {}
    }

    // ---- verdicts -------------------------------------------------------------------------------

    /// @dev Mostly a verdict that should be accepted (a live machine, its own or a free key, a
    /// lifetime within the newest policy), sometimes a random one that may be rejected.
    function _verdict(uint256 machineSeed, uint256 keySeed, bool trusted, uint256 lifeSeed, uint256 policySeed)
        internal
        view
        returns (ITeeRegistry.Verdict memory v)
    {
        bool wild = keySeed % 4 == 0;
        bytes32 id = machines[machineSeed % machines.length];
        for (uint256 i = 0; !wild && ghostDeregistered[id] && i < machines.length; ++i) {
            id = machines[(machineSeed + i) % machines.length];
        }
        address key = vm.addr(teeKeyPks[(keySeed >> 8) % teeKeyPks.length]);
        if (!wild) {
            if (ghostKey[id] != address(0) && keySeed % 3 != 0) {
                key = ghostKey[id];
            } else {
                for (uint256 i = 0; ghostRecord[key].machineId != bytes32(0) && i < teeKeyPks.length; ++i) {
                    key = vm.addr(teeKeyPks[((keySeed >> 8) + i) % teeKeyPks.length]);
                }
            }
        }
        uint64 anchor = uint64(block.number - 1);
        v = ITeeRegistry.Verdict({
            machineId: id,
            tee: reg.machine(id).tee,
            status: trusted ? 1 : 2,
            teeKey: key,
            workloadId: keccak256(abi.encode("wl", lifeSeed % 3)),
            tcbStatus: 1,
            tcb: 1,
            // Usually the newest policy, sometimes any (possibly retired) one.
            policyHash: policies[wild ? (policySeed >> 8) % policies.length : policies.length - 1],
            evidenceHash: keccak256(abi.encode(block.timestamp, keySeed)),
            anchorBlockNumber: anchor,
            anchorBlockHash: blockhash(anchor),
            issuedAt: uint64(block.timestamp),
            expiresAt: uint64(block.timestamp + bound(lifeSeed, 1, wild ? 2 days : 1 days)),
            reasons: 0
        });
    }

    function _sign(ITeeRegistry.Verdict memory v, uint256 count) internal view returns (bytes[] memory sigs) {
        bytes32 digest = reg.hashVerdict(v);
        sigs = new bytes[](count);
        for (uint256 i = 0; i < count; ++i) {
            (uint8 sv, bytes32 r, bytes32 s) = vm.sign(oracleKeys[i], digest);
            sigs[i] = abi.encodePacked(r, s, sv);
        }
    }

    uint256 public quorumCalls;

    function submitQuorum(uint256 machineSeed, uint256 keySeed, bool trusted, uint256 lifeSeed, uint256 policySeed)
        external
    {
        _submitQuorum(machineSeed, keySeed, trusted, lifeSeed, policySeed, false);
    }

    /// @dev The same through submitBatch: a one-verdict batch under one batch signature set.
    function submitBatchQuorum(uint256 machineSeed, uint256 keySeed, bool trusted, uint256 lifeSeed, uint256 policySeed)
        external
    {
        _submitQuorum(machineSeed, keySeed, trusted, lifeSeed, policySeed, true);
    }

    function _packed(ITeeRegistry.Verdict memory v) internal pure returns (bytes memory) {
        bytes memory head = abi.encodePacked(v.machineId, v.tee, v.status, v.teeKey, v.workloadId, v.tcbStatus, v.tcb);
        bytes memory mid = abi.encodePacked(v.policyHash, v.evidenceHash, v.anchorBlockNumber, v.anchorBlockHash);
        return abi.encodePacked(head, mid, v.issuedAt, v.expiresAt, v.reasons);
    }

    function _batchSigs(bytes memory packed, uint256 count, uint256 strangerPk) internal view returns (bytes memory sigs) {
        bytes32 digest = reg.hashBatch(packed);
        for (uint256 i = 0; i < count; ++i) {
            (uint8 sv, bytes32 r, bytes32 s) = vm.sign(oracleKeys[i], digest);
            sigs = bytes.concat(sigs, abi.encodePacked(r, s, sv));
        }
        if (strangerPk != 0) {
            (uint8 sv, bytes32 r, bytes32 s) = vm.sign(strangerPk, digest);
            sigs = bytes.concat(sigs, abi.encodePacked(r, s, sv));
        }
    }

    /// @dev Submits v alone; true when it was accepted (submitBatch skips refusals without
    /// reverting, so acceptance is its VerdictRecorded event).
    function _submitOne(ITeeRegistry.Verdict memory v, bool batch) internal returns (bool) {
        if (!batch) {
            try reg.submitVerdict(v, _sign(v, reg.threshold())) {
                return true;
            } catch {
                return false;
            }
        }
        bytes memory packed = _packed(v);
        vm.recordLogs();
        reg.submitBatch(packed, _batchSigs(packed, reg.threshold(), 0));
        Vm.Log[] memory logs = vm.getRecordedLogs();
        for (uint256 i = 0; i < logs.length; ++i) {
            if (logs[i].topics[0] == ITeeRegistry.VerdictRecorded.selector) return true;
        }
        return false;
    }

    function _submitQuorum(
        uint256 machineSeed,
        uint256 keySeed,
        bool trusted,
        uint256 lifeSeed,
        uint256 policySeed,
        bool batch
    ) internal {
        ++quorumCalls;
        if (machines.length == 0 || _allDeregistered()) this.register(machineSeed, machines.length, false);
        if (ghostRetired[policies[policies.length - 1]]) this.registerPolicy(1);
        _ensureAnchor();
        ITeeRegistry.Verdict memory v = _verdict(machineSeed, keySeed, trusted, lifeSeed, policySeed);
        address old = ghostKey[v.machineId];
        // An untrusted verdict cannot bind a key, so a well-formed one for a machine without a key
        // is a trusted one (wild ones stay as drawn, and must be refused).
        if (!trusted && old == address(0) && keySeed % 4 != 0) {
            trusted = true;
            v.status = 1;
        }
        // Usually the provider authorises a new key before its first verdict; sometimes it does not,
        // and then the binding must fail.
        bool consent = uint256(keccak256(abi.encode(lifeSeed, keySeed))) % 4 != 0;
        if (old != v.teeKey && consent && ghostProvider[v.machineId] != address(0)) {
            vm.prank(ghostProvider[v.machineId]);
            try reg.authorizeKey(v.machineId, v.teeKey) {
                ghostAuthorized[v.machineId] = v.teeKey;
            } catch {}
        }
        if (_submitOne(v, batch)) {
            ++acceptedVerdicts;
            if (old != v.teeKey) {
                // A binding: only a trusted verdict for the key the provider authorised.
                if (!trusted || ghostAuthorized[v.machineId] != v.teeKey) ++bindingViolations;
                delete ghostAuthorized[v.machineId];
                if (old != address(0)) delete ghostRecord[old];
            }
            ghostKey[v.machineId] = v.teeKey;
            ghostRecord[v.teeKey] = Ghost(v.machineId, v.status, v.expiresAt, v.policyHash, v.workloadId);
        }
    }

    function _allDeregistered() internal view returns (bool) {
        for (uint256 i = 0; i < machines.length; ++i) {
            if (!ghostDeregistered[machines[i]]) return false;
        }
        return true;
    }

    /// @dev A real chain always has the previous block's hash; the campaign's block env may not.
    function _ensureAnchor() internal {
        if (blockhash(block.number - 1) == bytes32(0)) {
            vm.setBlockhash(block.number - 1, keccak256(abi.encode("block", block.number - 1)));
        }
    }

    function submitSubQuorum(uint256 machineSeed, uint256 keySeed, uint256 lifeSeed, uint256 strangerPk) external {
        if (machines.length == 0) return;
        _ensureAnchor();
        ITeeRegistry.Verdict memory v = _verdict(machineSeed, keySeed, true, lifeSeed, 0);
        uint256 m = reg.threshold();
        bytes[] memory sigs;
        if (m > 1) {
            sigs = _sign(v, m - 1);
        } else {
            strangerPk = bound(strangerPk, 1, 2 ** 200);
            (uint8 sv, bytes32 r, bytes32 s) = vm.sign(strangerPk, reg.hashVerdict(v));
            sigs = new bytes[](1);
            sigs[0] = abi.encodePacked(r, s, sv);
        }
        try reg.submitVerdict(v, sigs) {
            ++forgedAccepted;
        } catch {}
        // The same as a batch: below the quorum, or with a stranger's signature; must revert.
        bytes memory packed = _packed(v);
        bytes memory bsigs = m > 1 ? _batchSigs(packed, m - 1, 0) : _batchSigs(packed, 0, strangerPk);
        try reg.submitBatch(packed, bsigs) {
            ++forgedAccepted;
        } catch {}
    }

    // ---- governance and time --------------------------------------------------------------------

    uint256 internal policyNonce;

    function registerPolicy(uint256 seed) external {
        // Mostly fresh hashes; sometimes an old one, which must fail (registered or retired).
        bytes32 h = keccak256(abi.encode("policy", seed % 4 == 3 ? seed % 3 : ++policyNonce));
        vm.prank(owner);
        try reg.registerPolicy(h, 1 days, "") {
            policies.push(h);
        } catch {}
    }

    function retirePolicy(uint256 seed) external {
        // Rare, so that most of a run has an active policy to attest under.
        if (seed % 4 != 0) return;
        bytes32 h = policies[(seed >> 8) % policies.length];
        vm.prank(owner);
        try reg.retirePolicy(h) {
            ghostRetired[h] = true;
        } catch {}
    }

    function advance(uint256 blocksSeed, uint256 secsSeed) external {
        uint256 blocks = bound(blocksSeed, 1, 50);
        uint256 from = block.number;
        vm.roll(block.number + blocks);
        vm.warp(block.timestamp + bound(secsSeed, 1, 12 hours));
        for (uint256 b = from; b < block.number; ++b) {
            vm.setBlockhash(b, keccak256(abi.encode("block", b)));
        }
    }
}

/// @dev Invariants: no machine is trusted without a quorum-signed verdict; an expired or
/// retired-policy machine is never trusted; a provider cannot touch another provider's machine.
contract TeeRegistryInvariantTest is Test {
    TeeRegistry internal reg;
    RegistryHandler internal handler;

    function setUp() public {
        vm.warp(1_700_000_000);
        vm.roll(1_000);
        for (uint256 b = 744; b < 1_000; ++b) {
            vm.setBlockhash(b, keccak256(abi.encode("block", b)));
        }
        uint256 n = 3;
        uint256[] memory keys = new uint256[](n);
        address[] memory addrs = new address[](n);
        for (uint256 i = 0; i < n; ++i) {
            keys[i] = uint256(keccak256(abi.encode("inv-oracle", i))) % (2 ** 250) + 1;
            addrs[i] = vm.addr(keys[i]);
        }
        for (uint256 i = 1; i < n; ++i) {
            for (uint256 j = i; j > 0 && addrs[j - 1] > addrs[j]; --j) {
                (addrs[j - 1], addrs[j]) = (addrs[j], addrs[j - 1]);
                (keys[j - 1], keys[j]) = (keys[j], keys[j - 1]);
            }
        }
        address owner = makeAddr("owner");
        reg = new TeeRegistry(owner, addrs, 2, 64);
        bytes32 policy = keccak256("inv-policy");
        vm.prank(owner);
        reg.registerPolicy(policy, 1 days, "");
        handler = new RegistryHandler(reg, owner, keys, policy);
        targetContract(address(handler));
        bytes4[] memory selectors = new bytes4[](11);
        selectors[0] = RegistryHandler.register.selector;
        selectors[1] = RegistryHandler.deregister.selector;
        selectors[2] = RegistryHandler.setMetadata.selector;
        selectors[3] = RegistryHandler.submitQuorum.selector;
        selectors[4] = RegistryHandler.submitSubQuorum.selector;
        selectors[5] = RegistryHandler.registerPolicy.selector;
        selectors[6] = RegistryHandler.retirePolicy.selector;
        selectors[7] = RegistryHandler.advance.selector;
        selectors[8] = RegistryHandler.authorize.selector;
        selectors[9] = RegistryHandler.revoke.selector;
        selectors[10] = RegistryHandler.submitBatchQuorum.selector;
        targetSelector(FuzzSelector({addr: address(handler), selectors: selectors}));
    }

    /// Every trusted key (and machine) is backed by an accepted quorum-signed trusted verdict that
    /// is unexpired, under a policy that was never retired, for a machine never deregistered.
    function invariant_trustImpliesQuorumVerdict() public view {
        assertEq(handler.forgedAccepted(), 0, "a sub-quorum verdict was accepted");
        for (uint256 i = 0; i < handler.teeKeyCount(); ++i) {
            address key = handler.teeKeyAt(i);
            (bytes32 id, uint8 status, uint64 expiresAt, bytes32 policy, bytes32 workload) = handler.ghostRecord(key);
            bool shouldTrust = id != bytes32(0) && status == 1 && block.timestamp < expiresAt
                && !handler.ghostRetired(policy) && !handler.ghostDeregistered(id);
            assertEq(reg.isTrustedKey(key), shouldTrust, "isTrustedKey disagrees with the quorum-verdict model");
            // The workload gate follows the key's current verdict and nothing else.
            assertEq(reg.isTrustedFor(key, workload), shouldTrust && workload != bytes32(0), "isTrustedFor disagrees");
            assertFalse(reg.isTrustedFor(key, keccak256("never a workload")));
            if (id != bytes32(0)) assertEq(reg.machineOfKey(key), id);
        }
    }

    /// A machine's key changes only by a trusted verdict for the key its provider authorised (or
    /// by its provider's revocation or deregistration): no stranger, and no untrusted verdict,
    /// ever binds or rotates a key.
    function invariant_onlyProviderChoosesKey() public view {
        assertEq(handler.bindingViolations(), 0, "a key was bound without its provider's authorisation");
        for (uint256 i = 0; i < handler.machineCount(); ++i) {
            bytes32 id = handler.machines(i);
            assertEq(reg.machine(id).teeKey, handler.ghostKey(id), "machine key differs from the model");
        }
    }

    /// Expired or retired-policy machines are never trusted, whatever else happened.
    function invariant_expiredOrRetiredNeverTrusted() public view {
        for (uint256 i = 0; i < handler.machineCount(); ++i) {
            bytes32 id = handler.machines(i);
            ITeeRegistry.MachineRecord memory r = reg.machine(id);
            bool expired = block.timestamp >= r.expiresAt;
            bool retired = r.policyHash != bytes32(0) && reg.policy(r.policyHash).state != 1;
            if (expired || retired || r.status != 1 || r.state != 1) assertFalse(reg.isTrusted(id));
            if (reg.isTrusted(id)) assertTrue(reg.isTrustedKey(r.teeKey));
        }
    }


    /// Guards against a vacuous campaign: the handler must actually get verdicts accepted.
    function afterInvariant() public view {
        if (handler.quorumCalls() >= 8) assertGt(handler.acceptedVerdicts(), 0, "campaign accepted no verdict");
    }

    /// Provider operations only ever succeed for the registering provider, and the recorded
    /// provider never changes.
    function invariant_providerIsolation() public view {
        assertEq(handler.foreignTouches(), 0, "a provider changed another provider's machine");
        for (uint256 i = 0; i < handler.machineCount(); ++i) {
            bytes32 id = handler.machines(i);
            assertEq(reg.machine(id).provider, handler.ghostProvider(id));
        }
    }
}
