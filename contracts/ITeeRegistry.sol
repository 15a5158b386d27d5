// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

/// @title ITeeRegistry
/// @notice Registry of confidential VMs (AMD SEV-SNP, Intel TDX) and of the verdicts a quorum of
/// off-chain oracles reached about them. dApps ask `isTrustedKey(msg.sender)` or `isTrusted(machineId)`.
/// @dev The verdict type and its EIP-712 encoding are specified in docs/verdict-encoding.md; the Go
/// verifier (oracle/verdict) and this contract are tested against each other through `hashVerdict`.
interface ITeeRegistry {
    // ---------------------------------------------------------------------------------------------
    // Types
    // ---------------------------------------------------------------------------------------------

    /// @notice A verdict as signed by the oracles. Field order and types are the EIP-712 type
    /// `Verdict(bytes32 machineId,uint8 tee,uint8 status,address teeKey,bytes32 workloadId,uint8 tcbStatus,
    /// uint64 tcb,bytes32 policyHash,bytes32 evidenceHash,uint64 anchorBlockNumber,bytes32 anchorBlockHash,
    /// uint64 issuedAt,uint64 expiresAt,uint64 reasons)`; do not reorder.
    struct Verdict {
        bytes32 machineId; // machineIdOf(provider, salt): an 80-bit tag and its keccak check bits
        uint8 tee; // 1 = AMD SEV-SNP, 2 = Intel TDX
        uint8 status; // 1 = trusted, 2 = untrusted
        address teeKey; // secp256k1 key held inside the TEE, bound in the report data
        bytes32 workloadId; // hash of the measurements
        uint8 tcbStatus; // 0 Unknown .. 7 Revoked
        uint64 tcb; // compact TCB value
        bytes32 policyHash; // canonical hash of the policy that decided
        bytes32 evidenceHash; // canonical hash of the evidence
        uint64 anchorBlockNumber; // block the report data commits to
        bytes32 anchorBlockHash; // its hash
        uint64 issuedAt; // unix seconds
        uint64 expiresAt; // unix seconds, exclusive
        uint64 reasons; // reason-code bit set
    }

    /// @notice Everything the registry stores about one machine, joined with its current trust record.
    struct MachineRecord {
        address provider; // who registered it (the only account that may change it)
        uint8 tee; // 1 = SEV-SNP, 2 = TDX
        uint8 state; // 0 = never registered, 1 = registered, 2 = deregistered (id retired forever)
        address teeKey; // key of the latest accepted verdict (zero before the first one)
        uint8 status; // 0 = no verdict, 1 = trusted, 2 = untrusted
        uint8 tcbStatus; // from the latest verdict
        uint64 tcb; // from the latest verdict
        bytes32 policyHash; // policy the latest verdict was decided under
        uint64 issuedAt; // of the latest verdict
        uint64 expiresAt; // of the latest verdict
    }

    /// @notice A policy as the registry knows it.
    struct PolicyInfo {
        uint24 id; // registry-internal number, 1-based (0 = unknown policy)
        uint8 state; // 0 = unknown, 1 = active, 2 = retired (forever)
        uint64 validitySeconds; // longest allowed expiresAt - issuedAt
    }

    // ---------------------------------------------------------------------------------------------
    // Events
    // ---------------------------------------------------------------------------------------------

    /// @notice A provider registered a machine.
    event MachineRegistered(
        bytes32 indexed machineId, address indexed provider, uint8 tee, string metadataURI
    );
    /// @notice A provider deregistered a machine; its trust record is gone, `teeKey` (zero when none
    /// was bound) is free again, the pending key authorisation `authorizedKey` (zero when none) is
    /// dropped, and the id is retired.
    event MachineDeregistered(
        bytes32 indexed machineId, address indexed provider, address teeKey, address authorizedKey
    );
    /// @notice A provider authorised `teeKey` to be bound to its machine by the next trusted verdict
    /// naming both (first binding or rotation). Replaces any earlier authorisation of the machine.
    event KeyAuthorized(bytes32 indexed machineId, address indexed teeKey);
    /// @notice A provider withdrew its consent: the pending authorisation (`authorizedKey`, zero when
    /// none) is gone, and the bound key (`boundKey`, zero when none) is unbound and no longer trusted.
    event KeyRevoked(bytes32 indexed machineId, address indexed authorizedKey, address indexed boundKey);
    /// @notice A provider replaced the machine's metadata URI (kept only in logs).
    event MachineMetadataUpdated(bytes32 indexed machineId, string metadataURI);
    /// @notice A verdict was accepted and is now the machine's trust record.
    /// @dev Lean on purpose (8 gas per logged byte): full measurements live in the evidence the
    /// workloadId commits to; issuedAt and expiresAt are here so that an indexer needs no calldata.
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
    /// @notice A verdict of a `submitBatch` was accepted and is now the machine's trust record.
    /// `verdictHash` is its own EIP-712 digest (`hashVerdict`), so each verdict of a batch stays
    /// individually auditable; every other field is in the transaction's calldata (the packed
    /// entry), and the resulting state is readable with `trustOf`.
    /// @dev Two topics and one data word (1,381 gas) instead of VerdictAccepted's 3,292: a batch
    /// pays this for every verdict.
    event VerdictRecorded(bytes32 indexed machineId, bytes32 verdictHash);
    /// @notice Entry `index` of a batch (`submitBatch` or `submitVerdicts`) was not applied;
    /// `reason` is the ABI-encoded custom error `submitVerdict` would have reverted with (e.g.
    /// `StaleVerdict(...)`). The other entries of the batch are unaffected. `teeKey` is the low 160
    /// bits of the entry's key word (an entry refused as `NonCanonicalVerdict` may have more).
    event VerdictSkipped(
        uint256 index, bytes32 indexed machineId, address indexed teeKey, bytes32 indexed digest, bytes reason
    );
    /// @notice A verdict named a new TEE key for the machine; the old key's trust record was erased.
    event TeeKeyRotated(bytes32 indexed machineId, address indexed oldKey, address indexed newKey);
    /// @notice A trusted verdict bound `teeKey` to the machine (its first key, or a rotation after
    /// `TeeKeyRotated`), using up the provider's authorisation of it (`authorizedKey` is zero from
    /// now on). Emitted by every binding, never by a re-attestation of a bound key.
    event KeyBound(bytes32 indexed machineId, address indexed teeKey);
    /// @notice An oracle signer was added.
    event OracleAdded(address indexed oracle);
    /// @notice An oracle signer was removed.
    event OracleRemoved(address indexed oracle);
    /// @notice The quorum threshold M changed.
    event ThresholdChanged(uint8 threshold);
    /// @notice A policy was registered and is active.
    event PolicyRegistered(bytes32 indexed policyHash, uint24 indexed policyId, uint64 validitySeconds, string uri);
    /// @notice A verdict named a (workload id, TCB) pair no accepted verdict had named before; the
    /// registry interned it under `index` (a counter, 1-based), which trust records keep in its place.
    /// @dev Emitted once per pair, by the first verdict that names it; every later verdict naming
    /// the pair (a fleet on one image, a TCB update rolled out across it) reuses the index.
    event WorkloadInterned(uint64 indexed index, bytes32 indexed workloadId, uint64 tcb);
    /// @notice A policy was retired; every machine whose verdict names it is untrusted from now on.
    event PolicyRetired(bytes32 indexed policyHash, uint24 indexed policyId);
    /// @notice The largest accepted anchor age (in blocks) for trusted verdicts changed.
    event MaxAnchorAgeChanged(uint16 blocks);
    /// @notice Verdict submission and machine registration were paused.
    event Paused(address account);
    /// @notice Verdict submission and machine registration were resumed.
    event Unpaused(address account);

    // ---------------------------------------------------------------------------------------------
    // Errors
    // ---------------------------------------------------------------------------------------------

    // governance
    error ZeroAddress();
    error OracleAlreadyAdded(address oracle);
    error NotAnOracle(address oracle);
    error TooManyOracles();
    error InvalidThreshold(uint256 threshold, uint256 oracleCount);
    error InvalidMaxAnchorAge(uint256 blocks);
    error InvalidPolicyHash();
    error InvalidValidity(uint64 validitySeconds);
    error PolicyAlreadyRegistered(bytes32 policyHash);
    /// @notice `policyHash` shares its top 80 bits (the tag the batch fast path matches the newest
    /// policy by) with the already registered `registered`; tags are unique among registered policies.
    error PolicyTagTaken(bytes32 policyHash, bytes32 registered);
    /// @notice The registry has interned 2^64-1 (workload id, TCB) pairs (unreachable in practice).
    error TooManyWorkloads();
    error PolicyNotActive(bytes32 policyHash);
    error TooManyPolicies();
    error RegistryPaused();
    error RegistryNotPaused();
    error RenounceOwnershipDisabled();
    // machines
    error InvalidTee(uint8 tee);
    error MachineAlreadyRegistered(bytes32 machineId);
    error MachineIdRetired(bytes32 machineId);
    error MachineNotRegistered(bytes32 machineId);
    error NotMachineProvider(bytes32 machineId, address caller);
    // verdicts
    error InsufficientSignatures(uint256 provided, uint256 threshold);
    error SignersNotAscending(uint256 index);
    error InvalidSignature(uint256 index);
    error UnknownSigner(address signer);
    error UnknownPolicy(bytes32 policyHash);
    error RetiredPolicy(bytes32 policyHash);
    error TeeMismatch(uint8 registered, uint8 verdict);
    error InvalidStatus(uint8 status);
    /// @notice A `Verdict` argument's ABI word `field` (its index in the struct, 0 = machineId) has
    /// bits set above its type's width (a uint8 above 255, an address above 160 bits, a uint64
    /// above 64 bits): such a word is no EIP-712 value and is never stored.
    error NonCanonicalVerdict(uint256 field);
    error ZeroTeeKey();
    error IssuedInFuture(uint64 issuedAt);
    error ExpiryNotAfterIssue(uint64 issuedAt, uint64 expiresAt);
    error ExpiryBeyondPolicyValidity(uint64 expiresAt, uint256 maxExpiresAt);
    error StaleVerdict(uint64 issuedAt, uint64 storedIssuedAt);
    error KeyBoundToOtherMachine(address teeKey);
    error KeyNotAuthorized(bytes32 machineId, address teeKey);
    error UntrustedVerdictCannotBind(bytes32 machineId, address teeKey);
    error AnchorNotInPast(uint64 anchorBlockNumber);
    error AnchorTooOld(uint64 anchorBlockNumber, uint256 maxAnchorAge);
    error AnchorHashMismatch(uint64 anchorBlockNumber);
    error EmptyBatch();
    error BatchLengthMismatch(uint256 verdicts, uint256 signatureLists);
    error MalformedBatch(uint256 length);
    error MalformedSignatures(uint256 length);
    /// @notice A batch entry was not tried: the gas left (`gasLeft`) was below what its general
    /// path and the entries after it may need (`gasNeeded`). Nothing is held against the verdict;
    /// it can be submitted again.
    error InsufficientGasForEntry(uint256 gasLeft, uint256 gasNeeded);

    // ---------------------------------------------------------------------------------------------
    // Providers
    // ---------------------------------------------------------------------------------------------

    /// @notice Registers a machine of the caller. The id is `machineIdOf(msg.sender, salt)`, derived
    /// from the caller's address, so no one can squat another provider's id.
    /// @param salt Any value unique among the caller's machines.
    /// @param tee 1 = AMD SEV-SNP, 2 = Intel TDX.
    /// @param metadataURI Free-form pointer to the provider's description of the machine (logged only).
    /// @return machineId The new machine's id.
    function registerMachine(bytes32 salt, uint8 tee, string calldata metadataURI)
        external
        returns (bytes32 machineId);

    /// @notice Deregisters one of the caller's machines: erases its trust record, frees its TEE key,
    /// drops any pending key authorisation, and retires the id forever (it can never be registered
    /// again, so old verdicts cannot be replayed).
    /// @param machineId The machine to deregister.
    function deregisterMachine(bytes32 machineId) external;

    /// @notice Authorises `teeKey` to speak for one of the caller's machines: the next trusted verdict
    /// for this machine and key may bind the key (the machine's first key, or a rotation). Only the
    /// machine's provider can authorise, so no one else's TEE can take the machine over. One
    /// authorisation per machine, used up by the binding; a later call replaces a pending one.
    /// @param machineId The machine.
    /// @param teeKey The address of the key the machine's TEE holds.
    function authorizeKey(bytes32 machineId, address teeKey) external;

    /// @notice Withdraws the caller's consent for one of its machines: drops the pending authorisation
    /// and unbinds the bound key, whose trust record is erased (the machine stays registered and can
    /// be given a new key with `authorizeKey`).
    /// @param machineId The machine.
    function revokeKey(bytes32 machineId) external;

    /// @notice Replaces the metadata URI of one of the caller's machines (emitted, not stored).
    /// @param machineId The machine.
    /// @param metadataURI The new URI.
    function setMachineMetadata(bytes32 machineId, string calldata metadataURI) external;

    // ---------------------------------------------------------------------------------------------
    // Governance (owner)
    // ---------------------------------------------------------------------------------------------

    /// @notice Adds an oracle signer (owner only). At most 255 oracles.
    /// @param oracle The signer's address.
    function addOracle(address oracle) external;

    /// @notice Removes an oracle signer (owner only); reverts when fewer than `threshold` would remain.
    /// @param oracle The signer's address.
    function removeOracle(address oracle) external;

    /// @notice Sets the quorum M (owner only); 1 <= M <= number of oracles.
    /// @param threshold The new M.
    function setThreshold(uint8 threshold) external;

    /// @notice Registers and activates a policy (owner only). A hash once registered can never be
    /// registered again, so a retired policy stays retired, and no two registered hashes share their
    /// top 80 bits (`PolicyTagTaken`): the batch fast path recognises the newest policy by them.
    /// @param policyHash Canonical hash of the policy's off-chain form.
    /// @param validitySeconds Longest verdict lifetime under this policy, 1 .. 2^32-1 seconds.
    /// @param uri Where the policy's canonical form can be fetched (logged only).
    function registerPolicy(bytes32 policyHash, uint64 validitySeconds, string calldata uri) external;

    /// @notice Retires an active policy (owner only): every machine whose verdict names it becomes
    /// untrusted at once, and no verdict under it is accepted again.
    /// @param policyHash The policy.
    function retirePolicy(bytes32 policyHash) external;

    /// @notice Sets how many blocks old a trusted verdict's anchor may be (owner only), 1 .. 256.
    /// @param blocks The new maximum age.
    function setMaxAnchorAge(uint16 blocks) external;

    /// @notice Pauses verdict submission and machine registration (owner only). Queries keep working.
    function pause() external;

    /// @notice Resumes verdict submission and machine registration (owner only).
    function unpause() external;

    // ---------------------------------------------------------------------------------------------
    // Verdicts
    // ---------------------------------------------------------------------------------------------

    /// @notice Submits a batch of verdicts under one quorum signature set. Anyone may call. The
    /// oracles sign one EIP-712 digest, `hashBatch(verdicts)`, of the type
    /// `VerdictBatch(Verdict[] verdicts)` (plus the Verdict type), which commits to every verdict
    /// and their order. A bad signature set reverts the whole batch; every other refusal of an
    /// entry (stale, unknown or retired machine or policy, binding rules, anchor, ...) skips only
    /// that entry with a `VerdictSkipped` event, and the others are applied in order, each with a
    /// `VerdictRecorded` event carrying its own verdict hash (`hashVerdict`). An entry that is no
    /// plain re-attestation (a binding, a new workload pair, a refusal) is tried only with 200,000
    /// gas plus 11,000 per later entry left, and skipped with `InsufficientGasForEntry` otherwise,
    /// so a batch never runs out of gas because an entry turned costlier after its estimate: a
    /// relayer gives the batch at least 200,000 gas above its estimate.
    /// @param verdicts The verdicts, packed: each is its 14 fields in EIP-712 order, in their
    /// types' widths, big-endian, unpadded (223 bytes; `abi.encodePacked` of the fields).
    /// @param signatures Concatenated 65-byte r||s||v signatures over `hashBatch(verdicts)`, at
    /// least `threshold`, from current oracles, ordered by signer address strictly ascending.
    function submitBatch(bytes calldata verdicts, bytes calldata signatures) external;

    /// @notice The EIP-712 digest oracles sign for a packed batch (see `submitBatch`).
    /// @param verdicts The packed verdicts.
    /// @return `keccak256(0x1901 || domainSeparator || keccak256(abi.encode(VERDICT_BATCH_TYPEHASH,
    /// keccak256(structHash(v_0) || ... || structHash(v_n-1)))))`.
    function hashBatch(bytes calldata verdicts) external view returns (bytes32);

    /// @notice Submits one verdict. Anyone may call; validity comes from the signatures. A trusted
    /// verdict binds its key to the machine only when the machine's provider authorised that key
    /// (`authorizeKey`); an untrusted verdict only downgrades the key already bound to that machine.
    /// A verdict whose ABI words carry bits above their types' widths is refused
    /// (`NonCanonicalVerdict`), however it is signed.
    /// @param v The verdict.
    /// @param signatures 65-byte r||s||v signatures over `hashVerdict(v)`, at least `threshold`, from
    /// current oracles, ordered by signer address strictly ascending.
    function submitVerdict(Verdict calldata v, bytes[] calldata signatures) external;

    /// @notice Submits many verdicts. An entry that `submitVerdict` would refuse (stale, unknown or
    /// retired machine or policy, binding rules, bad signatures, non-canonical words, ...) is skipped with a `VerdictSkipped`
    /// event carrying the error; the others are applied, so no one can make a whole batch fail by
    /// landing one of its entries first. Reverts only for an empty or mismatched batch, or while paused.
    /// An entry that would bind or rotate a key or intern a new workload pair is tried, after its
    /// signatures are checked, only with 200,000 gas plus, for every later entry, 17,000 and 4,400
    /// per signature it carries left, and skipped with `InsufficientGasForEntry` otherwise, so the
    /// call never runs out of gas because an entry turned costlier after its estimate: a relayer
    /// gives it at least 200,000 gas above its estimate, as for `submitBatch`.
    /// @param vs The verdicts, applied in order.
    /// @param signatures `signatures[i]` signs `vs[i]` (see `submitVerdict`).
    function submitVerdicts(Verdict[] calldata vs, bytes[][] calldata signatures) external;

    /// @notice The EIP-712 digest oracles sign for `v` under this registry's domain.
    /// @param v The verdict.
    /// @return The digest `keccak256(0x1901 || domainSeparator || structHash(v))`.
    function hashVerdict(Verdict calldata v) external view returns (bytes32);

    /// @notice The EIP-712 domain separator (name "TeeRegistry", version "1", chain id, this address).
    /// @return The separator.
    function domainSeparator() external view returns (bytes32);

    // ---------------------------------------------------------------------------------------------
    // Queries
    // ---------------------------------------------------------------------------------------------

    /// @notice Whether the machine's latest verdict is trusted, unexpired, and under a still-active policy.
    /// @param machineId The machine.
    /// @return True if the machine is trusted now.
    function isTrusted(bytes32 machineId) external view returns (bool);

    /// @notice Whether `key` is the TEE key of a machine that is trusted now (see `isTrusted`).
    /// @dev Reads exactly two storage slots; the call a dApp makes to gate on `msg.sender`.
    /// @param key The address to check.
    /// @return True if the key's machine is trusted now.
    function isTrustedKey(address key) external view returns (bool);

    /// @notice Whether `key` is trusted now (see `isTrustedKey`) and its current verdict names
    /// exactly `workloadId`: the gate of a dApp that accepts one approved workload (image, compose
    /// file, kernel command line: whatever the workload id commits to). A zero `workloadId` never
    /// matches.
    /// @dev Reads three storage slots: the trust record, the policy-active bitmap word and the key's
    /// workload id.
    /// @param key The address to check.
    /// @param workloadId The workload the caller requires.
    /// @return True if the key's machine is trusted now and runs that workload.
    function isTrustedFor(address key, bytes32 workloadId) external view returns (bool);

    /// @notice What the registry holds about a TEE key, in one call.
    /// @param key The TEE key.
    /// @return trusted `isTrustedKey(key)`.
    /// @return workloadId Workload id of the key's current verdict (zero when the key is unbound).
    /// @return policyHash Policy that verdict was decided under.
    /// @return tcbStatus TCB status of that verdict.
    /// @return expiresAt Expiry of that verdict (unix seconds, exclusive).
    function trustOf(address key)
        external
        view
        returns (bool trusted, bytes32 workloadId, bytes32 policyHash, uint8 tcbStatus, uint64 expiresAt);

    /// @notice The whole record of a machine, joined with its latest verdict.
    /// @param machineId The machine.
    /// @return The record; all zero for an unknown id.
    function machine(bytes32 machineId) external view returns (MachineRecord memory);

    /// @notice The machine id a provider's salt yields: the top 80 bits of
    /// `keccak256(abi.encode(provider, salt))` (the tag), followed by the top 176 bits of
    /// `keccak256(abi.encode(uint256(tag)))` (check bits). A machine id is thus determined by its tag,
    /// which lets a re-attestation check the full id from the tag stored in the key's trust record.
    /// @param provider The registering account.
    /// @param salt The salt.
    /// @return The machine id.
    function machineIdOf(address provider, bytes32 salt) external pure returns (bytes32);

    /// @notice The key a machine's provider authorised and no verdict has bound yet.
    /// @param machineId The machine.
    /// @return The key, or zero when there is no pending authorisation.
    function authorizedKey(bytes32 machineId) external view returns (address);

    /// @notice The machine a TEE key is currently bound to.
    /// @param key The TEE key.
    /// @return The machine id, or zero when the key is bound to no registered machine.
    function machineOfKey(address key) external view returns (bytes32);

    /// @notice What the registry knows about a policy.
    /// @param policyHash The policy.
    /// @return The policy's id, state and validity; all zero when unknown.
    function policy(bytes32 policyHash) external view returns (PolicyInfo memory);

    /// @notice Whether `account` is a current oracle signer.
    /// @param account The address.
    /// @return True if it is.
    function isOracle(address account) external view returns (bool);

    /// @notice The quorum M.
    /// @return M.
    function threshold() external view returns (uint8);

    /// @notice The number of current oracle signers N.
    /// @return N.
    function oracleCount() external view returns (uint8);

    /// @notice The largest accepted anchor age, in blocks, for trusted verdicts.
    /// @return The age.
    function maxAnchorAge() external view returns (uint16);

    /// @notice Whether verdict submission and registration are paused.
    /// @return True if paused.
    function paused() external view returns (bool);
}
