// Types of teeoracle.mjs, the teeoracle verifier built to WebAssembly. See
// docs/wasm.md for what each field means and how the module is built.

/** Bytes: a typed array, an ArrayBuffer, or a string meaning its UTF-8 bytes (for PEM, JSON, YAML files). */
export type Bytes = Uint8Array | ArrayBuffer | ArrayBufferView | string;

/** An unsigned 64-bit integer: a safe integer Number, a BigInt, or a decimal string. */
export type Uint64 = number | bigint | string;

/** 0x-prefixed hex. */
export type Hex = `0x${string}`;

export interface VerifyRequest {
  /** The evidence: raw SEV-SNP report (optionally with its certificate table), raw TDX quote, configfs-tsm JSON, or an evidence bundle. */
  evidence: Bytes;
  /** Names the evidence in error messages. */
  evidenceName?: string;
  /** Certificates beside the evidence: DER, PEM (one or more), or an SEV-SNP certificate table. */
  certificates?: Bytes[];
  collateral?: {
    /** AMD CRLs (DER or PEM) issued by an ARK. */
    snpCrls?: Bytes[];
    /** VCEKs (DER or PEM) as collateral, for reports whose evidence has none; unlike certificates they do not change the evidence hash. */
    snpVceks?: Bytes[];
    /** TDX collateral in dcap-qvl's QuoteCollateralV3 JSON layout. */
    tdxDcapQvl?: Bytes;
    /** TDX collateral as saved Intel PCS responses, by file name (docs/collateral.md). */
    tdxPcs?: Record<string, Bytes>;
    /** TDX collateral as the oracle node archives it: the JSON of Go's collateral.TDXCollateral. */
    tdxSet?: Bytes;
  };
  /** A policy file (YAML or JSON). Absent or null: the default policy. */
  policy?: Bytes | null;
  /** The time everything is evaluated as of (cut to whole seconds). Required: the module has no clock. */
  at: Date | string;
  /** The chain id of the verdict's EIP-712 domain and of the report-data binding. Default 0. */
  chainId?: Uint64;
  /** The registry address of the domain and binding. Default the zero address. */
  registry?: Hex;
  /** When given, the report data must commit to it (docs/verdict-encoding.md) and the verdict carries it. */
  binding?: {
    machineId: Hex;
    teeKey: Hex;
    anchorBlockNumber: Uint64;
    anchorBlockHash: Hex;
  };
  /** 64 bytes the report data must equal. */
  reportData?: Hex | Uint8Array;
}

export type Outcome = "pass" | "fail" | "skip";

export interface Check {
  name: string;
  outcome: Outcome;
  detail?: string;
}

export interface CollateralRef {
  kind: string;
  hash: Hex;
  next_update?: string;
  issued_at?: string;
}

/** The verdict as the registry stores it. uint64 fields are decimal strings so that no digit is lost. */
export interface Verdict {
  machineId: Hex;
  /** 1 SEV-SNP, 2 TDX. */
  tee: number;
  /** 1 trusted, 2 untrusted. */
  status: number;
  teeKey: Hex;
  workloadId: Hex;
  tcbStatus: number;
  tcb: string;
  policyHash: Hex;
  evidenceHash: Hex;
  anchorBlockNumber: string;
  anchorBlockHash: Hex;
  issuedAt: string;
  expiresAt: string;
  reasons: string;
}

/**
 * The appraisal: every check and the facts found. Numbers above 2^53 (compact_tcb,
 * the SEV-SNP TCB values) are rounded by JSON.parse: read them from
 * Verifier.verifyJSON's text, or use verdict.tcb.
 */
export interface Appraisal {
  evidence_hash: Hex;
  as_of: string;
  checks: Check[];
  collateral: CollateralRef[];
  authentic: boolean;
  tcb_status: number;
  advisory_ids?: string[];
  tcb_date?: string;
  tcb_evaluation_number?: number;
  compact_tcb: number;
  report_data: Hex;
  debug: boolean;
  snp?: Record<string, unknown>;
  tdx?: Record<string, unknown>;
}

/** What runs: the bound workload description and the components the TDX event log names. */
export interface Identity {
  /** 2 when the workload id names a workload description, else 1. */
  workload_id_version: 1 | 2;
  name?: string;
  /** Digest-pinned image references, name@sha256:… */
  images?: string[];
  compose_sha256?: Hex;
  /** How the description is bound: "rtmr3_event" (TDX) or "host_data" (SEV-SNP). */
  binding?: string;
  bound: boolean;
  /** From the TDX event log; "(unverified)" marks components of registers that do not replay. */
  kernel_cmdlines?: string[];
  kernels?: string[];
  initrds?: string[];
  firmware?: string[];
  /** "RTMR0 verified", "RTMR2 mismatch", "RTMR3 unlogged", … */
  rtmrs?: string[];
}

/** The report: `teeoracle verify --json`'s document. */
export interface Report {
  trusted: boolean;
  tee: "sev-snp" | "tdx";
  tcb_status: string;
  reasons: string[] | null;
  findings: { reason: string; detail: string }[];
  /** SEV-SNP MEASUREMENT or TDX MRTD. */
  measurement: Hex;
  workload_id: Hex;
  /**
   * The workload by name (docs/evidence.md): present when the evidence carried a
   * workload description or TDX event logs.
   */
  identity?: Identity;
  evidence_hash: Hex;
  policy_hash: Hex;
  policy_name: string;
  /** The verdict's EIP-712 digest in `domain`: what the registry stores. */
  verdict_hash: Hex;
  domain: { chain_id: number; registry: Hex };
  as_of: string;
  checks: Check[];
  collateral: CollateralRef[];
  verdict: Verdict;
  appraisal: Appraisal;
}

/**
 * Custom trusted roots (test-only PKI such as a devnet's), each certificate DER or
 * PEM. They replace AMD's and Intel's production roots for both TEEs; both are
 * required.
 */
export interface Roots {
  /** One set per AMD product line: its self-signed ARK and the ASK (VCEKs) and/or ASVK (VLEKs) it signed. */
  snp: { productLine: string; ark: Bytes; ask?: Bytes; asvk?: Bytes }[];
  /** The stand-in for the Intel SGX Root CA: a self-signed CA. */
  tdxRoot: Bytes;
}

/** Which roots a verifier trusts. */
export interface RootsInfo {
  /** "vendor": AMD's and Intel's production roots (the default); "custom": roots given to load or withRoots. */
  kind: "vendor" | "custom";
  /** Custom roots by product line and the ARK's SHA-256. */
  snp?: { product_line: string; ark_sha256: Hex }[];
  tdx_root_sha256?: Hex;
}

export interface VersionInfo {
  /** Version of this JavaScript interface. */
  api: number;
  module: string;
  revision?: string;
  modified?: boolean;
  go: string;
  default_policy_hash: Hex;
  roots: RootsInfo;
}

export type ErrorKind = "request" | "evidence" | "policy" | "collateral" | "roots" | "internal" | "load";

export class TeeoracleError extends Error {
  constructor(message: string, kind: ErrorKind);
  readonly kind: ErrorKind;
}

export class Verifier {
  private constructor();
  /** Verifies a request. Rejects with TeeoracleError when no verdict can be made; an untrusted verdict is a report with trusted false. */
  verify(request: VerifyRequest): Promise<Report>;
  /** Verifies a request in its JSON wire form; resolves to the report's JSON text exactly as Go encodes it. */
  verifyJSON(requestJSON: string): Promise<string>;
  /** "webcrypto" when signatures are checked by the host's WebCrypto, "go" when by the module's Go code. */
  readonly signatures: "webcrypto" | "go";
  /** Signature checks of this instance answered by WebCrypto, and those left to Go (WebCrypto could not do them). */
  signatureStats(): { webcrypto: number; go: number };
  version(): VersionInfo;
  /** "vendor" (AMD's and Intel's production roots) or "custom" (roots given to load or withRoots). */
  readonly roots: "vendor" | "custom";
  /** A verifier on the same instance trusting only these roots; throws TeeoracleError of kind "roots" when they are malformed. */
  withRoots(roots: Roots): Verifier;
}

export type WasmSource = string | URL | ArrayBuffer | ArrayBufferView | WebAssembly.Module | Response | Promise<Response>;

/** Loads the verifier (default: teeoracle.wasm and wasm_exec.js beside teeoracle.mjs). */
export function load(source?: WasmSource, options?: { wasmExec?: string | URL; roots?: Roots; signatures?: "webcrypto" | "go" }): Promise<Verifier>;

/** Encodes roots into the JSON the module's withRoots reads. */
export function encodeRoots(roots: Roots): string;

/** Encodes a request into the JSON wire form Verifier.verifyJSON takes. */
export function encodeRequest(request: VerifyRequest): string;
