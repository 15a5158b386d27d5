// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {MessageHashUtils} from "@openzeppelin/contracts/utils/cryptography/MessageHashUtils.sol";

import {ITeeRegistry} from "./ITeeRegistry.sol";

/// @title TeeRegistry
/// @notice Machines of node providers, the oracle quorum that appraises them, the policies they
/// are appraised under, and the latest quorum-signed verdict per machine. See ITeeRegistry for
/// the external API and docs/contracts.md for the design.
/// @dev Storage is packed so that the hot paths touch as few slots as possible:
///  - a same-key re-attestation by `submitBatch` reads one slot per signer (which carries a copy of
///    the config word), the policy (none for the newest policy), the key's trust record and the
///    index of its (workload id, TCB) pair, and writes exactly one (that trust record); in a batch,
///    signers and policy are warm after the first verdict, and so is the pair index for every
///    machine running an image an earlier verdict of the batch named (a fleet on one image);
///  - `isTrustedKey` reads exactly 2 (the trust record and the policy-active bitmap word).
/// The slot-by-slot layout is documented beside each declaration below and in docs/contracts.md.
contract TeeRegistry is ITeeRegistry, Ownable2Step, EIP712 {
    /// @notice keccak256 of the EIP-712 Verdict type string (docs/verdict-encoding.md).
    bytes32 public constant VERDICT_TYPEHASH = keccak256(
        "Verdict(bytes32 machineId,uint8 tee,uint8 status,address teeKey,bytes32 workloadId,uint8 tcbStatus,uint64 tcb,bytes32 policyHash,bytes32 evidenceHash,uint64 anchorBlockNumber,bytes32 anchorBlockHash,uint64 issuedAt,uint64 expiresAt,uint64 reasons)"
    );

    /// @notice keccak256 of the EIP-712 VerdictBatch type string: what the oracles sign for a
    /// `submitBatch` (one signature set committing to every verdict of the batch, in order).
    bytes32 public constant VERDICT_BATCH_TYPEHASH = keccak256(
        "VerdictBatch(Verdict[] verdicts)Verdict(bytes32 machineId,uint8 tee,uint8 status,address teeKey,bytes32 workloadId,uint8 tcbStatus,uint64 tcb,bytes32 policyHash,bytes32 evidenceHash,uint64 anchorBlockNumber,bytes32 anchorBlockHash,uint64 issuedAt,uint64 expiresAt,uint64 reasons)"
    );

    uint8 internal constant TEE_SEV_SNP = 1;
    uint8 internal constant TEE_TDX = 2;
    uint8 internal constant STATUS_TRUSTED = 1;
    uint8 internal constant STATUS_UNTRUSTED = 2;
    uint8 internal constant MACHINE_REGISTERED = 1;
    uint8 internal constant MACHINE_DEREGISTERED = 2;
    uint8 internal constant POLICY_ACTIVE = 1;
    uint8 internal constant POLICY_RETIRED = 2;
    /// @dev blockhash() sees only the last 256 blocks.
    uint16 internal constant MAX_ANCHOR_AGE_LIMIT = 256;
    /// @dev Keeps every expiresAt (<= issuedAt + validity <= now + 2^32) inside the 40-bit field.
    uint64 internal constant MAX_VALIDITY = type(uint32).max;

    /// @dev One slot: everything a verdict submission needs from governance, read once (cold) per
    /// transaction, batch included. Solidity packs members from the low-order end:
    ///   bits   0..7    threshold     quorum M, 1 <= M <= N
    ///   bits   8..15   oracleCount   N, at most 255
    ///   bits  16..23   paused        blocks submission and registration
    ///   bits  24..39   maxAnchorAge  1..256 blocks
    ///   bits  40..63   policyCount   last policy id issued (ids are 1-based, at most 2^24-1)
    ///   bits  64..127  hotPolicy     the Policy slot (see Policy) of the newest registered policy
    ///                                while it is active, zero otherwise
    ///   bits 128..207  hotPolicyTag  the top 80 bits of that policy's hash
    /// The hot policy saves a submission the cold read of the policy slot when its verdicts name
    /// the newest policy, as they do in steady state (docs/contracts.md argues the 80-bit tag).
    struct Config {
        uint8 threshold;
        uint8 oracleCount;
        bool paused;
        uint16 maxAnchorAge;
        uint24 policyCount;
        uint64 hotPolicy;
        uint80 hotPolicyTag;
    }

    /// @dev One slot per policy hash: id, state and validity are all a submission needs.
    ///   bits  0..23  id               1-based, indexes _activePolicyBits and _policyHashById
    ///   bits 24..31  state            0 unknown, 1 active, 2 retired (terminal)
    ///   bits 32..63  validitySeconds  1 .. 2^32-1
    struct Policy {
        uint24 id;
        uint8 state;
        uint32 validitySeconds;
    }

    /// @dev One slot per machine id; read when a key is first bound to the machine (first
    /// verdict, key rotation) and by provider operations, never on a same-key re-attestation.
    ///   bits   0..159  provider  the only account that may change the machine
    ///   bits 160..167  tee       1 SEV-SNP, 2 TDX
    ///   bits 168..175  state     0 none, 1 registered, 2 deregistered (terminal: ids never come back)
    ///   bits 176..215  minIssuedAt  1 + issuedAt of the last trust record `revokeKey` erased (0
    ///                  before any): a verdict binding a key to the machine while it holds none
    ///                  must be issued at or after it, so a revocation never lets an older
    ///                  verdict, superseded on-chain, bind again. Written by `revokeKey`, read
    ///                  only by a binding (which reads this slot anyway).
    struct Machine {
        address provider;
        uint8 tee;
        uint8 state;
        uint40 minIssuedAt;
    }

    // Trust record: one uint256 per TEE key, packed by hand so that a re-attestation reads and
    // writes this one slot and nothing else of the machine's:
    //   bits   0..3    status     1 trusted, 2 untrusted (never 0 in a stored record, so a
    //                             record is non-zero exactly when the key is bound)
    //   bits   4..7    tee        1 SEV-SNP, 2 TDX: the machine's, checked when the key was bound
    //   bits   8..15   tcbStatus  as in the verdict
    //   bits  16..39   policyId   policy the verdict was decided under (checked live at query time)
    //   bits  40..79   issuedAt   unix seconds (<= block.timestamp when accepted, so 40 bits last
    //                             until the year 36812)
    //   bits  80..111  lifetime   expiresAt - issuedAt (<= the policy's validity < 2^32)
    //   bits 112..175  pair       index of the verdict's (workloadId, tcb) pair in the interned
    //                             table (see WorkloadPair), 1-based
    //   bits 176..255  machineTag the top 80 bits of the machine id the key is bound to
    // The tag is what lets a re-attestation skip the machine slot: the record exists only while
    // the key is bound to a registered machine (binding checks registration, TEE type and the
    // provider's authorisation; deregistration, revocation and rotation erase the record). A
    // machine id is a function of its tag (machineIdOf: tag, then keccak check bits), so the
    // stored tag determines the full id of the bound machine, and a re-attestation compares the
    // verdict's whole machine id with it: no other id, registered or not, can act on the record.
    uint256 private constant T_TEE = 4;
    uint256 private constant T_TCB_STATUS = 8;
    uint256 private constant T_POLICY = 16;
    uint256 private constant T_ISSUED = 40;
    uint256 private constant T_LIFETIME = 80;
    uint256 private constant T_PAIR = 112;
    uint256 private constant T_TAG = 176;

    // Slots 0-1 are Ownable/Ownable2Step (owner, pending owner); 2-3 are EIP712's unused
    // long-name fallbacks (name and version are short strings kept in immutables).

    /// @dev Slot 4: packed governance configuration, see Config.
    Config private _config;
    /// @dev Current oracle signers: each one's slot holds a copy of the config word (never zero,
    /// since the threshold is at least 1), zero for any other account. `submitBatch` reads each
    /// signer's slot anyway (cold, once per signer per transaction), so it takes the config from
    /// there and never reads slot 4: one cold read less per batch. Every governance change of the
    /// config rewrites all the copies (`_syncOracles`), so a copy never differs from `_config`.
    mapping(address oracle => uint256 config) private _oracleConfig;
    /// @dev Policies by their canonical hash, see Policy.
    mapping(bytes32 policyHash => Policy) private _policies;
    /// @dev Bit `id % 256` of word `id / 256` is set while policy `id` is active; the second (and
    /// last) slot `isTrustedKey` reads. Retiring a policy clears one bit and untrusts every machine
    /// under it at once. Word `w` lives at slot ACTIVE_POLICY_BITS_SLOT + w (at most 2^16 words), a
    /// fixed namespace (keccak256 of its name, as ERC-7201 does) instead of a mapping, so the query
    /// hashes nothing to find it; mapping slots are keccak outputs and never fall into the range.
    /// keccak256("teeoracle.TeeRegistry.activePolicyBits"), written out for inline assembly (a
    /// test checks the value).
    uint256 internal constant ACTIVE_POLICY_BITS_SLOT = 0x0eebe433f54cc060053981949a0d1c33cab3f4e4cec7d20c97138b88922a44ed;
    /// @dev Policy hash by id, for `machine()` (never read on hot paths).
    mapping(uint256 policyId => bytes32) private _policyHashById;
    /// @dev Machines by id, see Machine.
    mapping(bytes32 machineId => Machine) private _machines;
    /// @dev The TEE key of a machine's latest verdict; read only on key binding and rotation,
    /// deregistration and `isTrusted(machineId)`.
    mapping(bytes32 machineId => address) private _machineKey;
    /// @dev The machine a key is bound to, for `machineOfKey` (written on binding, never read on
    /// hot paths).
    mapping(address teeKey => bytes32) private _keyMachine;
    /// @dev Trust records by TEE key, packed as described above.
    mapping(address teeKey => uint256) private _trust;
    /// @dev The key a machine's provider authorised and no verdict has bound yet; read and cleared
    /// by the binding verdict, never on a re-attestation.
    mapping(bytes32 machineId => address) private _authorizedKey;
    /// @dev Interned (workloadId, tcb) pairs: the index of each pair any accepted verdict named
    /// (1-based; zero for a pair never named) is at slot keccak256(abi.encode(workloadId,
    /// uint256(tcb), PAIR_INDEX_NAMESPACE)), a namespaced map like a mapping's but hashed once: a
    /// 96-byte preimage, which no Solidity-managed slot (mappings hash 64 bytes, arrays 32) uses,
    /// and full 256-bit keys, so distinct pairs never share an index. A trust record keeps the index (bits 112..175) where it used to keep the
    /// TCB, and a re-attestation reads this one slot to check its verdict's pair: a fleet running
    /// one image reads it warm after the batch's first verdict. Written once per pair, by the first
    /// verdict that names it; docs/contracts.md argues it against a per-key workload slot and an
    /// 80-bit workload tag.
    /// keccak256("teeoracle.TeeRegistry.pairIndex"), written out for inline assembly (a test
    /// checks the value).
    uint256 internal constant PAIR_INDEX_NAMESPACE = 0x5edb83c663a191e7a2b4b4000180daf29ec2c95200afab1c45110412588c73f5;
    /// @dev One interned pair, for the queries (`isTrustedFor`, `trustOf`, `machine`); never read
    /// by a verdict. Two slots:
    ///   slot 0  workloadId  bytes32
    ///   slot 1  tcb         uint64 (bits 0..63)
    struct WorkloadPair {
        bytes32 workloadId;
        uint64 tcb;
    }
    /// @dev Interned pairs by index (1-based; 0 is never an index).
    mapping(uint256 index => WorkloadPair) private _pairs;
    /// @dev The last pair index issued (the number of interned pairs).
    uint256 private _pairCount;
    /// @dev The registered policy whose hash has these top 80 bits: at most one per tag, so the
    /// batch fast path, which recognises the newest policy (`hotPolicyTag`) by its tag, can only
    /// ever take that policy for a verdict naming a registered one.
    mapping(uint80 tag => bytes32 policyHash) private _policyByTag;
    /// @dev The current oracles, in no particular order, for `_syncOracles` (governance only).
    address[] private _oracleList;

    /// @param initialOwner Governance account (two-step transferable, not renounceable).
    /// @param oracles Initial oracle signers (distinct, non-zero, 1..255 of them).
    /// @param threshold_ Initial quorum M, 1 <= M <= oracles.length.
    /// @param maxAnchorAge_ Initial maximum anchor age in blocks, 1..256.
    constructor(address initialOwner, address[] memory oracles, uint8 threshold_, uint16 maxAnchorAge_)
        Ownable(initialOwner)
        EIP712("TeeRegistry", "1")
    {
        if (oracles.length > type(uint8).max) revert TooManyOracles();
        for (uint256 i = 0; i < oracles.length; ++i) {
            address o = oracles[i];
            if (o == address(0)) revert ZeroAddress();
            if (_oracleConfig[o] != 0) revert OracleAlreadyAdded(o);
            _oracleConfig[o] = 1; // a placeholder until _syncOracles below writes the config
            _oracleList.push(o);
            emit OracleAdded(o);
        }
        if (threshold_ == 0 || threshold_ > oracles.length) revert InvalidThreshold(threshold_, oracles.length);
        if (maxAnchorAge_ == 0 || maxAnchorAge_ > MAX_ANCHOR_AGE_LIMIT) revert InvalidMaxAnchorAge(maxAnchorAge_);
        _config = Config({
            threshold: threshold_,
            oracleCount: uint8(oracles.length),
            paused: false,
            maxAnchorAge: maxAnchorAge_,
            policyCount: 0,
            hotPolicy: 0,
            hotPolicyTag: 0
        });
        _syncOracles();
        emit ThresholdChanged(threshold_);
        emit MaxAnchorAgeChanged(maxAnchorAge_);
    }

    // =============================================================================================
    // Providers
    // =============================================================================================

    /// @inheritdoc ITeeRegistry
    function registerMachine(bytes32 salt, uint8 tee, string calldata metadataURI)
        external
        returns (bytes32 machineId)
    {
        if (_config.paused) revert RegistryPaused();
        if (tee != TEE_SEV_SNP && tee != TEE_TDX) revert InvalidTee(tee);
        machineId = _machineIdOf(msg.sender, salt);
        uint8 state = _machines[machineId].state;
        if (state == MACHINE_REGISTERED) revert MachineAlreadyRegistered(machineId);
        if (state == MACHINE_DEREGISTERED) revert MachineIdRetired(machineId);
        _machines[machineId] = Machine({provider: msg.sender, tee: tee, state: MACHINE_REGISTERED, minIssuedAt: 0});
        emit MachineRegistered(machineId, msg.sender, tee, metadataURI);
    }

    /// @inheritdoc ITeeRegistry
    /// @dev Allowed while paused: it only removes trust.
    function deregisterMachine(bytes32 machineId) external {
        _onlyProvider(machineId);
        _machines[machineId].state = MACHINE_DEREGISTERED;
        address pending = _authorizedKey[machineId];
        delete _authorizedKey[machineId];
        (address key,) = _unbind(machineId);
        emit MachineDeregistered(machineId, msg.sender, key, pending);
    }

    /// @inheritdoc ITeeRegistry
    /// @dev Allowed while paused: a binding still needs a verdict, which the pause blocks.
    function authorizeKey(bytes32 machineId, address teeKey) external {
        _onlyProvider(machineId);
        if (teeKey == address(0)) revert ZeroAddress();
        _authorizedKey[machineId] = teeKey;
        emit KeyAuthorized(machineId, teeKey);
    }

    /// @inheritdoc ITeeRegistry
    /// @dev Allowed while paused: it only removes trust. The erased record's issuedAt becomes the
    /// machine's floor (`Machine.minIssuedAt`): the next binding must be newer, as a rotation must
    /// be newer than the record it replaces, so no verdict the erased one superseded (a trusted
    /// verdict later downgraded, say) binds again after a re-authorisation.
    function revokeKey(bytes32 machineId) external {
        _onlyProvider(machineId);
        address pending = _authorizedKey[machineId];
        delete _authorizedKey[machineId];
        (address bound, uint256 erased) = _unbind(machineId);
        if (bound != address(0)) _machines[machineId].minIssuedAt = uint40(erased >> T_ISSUED) + 1;
        emit KeyRevoked(machineId, pending, bound);
    }

    /// @dev Erases the machine's key binding and the key's trust record; returns the key (zero when
    /// none was bound) and the erased record.
    function _unbind(bytes32 machineId) internal returns (address key, uint256 record) {
        key = _machineKey[machineId];
        if (key != address(0)) {
            record = _trust[key];
            delete _trust[key];
            delete _keyMachine[key];
            delete _machineKey[machineId];
        }
    }

    /// @inheritdoc ITeeRegistry
    function setMachineMetadata(bytes32 machineId, string calldata metadataURI) external {
        _onlyProvider(machineId);
        emit MachineMetadataUpdated(machineId, metadataURI);
    }

    // =============================================================================================
    // Governance
    // =============================================================================================

    /// @inheritdoc ITeeRegistry
    function addOracle(address oracle) external onlyOwner {
        if (oracle == address(0)) revert ZeroAddress();
        if (_oracleConfig[oracle] != 0) revert OracleAlreadyAdded(oracle);
        uint8 n = _config.oracleCount;
        if (n == type(uint8).max) revert TooManyOracles();
        _oracleList.push(oracle);
        _config.oracleCount = n + 1;
        _syncOracles();
        emit OracleAdded(oracle);
    }

    /// @inheritdoc ITeeRegistry
    function removeOracle(address oracle) external onlyOwner {
        if (_oracleConfig[oracle] == 0) revert NotAnOracle(oracle);
        Config memory cfg = _config;
        uint8 n = cfg.oracleCount - 1;
        if (n < cfg.threshold) revert InvalidThreshold(cfg.threshold, n);
        delete _oracleConfig[oracle];
        uint256 last = _oracleList.length - 1;
        for (uint256 i = 0; i < last; ++i) {
            if (_oracleList[i] == oracle) {
                _oracleList[i] = _oracleList[last];
                break;
            }
        }
        _oracleList.pop();
        _config.oracleCount = n;
        _syncOracles();
        emit OracleRemoved(oracle);
    }

    /// @inheritdoc ITeeRegistry
    function setThreshold(uint8 threshold_) external onlyOwner {
        uint8 n = _config.oracleCount;
        if (threshold_ == 0 || threshold_ > n) revert InvalidThreshold(threshold_, n);
        _config.threshold = threshold_;
        _syncOracles();
        emit ThresholdChanged(threshold_);
    }

    /// @inheritdoc ITeeRegistry
    function registerPolicy(bytes32 policyHash, uint64 validitySeconds, string calldata uri) external onlyOwner {
        if (policyHash == bytes32(0)) revert InvalidPolicyHash();
        if (validitySeconds == 0 || validitySeconds > MAX_VALIDITY) revert InvalidValidity(validitySeconds);
        if (_policies[policyHash].state != 0) revert PolicyAlreadyRegistered(policyHash);
        uint80 tag = uint80(uint256(policyHash) >> T_TAG);
        bytes32 holder = _policyByTag[tag];
        if (holder != bytes32(0)) revert PolicyTagTaken(policyHash, holder);
        _policyByTag[tag] = policyHash;
        uint24 count = _config.policyCount;
        if (count == type(uint24).max) revert TooManyPolicies();
        uint24 id = count + 1;
        _config.policyCount = id;
        _policies[policyHash] =
            Policy({id: id, state: POLICY_ACTIVE, validitySeconds: uint32(validitySeconds)});
        _policyHashById[id] = policyHash;
        _setActiveBit(id, true);
        _config.hotPolicy = uint64(id) | (uint64(POLICY_ACTIVE) << 24) | (validitySeconds << 32);
        _config.hotPolicyTag = tag;
        _syncOracles();
        emit PolicyRegistered(policyHash, id, validitySeconds, uri);
    }

    /// @inheritdoc ITeeRegistry
    function retirePolicy(bytes32 policyHash) external onlyOwner {
        Policy memory p = _policies[policyHash];
        if (p.state != POLICY_ACTIVE) revert PolicyNotActive(policyHash);
        _policies[policyHash].state = POLICY_RETIRED;
        _setActiveBit(p.id, false);
        if (uint24(_config.hotPolicy) == p.id) {
            _config.hotPolicy = 0;
            _config.hotPolicyTag = 0;
            _syncOracles();
        }
        emit PolicyRetired(policyHash, p.id);
    }

    /// @inheritdoc ITeeRegistry
    function setMaxAnchorAge(uint16 blocks) external onlyOwner {
        if (blocks == 0 || blocks > MAX_ANCHOR_AGE_LIMIT) revert InvalidMaxAnchorAge(blocks);
        _config.maxAnchorAge = blocks;
        _syncOracles();
        emit MaxAnchorAgeChanged(blocks);
    }

    /// @inheritdoc ITeeRegistry
    function pause() external onlyOwner {
        if (_config.paused) revert RegistryPaused();
        _config.paused = true;
        _syncOracles();
        emit Paused(msg.sender);
    }

    /// @inheritdoc ITeeRegistry
    function unpause() external onlyOwner {
        if (!_config.paused) revert RegistryNotPaused();
        _config.paused = false;
        _syncOracles();
        emit Unpaused(msg.sender);
    }

    /// @dev Copies the config word into every current oracle's slot (see `_oracleConfig`). Called
    /// by every change of `_config` (governance only: N + 1 slot writes instead of one).
    function _syncOracles() internal {
        uint256 cfg;
        assembly ("memory-safe") {
            cfg := sload(_config.slot)
        }
        uint256 n = _oracleList.length;
        for (uint256 i = 0; i < n; ++i) {
            _oracleConfig[_oracleList[i]] = cfg;
        }
    }

    /// @notice Disabled: a registry without governance could never rotate oracles or retire policies.
    function renounceOwnership() public view override onlyOwner {
        revert RenounceOwnershipDisabled();
    }

    // =============================================================================================
    // Verdicts
    // =============================================================================================

    /// @inheritdoc ITeeRegistry
    /// @dev Two passes over the packed entries: the first unpacks each into one reused memory
    /// buffer and keeps its EIP-712 struct hash (n words of memory), which make the batch digest
    /// the signatures are checked against; only then does the second pass unpack each entry again
    /// and apply it, so no state changes before the whole signature set is verified, and entries
    /// see the writes of earlier entries of the same batch (two verdicts for one key must be in
    /// `issuedAt` order). Re-unpacking (about 250 gas) is cheaper than keeping every entry in
    /// memory, whose cost grows quadratically with the batch.
    function submitBatch(bytes calldata verdicts, bytes calldata signatures) external {
        uint256 n = _batchLength(verdicts);
        uint256 v = _verdictBuffer();
        uint256 hashes = _structHashes(verdicts, n, v);
        bytes32 separator = _domainSeparatorV4();
        uint256 cfg = _requireSignatureSet(_batchDigest(hashes, n, separator), signatures);
        uint256 p;
        assembly ("memory-safe") {
            p := verdicts.offset
        }
        // Each entry's digest is keccak256(0x1901 . separator . structHash), laid out in a
        // 3-word area allocated here, whose first two words stay put.
        uint256 d;
        assembly ("memory-safe") {
            d := mload(0x40)
            mstore(0x40, add(d, 0x60))
            mstore(d, 0x1901)
            mstore(add(d, 0x20), separator)
        }
        for (uint256 i = 0; i < n; ++i) {
            bytes32 digest;
            assembly ("memory-safe") {
                mstore(add(d, 0x40), mload(add(hashes, shl(5, i))))
                digest := keccak256(add(d, 0x1e), 0x42)
            }
            if (!_fastReattest(p, digest, cfg)) {
                _unpack(p, v);
                bytes memory err = _applyIfGas(v, digest, cfg, n - 1 - i);
                if (err.length != 0) {
                    emit VerdictSkipped(i, bytes32(_word(v, V_MACHINE_ID)), address(uint160(_word(v, V_TEE_KEY))), digest, err);
                }
            }
            unchecked {
                p += PACKED_VERDICT_SIZE;
            }
        }
    }

    /// @notice Gas a batch entry's general path (`_apply`) must find left, on top of
    /// `REST_ENTRY_GAS` for each entry after it, or the entry is skipped with
    /// `InsufficientGasForEntry` instead. The costliest entry binds a key to a machine and
    /// interns a new workload pair, every slot cold: about 2,100 gas for each of the policy,
    /// machine, authorisation and machine-key reads, 22,100 for each of the six slots it sets
    /// (trust record, machine key, key's machine, pair index and the pair's two words) and
    /// 5,000 for the pair count, with three events and the arithmetic: about 160,000 (the test
    /// suite measures it below this reserve). A rotation's two erasures cost less than they
    /// refund. Entries the node's estimate ran on this path are covered by its gas limit, which
    /// adds this reserve once per batch (docs/contracts.md, "Gas a batch cannot be made to run
    /// out of"); an entry that a change after the estimate sends down this path (its provider
    /// revoked and re-authorised its key) runs on the reserve, or is skipped when the reserve
    /// is spent, and the entries after it still find their gas.
    uint256 internal constant ENTRY_GAS_RESERVE = 200_000;
    /// @notice Gas a batch entry's general path keeps back for each entry after it: at least what
    /// any later entry can cost without taking the general path itself (a re-attestation with its
    /// trust record and pair index cold, 10,433 measured with its share of the batch's hashing,
    /// or an entry skipped for want of gas, less), and at most what the cheapest re-attestation
    /// costs (8,439, its pair warm) plus the node's 5,000 per verdict above its estimate, so that
    /// an honest batch never skips (`test_entryGasReserveCoversCostliestEntry`).
    uint256 internal constant REST_ENTRY_GAS = 11_000;

    /// @notice `submitVerdicts`' counterpart of REST_ENTRY_GAS: an entry after the current one
    /// that takes no general path (a re-attestation of the bound key on a known workload pair, or
    /// a refusal) costs at most PLAIN_ENTRY_GAS plus PLAIN_ENTRY_GAS_PER_SIGNATURE for each
    /// signature it carries (every one given is checked: an ecrecover and the signer's oracle
    /// slot), and an entry that would take the general path (bind or rotate a key, intern a new
    /// workload pair) is tried only with ENTRY_GAS_RESERVE plus that much for every later entry
    /// left, after its own signatures are checked; otherwise it is skipped with
    /// `InsufficientGasForEntry`. Both bounds lie between the costliest plain entry and the
    /// cheapest plus the node's 5,000 per verdict (`test_plainEntryGasBoundsPlainEntries`), so
    /// an honest call at the node's limit never skips and a front-run entry cannot make the
    /// call run out of gas.
    uint256 internal constant PLAIN_ENTRY_GAS = 17_000;
    uint256 internal constant PLAIN_ENTRY_GAS_PER_SIGNATURE = 4_400;
    /// @dev `_accept`'s `rest` for a single verdict: no gas check.
    uint256 private constant NO_GAS_CHECK = type(uint256).max;

    /// @dev `_apply` for a batch entry with `rest` entries after it, when the gas left covers the
    /// costliest entry and the rest (see ENTRY_GAS_RESERVE); otherwise the entry is refused with
    /// `InsufficientGasForEntry` and nothing changes, so the batch goes on instead of running
    /// out of gas.
    function _applyIfGas(uint256 v, bytes32 digest, uint256 cfg, uint256 rest) internal returns (bytes memory) {
        uint256 needed = ENTRY_GAS_RESERVE + rest * REST_ENTRY_GAS;
        uint256 left = gasleft();
        if (left < needed) return abi.encodeWithSelector(InsufficientGasForEntry.selector, left, needed);
        return _apply(v, digest, cfg, true);
    }

    /// @dev The common case of a batch entry, read straight from its packed calldata: a verdict
    /// for the key already bound to the very machine it names, newer than the stored one, that
    /// passes every check of `_apply`. Applies it (one SSTORE, one VerdictRecorded) and returns
    /// true; returns false with nothing changed when any condition fails, and the caller runs the
    /// general path (`_apply`), which binds keys and names the refusal. The conditions are exactly
    /// `_checkFields`, `_recordUnderPolicy` and the re-attestation branch of `_bindOrReattest`,
    /// so both paths accept the same entries with the same record; the policy comes from the
    /// config word's hot policy when the verdict names it (see Config), else from its slot.
    function _fastReattest(uint256 p, bytes32 digest, uint256 cfg) internal returns (bool ok) {
        bytes32 topic = VerdictRecorded.selector;
        assembly ("memory-safe") {
            let w := calldataload(add(p, 32)) // tee 1 byte, status 1 byte, teeKey 20 bytes
            let status := byte(1, w)
            let key := shr(96, shl(16, w))
            // the new record, built up field by field (tee is checked against the stored one below,
            // so it fits its 4 bits whenever the record is written)
            let rec := or(status, shl(T_TEE, shr(248, w)))
            w := calldataload(add(p, 199)) // issuedAt, expiresAt, reasons: 8 bytes each
            let issuedAt := shr(192, w)
            // zero when expiresAt == issuedAt, wraps (huge, beyond any policy's validity, checked
            // below) when expiresAt < issuedAt. A zero key has no record, so the record check
            // below refuses it.
            let lifetime := sub(shr(192, shl(64, w)), issuedAt)
            ok := and(and(lt(sub(status, 1), 2), iszero(iszero(lifetime))), iszero(gt(issuedAt, timestamp())))
            if and(ok, eq(status, STATUS_TRUSTED)) {
                let anchor := shr(192, calldataload(add(p, 159)))
                let h := blockhash(anchor)
                ok := and(and(lt(anchor, number()), iszero(gt(sub(number(), anchor), and(shr(24, cfg), 0xffff)))),
                    and(iszero(iszero(h)), eq(h, calldataload(add(p, 167)))))
            }
            if ok {
                let pol := calldataload(add(p, 95)) // policyHash
                let tag := shr(128, cfg) // hotPolicyTag (bits 128..207; nothing above)
                switch and(iszero(iszero(tag)), eq(shr(T_TAG, pol), tag))
                case 1 { pol := and(shr(64, cfg), 0xffffffffffffffff) }
                default {
                    mstore(0x00, pol)
                    mstore(0x20, _policies.slot)
                    pol := sload(keccak256(0x00, 0x40))
                }
                ok := and(eq(and(shr(24, pol), 0xff), POLICY_ACTIVE), iszero(gt(lifetime, and(shr(32, pol), 0xffffffff))))
                rec := or(or(rec, shl(T_POLICY, and(pol, 0xffffff))), or(shl(T_ISSUED, issuedAt), shl(T_LIFETIME, lifetime)))
            }
            if ok {
                w := calldataload(add(p, 86)) // tcbStatus 1 byte, tcb 8 bytes
                rec := or(rec, shl(T_TCB_STATUS, shr(248, w)))
                // the interned index of (workloadId, tcb); a pair never seen takes the general
                // path, which interns it. Scratch 0x00..0x60 (0x40 is the free memory pointer,
                // restored below).
                let fmp := mload(0x40)
                mstore(0x00, calldataload(add(p, 54)))
                mstore(0x20, shr(192, shl(8, w)))
                mstore(0x40, PAIR_INDEX_NAMESPACE)
                let pair := sload(keccak256(0x00, 0x60))
                mstore(0x40, fmp)
                mstore(0x00, key)
                mstore(0x20, _trust.slot)
                let slot := keccak256(0x00, 0x40)
                let t := sload(slot)
                // the whole id of the stored tag (see _idOfTag) must be the verdict's
                mstore(0x00, shr(T_TAG, t))
                ok := and(and(and(iszero(iszero(pair)), iszero(iszero(t))),
                        eq(or(shl(T_TAG, shr(T_TAG, t)), shr(80, keccak256(0x00, 0x20))), calldataload(p))),
                    and(eq(and(shr(T_TEE, t), 0xf), byte(0, calldataload(add(p, 32)))),
                        gt(issuedAt, and(shr(T_ISSUED, t), 0xffffffffff))))
                if ok {
                    sstore(slot, or(rec, or(shl(T_PAIR, pair), shl(T_TAG, shr(T_TAG, t)))))
                    mstore(0x00, digest)
                    log2(0x00, 0x20, topic, calldataload(p))
                }
            }
        }
    }

    /// @inheritdoc ITeeRegistry
    function hashBatch(bytes calldata verdicts) external view returns (bytes32) {
        uint256 n = _batchLength(verdicts);
        return _batchDigest(_structHashes(verdicts, n, _verdictBuffer()), n, _domainSeparatorV4());
    }

    /// @inheritdoc ITeeRegistry
    function submitVerdict(Verdict calldata v, bytes[] calldata signatures) external {
        uint256 cfg = _loadConfig();
        bytes memory err = _accept(v, signatures, cfg, _verdictBuffer(), NO_GAS_CHECK);
        if (err.length != 0) {
            assembly ("memory-safe") {
                revert(add(err, 0x20), mload(err))
            }
        }
    }

    /// @inheritdoc ITeeRegistry
    function submitVerdicts(Verdict[] calldata vs, bytes[][] calldata signatures) external {
        uint256 n = vs.length;
        if (n == 0) revert EmptyBatch();
        if (n != signatures.length) revert BatchLengthMismatch(n, signatures.length);
        uint256 cfg = _loadConfig();
        uint256 buf = _verdictBuffer();
        // The gas the entries after the current one need at most on their plain path (see
        // PLAIN_ENTRY_GAS), kept back by every entry that takes the general path. The signature
        // counts are read without the decoder's checks: the loop below reads each entry's
        // signatures through them, and reverts for a malformed entry as before.
        uint256 sigCount;
        assembly ("memory-safe") {
            for { let i := 0 } lt(i, n) { i := add(i, 1) } {
                let inner := add(signatures.offset, calldataload(add(signatures.offset, shl(5, i))))
                sigCount := add(sigCount, calldataload(inner))
            }
        }
        uint256 rest = n * PLAIN_ENTRY_GAS + sigCount * PLAIN_ENTRY_GAS_PER_SIGNATURE;
        for (uint256 i = 0; i < n; ++i) {
            Verdict calldata v = vs[i];
            bytes[] calldata sigs = signatures[i];
            unchecked {
                rest -= PLAIN_ENTRY_GAS + PLAIN_ENTRY_GAS_PER_SIGNATURE * sigs.length;
            }
            bytes memory err = _accept(v, sigs, cfg, buf, rest);
            // The ids come from the words `_accept` copied into the buffer, not from `v.teeKey`,
            // whose read would revert the whole batch on a word above 160 bits (an entry
            // `_accept` refuses as NonCanonicalVerdict); such a key is logged by its low 160 bits.
            if (err.length != 0) {
                emit VerdictSkipped(
                    i, bytes32(_word(buf, V_MACHINE_ID)), address(uint160(_word(buf, V_TEE_KEY))), _hashVerdict(v), err
                );
            }
        }
    }

    /// @inheritdoc ITeeRegistry
    function hashVerdict(Verdict calldata v) external view returns (bytes32) {
        return _hashVerdict(v);
    }

    /// @inheritdoc ITeeRegistry
    function domainSeparator() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    /// @dev The config slot as one word (see Config), reverting while paused.
    function _loadConfig() internal view returns (uint256 cfg) {
        assembly ("memory-safe") {
            cfg := sload(_config.slot)
        }
        if ((cfg >> 16) & 0xff != 0) revert RegistryPaused();
    }

    /// @dev Number of entries in a packed batch; reverts for an empty or ragged one (with
    /// `RegistryPaused` first while paused, as every submission does).
    function _batchLength(bytes calldata verdicts) internal view returns (uint256) {
        uint256 len = verdicts.length;
        if (len == 0 || len % PACKED_VERDICT_SIZE != 0) {
            _loadConfig();
            if (len == 0) revert EmptyBatch();
            revert MalformedBatch(len);
        }
        return len / PACKED_VERDICT_SIZE;
    }

    /// @dev Allocates the verdict buffer: the Verdict typehash, then the 14 EIP-712 words of one
    /// verdict. Returns a pointer to the first verdict word; the struct hash of the buffered
    /// verdict is keccak256(v - 0x20, 0x1e0).
    function _verdictBuffer() internal pure returns (uint256 v) {
        bytes32 typeHash = VERDICT_TYPEHASH;
        assembly ("memory-safe") {
            let m := mload(0x40)
            mstore(0x40, add(m, 0x1e0))
            mstore(m, typeHash)
            v := add(m, 0x20)
        }
    }

    /// @dev Unpacks every entry into the buffer at `v` and returns a memory array (no length word)
    /// of their EIP-712 struct hashes, in order. The unpacking is `_unpack`'s, written out in the
    /// loop (every verdict of a batch passes here).
    function _structHashes(bytes calldata verdicts, uint256 n, uint256 v) internal pure returns (uint256 hashes) {
        assembly ("memory-safe") {
            hashes := mload(0x40)
            mstore(0x40, add(hashes, shl(5, n)))
            let p := verdicts.offset
            let end := add(hashes, shl(5, n))
            for { let h := hashes } lt(h, end) { h := add(h, 0x20) } {
                mstore(v, calldataload(p)) // machineId
                let w := calldataload(add(p, 32))
                mstore(add(v, 0x20), shr(248, w)) // tee
                mstore(add(v, 0x40), byte(1, w)) // status
                mstore(add(v, 0x60), shr(96, shl(16, w))) // teeKey
                mstore(add(v, 0x80), calldataload(add(p, 54))) // workloadId
                w := calldataload(add(p, 86))
                mstore(add(v, 0xa0), shr(248, w)) // tcbStatus
                mstore(add(v, 0xc0), shr(192, shl(8, w))) // tcb
                mstore(add(v, 0xe0), calldataload(add(p, 95))) // policyHash
                mstore(add(v, 0x100), calldataload(add(p, 127))) // evidenceHash
                mstore(add(v, 0x120), shr(192, calldataload(add(p, 159)))) // anchorBlockNumber
                mstore(add(v, 0x140), calldataload(add(p, 167))) // anchorBlockHash
                w := calldataload(add(p, 199))
                mstore(add(v, 0x160), shr(192, w)) // issuedAt
                mstore(add(v, 0x180), shr(192, shl(64, w))) // expiresAt
                mstore(add(v, 0x1a0), shr(192, shl(128, w))) // reasons
                mstore(h, keccak256(sub(v, 0x20), 0x1e0))
                p := add(p, PACKED_VERDICT_SIZE)
            }
        }
    }

    /// @dev EIP-712 digest, under the domain `separator`, of `VerdictBatch(Verdict[] verdicts)`
    /// whose array elements have the struct hashes at `hashes`: the array's encodeData is keccak256
    /// of the concatenated hashes.
    function _batchDigest(uint256 hashes, uint256 n, bytes32 separator) internal pure returns (bytes32 digest) {
        bytes32 typeHash = VERDICT_BATCH_TYPEHASH;
        assembly ("memory-safe") {
            let m := mload(0x40)
            mstore(m, 0x1901)
            mstore(add(m, 0x20), separator)
            mstore(0x00, typeHash)
            mstore(0x20, keccak256(hashes, shl(5, n)))
            mstore(add(m, 0x40), keccak256(0x00, 0x40))
            digest := keccak256(add(m, 0x1e), 0x42)
        }
    }

    /// @dev Expands the packed entry at calldata `p` into the 14 words at `v` (see
    /// PACKED_VERDICT_SIZE for the layout). Every word comes out canonical: a field is read with
    /// exactly its width, so no packed entry can carry stray high bits.
    function _unpack(uint256 p, uint256 v) internal pure {
        assembly ("memory-safe") {
            mstore(v, calldataload(p)) // machineId
            let w := calldataload(add(p, 32))
            mstore(add(v, 0x20), shr(248, w)) // tee
            mstore(add(v, 0x40), byte(1, w)) // status
            mstore(add(v, 0x60), shr(96, calldataload(add(p, 34)))) // teeKey
            mstore(add(v, 0x80), calldataload(add(p, 54))) // workloadId
            w := calldataload(add(p, 86))
            mstore(add(v, 0xa0), shr(248, w)) // tcbStatus
            mstore(add(v, 0xc0), shr(192, shl(8, w))) // tcb
            mstore(add(v, 0xe0), calldataload(add(p, 95))) // policyHash
            mstore(add(v, 0x100), calldataload(add(p, 127))) // evidenceHash
            mstore(add(v, 0x120), shr(192, calldataload(add(p, 159)))) // anchorBlockNumber
            mstore(add(v, 0x140), calldataload(add(p, 167))) // anchorBlockHash
            w := calldataload(add(p, 199))
            mstore(add(v, 0x160), shr(192, w)) // issuedAt
            mstore(add(v, 0x180), shr(192, shl(64, w))) // expiresAt
            mstore(add(v, 0x1a0), shr(192, shl(128, w))) // reasons
        }
    }

    /// @dev Validates one verdict of a per-verdict-signature submission: copies it into the buffer
    /// at `v`, refuses it unless every word is canonical (no bit above its type's width), checks
    /// its own signatures, and applies it (see `_apply`). With `rest` other than NO_GAS_CHECK (an
    /// entry of `submitVerdicts`, `rest` the gas its later entries need on their plain path), an
    /// entry that takes the general path is applied only with ENTRY_GAS_RESERVE + `rest` left.
    function _accept(Verdict calldata cv, bytes[] calldata signatures, uint256 cfg, uint256 v, uint256 rest)
        internal
        returns (bytes memory err)
    {
        uint256 high;
        assembly ("memory-safe") {
            calldatacopy(v, cv, VERDICT_WORDS_SIZE)
            // The bits above each narrow field's width, ORed together: zero exactly when every
            // word is canonical (the bytes32 fields have no such bits).
            high := or(
                or(
                    shr(8, or(or(mload(add(v, V_TEE)), mload(add(v, V_STATUS))), mload(add(v, V_TCB_STATUS)))),
                    shr(160, mload(add(v, V_TEE_KEY)))
                ),
                shr(64, or(or(or(mload(add(v, V_TCB)), mload(add(v, V_ANCHOR_NUMBER))), mload(add(v, V_ISSUED_AT))),
                    or(mload(add(v, V_EXPIRES_AT)), mload(add(v, V_REASONS)))))
            )
        }
        if (high != 0) return abi.encodeWithSelector(NonCanonicalVerdict.selector, _nonCanonicalField(v));
        err = _checkFields(v, (cfg >> 24) & 0xffff);
        if (err.length != 0) return err;
        bytes32 structHash;
        assembly ("memory-safe") {
            structHash := keccak256(sub(v, 0x20), 0x1e0)
        }
        bytes32 digest = _hashTypedDataV4(structHash);
        err = _checkQuorum(digest, signatures, cfg & 0xff);
        if (err.length != 0) return err;
        if (rest != NO_GAS_CHECK && _takesGeneralPath(v)) {
            uint256 needed = ENTRY_GAS_RESERVE + rest;
            uint256 left = gasleft();
            if (left < needed) return abi.encodeWithSelector(InsufficientGasForEntry.selector, left, needed);
        }
        return _apply(v, digest, cfg, false);
    }

    /// @dev Whether the buffered verdict would bind or rotate a key (its key carries no record)
    /// or intern a new workload pair: the entries whose cost a key operation of their provider
    /// can raise after a relayer's estimate, or that cost far more than a re-attestation. The
    /// slots it reads are read again, warm, when the verdict is applied.
    function _takesGeneralPath(uint256 v) internal view returns (bool) {
        address key = address(uint160(_word(v, V_TEE_KEY)));
        if (_trust[key] == 0) return true;
        uint256 workloadId = _word(v, V_WORKLOAD_ID);
        uint256 tcb = _word(v, V_TCB);
        uint256 index;
        assembly ("memory-safe") {
            let fmp := mload(0x40)
            mstore(0x00, workloadId)
            mstore(0x20, tcb)
            mstore(0x40, PAIR_INDEX_NAMESPACE)
            index := sload(keccak256(0x00, 0x60))
            mstore(0x40, fmp)
        }
        return index == 0;
    }

    /// @dev The index (in Verdict order) of the first word of the buffered verdict that has bits
    /// above its type's width; called only when one has.
    function _nonCanonicalField(uint256 v) private pure returns (uint256) {
        if (_word(v, V_TEE) > type(uint8).max) return 1;
        if (_word(v, V_STATUS) > type(uint8).max) return 2;
        if (_word(v, V_TEE_KEY) > type(uint160).max) return 3;
        if (_word(v, V_TCB_STATUS) > type(uint8).max) return 5;
        if (_word(v, V_TCB) > type(uint64).max) return 6;
        if (_word(v, V_ANCHOR_NUMBER) > type(uint64).max) return 9;
        if (_word(v, V_ISSUED_AT) > type(uint64).max) return 11;
        if (_word(v, V_EXPIRES_AT) > type(uint64).max) return 12;
        return 13;
    }

    /// @dev Validates the verdict buffered at `v` (its signatures already checked) and makes it
    /// the key's trust record, or returns the ABI-encoded custom error that refuses it (empty on
    /// success) with no state changed: every check comes before every state change.
    /// `submitVerdict` reverts with that error; the batch entry points log it and go on with the
    /// next entry. Checks run cheapest first. `lean` selects the batch event (VerdictRecorded).
    ///
    /// Untrusted verdicts (status 2) need no fresh anchor: they are downgrades the oracles post
    /// after re-appraising archived evidence (a TCB recovery, a new CRL), whose anchor is long
    /// gone from blockhash(). They can only remove trust from the key already bound to the very
    /// machine they name (never bind or rotate a key), and they still need a quorum, an active
    /// policy and a newer issuedAt than the stored verdict.
    function _apply(uint256 v, bytes32 digest, uint256 cfg, bool lean) internal returns (bytes memory err) {
        if (lean) {
            // The per-verdict path checked the fields before its signatures.
            err = _checkFields(v, (cfg >> 24) & 0xffff);
            if (err.length != 0) return err;
        }
        uint256 record;
        (record, err) = _recordUnderPolicy(v);
        if (err.length != 0) return err;
        uint256 tee;
        (tee, err) = _bindOrReattest(v);
        if (err.length != 0) return err;
        _store(v, record | (tee << T_TEE), digest, lean);
    }

    // Memory offsets of the Verdict fields in the verdict buffer (a static struct: one word each,
    // in EIP-712 order). A packed batch entry is unpacked into canonical words. A `Verdict`
    // argument is copied word for word and refused (NonCanonicalVerdict) when any word has bits
    // above its type's width, before any other check: the signatures cannot be relied on for
    // that, since a quorum signing hashVerdict over the words as sent would cover such bits too,
    // and the record is built from the words by shifts that would carry them into other fields.
    uint256 private constant V_MACHINE_ID = 0x00;
    uint256 private constant V_TEE = 0x20;
    uint256 private constant V_STATUS = 0x40;
    uint256 private constant V_TEE_KEY = 0x60;
    uint256 private constant V_WORKLOAD_ID = 0x80;
    uint256 private constant V_TCB_STATUS = 0xa0;
    uint256 private constant V_TCB = 0xc0;
    uint256 private constant V_POLICY_HASH = 0xe0;
    uint256 private constant V_EVIDENCE_HASH = 0x100;
    uint256 private constant V_ANCHOR_NUMBER = 0x120;
    uint256 private constant V_ANCHOR_HASH = 0x140;
    uint256 private constant V_ISSUED_AT = 0x160;
    uint256 private constant V_EXPIRES_AT = 0x180;
    uint256 private constant V_REASONS = 0x1a0;
    uint256 private constant VERDICT_WORDS_SIZE = 0x1c0;

    /// @dev Size of one packed batch entry: the verdict's fields in EIP-712 order, each in its
    /// type's width, big-endian, no padding (abi.encodePacked of the fields):
    ///   machineId 32 | tee 1 | status 1 | teeKey 20 | workloadId 32 | tcbStatus 1 | tcb 8 |
    ///   policyHash 32 | evidenceHash 32 | anchorBlockNumber 8 | anchorBlockHash 32 | issuedAt 8 |
    ///   expiresAt 8 | reasons 8   = 223 bytes (448 as an ABI-encoded Verdict).
    uint256 internal constant PACKED_VERDICT_SIZE = 223;
    uint256 internal constant SIGNATURE_SIZE = 65;
    uint256 internal constant SECP256K1_HALF_N = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0;

    /// @dev One word of the buffered verdict.
    function _word(uint256 v, uint256 offset) private pure returns (uint256 w) {
        assembly ("memory-safe") {
            w := mload(add(v, offset))
        }
    }

    /// @dev The checks that need no storage: status, key, times, and (trusted only) the anchor.
    function _checkFields(uint256 v, uint256 maxAge) internal view returns (bytes memory err) {
        uint256 status = _word(v, V_STATUS);
        if (status != STATUS_TRUSTED && status != STATUS_UNTRUSTED) {
            return abi.encodeWithSelector(InvalidStatus.selector, uint8(status));
        }
        if (_word(v, V_TEE_KEY) == 0) return abi.encodeWithSelector(ZeroTeeKey.selector);
        uint256 issuedAt = _word(v, V_ISSUED_AT);
        if (issuedAt > block.timestamp) return abi.encodeWithSelector(IssuedInFuture.selector, uint64(issuedAt));
        uint256 expiresAt = _word(v, V_EXPIRES_AT);
        if (expiresAt <= issuedAt) {
            return abi.encodeWithSelector(ExpiryNotAfterIssue.selector, uint64(issuedAt), uint64(expiresAt));
        }
        if (status == STATUS_TRUSTED) {
            uint256 anchor = _word(v, V_ANCHOR_NUMBER);
            if (anchor >= block.number) return abi.encodeWithSelector(AnchorNotInPast.selector, uint64(anchor));
            if (block.number - anchor > maxAge) return abi.encodeWithSelector(AnchorTooOld.selector, uint64(anchor), maxAge);
            // A zero hash never matches: some chains answer blockhash() with zero for blocks they
            // cannot see, and a zero-hash verdict must not pass that way.
            uint256 h = uint256(blockhash(anchor));
            if (h == 0 || h != _word(v, V_ANCHOR_HASH)) return abi.encodeWithSelector(AnchorHashMismatch.selector, uint64(anchor));
        }
    }

    /// @dev Checks the policy (active, verdict lifetime within its validity) and returns the
    /// trust record of the verdict, all fields but the TEE type (see the layout above).
    function _recordUnderPolicy(uint256 v) internal view returns (uint256 record, bytes memory err) {
        bytes32 policyHash = bytes32(_word(v, V_POLICY_HASH));
        uint256 p = _loadPolicy(policyHash);
        if ((p >> 24) & 0xff != POLICY_ACTIVE) {
            if (p == 0) return (0, abi.encodeWithSelector(UnknownPolicy.selector, policyHash));
            return (0, abi.encodeWithSelector(RetiredPolicy.selector, policyHash));
        }
        uint256 issuedAt = _word(v, V_ISSUED_AT);
        uint256 expiresAt = _word(v, V_EXPIRES_AT);
        uint256 lifetime = expiresAt - issuedAt; // > 0 by _checkFields
        uint256 validity = (p >> 32) & 0xffffffff;
        if (lifetime > validity) {
            return (0, abi.encodeWithSelector(ExpiryBeyondPolicyValidity.selector, uint64(expiresAt), issuedAt + validity));
        }
        record = _word(v, V_STATUS) | (_word(v, V_TCB_STATUS) << T_TCB_STATUS) | ((p & 0xffffff) << T_POLICY)
            | (issuedAt << T_ISSUED) | (lifetime << T_LIFETIME)
            | (_word(v, V_MACHINE_ID) & (type(uint256).max << T_TAG));
    }

    /// @dev Either the key already carries this very machine's record (a re-attestation or a
    /// downgrade: only that slot is read) or it is unbound and a trusted verdict binds it now
    /// (`_bindKey`). Returns the TEE type.
    function _bindOrReattest(uint256 v) internal returns (uint256 tee, bytes memory err) {
        address key = address(uint160(_word(v, V_TEE_KEY)));
        bytes32 machineId = bytes32(_word(v, V_MACHINE_ID));
        uint256 t = _trust[key];
        if (t == 0) return _bindKey(v, machineId, key);
        // The stored tag determines the bound machine's whole id (see machineIdOf): the verdict
        // must name exactly that id.
        uint256 tag = t >> T_TAG;
        if (_idOfTag(tag) != machineId) {
            if (uint256(machineId) >> T_TAG != tag) return (0, abi.encodeWithSelector(KeyBoundToOtherMachine.selector, key));
            // Same tag, other check bits: an id no registration can produce.
            return (0, abi.encodeWithSelector(MachineNotRegistered.selector, machineId));
        }
        tee = (t >> T_TEE) & 0xf;
        uint256 vTee = _word(v, V_TEE);
        if (tee != vTee) return (0, abi.encodeWithSelector(TeeMismatch.selector, uint8(tee), uint8(vTee)));
        uint256 stored = uint40(t >> T_ISSUED);
        uint256 issuedAt = _word(v, V_ISSUED_AT);
        if (issuedAt <= stored) return (0, abi.encodeWithSelector(StaleVerdict.selector, uint64(issuedAt), uint64(stored)));
    }

    /// @dev The interned index of the buffered verdict's (workloadId, tcb) pair, interning the pair
    /// (`WorkloadInterned`) when no accepted verdict named it before. Called only once the verdict
    /// is accepted, so a refused verdict interns nothing.
    function _internPair(uint256 v) internal returns (uint256 index) {
        uint256 workloadId = _word(v, V_WORKLOAD_ID);
        uint256 tcb = _word(v, V_TCB);
        uint256 slot;
        assembly ("memory-safe") {
            let fmp := mload(0x40)
            mstore(0x00, workloadId)
            mstore(0x20, tcb)
            mstore(0x40, PAIR_INDEX_NAMESPACE)
            slot := keccak256(0x00, 0x60)
            mstore(0x40, fmp)
            index := sload(slot)
        }
        if (index != 0) return index;
        index = _pairCount + 1;
        if (index > type(uint64).max) revert TooManyWorkloads();
        _pairCount = index;
        assembly ("memory-safe") {
            sstore(slot, index)
        }
        _pairs[index] = WorkloadPair({workloadId: bytes32(workloadId), tcb: uint64(tcb)});
        emit WorkloadInterned(uint64(index), bytes32(workloadId), uint64(tcb));
    }

    /// @dev Writes the trust record (the one SSTORE of a re-attestation), with the index of the
    /// verdict's interned workload pair, and logs the verdict: `VerdictRecorded` (machine id and
    /// verdict hash, the rest is in the calldata) when `lean`, else the self-contained
    /// `VerdictAccepted`.
    function _store(uint256 v, uint256 record, bytes32 digest, bool lean) internal {
        bytes32 topic = lean ? VerdictRecorded.selector : VerdictAccepted.selector;
        record |= _internPair(v) << T_PAIR;
        assembly ("memory-safe") {
            let key := mload(add(v, V_TEE_KEY))
            // _trust[key]: keccak256(key . slot)
            mstore(0x00, key)
            mstore(0x20, _trust.slot)
            sstore(keccak256(0x00, 0x40), record)
            switch lean
            case 0 {
                // VerdictAccepted(machineId, teeKey, digest, status, workloadId, evidenceHash,
                // policyHash, issuedAt, expiresAt), data laid out in scratch memory past the free
                // pointer.
                let m := mload(0x40)
                mstore(m, digest)
                mstore(add(m, 0x20), mload(add(v, V_STATUS)))
                mstore(add(m, 0x40), mload(add(v, V_WORKLOAD_ID)))
                mstore(add(m, 0x60), mload(add(v, V_EVIDENCE_HASH)))
                mstore(add(m, 0x80), mload(add(v, V_POLICY_HASH)))
                mstore(add(m, 0xa0), mload(add(v, V_ISSUED_AT)))
                mstore(add(m, 0xc0), mload(add(v, V_EXPIRES_AT)))
                log3(m, 0xe0, topic, mload(add(v, V_MACHINE_ID)), key)
            }
            default {
                // VerdictRecorded(machineId, digest)
                mstore(0x00, digest)
                log2(0x00, 0x20, topic, mload(add(v, V_MACHINE_ID)))
            }
        }
    }

    /// @dev The policy slot as one word (see Policy); zero for an unknown hash.
    function _loadPolicy(bytes32 policyHash) internal view returns (uint256 p) {
        Policy storage ps = _policies[policyHash];
        assembly ("memory-safe") {
            p := sload(ps.slot)
        }
    }

    /// @dev First verdict for `key` on this machine (its first verdict ever, or a key rotation):
    /// the verdict must be trusted, the machine registered with the verdict's TEE type, its
    /// provider must have authorised exactly this key (the authorisation is used up), and the
    /// verdict must be newer than the machine's current record, whose key is then unbound
    /// (`TeeKeyRotated`), or, with no key bound, than the record `revokeKey` last erased; the key
    /// is bound with `KeyBound`. Returns the TEE type.
    function _bindKey(uint256 v, bytes32 machineId, address key)
        internal
        returns (uint256 tee, bytes memory err)
    {
        // The key is unbound here (its record is zero).
        if (_word(v, V_STATUS) != STATUS_TRUSTED) {
            return (0, abi.encodeWithSelector(UntrustedVerdictCannotBind.selector, machineId, key));
        }
        Machine storage m = _machines[machineId];
        uint8 state = m.state;
        if (state != MACHINE_REGISTERED) {
            if (state == 0) return (0, abi.encodeWithSelector(MachineNotRegistered.selector, machineId));
            return (0, abi.encodeWithSelector(MachineIdRetired.selector, machineId));
        }
        uint8 registered = m.tee;
        uint256 vTee = _word(v, V_TEE);
        if (registered != vTee) return (0, abi.encodeWithSelector(TeeMismatch.selector, registered, uint8(vTee)));
        if (_authorizedKey[machineId] != key) return (0, abi.encodeWithSelector(KeyNotAuthorized.selector, machineId, key));
        address oldKey = _machineKey[machineId];
        uint256 issuedAt = _word(v, V_ISSUED_AT);
        if (oldKey == address(0)) {
            // No key bound: newer than the record a revocation erased, if any (Machine.minIssuedAt).
            uint256 floor = m.minIssuedAt;
            if (issuedAt < floor) return (0, abi.encodeWithSelector(StaleVerdict.selector, uint64(issuedAt), uint64(floor - 1)));
        } else {
            uint256 stored = uint40(_trust[oldKey] >> T_ISSUED);
            if (issuedAt <= stored) return (0, abi.encodeWithSelector(StaleVerdict.selector, uint64(issuedAt), uint64(stored)));
            delete _trust[oldKey];
            delete _keyMachine[oldKey];
            emit TeeKeyRotated(machineId, oldKey, key);
        }
        delete _authorizedKey[machineId];
        _machineKey[machineId] = key;
        _keyMachine[key] = machineId;
        emit KeyBound(machineId, key);
        tee = registered;
    }

    /// @dev Requires at least `threshold` signatures, every one valid (65 bytes, low-s, per OZ
    /// ECDSA), from a current oracle, with signer addresses strictly ascending (so no signer
    /// counts twice).
    function _checkQuorum(bytes32 digest, bytes[] calldata signatures, uint256 threshold_)
        internal
        view
        returns (bytes memory err)
    {
        uint256 n = signatures.length;
        if (n < threshold_) return abi.encodeWithSelector(InsufficientSignatures.selector, n, threshold_);
        address last = address(0);
        for (uint256 i = 0; i < n; ++i) {
            // signatures[i] without the decoder's bounds checks: an offset or length pointing
            // outside calldata reads zeros, which never recover to an oracle.
            uint256 len;
            bytes32 r;
            bytes32 s;
            uint8 v;
            assembly ("memory-safe") {
                let p := add(signatures.offset, calldataload(add(signatures.offset, shl(5, i))))
                len := calldataload(p)
                r := calldataload(add(p, 0x20))
                s := calldataload(add(p, 0x40))
                v := byte(0, calldataload(add(p, 0x60)))
            }
            if (len != 65) return abi.encodeWithSelector(InvalidSignature.selector, i);
            (address signer, ECDSA.RecoverError rerr,) = ECDSA.tryRecover(digest, v, r, s);
            if (rerr != ECDSA.RecoverError.NoError) return abi.encodeWithSelector(InvalidSignature.selector, i);
            if (signer <= last) return abi.encodeWithSelector(SignersNotAscending.selector, i);
            if (_oracleConfig[signer] == 0) return abi.encodeWithSelector(UnknownSigner.selector, signer);
            last = signer;
        }
    }

    /// @dev The batch's signature set: concatenated 65-byte r||s||v signatures over `digest`, at
    /// least `threshold` of them, each valid (low-s, per OZ ECDSA) and from a current oracle, signers
    /// strictly ascending (so no signer counts twice). Returns the config word, read from the
    /// signers' slots (see `_oracleConfig`), and reverts with `RegistryPaused` while paused, else
    /// with the first rule broken, exactly as a check of `_config` first would. The loop is assembly
    /// because every batch pays it (one `ecrecover` and one oracle slot per signer).
    function _requireSignatureSet(bytes32 digest, bytes calldata signatures) internal view returns (uint256 cfg) {
        uint256 len = signatures.length;
        uint256 n = len / SIGNATURE_SIZE;
        uint256 failure; // 0 none, 1 invalid signature, 2 not ascending, 3 not an oracle
        uint256 index;
        address signer;
        assembly ("memory-safe") {
            let p := signatures.offset
            let last := 0
            let m := mload(0x40)
            mstore(m, digest)
            for {} lt(index, n) { index := add(index, 1) } {
                // The rules of OZ ECDSA.tryRecover, inline: s in the lower half of the curve order
                // (no malleable twin), and a non-zero recovered address (ecrecover answers nothing
                // for a v other than 27 or 28 or a point off the curve).
                let s := calldataload(add(p, 0x20))
                signer := 0
                if iszero(gt(s, SECP256K1_HALF_N)) {
                    mstore(add(m, 0x20), byte(0, calldataload(add(p, 0x40))))
                    mstore(add(m, 0x40), calldataload(p))
                    mstore(add(m, 0x60), s)
                    mstore(0x00, 0)
                    pop(staticcall(gas(), 1, m, 0x80, 0x00, 0x20))
                    signer := mload(0x00)
                }
                if iszero(signer) {
                    failure := 1
                    break
                }
                if iszero(gt(signer, last)) {
                    failure := 2
                    break
                }
                mstore(0x00, signer)
                mstore(0x20, _oracleConfig.slot)
                cfg := sload(keccak256(0x00, 0x40))
                if iszero(cfg) {
                    failure := 3
                    break
                }
                last := signer
                p := add(p, SIGNATURE_SIZE)
            }
        }
        // Success needs every signature valid, at least threshold of them, whole signatures only,
        // and the registry not paused; anything else reverts with what the config slot says.
        // (cfg is zero when there is no signature at all: the threshold is never zero.)
        if (failure != 0 || cfg == 0 || len % SIGNATURE_SIZE != 0 || n < cfg & 0xff || (cfg >> 16) & 0xff != 0) {
            cfg = _loadConfig();
            if (len % SIGNATURE_SIZE != 0) revert MalformedSignatures(len);
            if (n < cfg & 0xff) revert InsufficientSignatures(n, cfg & 0xff);
            if (failure == 1) revert InvalidSignature(index);
            if (failure == 2) revert SignersNotAscending(index);
            revert UnknownSigner(signer);
        }
    }

    /// @dev EIP-712 digest of a verdict. The Verdict struct is static, so its calldata is exactly
    /// the EIP-712 encodeData words in type-string order; they are hashed in place after the
    /// typehash, in scratch memory past the free pointer (no allocation). Non-canonical words
    /// (e.g. a uint8 with high bits set) are hashed as sent; the submissions refuse them
    /// (NonCanonicalVerdict) whatever they are signed with.
    function _hashVerdict(Verdict calldata v) internal view returns (bytes32) {
        bytes32 structHash;
        bytes32 typeHash = VERDICT_TYPEHASH;
        assembly ("memory-safe") {
            let m := mload(0x40)
            mstore(m, typeHash)
            calldatacopy(add(m, 0x20), v, VERDICT_WORDS_SIZE)
            structHash := keccak256(m, 0x1e0)
        }
        return _hashTypedDataV4(structHash);
    }

    // =============================================================================================
    // Queries
    // =============================================================================================

    /// @inheritdoc ITeeRegistry
    function isTrusted(bytes32 machineId) external view returns (bool) {
        address key = _machineKey[machineId];
        if (key == address(0)) return false;
        return _isTrustedRecord(_trust[key]);
    }

    /// @inheritdoc ITeeRegistry
    /// @dev The gate every consumer pays for, so it is written out in assembly: the two slot reads,
    /// a few comparisons and the return word, with no internal calls. Same rule as
    /// `_isTrustedRecord` (the test suite checks both against each other).
    function isTrustedKey(address key) external view returns (bool) {
        assembly ("memory-safe") {
            mstore(0x00, key)
            mstore(0x20, _trust.slot)
            let t := sload(keccak256(0x00, 0x40))
            let ok := and(eq(and(t, 0xf), STATUS_TRUSTED),
                lt(timestamp(), add(and(shr(T_ISSUED, t), 0xffffffffff), and(shr(T_LIFETIME, t), 0xffffffff))))
            if ok {
                let pid := and(shr(T_POLICY, t), 0xffffff)
                ok := and(shr(and(pid, 0xff), sload(add(ACTIVE_POLICY_BITS_SLOT, shr(8, pid)))), 1)
            }
            mstore(0x00, ok)
            return(0x00, 0x20)
        }
    }

    /// @inheritdoc ITeeRegistry
    /// @dev isTrustedKey's two reads and the workload id of the record's interned pair (a third), in
    /// assembly for the same reason. A zero workload id never matches.
    function isTrustedFor(address key, bytes32 workloadId) external view returns (bool) {
        assembly ("memory-safe") {
            mstore(0x00, key)
            mstore(0x20, _trust.slot)
            let t := sload(keccak256(0x00, 0x40))
            let ok := and(eq(and(t, 0xf), STATUS_TRUSTED),
                lt(timestamp(), add(and(shr(T_ISSUED, t), 0xffffffffff), and(shr(T_LIFETIME, t), 0xffffffff))))
            if ok {
                let pid := and(shr(T_POLICY, t), 0xffffff)
                // _pairs[index].workloadId: the struct's first slot
                mstore(0x00, and(shr(T_PAIR, t), 0xffffffffffffffff))
                mstore(0x20, _pairs.slot)
                ok := and(and(shr(and(pid, 0xff), sload(add(ACTIVE_POLICY_BITS_SLOT, shr(8, pid)))), 1),
                    and(iszero(iszero(workloadId)), eq(sload(keccak256(0x00, 0x40)), workloadId)))
            }
            mstore(0x00, ok)
            return(0x00, 0x20)
        }
    }

    /// @inheritdoc ITeeRegistry
    function trustOf(address key)
        external
        view
        returns (bool trusted, bytes32 workloadId, bytes32 policyHash, uint8 tcbStatus, uint64 expiresAt)
    {
        uint256 t = _trust[key];
        if (t == 0) return (false, bytes32(0), bytes32(0), 0, 0);
        trusted = _isTrustedRecord(t);
        workloadId = _pairs[uint64(t >> T_PAIR)].workloadId;
        policyHash = _policyHashById[uint24(t >> T_POLICY)];
        tcbStatus = uint8(t >> T_TCB_STATUS);
        expiresAt = uint64(uint40(t >> T_ISSUED)) + uint32(t >> T_LIFETIME);
    }

    /// @dev Trusted status, unexpired, and the policy still active (the second slot read).
    function _isTrustedRecord(uint256 t) internal view returns (bool) {
        if (t & 0xf != STATUS_TRUSTED) return false;
        if (block.timestamp >= uint40(t >> T_ISSUED) + uint32(t >> T_LIFETIME)) return false;
        uint256 pid = uint24(t >> T_POLICY);
        return (_activeBits(pid >> 8) >> (pid & 0xff)) & 1 == 1;
    }

    /// @dev Word `w` of the policy-active bitmap.
    function _activeBits(uint256 w) internal view returns (uint256 bits) {
        uint256 slot = ACTIVE_POLICY_BITS_SLOT + w;
        assembly ("memory-safe") {
            bits := sload(slot)
        }
    }

    /// @dev Sets or clears policy `id`'s bit in the policy-active bitmap.
    function _setActiveBit(uint256 id, bool active) internal {
        uint256 slot = ACTIVE_POLICY_BITS_SLOT + (id >> 8);
        uint256 bit = uint256(1) << (id & 0xff);
        assembly ("memory-safe") {
            let w := sload(slot)
            switch active
            case 0 { w := and(w, not(bit)) }
            default { w := or(w, bit) }
            sstore(slot, w)
        }
    }

    /// @inheritdoc ITeeRegistry
    function machine(bytes32 machineId) external view returns (MachineRecord memory r) {
        Machine memory m = _machines[machineId];
        r.provider = m.provider;
        r.tee = m.tee;
        r.state = m.state;
        address key = _machineKey[machineId];
        if (key == address(0)) return r;
        uint256 t = _trust[key];
        r.teeKey = key;
        r.status = uint8(t & 0xf);
        r.tcbStatus = uint8(t >> T_TCB_STATUS);
        r.tcb = _pairs[uint64(t >> T_PAIR)].tcb;
        r.policyHash = _policyHashById[uint24(t >> T_POLICY)];
        r.issuedAt = uint40(t >> T_ISSUED);
        r.expiresAt = r.issuedAt + uint32(t >> T_LIFETIME);
    }

    /// @inheritdoc ITeeRegistry
    function machineIdOf(address provider, bytes32 salt) external pure returns (bytes32) {
        return _machineIdOf(provider, salt);
    }

    /// @inheritdoc ITeeRegistry
    function machineOfKey(address key) external view returns (bytes32) {
        return _keyMachine[key];
    }

    /// @inheritdoc ITeeRegistry
    function authorizedKey(bytes32 machineId) external view returns (address) {
        return _authorizedKey[machineId];
    }

    /// @inheritdoc ITeeRegistry
    function policy(bytes32 policyHash) external view returns (PolicyInfo memory) {
        Policy memory p = _policies[policyHash];
        return PolicyInfo({id: p.id, state: p.state, validitySeconds: p.validitySeconds});
    }

    /// @inheritdoc ITeeRegistry
    function isOracle(address account) external view returns (bool) {
        return _oracleConfig[account] != 0;
    }

    /// @inheritdoc ITeeRegistry
    function threshold() external view returns (uint8) {
        return _config.threshold;
    }

    /// @inheritdoc ITeeRegistry
    function oracleCount() external view returns (uint8) {
        return _config.oracleCount;
    }

    /// @inheritdoc ITeeRegistry
    function maxAnchorAge() external view returns (uint16) {
        return _config.maxAnchorAge;
    }

    /// @inheritdoc ITeeRegistry
    function paused() external view returns (bool) {
        return _config.paused;
    }

    // =============================================================================================
    // Internals
    // =============================================================================================

    function _machineIdOf(address provider, bytes32 salt) internal pure returns (bytes32) {
        return _idOfTag(uint256(keccak256(abi.encode(provider, salt))) >> T_TAG);
    }

    /// @dev The machine id of an 80-bit tag: the tag in the top 80 bits, then the top 176 bits of
    /// keccak256(abi.encode(uint256(tag))). Distinct ids have distinct tags, so the tag in a trust
    /// record names exactly one id.
    function _idOfTag(uint256 tag) internal pure returns (bytes32 id) {
        assembly ("memory-safe") {
            mstore(0x00, tag)
            id := or(shl(176, tag), shr(80, keccak256(0x00, 0x20)))
        }
    }

    /// @dev Reverts unless `machineId` is registered and the caller registered it.
    function _onlyProvider(bytes32 machineId) internal view {
        Machine memory m = _machines[machineId];
        if (m.state != MACHINE_REGISTERED) {
            if (m.state == 0) revert MachineNotRegistered(machineId);
            revert MachineIdRetired(machineId);
        }
        if (m.provider != msg.sender) revert NotMachineProvider(machineId, msg.sender);
    }
}
