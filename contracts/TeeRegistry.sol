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
///  - a same-key re-attestation reads 5 slots (config, one per signer, policy, machine, trust)
///    and writes exactly one (the trust slot of the TEE key);
///  - `isTrustedKey` reads exactly 2 (the trust slot and the policy-active bitmap word).
/// The slot-by-slot layout is documented beside each declaration below.
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
    /// transaction, batch included.
    ///   bits   0..7    threshold     quorum M, 1 <= M <= N
    ///   bits   8..15   oracleCount   N, at most 255
    ///   bits  16..23   paused        blocks submission and registration
    ///   bits  24..39   maxAnchorAge  1..256 blocks
    ///   bits  40..71   policyCount   last policy id issued (ids are 1-based)
    ///   bits  72..135  machineCount  last machine serial issued (serials are 1-based)
    struct Config {
        uint8 threshold;
        uint8 oracleCount;
        bool paused;
        uint16 maxAnchorAge;
        uint32 policyCount;
        uint64 machineCount;
    }

    /// @dev One slot per policy hash: id, state and validity are all a submission needs.
    ///   bits  0..31  id               1-based, indexes _activePolicyBits and _policyHashById
    ///   bits 32..39  state            0 unknown, 1 active, 2 retired (terminal)
    ///   bits 40..103 validitySeconds  1 .. 2^32-1
    struct Policy {
        uint32 id;
        uint8 state;
        uint64 validitySeconds;
    }

    /// @dev One slot per machine id.
    ///   bits   0..159  provider  the only account that may change the machine
    ///   bits 160..167  tee       1 SEV-SNP, 2 TDX
    ///   bits 168..175  state     0 none, 1 registered, 2 deregistered (terminal: ids never come back)
    ///   bits 176..239  serial    1-based; trust records name the machine by serial
    struct Machine {
        address provider;
        uint8 tee;
        uint8 state;
        uint64 serial;
    }

    // Trust record: one uint256 per TEE key, packed by hand so a re-attestation is ONE SSTORE.
    //   bits   0..63   serial     machine serial the key is bound to (0 = key unbound)
    //   bits  64..71   status     1 trusted, 2 untrusted
    //   bits  72..79   tcbStatus  as in the verdict
    //   bits  80..111  policyId   policy the verdict was decided under (checked live at query time)
    //   bits 112..151  issuedAt   unix seconds (<= block.timestamp when accepted, fits 40 bits)
    //   bits 152..191  expiresAt  unix seconds, exclusive (<= issuedAt + 2^32, fits 40 bits)
    //   bits 192..255  tcb        compact TCB
    uint256 private constant T_STATUS = 64;
    uint256 private constant T_TCB_STATUS = 72;
    uint256 private constant T_POLICY = 80;
    uint256 private constant T_ISSUED = 112;
    uint256 private constant T_EXPIRES = 152;
    uint256 private constant T_TCB = 192;

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
    /// @dev The TEE key of a machine's latest verdict; read only on key rotation, deregistration
    /// and `isTrusted(machineId)`.
    mapping(bytes32 machineId => address) private _machineKey;
    /// @dev Machine id by serial, for `machineOfKey` (never read on hot paths).
    mapping(uint256 serial => bytes32) private _machineIdBySerial;
    /// @dev Trust records by TEE key, packed as described above.
    mapping(address teeKey => uint256) private _trust;

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
            policyCount: 0,
            machineCount: 0
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
        Config memory cfg = _config;
        if (cfg.paused) revert RegistryPaused();
        if (tee != TEE_SEV_SNP && tee != TEE_TDX) revert InvalidTee(tee);
        machineId = _machineIdOf(msg.sender, salt);
        uint8 state = _machines[machineId].state;
        if (state == MACHINE_REGISTERED) revert MachineAlreadyRegistered(machineId);
        if (state == MACHINE_DEREGISTERED) revert MachineIdRetired(machineId);
        uint64 serial = cfg.machineCount + 1;
        _config.machineCount = serial;
        _machines[machineId] = Machine({provider: msg.sender, tee: tee, state: MACHINE_REGISTERED, serial: serial});
        _machineIdBySerial[serial] = machineId;
        emit MachineRegistered(machineId, msg.sender, tee, serial, metadataURI);
    }

    /// @inheritdoc ITeeRegistry
    /// @dev Allowed while paused: it only removes trust.
    function deregisterMachine(bytes32 machineId) external {
        _onlyProvider(machineId);
        _machines[machineId].state = MACHINE_DEREGISTERED;
        address key = _machineKey[machineId];
        if (key != address(0)) {
            delete _trust[key];
            delete _machineKey[machineId];
        }
        emit MachineDeregistered(machineId, msg.sender);
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
        uint32 id = _config.policyCount + 1;
        _config.policyCount = id;
        _policies[policyHash] = Policy({id: id, state: POLICY_ACTIVE, validitySeconds: validitySeconds});
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
        Config memory cfg = _config;
        if (cfg.paused) revert RegistryPaused();
        _accept(v, signatures, cfg);
    }

    /// @inheritdoc ITeeRegistry
    function submitVerdicts(Verdict[] calldata vs, bytes[][] calldata signatures) external {
        uint256 n = vs.length;
        if (n == 0) revert EmptyBatch();
        if (n != signatures.length) revert BatchLengthMismatch(n, signatures.length);
        Config memory cfg = _config;
        if (cfg.paused) revert RegistryPaused();
        for (uint256 i = 0; i < n; ++i) {
            _accept(vs[i], signatures[i], cfg);
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

    /// @dev Validates one verdict and makes it the machine's trust record. Checks run cheapest
    /// first; all state changes come after all checks.
    ///
    /// Untrusted verdicts (status 2) need no fresh anchor: they are downgrades the oracles post
    /// after re-appraising archived evidence (a TCB recovery, a new CRL), whose anchor is long
    /// gone from blockhash(). They can only remove trust, and they still need a quorum, an active
    /// policy and a newer issuedAt than the stored verdict.
    function _accept(Verdict calldata v, bytes[] calldata signatures, Config memory cfg) internal {
        _checkFields(v, cfg.maxAnchorAge);
        bytes32 digest = _hashVerdict(v);
        _checkQuorum(digest, signatures, cfg.threshold);
        uint256 policyId = _checkPolicy(v);
        uint256 serial = _checkMachine(v);
        _store(v, serial, policyId);
        emit VerdictAccepted(v.machineId, v.teeKey, digest, v.status, v.workloadId, v.evidenceHash, v.policyHash);
    }

    /// @dev The checks that need no storage: status, key, times, and (trusted only) the anchor.
    function _checkFields(Verdict calldata v, uint256 maxAge) internal view {
        uint8 status = v.status;
        if (status != STATUS_TRUSTED && status != STATUS_UNTRUSTED) revert InvalidStatus(status);
        if (v.teeKey == address(0)) revert ZeroTeeKey();
        uint64 issuedAt = v.issuedAt;
        uint64 expiresAt = v.expiresAt;
        if (issuedAt > block.timestamp) revert IssuedInFuture(issuedAt);
        if (expiresAt <= issuedAt) revert ExpiryNotAfterIssue(issuedAt, expiresAt);
        if (status == STATUS_TRUSTED) {
            uint64 anchor = v.anchorBlockNumber;
            if (anchor >= block.number) revert AnchorNotInPast(anchor);
            if (block.number - anchor > maxAge) revert AnchorTooOld(anchor, maxAge);
            // A zero hash never matches: some chains answer blockhash() with zero for blocks they
            // cannot see, and a zero-hash verdict must not pass that way.
            bytes32 h = blockhash(anchor);
            if (h == bytes32(0) || h != v.anchorBlockHash) revert AnchorHashMismatch(anchor);
        }
    }

    /// @dev The policy must be active and allow the verdict's lifetime; returns its id.
    function _checkPolicy(Verdict calldata v) internal view returns (uint256) {
        bytes32 policyHash = v.policyHash;
        Policy memory p = _policies[policyHash];
        if (p.state != POLICY_ACTIVE) {
            if (p.state == 0) revert UnknownPolicy(policyHash);
            revert RetiredPolicy(policyHash);
        }
        uint256 maxExpiresAt = uint256(v.issuedAt) + p.validitySeconds;
        if (v.expiresAt > maxExpiresAt) revert ExpiryBeyondPolicyValidity(v.expiresAt, maxExpiresAt);
        return p.id;
    }

    /// @dev The machine must be registered with the verdict's TEE type; returns its serial.
    function _checkMachine(Verdict calldata v) internal view returns (uint256) {
        bytes32 machineId = v.machineId;
        Machine memory m = _machines[machineId];
        if (m.state != MACHINE_REGISTERED) {
            if (m.state == 0) revert MachineNotRegistered(machineId);
            revert MachineIdRetired(machineId);
        }
        if (m.tee != v.tee) revert TeeMismatch(m.tee, v.tee);
        return m.serial;
    }

    /// @dev Binds the key (rotating away from the machine's previous key if needed), checks that
    /// the verdict is newer than the machine's stored one, and writes the trust slot.
    function _store(Verdict calldata v, uint256 serial, uint256 policyId) internal {
        address key = v.teeKey;
        uint64 issuedAt = v.issuedAt;
        uint256 t = _trust[key];
        uint256 boundSerial = uint64(t);
        if (boundSerial == serial) {
            // Same key as the stored verdict: the common path, one SLOAD and one SSTORE.
            uint64 stored = uint40(t >> T_ISSUED);
            if (issuedAt <= stored) revert StaleVerdict(issuedAt, stored);
        } else if (boundSerial != 0) {
            revert KeyBoundToOtherMachine(key);
        } else {
            // A key new to this machine: newness is checked against the machine's current
            // record, whose key's record is then erased (a key belongs to one machine at a time).
            bytes32 machineId = v.machineId;
            address oldKey = _machineKey[machineId];
            if (oldKey != address(0)) {
                uint64 stored = uint40(_trust[oldKey] >> T_ISSUED);
                if (issuedAt <= stored) revert StaleVerdict(issuedAt, stored);
                delete _trust[oldKey];
                emit TeeKeyRotated(machineId, oldKey, key);
            }
            _machineKey[machineId] = key;
        }
        _trust[key] = serial | (uint256(v.status) << T_STATUS) | (uint256(v.tcbStatus) << T_TCB_STATUS)
            | (policyId << T_POLICY) | (uint256(issuedAt) << T_ISSUED) | (uint256(v.expiresAt) << T_EXPIRES)
            | (uint256(v.tcb) << T_TCB);
    }

    /// @dev Requires at least `threshold` signatures, every one valid (low-s, 65 bytes), from a
    /// current oracle, with signer addresses strictly ascending (so no signer counts twice).
    function _checkQuorum(bytes32 digest, bytes[] calldata signatures, uint256 threshold_) internal view {
        uint256 n = signatures.length;
        if (n < threshold_) revert InsufficientSignatures(n, threshold_);
        address last = address(0);
        for (uint256 i = 0; i < n; ++i) {
            (address signer, ECDSA.RecoverError err,) = ECDSA.tryRecoverCalldata(digest, signatures[i]);
            if (err != ECDSA.RecoverError.NoError) revert InvalidSignature(i);
            if (signer <= last) revert SignersNotAscending(i);
            if (!_isOracle[signer]) revert UnknownSigner(signer);
            last = signer;
        }
    }

    /// @dev EIP-712 digest of a verdict. The Verdict struct is static, so abi.encode(typehash, v)
    /// is exactly the EIP-712 encodeData (every field one 32-byte word, in type-string order).
    function _hashVerdict(Verdict calldata v) internal view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(VERDICT_TYPEHASH, v)));
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
        if (uint8(t >> T_STATUS) != STATUS_TRUSTED) return false;
        if (block.timestamp >= uint40(t >> T_EXPIRES)) return false;
        uint256 pid = uint32(t >> T_POLICY);
        return (_activePolicyBits[pid >> 8] >> (pid & 0xff)) & 1 == 1;
    }

    /// @inheritdoc ITeeRegistry
    function machine(bytes32 machineId) external view returns (MachineRecord memory r) {
        Machine memory m = _machines[machineId];
        r.provider = m.provider;
        r.tee = m.tee;
        r.state = m.state;
        r.serial = m.serial;
        address key = _machineKey[machineId];
        if (key == address(0)) return r;
        uint256 t = _trust[key];
        r.teeKey = key;
        r.status = uint8(t >> T_STATUS);
        r.tcbStatus = uint8(t >> T_TCB_STATUS);
        r.tcb = uint64(t >> T_TCB);
        r.policyHash = _policyHashById[uint32(t >> T_POLICY)];
        r.issuedAt = uint40(t >> T_ISSUED);
        r.expiresAt = uint40(t >> T_EXPIRES);
    }

    /// @inheritdoc ITeeRegistry
    function machineIdOf(address provider, bytes32 salt) external pure returns (bytes32) {
        return _machineIdOf(provider, salt);
    }

    /// @inheritdoc ITeeRegistry
    function machineOfKey(address key) external view returns (bytes32) {
        uint64 serial = uint64(_trust[key]);
        if (serial == 0) return bytes32(0);
        return _machineIdBySerial[serial];
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
        return keccak256(abi.encode(provider, salt));
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
