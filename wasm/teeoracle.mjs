// teeoracle.mjs: the teeoracle verifier (Go, built to WebAssembly) as a JavaScript
// module for browsers and Node.js (18 or newer). No dependencies, no build step.
//
//   import { load } from "./teeoracle.mjs";
//   const verifier = await load();                 // teeoracle.wasm beside this file
//   const report = await verifier.verify({ evidence, certificates: [vcek], at: "2025-07-18T00:00:00Z" });
//   report.trusted, report.verdict_hash, report.checks ...
//
// The module runs the same code as `teeoracle verify` (package oracle/verifier): the
// report is byte for byte the command's --json output. It never touches the network,
// a file or the clock: everything, including the time to verify as of, is given.
// See docs/wasm.md for the request and report fields; teeoracle.d.ts has the types.
//
// By default the verifier trusts AMD's and Intel's production roots only. Test-only
// roots (a devnet's, a lab's) are given when loading, `load(source, {roots})`, or to
// `verifier.withRoots(roots)`: either gives a separate Verifier whose `roots` is
// "custom", so a page always knows under which roots a report was made. Requests
// never carry roots: whoever supplies a request cannot choose what it is trusted by.
//
// Signatures are checked with the host's WebCrypto (crypto.subtle) when it has one,
// else with Go's own code (same results; several times slower in WebAssembly);
// `load(source, {signatures: "go"})` asks for Go's code always.

const utf8 = new TextEncoder();
let instances = 0;

/** Error thrown when a request cannot be verified; `kind` says what to fix. */
export class TeeoracleError extends Error {
  /**
   * @param {string} message
   * @param {"request"|"evidence"|"policy"|"collateral"|"roots"|"internal"|"load"} kind
   */
  constructor(message, kind) {
    super(message);
    this.name = "TeeoracleError";
    this.kind = kind;
  }
}

/**
 * Loads the verifier. `source` is where teeoracle.wasm is (default: beside this
 * module): a URL or a string resolved against this module's URL (so a Node path
 * works too), the module's bytes (ArrayBuffer, typed array), a compiled
 * WebAssembly.Module, or a fetch Response (or a promise of one).
 * `options.wasmExec` is the URL of Go's wasm_exec.js (default: beside this module);
 * it is not needed when globalThis.Go is already defined.
 * `options.roots` (see encodeRoots) makes the verifier trust those roots instead of
 * the vendors' production roots; malformed roots throw TeeoracleError of kind "roots".
 * `options.signatures`: "webcrypto" (default: WebCrypto when the host has it, else
 * Go) or "go" (always Go's crypto, the pure-WebAssembly path).
 */
export async function load(source, options = {}) {
  await loadWasmExec(options.wasmExec ?? new URL("./wasm_exec.js", import.meta.url));
  const go = new globalThis.Go();
  // A name of our own on globalThis, so that several instances can coexist; the Go
  // program puts its functions there and we take them off again below.
  const exportName = `__teeoracle_${++instances}_${Math.random().toString(36).slice(2)}`;
  go.argv = ["teeoracle.wasm", exportName];
  go.env = {};
  let exitCode = null;
  go.exit = (code) => {
    exitCode = code;
  };
  const instance = await instantiate(source ?? new URL("./teeoracle.wasm", import.meta.url), go.importObject);
  const done = go.run(instance);
  // main runs synchronously until it blocks waiting for calls, after it exported its
  // functions; if it exited instead, let the exit settle and report it.
  let api = globalThis[exportName];
  if (!api) {
    await Promise.race([done, new Promise((r) => setTimeout(r, 0))]);
    api = globalThis[exportName];
  }
  delete globalThis[exportName];
  if (!api) {
    throw new TeeoracleError(`teeoracle.wasm did not start (exit code ${exitCode})`, "load");
  }
  const sig = options.signatures ?? "webcrypto";
  if (sig !== "webcrypto" && sig !== "go") {
    throw new TeeoracleError(`options.signatures must be "webcrypto" or "go", not ${sig}`, "load");
  }
  const verifier = new Verifier(api, api, sig === "go");
  return options.roots === undefined ? verifier : verifier.withRoots(options.roots);
}

/**
 * A loaded verifier. verify and verifyJSON return promises (WebCrypto is
 * asynchronous); calls may be made any number of times, also concurrently.
 */
export class Verifier {
  #api;
  #base;
  #roots;
  #goOnly;
  constructor(api, base, goOnly) {
    this.#api = api;
    this.#base = base;
    this.#goOnly = goOnly;
    this.#roots = JSON.parse(api.version()).roots?.kind ?? "vendor";
  }

  /**
   * "webcrypto" when signatures are checked by the host's WebCrypto, "go" when by
   * Go's code in the module (asked for with load's signatures: "go", or no WebCrypto).
   */
  get signatures() {
    return this.#goOnly ? "go" : this.#api.signatures;
  }

  /**
   * How many signature checks this instance (shared by every verifier withRoots
   * made from it) had WebCrypto answer, and how many it left to Go's code because
   * WebCrypto could not do them: {webcrypto, go}.
   */
  signatureStats() {
    const s = this.#base.signatureStats();
    return { webcrypto: s.webcrypto, go: s.go };
  }

  /**
   * "vendor" when this verifier trusts AMD's and Intel's production roots (the
   * default), "custom" when it trusts roots given to load or withRoots instead.
   */
  get roots() {
    return this.#roots;
  }

  /**
   * A verifier on the same WebAssembly instance (nothing is loaded again) that
   * trusts only `roots` (see encodeRoots), for both TEEs, instead of the vendors'
   * production roots. This verifier is unchanged. Throws TeeoracleError of kind
   * "roots" when a certificate does not parse or the roots do not chain.
   */
  withRoots(roots) {
    const out = this.#base.withRoots(encodeRoots(roots));
    if (out.error !== undefined) {
      throw new TeeoracleError(out.error, out.kind);
    }
    return new Verifier(out, this.#base, this.#goOnly);
  }

  /** Verifies a request (see VerifyRequest); resolves to the report object. */
  async verify(request) {
    return JSON.parse(await this.verifyJSON(encodeRequest(request)));
  }

  /**
   * Verifies a request given in its JSON wire form and returns the report's JSON
   * text, exactly as Go encodes it (uint64 fields of the appraisal keep all digits
   * here, which JSON.parse may round). Resolves to the text.
   */
  async verifyJSON(requestJSON) {
    if (typeof requestJSON !== "string") {
      throw new TeeoracleError("verifyJSON takes the request JSON as a string", "request");
    }
    const out = this.#goOnly ? this.#api.verifyGo(requestJSON) : await this.#api.verify(requestJSON);
    if (out.error !== undefined) {
      throw new TeeoracleError(out.error, out.kind);
    }
    return out.report;
  }

  /** The module's version and the default policy's hash. */
  version() {
    return JSON.parse(this.#api.version());
  }
}

/**
 * Encodes a VerifyRequest (JavaScript names, bytes as typed arrays or text) into the
 * JSON wire form the module reads (docs/wasm.md).
 */
export function encodeRequest(req) {
  if (req === null || typeof req !== "object") {
    throw new TeeoracleError("request must be an object", "request");
  }
  const known = new Set(["evidence", "evidenceName", "certificates", "collateral", "policy", "at", "chainId", "registry", "binding", "reportData"]);
  for (const k of Object.keys(req)) {
    if (!known.has(k)) throw new TeeoracleError(`unknown request field "${k}"`, "request");
  }
  if (req.evidence === undefined) throw new TeeoracleError("request.evidence is required", "request");
  if (req.at === undefined) throw new TeeoracleError("request.at is required (a Date or an RFC 3339 string)", "request");
  const wire = { evidence: base64(req.evidence, "evidence"), at: timeString(req.at) };
  if (req.evidenceName !== undefined) wire.evidence_name = String(req.evidenceName);
  if (req.certificates?.length) wire.certificates = req.certificates.map((c, i) => base64(c, `certificates[${i}]`));
  if (req.collateral) {
    const c = req.collateral;
    const w = {};
    if (c.snpCrls?.length) w.snp_crls = c.snpCrls.map((b, i) => base64(b, `collateral.snpCrls[${i}]`));
    if (c.snpVceks?.length) w.snp_vceks = c.snpVceks.map((b, i) => base64(b, `collateral.snpVceks[${i}]`));
    if (c.tdxDcapQvl !== undefined) w.tdx_dcap_qvl = base64(c.tdxDcapQvl, "collateral.tdxDcapQvl");
    if (c.tdxSet !== undefined) w.tdx_set = base64(c.tdxSet, "collateral.tdxSet");
    if (c.tdxPcs) {
      w.tdx_pcs = {};
      for (const [name, b] of Object.entries(c.tdxPcs)) w.tdx_pcs[name] = base64(b, `collateral.tdxPcs.${name}`);
    }
    wire.collateral = w;
  }
  if (req.policy !== undefined && req.policy !== null) wire.policy = base64(req.policy, "policy");
  const numbers = {};
  if (req.chainId !== undefined) wire.chain_id = placeholder(numbers, uint64(req.chainId, "chainId"));
  if (req.registry !== undefined) wire.registry = String(req.registry);
  if (req.binding) {
    const b = req.binding;
    wire.binding = {
      machine_id: b.machineId,
      tee_key: b.teeKey,
      anchor_block_number: b.anchorBlockNumber === undefined ? undefined : placeholder(numbers, uint64(b.anchorBlockNumber, "binding.anchorBlockNumber")),
      anchor_block_hash: b.anchorBlockHash,
    };
  }
  if (req.reportData !== undefined) wire.report_data = typeof req.reportData === "string" ? req.reportData : "0x" + hex(bytesOf(req.reportData, "reportData"));
  // uint64 values are written as JSON numbers with all their digits: JSON.stringify
  // cannot write a BigInt, and a Number above 2^53 would already be rounded.
  let text = JSON.stringify(wire);
  for (const [key, digits] of Object.entries(numbers)) text = text.replace(`"${key}"`, digits);
  return text;
}

/**
 * Encodes custom roots into the JSON withRoots reads:
 *   { snp: [{ productLine: "Milan", ark, ask?, asvk? }, ...], tdxRoot }
 * each certificate DER bytes or PEM text. Both are required: custom roots replace
 * the vendors' roots for both TEEs, they never add to them.
 */
export function encodeRoots(roots) {
  if (roots === null || typeof roots !== "object") {
    throw new TeeoracleError("roots must be an object {snp: [{productLine, ark, ask, asvk}], tdxRoot}", "roots");
  }
  for (const k of Object.keys(roots)) {
    if (k !== "snp" && k !== "tdxRoot") throw new TeeoracleError(`unknown roots field "${k}"`, "roots");
  }
  if (!Array.isArray(roots.snp) || roots.snp.length === 0 || roots.tdxRoot === undefined) {
    throw new TeeoracleError("roots need both snp (a non-empty list) and tdxRoot: custom roots replace the vendors' roots for both TEEs", "roots");
  }
  const cert = (v, field) => {
    try {
      return base64(v, field);
    } catch (e) {
      throw new TeeoracleError(e.message, "roots");
    }
  };
  const snp = roots.snp.map((s, i) => {
    if (s === null || typeof s !== "object") throw new TeeoracleError(`roots.snp[${i}] must be an object`, "roots");
    for (const k of Object.keys(s)) {
      if (!["productLine", "ark", "ask", "asvk"].includes(k)) throw new TeeoracleError(`unknown roots.snp[${i}] field "${k}"`, "roots");
    }
    const w = { product_line: String(s.productLine ?? ""), ark: cert(s.ark ?? "", `roots.snp[${i}].ark`) };
    if (s.ask !== undefined) w.ask = cert(s.ask, `roots.snp[${i}].ask`);
    if (s.asvk !== undefined) w.asvk = cert(s.asvk, `roots.snp[${i}].asvk`);
    return w;
  });
  return JSON.stringify({ snp, tdx_root: cert(roots.tdxRoot, "roots.tdxRoot") });
}

function placeholder(numbers, digits) {
  const key = `\u0000uint64:${Object.keys(numbers).length}`;
  numbers[JSON.stringify(key).slice(1, -1)] = digits;
  return key;
}

function uint64(v, field) {
  let n;
  try {
    n = BigInt(v);
  } catch {
    throw new TeeoracleError(`${field}: not an integer: ${v}`, "request");
  }
  if (typeof v === "number" && !Number.isSafeInteger(v)) {
    throw new TeeoracleError(`${field}: ${v} is not a safe integer; pass a BigInt or a decimal string`, "request");
  }
  if (n < 0n || n >= 1n << 64n) throw new TeeoracleError(`${field}: ${v} is not a uint64`, "request");
  return n.toString();
}

function timeString(at) {
  if (at instanceof Date) {
    if (Number.isNaN(at.getTime())) throw new TeeoracleError("at: invalid Date", "request");
    return at.toISOString();
  }
  return String(at);
}

// bytesOf accepts a typed array, an ArrayBuffer or a string (the UTF-8 bytes of a text
// file: PEM, JSON, YAML).
function bytesOf(v, field) {
  if (typeof v === "string") return utf8.encode(v);
  if (v instanceof Uint8Array) return v;
  if (v instanceof ArrayBuffer) return new Uint8Array(v);
  if (ArrayBuffer.isView(v)) return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  throw new TeeoracleError(`${field}: want a Uint8Array, an ArrayBuffer or a string`, "request");
}

function base64(v, field) {
  const b = bytesOf(v, field);
  let s = "";
  for (let i = 0; i < b.length; i += 0x8000) s += String.fromCharCode.apply(null, b.subarray(i, i + 0x8000));
  return btoa(s);
}

function hex(b) {
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}

let wasmExecLoading = null;

async function loadWasmExec(url) {
  if (typeof globalThis.Go === "function") return;
  // wasm_exec.js is a plain script that defines globalThis.Go; importing it runs it,
  // in browsers and in Node (as CommonJS or as a module, either works).
  wasmExecLoading ??= import(String(url));
  await wasmExecLoading;
  if (typeof globalThis.Go !== "function") {
    throw new TeeoracleError(`${url} did not define globalThis.Go`, "load");
  }
}

async function instantiate(source, imports) {
  if (source instanceof WebAssembly.Module) return WebAssembly.instantiate(source, imports);
  if (source instanceof ArrayBuffer || ArrayBuffer.isView(source)) {
    return (await WebAssembly.instantiate(source, imports)).instance;
  }
  if (typeof source === "string" || source instanceof URL) {
    const url = new URL(String(source), import.meta.url);
    if (url.protocol === "file:") {
      // Node's fetch does not read files.
      const { readFile } = await import("node:fs/promises");
      return (await WebAssembly.instantiate(await readFile(url), imports)).instance;
    }
    source = fetch(url);
  }
  const response = await source;
  if (!response.ok) throw new TeeoracleError(`fetch ${response.url}: HTTP ${response.status}`, "load");
  if (WebAssembly.instantiateStreaming && response.headers.get("content-type")?.startsWith("application/wasm")) {
    return (await WebAssembly.instantiateStreaming(response, imports)).instance;
  }
  return (await WebAssembly.instantiate(await response.arrayBuffer(), imports)).instance;
}
