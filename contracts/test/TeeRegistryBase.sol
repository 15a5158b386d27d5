// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {Test} from "forge-std/Test.sol";
import {TeeRegistry} from "../TeeRegistry.sol";
import {ITeeRegistry} from "../ITeeRegistry.sol";

/// @dev Shared fixture: a registry with generated oracle keys (sorted by address), one active
/// policy, one registered SEV-SNP machine, and helpers that build and sign verdicts with vm.sign.
abstract contract TeeRegistryBase is Test {
    TeeRegistry internal reg;
    address internal owner = makeAddr("owner");
    address internal provider = makeAddr("provider");
    address internal other = makeAddr("otherProvider");

    /// Oracle private keys and addresses, index-aligned, ascending by address.
    uint256[] internal oracleKeys;
    address[] internal oracles;

    bytes32 internal constant POLICY = keccak256("teeoracle.policy.v1");
    uint64 internal constant VALIDITY = 1 days;
    bytes32 internal constant SALT = bytes32(uint256(0x5a17));
    uint256 internal constant TEE_KEY_PK = 0xA11CE;
    address internal teeKey;
    bytes32 internal machineId;

    uint256 internal constant START_TIME = 1_700_000_000;
    uint256 internal constant START_BLOCK = 1_000;

    function setUp() public virtual {
        _setUpRegistry(3, 2);
    }

    function _setUpRegistry(uint256 n, uint8 m) internal {
        vm.warp(START_TIME);
        vm.roll(START_BLOCK);
        _fillBlockhashes();
        (oracleKeys, oracles) = _sortedKeys("oracle", n);
        reg = new TeeRegistry(owner, oracles, m, 256);
        vm.prank(owner);
        reg.registerPolicy(POLICY, VALIDITY, "ipfs://policy-v1");
        teeKey = vm.addr(TEE_KEY_PK);
        vm.prank(provider);
        machineId = reg.registerMachine(SALT, 1, "https://provider.example/m/1");
        _authorize(machineId, teeKey);
    }

    /// @dev The machine's provider authorises `key` for it (what a binding verdict needs).
    function _authorize(bytes32 id, address key) internal {
        vm.prank(reg.machine(id).provider);
        reg.authorizeKey(id, key);
    }

    /// @dev Gives the last 256 blocks a deterministic non-zero hash, as a real chain would have.
    function _fillBlockhashes() internal {
        uint256 lo = block.number > 256 ? block.number - 256 : 0;
        for (uint256 b = lo; b < block.number; ++b) {
            if (blockhash(b) == bytes32(0)) vm.setBlockhash(b, keccak256(abi.encode("block", b)));
        }
    }

    /// @dev Advances the chain, keeping blockhash() of the new blocks non-zero.
    function _advance(uint256 blocks, uint256 secs) internal {
        uint256 from = block.number;
        vm.roll(block.number + blocks);
        vm.warp(block.timestamp + secs);
        for (uint256 b = from; b < block.number; ++b) {
            if (blockhash(b) == bytes32(0)) vm.setBlockhash(b, keccak256(abi.encode("block", b)));
        }
    }

    function _sortedKeys(string memory label, uint256 n)
        internal
        pure
        returns (uint256[] memory keys, address[] memory addrs)
    {
        keys = new uint256[](n);
        addrs = new address[](n);
        for (uint256 i = 0; i < n; ++i) {
            keys[i] = uint256(keccak256(abi.encode(label, i))) % (2 ** 250) + 1;
            addrs[i] = vm.addr(keys[i]);
        }
        _sortByAddress(keys, addrs);
    }

    function _sortByAddress(uint256[] memory keys, address[] memory addrs) internal pure {
        for (uint256 i = 1; i < addrs.length; ++i) {
            for (uint256 j = i; j > 0 && addrs[j - 1] > addrs[j]; --j) {
                (addrs[j - 1], addrs[j]) = (addrs[j], addrs[j - 1]);
                (keys[j - 1], keys[j]) = (keys[j], keys[j - 1]);
            }
        }
    }

    /// @dev A trusted verdict for `id`/`key`, anchored at the previous block, issued now, valid
    /// for the policy's whole validity period.
    function _verdict(bytes32 id, address key) internal view returns (ITeeRegistry.Verdict memory v) {
        uint64 anchor = uint64(block.number - 1);
        uint64 issued = uint64(block.timestamp);
        v = ITeeRegistry.Verdict({
            machineId: id,
            tee: 1,
            status: 1,
            teeKey: key,
            workloadId: keccak256(abi.encode("workload", id)),
            tcbStatus: 1,
            tcb: 0x0b00000000001587,
            policyHash: POLICY,
            evidenceHash: keccak256(abi.encode("evidence", id, key, issued)),
            anchorBlockNumber: anchor,
            anchorBlockHash: blockhash(anchor),
            issuedAt: issued,
            expiresAt: issued + VALIDITY,
            reasons: 0
        });
    }

    function _sig(uint256 pk, bytes32 digest) internal pure returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(pk, digest);
        return abi.encodePacked(r, s, v);
    }

    /// @dev Signs with the given keys in the given order.
    function _signWith(ITeeRegistry.Verdict memory v, uint256[] memory keys)
        internal
        view
        returns (bytes[] memory sigs)
    {
        bytes32 digest = reg.hashVerdict(v);
        sigs = new bytes[](keys.length);
        for (uint256 i = 0; i < keys.length; ++i) {
            sigs[i] = _sig(keys[i], digest);
        }
    }

    /// @dev Signs with the first `threshold` oracles, ascending: a valid quorum.
    function _signQuorum(ITeeRegistry.Verdict memory v) internal view returns (bytes[] memory) {
        uint256 m = reg.threshold();
        uint256[] memory keys = new uint256[](m);
        for (uint256 i = 0; i < m; ++i) {
            keys[i] = oracleKeys[i];
        }
        return _signWith(v, keys);
    }

    function _submit(ITeeRegistry.Verdict memory v) internal {
        reg.submitVerdict(v, _signQuorum(v));
    }

    function _keys(uint256 a) internal pure returns (uint256[] memory k) {
        k = new uint256[](1);
        k[0] = a;
    }

    function _keys(uint256 a, uint256 b) internal pure returns (uint256[] memory k) {
        k = new uint256[](2);
        k[0] = a;
        k[1] = b;
    }

    /// @dev One packed batch entry: the fields in EIP-712 order, each in its type's width.
    function _pack(ITeeRegistry.Verdict memory v) internal pure returns (bytes memory) {
        bytes memory head = abi.encodePacked(v.machineId, v.tee, v.status, v.teeKey, v.workloadId, v.tcbStatus, v.tcb);
        bytes memory mid = abi.encodePacked(v.policyHash, v.evidenceHash, v.anchorBlockNumber, v.anchorBlockHash);
        return abi.encodePacked(head, mid, v.issuedAt, v.expiresAt, v.reasons);
    }

    function _packAll(ITeeRegistry.Verdict[] memory vs) internal pure returns (bytes memory out) {
        for (uint256 i = 0; i < vs.length; ++i) {
            out = bytes.concat(out, _pack(vs[i]));
        }
    }

    function _one(ITeeRegistry.Verdict memory v) internal pure returns (ITeeRegistry.Verdict[] memory vs) {
        vs = new ITeeRegistry.Verdict[](1);
        vs[0] = v;
    }

    /// @dev The EIP-712 struct hash of a verdict, written out from the spec (abi.encode of the
    /// typehash and the fields), independent of the registry's in-place hashing.
    function _specStructHash(ITeeRegistry.Verdict memory v) internal view returns (bytes32) {
        bytes memory a = abi.encode(reg.VERDICT_TYPEHASH(), v.machineId, v.tee, v.status, v.teeKey, v.workloadId, v.tcbStatus, v.tcb);
        bytes memory b = abi.encode(v.policyHash, v.evidenceHash, v.anchorBlockNumber, v.anchorBlockHash, v.issuedAt, v.expiresAt, v.reasons);
        return keccak256(bytes.concat(a, b));
    }

    /// @dev The batch digest, written out from the spec.
    function _specBatchDigest(ITeeRegistry.Verdict[] memory vs) internal view returns (bytes32) {
        bytes memory hs;
        for (uint256 i = 0; i < vs.length; ++i) {
            hs = bytes.concat(hs, _specStructHash(vs[i]));
        }
        bytes32 batchType = keccak256(
            "VerdictBatch(Verdict[] verdicts)Verdict(bytes32 machineId,uint8 tee,uint8 status,address teeKey,bytes32 workloadId,uint8 tcbStatus,uint64 tcb,bytes32 policyHash,bytes32 evidenceHash,uint64 anchorBlockNumber,bytes32 anchorBlockHash,uint64 issuedAt,uint64 expiresAt,uint64 reasons)"
        );
        bytes32 structHash = keccak256(abi.encode(batchType, keccak256(hs)));
        return keccak256(abi.encodePacked(hex"1901", reg.domainSeparator(), structHash));
    }

    /// @dev Concatenated signatures over a digest with the given keys, in the given order.
    function _sigSet(bytes32 digest, uint256[] memory keys) internal pure returns (bytes memory out) {
        for (uint256 i = 0; i < keys.length; ++i) {
            out = bytes.concat(out, _sig(keys[i], digest));
        }
    }

    /// @dev The first `threshold` oracles' signatures over the batch, ascending: a valid set.
    function _batchQuorum(bytes memory packed) internal view returns (bytes memory) {
        uint256 m = reg.threshold();
        uint256[] memory keys = new uint256[](m);
        for (uint256 i = 0; i < m; ++i) {
            keys[i] = oracleKeys[i];
        }
        return _sigSet(reg.hashBatch(packed), keys);
    }

    function _submitBatch(ITeeRegistry.Verdict[] memory vs) internal {
        bytes memory packed = _packAll(vs);
        reg.submitBatch(packed, _batchQuorum(packed));
    }
}
