// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";

import {ITeeRegistry} from "./ITeeRegistry.sol";

/// @title TeeRegistry
/// @notice Machines of node providers, the oracle quorum that appraises them, the policies they
/// are appraised under, and the latest quorum-signed verdict per machine. See ITeeRegistry for
/// the external API and docs/contracts.md for the design.
/// @dev Storage is packed so that the hot paths touch as few slots as possible:
///  - a same-key re-attestation reads 4 slots (config, one per signer, policy, the key's trust
///    record) and writes exactly one (that trust record); in a batch, config, signers and policy
///    are warm after the first verdict, so each further verdict costs one cold read and one write;
///  - `isTrustedKey` reads exactly 2 (the trust record and the policy-active bitmap word).
/// The slot-by-slot layout is documented beside each declaration below and in docs/contracts.md.
contract TeeRegistry is ITeeRegistry, Ownable2Step, EIP712 {
    /// @notice keccak256 of the EIP-712 Verdict type string (docs/verdict-encoding.md).
    bytes32 public constant VERDICT_TYPEHASH = keccak256(
        "Verdict(bytes32 machineId,uint8 tee,uint8 status,address teeKey,bytes32 workloadId,uint8 tcbStatus,uint64 tcb,bytes32 policyHash,bytes32 evidenceHash,uint64 anchorBlockNumber,bytes32 anchorBlockHash,uint64 issuedAt,uint64 expiresAt,uint64 reasons)"
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
    struct Config {
        uint8 threshold;
        uint8 oracleCount;
        bool paused;
        uint16 maxAnchorAge;
        uint24 policyCount;
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
    struct Machine {
        address provider;
        uint8 tee;
        uint8 state;
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
    //   bits 112..175  tcb        compact TCB
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
    uint256 private constant T_TCB = 112;
    uint256 private constant T_TAG = 176;

    // Slots 0-1 are Ownable/Ownable2Step (owner, pending owner); 2-3 are EIP712's unused
    // long-name fallbacks (name and version are short strings kept in immutables).

    /// @dev Slot 4: packed governance configuration, see Config.
    Config private _config;
    /// @dev Current oracle signers; one slot per signer, read cold once per signer per transaction.
    mapping(address oracle => bool) private _isOracle;
    /// @dev Policies by their canonical hash, see Policy.
    mapping(bytes32 policyHash => Policy) private _policies;
    /// @dev Bit `id % 256` of word `id / 256` is set while policy `id` is active; the second (and
    /// last) slot `isTrustedKey` reads. Retiring a policy clears one bit and untrusts every machine
    /// under it at once.
    mapping(uint256 word => uint256) private _activePolicyBits;
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
            if (_isOracle[o]) revert OracleAlreadyAdded(o);
            _isOracle[o] = true;
            emit OracleAdded(o);
        }
        if (threshold_ == 0 || threshold_ > oracles.length) revert InvalidThreshold(threshold_, oracles.length);
        if (maxAnchorAge_ == 0 || maxAnchorAge_ > MAX_ANCHOR_AGE_LIMIT) revert InvalidMaxAnchorAge(maxAnchorAge_);
        _config = Config({
            threshold: threshold_,
            oracleCount: uint8(oracles.length),
            paused: false,
            maxAnchorAge: maxAnchorAge_,
            policyCount: 0
        });
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
        _machines[machineId] = Machine({provider: msg.sender, tee: tee, state: MACHINE_REGISTERED});
        emit MachineRegistered(machineId, msg.sender, tee, metadataURI);
    }

    /// @inheritdoc ITeeRegistry
    /// @dev Allowed while paused: it only removes trust.
    function deregisterMachine(bytes32 machineId) external {
        _onlyProvider(machineId);
        _machines[machineId].state = MACHINE_DEREGISTERED;
        delete _authorizedKey[machineId];
        address key = _unbind(machineId);
        emit MachineDeregistered(machineId, msg.sender, key);
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
    /// @dev Allowed while paused: it only removes trust.
    function revokeKey(bytes32 machineId) external {
        _onlyProvider(machineId);
        address pending = _authorizedKey[machineId];
        delete _authorizedKey[machineId];
        address bound = _unbind(machineId);
        emit KeyRevoked(machineId, pending, bound);
    }

    /// @dev Erases the machine's key binding and the key's trust record; returns the key (zero when
    /// none was bound).
    function _unbind(bytes32 machineId) internal returns (address key) {
        key = _machineKey[machineId];
        if (key != address(0)) {
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
        if (_isOracle[oracle]) revert OracleAlreadyAdded(oracle);
        uint8 n = _config.oracleCount;
        if (n == type(uint8).max) revert TooManyOracles();
        _isOracle[oracle] = true;
        _config.oracleCount = n + 1;
        emit OracleAdded(oracle);
    }

    /// @inheritdoc ITeeRegistry
    function removeOracle(address oracle) external onlyOwner {
        if (!_isOracle[oracle]) revert NotAnOracle(oracle);
        Config memory cfg = _config;
        uint8 n = cfg.oracleCount - 1;
        if (n < cfg.threshold) revert InvalidThreshold(cfg.threshold, n);
        _isOracle[oracle] = false;
        _config.oracleCount = n;
        emit OracleRemoved(oracle);
    }

    /// @inheritdoc ITeeRegistry
    function setThreshold(uint8 threshold_) external onlyOwner {
        uint8 n = _config.oracleCount;
        if (threshold_ == 0 || threshold_ > n) revert InvalidThreshold(threshold_, n);
        _config.threshold = threshold_;
        emit ThresholdChanged(threshold_);
    }

    /// @inheritdoc ITeeRegistry
    function registerPolicy(bytes32 policyHash, uint64 validitySeconds, string calldata uri) external onlyOwner {
        if (policyHash == bytes32(0)) revert InvalidPolicyHash();
        if (validitySeconds == 0 || validitySeconds > MAX_VALIDITY) revert InvalidValidity(validitySeconds);
        if (_policies[policyHash].state != 0) revert PolicyAlreadyRegistered(policyHash);
        uint24 count = _config.policyCount;
        if (count == type(uint24).max) revert TooManyPolicies();
        uint24 id = count + 1;
        _config.policyCount = id;
        _policies[policyHash] =
            Policy({id: id, state: POLICY_ACTIVE, validitySeconds: uint32(validitySeconds)});
        _policyHashById[id] = policyHash;
        _activePolicyBits[id >> 8] |= uint256(1) << (id & 0xff);
        emit PolicyRegistered(policyHash, id, validitySeconds, uri);
    }

    /// @inheritdoc ITeeRegistry
    function retirePolicy(bytes32 policyHash) external onlyOwner {
        Policy memory p = _policies[policyHash];
        if (p.state != POLICY_ACTIVE) revert PolicyNotActive(policyHash);
        _policies[policyHash].state = POLICY_RETIRED;
        _activePolicyBits[p.id >> 8] &= ~(uint256(1) << (p.id & 0xff));
        emit PolicyRetired(policyHash, p.id);
    }

    /// @inheritdoc ITeeRegistry
    function setMaxAnchorAge(uint16 blocks) external onlyOwner {
        if (blocks == 0 || blocks > MAX_ANCHOR_AGE_LIMIT) revert InvalidMaxAnchorAge(blocks);
        _config.maxAnchorAge = blocks;
        emit MaxAnchorAgeChanged(blocks);
    }

    /// @inheritdoc ITeeRegistry
    function pause() external onlyOwner {
        if (_config.paused) revert RegistryPaused();
        _config.paused = true;
        emit Paused(msg.sender);
    }

    /// @inheritdoc ITeeRegistry
    function unpause() external onlyOwner {
        if (!_config.paused) revert RegistryNotPaused();
        _config.paused = false;
        emit Unpaused(msg.sender);
    }

    /// @notice Disabled: a registry without governance could never rotate oracles or retire policies.
    function renounceOwnership() public view override onlyOwner {
        revert RenounceOwnershipDisabled();
    }

    // =============================================================================================
    // Verdicts
    // =============================================================================================

    /// @inheritdoc ITeeRegistry
    function submitVerdict(Verdict calldata v, bytes[] calldata signatures) external {
        uint256 cfg = _loadConfig();
        bytes memory err = _accept(v, signatures, cfg);
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
        for (uint256 i = 0; i < n; ++i) {
            Verdict calldata v = vs[i];
            bytes memory err = _accept(v, signatures[i], cfg);
            if (err.length != 0) emit VerdictSkipped(i, v.machineId, v.teeKey, _hashVerdict(v), err);
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

    /// @dev Validates one verdict and makes it the key's trust record, or returns the ABI-encoded
    /// custom error that refuses it (empty on success) with no state changed: every check comes
    /// before every state change. `submitVerdict` reverts with that error; `submitVerdicts` logs it
    /// and goes on with the next entry. Checks run cheapest first.
    ///
    /// Untrusted verdicts (status 2) need no fresh anchor: they are downgrades the oracles post
    /// after re-appraising archived evidence (a TCB recovery, a new CRL), whose anchor is long
    /// gone from blockhash(). They can only remove trust from the key already bound to the very
    /// machine they name (never bind or rotate a key), and they still need a quorum, an active
    /// policy and a newer issuedAt than the stored verdict.
    function _accept(Verdict calldata v, bytes[] calldata signatures, uint256 cfg)
        internal
        returns (bytes memory err)
    {
        err = _checkFields(v, (cfg >> 24) & 0xffff);
        if (err.length != 0) return err;
        bytes32 digest = _hashVerdict(v);
        err = _checkQuorum(digest, signatures, cfg & 0xff);
        if (err.length != 0) return err;
        uint256 record;
        (record, err) = _recordUnderPolicy(v);
        if (err.length != 0) return err;
        uint256 tee;
        (tee, err) = _bindOrReattest(v);
        if (err.length != 0) return err;
        _store(v, record | (tee << T_TEE), digest);
    }

    // Calldata offsets of the Verdict fields (a static struct: one word each, in order). The hot
    // path reads them raw: every word is covered by the quorum signatures, which are verified
    // before any state change and are always over canonical EIP-712 values, so a word with stray
    // high bits can never be stored; it fails a check or the signatures.
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
    uint256 private constant VERDICT_WORDS_SIZE = 0x1c0;

    /// @dev One raw word of the verdict.
    function _word(Verdict calldata v, uint256 offset) private pure returns (uint256 w) {
        assembly ("memory-safe") {
            w := calldataload(add(v, offset))
        }
    }

    /// @dev The checks that need no storage: status, key, times, and (trusted only) the anchor.
    function _checkFields(Verdict calldata v, uint256 maxAge) internal view returns (bytes memory err) {
        uint256 status = _word(v, V_STATUS);
        if (status != STATUS_TRUSTED && status != STATUS_UNTRUSTED) {
            return abi.encodeWithSelector(InvalidStatus.selector, uint8(status));
        }
        if (_word(v, V_TEE_KEY) == 0) return abi.encodeWithSelector(ZeroTeeKey.selector);
        uint256 issuedAt = _word(v, V_ISSUED_AT);
        if (issuedAt > block.timestamp) return abi.encodeWithSelector(IssuedInFuture.selector, uint64(issuedAt));
        if (_word(v, V_EXPIRES_AT) <= issuedAt) {
            return abi.encodeWithSelector(ExpiryNotAfterIssue.selector, uint64(issuedAt), v.expiresAt);
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
    function _recordUnderPolicy(Verdict calldata v) internal view returns (uint256 record, bytes memory err) {
        bytes32 policyHash = bytes32(_word(v, V_POLICY_HASH));
        uint256 p = _loadPolicy(policyHash);
        if ((p >> 24) & 0xff != POLICY_ACTIVE) {
            if (p == 0) return (0, abi.encodeWithSelector(UnknownPolicy.selector, policyHash));
            return (0, abi.encodeWithSelector(RetiredPolicy.selector, policyHash));
        }
        uint256 issuedAt = _word(v, V_ISSUED_AT);
        uint256 lifetime = _word(v, V_EXPIRES_AT) - issuedAt; // > 0 by _checkFields
        uint256 validity = (p >> 32) & 0xffffffff;
        if (lifetime > validity) {
            return (0, abi.encodeWithSelector(ExpiryBeyondPolicyValidity.selector, v.expiresAt, issuedAt + validity));
        }
        record = _word(v, V_STATUS) | (_word(v, V_TCB_STATUS) << T_TCB_STATUS) | ((p & 0xffffff) << T_POLICY)
            | (issuedAt << T_ISSUED) | (lifetime << T_LIFETIME) | (_word(v, V_TCB) << T_TCB)
            | (_word(v, V_MACHINE_ID) & (type(uint256).max << T_TAG));
    }

    /// @dev Either the key already carries this very machine's record (a re-attestation or a
    /// downgrade: only that slot is read) or it is unbound and a trusted verdict binds it now
    /// (`_bindKey`). Returns the TEE type.
    function _bindOrReattest(Verdict calldata v) internal returns (uint256 tee, bytes memory err) {
        address key = v.teeKey;
        uint256 t = _trust[key];
        if (t == 0) return _bindKey(v, v.machineId, key);
        // The stored tag determines the bound machine's whole id (see machineIdOf): the verdict
        // must name exactly that id.
        uint256 tag = t >> T_TAG;
        if (_idOfTag(tag) != v.machineId) {
            if (uint256(v.machineId) >> T_TAG != tag) return (0, abi.encodeWithSelector(KeyBoundToOtherMachine.selector, key));
            // Same tag, other check bits: an id no registration can produce.
            return (0, abi.encodeWithSelector(MachineNotRegistered.selector, v.machineId));
        }
        tee = (t >> T_TEE) & 0xf;
        if (tee != _word(v, V_TEE)) return (0, abi.encodeWithSelector(TeeMismatch.selector, uint8(tee), v.tee));
        uint256 stored = uint40(t >> T_ISSUED);
        if (_word(v, V_ISSUED_AT) <= stored) return (0, abi.encodeWithSelector(StaleVerdict.selector, v.issuedAt, uint64(stored)));
    }

    /// @dev Writes the trust record (the one SSTORE of a re-attestation) and logs the verdict.
    function _store(Verdict calldata v, uint256 record, bytes32 digest) internal {
        bytes32 topic = VerdictAccepted.selector;
        assembly ("memory-safe") {
            let key := calldataload(add(v, V_TEE_KEY))
            // _trust[key]: keccak256(key . slot)
            mstore(0x00, key)
            mstore(0x20, _trust.slot)
            sstore(keccak256(0x00, 0x40), record)
            // VerdictAccepted(machineId, teeKey, digest, status, workloadId, evidenceHash, policyHash,
            // issuedAt, expiresAt), data laid out in scratch memory past the free pointer.
            let m := mload(0x40)
            mstore(m, digest)
            mstore(add(m, 0x20), calldataload(add(v, V_STATUS)))
            mstore(add(m, 0x40), calldataload(add(v, V_WORKLOAD_ID)))
            mstore(add(m, 0x60), calldataload(add(v, V_EVIDENCE_HASH)))
            mstore(add(m, 0x80), calldataload(add(v, V_POLICY_HASH)))
            mstore(add(m, 0xa0), calldataload(add(v, V_ISSUED_AT)))
            mstore(add(m, 0xc0), calldataload(add(v, V_EXPIRES_AT)))
            log3(m, 0xe0, topic, calldataload(add(v, V_MACHINE_ID)), key)
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
    /// verdict must be newer than the machine's current record, whose key is then unbound.
    /// Returns the TEE type.
    function _bindKey(Verdict calldata v, bytes32 machineId, address key)
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
        if (registered != v.tee) return (0, abi.encodeWithSelector(TeeMismatch.selector, registered, v.tee));
        if (_authorizedKey[machineId] != key) return (0, abi.encodeWithSelector(KeyNotAuthorized.selector, machineId, key));
        address oldKey = _machineKey[machineId];
        if (oldKey != address(0)) {
            uint256 stored = uint40(_trust[oldKey] >> T_ISSUED);
            if (v.issuedAt <= stored) return (0, abi.encodeWithSelector(StaleVerdict.selector, v.issuedAt, uint64(stored)));
            delete _trust[oldKey];
            delete _keyMachine[oldKey];
            emit TeeKeyRotated(machineId, oldKey, key);
        }
        delete _authorizedKey[machineId];
        _machineKey[machineId] = key;
        _keyMachine[key] = machineId;
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
            if (!_isOracle[signer]) return abi.encodeWithSelector(UnknownSigner.selector, signer);
            last = signer;
        }
    }

    /// @dev EIP-712 digest of a verdict. The Verdict struct is static, so its calldata is exactly
    /// the EIP-712 encodeData words in type-string order; they are hashed in place after the
    /// typehash, in scratch memory past the free pointer (no allocation, so a batch does not grow
    /// memory). Non-canonical words (e.g. a uint8 with high bits set) are hashed as sent and so
    /// cannot match any oracle signature, which is always over canonical values.
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
    function isTrustedKey(address key) external view returns (bool) {
        return _isTrustedRecord(_trust[key]);
    }

    /// @dev Trusted status, unexpired, and the policy still active (the second slot read).
    function _isTrustedRecord(uint256 t) internal view returns (bool) {
        if (t & 0xf != STATUS_TRUSTED) return false;
        if (block.timestamp >= uint40(t >> T_ISSUED) + uint32(t >> T_LIFETIME)) return false;
        uint256 pid = uint24(t >> T_POLICY);
        return (_activePolicyBits[pid >> 8] >> (pid & 0xff)) & 1 == 1;
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
        r.tcb = uint64(t >> T_TCB);
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
        return _isOracle[account];
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
