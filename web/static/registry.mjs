// Reads a TeeRegistry straight from an EVM JSON-RPC endpoint: eth_call with calldata
// encoded here, eth_getLogs for its events. No library: every type the registry's
// views and events use is static (words of 32 bytes) except two strings in events.
// Selectors and topics come from abi.json, which a Go test checks against the
// contract's ABI (web/web_test.go).

/** Thrown for JSON-RPC errors and malformed answers. */
export class RpcError extends Error {}

export class Rpc {
  #url;
  #id = 0;
  constructor(url) {
    this.#url = url;
  }

  async call(method, params = []) {
    const res = await fetch(this.#url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: ++this.#id, method, params }),
    });
    if (!res.ok) throw new RpcError(`${method}: HTTP ${res.status}`);
    const body = await res.json();
    if (body.error) throw new RpcError(`${method}: ${body.error.message ?? JSON.stringify(body.error)}`);
    return body.result;
  }
}

// ABI words, as 64 hex digits without 0x.
const hexBody = (h, bytes, what) => {
  const s = String(h).toLowerCase().replace(/^0x/, "");
  if (!/^[0-9a-f]*$/.test(s) || s.length !== bytes * 2) throw new RpcError(`${what}: want ${bytes} bytes of hex, got ${h}`);
  return s;
};
export const encode = {
  bytes32: (h) => hexBody(h, 32, "bytes32"),
  address: (a) => hexBody(a, 20, "address").padStart(64, "0"),
};

/** Splits ABI-encoded data (0x hex) into words and decodes them. */
export class Words {
  #hex;
  constructor(data) {
    this.#hex = String(data ?? "0x").replace(/^0x/, "");
    if (this.#hex.length % 64 !== 0) throw new RpcError(`ABI data of ${this.#hex.length / 2} bytes is not whole words`);
  }
  get length() {
    return this.#hex.length / 64;
  }
  word(i) {
    if (i >= this.length) throw new RpcError(`ABI data has ${this.length} words, want word ${i}`);
    return this.#hex.slice(i * 64, i * 64 + 64);
  }
  uint(i) {
    return BigInt("0x" + this.word(i));
  }
  small(i) {
    const v = this.uint(i);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new RpcError(`word ${i}: ${v} is too large`);
    return Number(v);
  }
  bool(i) {
    return this.uint(i) !== 0n;
  }
  bytes32(i) {
    return "0x" + this.word(i);
  }
  address(i) {
    return checksumless("0x" + this.word(i).slice(24));
  }
  /**
   * A dynamic string whose offset (in bytes from the data's start) is in word i.
   * Not UTF-8 checked: the registry stores whatever bytes its caller sent (anyone
   * may register a machine), so bytes that are not UTF-8 become U+FFFD rather than
   * an error that would stop the page for everyone.
   */
  string(i) {
    const off = this.small(i);
    if (off % 32 !== 0) throw new RpcError(`string offset ${off} is not word aligned`);
    const at = off / 32;
    const len = this.small(at);
    const hex = this.#hex.slice((at + 1) * 64, (at + 1) * 64 + len * 2);
    if (hex.length !== len * 2) throw new RpcError("string runs past the data");
    const bytes = new Uint8Array(len);
    for (let k = 0; k < len; k++) bytes[k] = parseInt(hex.slice(2 * k, 2 * k + 2), 16);
    return new TextDecoder("utf-8", { fatal: false }).decode(bytes);
  }
}

const checksumless = (a) => a.toLowerCase();
const topicAddress = (t) => checksumless("0x" + t.slice(26));

/** TCB status names, as docs/verdict-encoding.md numbers them. */
export const TCB_STATUS = ["Unknown", "UpToDate", "SWHardeningNeeded", "ConfigurationNeeded", "ConfigurationAndSWHardeningNeeded", "OutOfDate", "OutOfDateConfigurationNeeded", "Revoked"];
export const TEE = { 1: "SEV-SNP", 2: "TDX" };

export class Registry {
  constructor(rpc, address, abi, fromBlock = 0) {
    this.rpc = rpc;
    this.address = address.toLowerCase();
    this.abi = abi;
    this.fromBlock = "0x" + BigInt(fromBlock).toString(16);
  }

  async #call(fn, ...args) {
    const f = this.abi.functions[fn];
    const data = f.selector + args.join("");
    return new Words(await this.rpc.call("eth_call", [{ to: this.address, data }, "latest"]));
  }

  async isTrusted(machineId) {
    return (await this.#call("isTrusted", encode.bytes32(machineId))).bool(0);
  }

  /** The machine's record joined with its latest verdict (ITeeRegistry.MachineRecord). */
  async machine(machineId) {
    const w = await this.#call("machine", encode.bytes32(machineId));
    return {
      provider: w.address(0),
      tee: w.small(1),
      state: w.small(2),
      teeKey: w.address(3),
      status: w.small(4),
      tcbStatus: w.small(5),
      tcb: w.uint(6),
      policyHash: w.bytes32(7),
      issuedAt: w.small(8),
      expiresAt: w.small(9),
    };
  }

  async policy(policyHash) {
    const w = await this.#call("policy", encode.bytes32(policyHash));
    return { id: w.small(0), state: w.small(1), validitySeconds: w.small(2) };
  }

  async threshold() {
    return (await this.#call("threshold")).small(0);
  }

  async isOracle(address) {
    return (await this.#call("isOracle", encode.address(address))).bool(0);
  }

  async domainSeparator() {
    return (await this.#call("domainSeparator")).bytes32(0);
  }

  /**
   * The verdicts submitBatch recorded, with their fields: a VerdictRecorded log
   * carries only the machine id and verdict hash, the rest is in the transaction's
   * calldata. In one transaction the registry logs, entry by entry in order, either
   * VerdictRecorded (applied) or VerdictSkipped(entry) (refused), so the k-th
   * VerdictRecorded of a transaction is its k-th entry that was not skipped; its
   * machine id must be that entry's. One eth_getTransactionByHash per transaction.
   * The verdicts of a transaction whose calldata does not pair so (a contract that
   * forwards the call, or calldata this cannot read: submitBatch is open to anyone)
   * keep only their machine id and hash; they never stop the page.
   */
  async batchVerdicts(recorded, skipped) {
    const byTx = new Map();
    for (const r of recorded) {
      if (!byTx.has(r.tx)) byTx.set(r.tx, []);
      byTx.get(r.tx).push(r);
    }
    const selector = this.abi.functions.submitBatch.selector;
    const out = [];
    await Promise.all(
      [...byTx].map(async ([hash, logs]) => {
        const tx = await this.rpc.call("eth_getTransactionByHash", [hash]);
        const entries = tx && String(tx.to ?? "").toLowerCase() === this.address ? batchOfInput(tx.input, selector) : null;
        const refused = new Set(skipped.filter((s) => s.tx === hash).map((s) => s.entry));
        const applied = entries ? entries.filter((_, i) => !refused.has(i)) : [];
        logs.sort((a, b) => a.index - b.index);
        const paired = logs.every((log, k) => applied[k]?.machineId === log.machineId);
        logs.forEach((log, k) => out.push(paired ? { ...applied[k], ...log } : log));
      }),
    );
    return out.sort((a, b) => a.block - b.block || a.index - b.index);
  }

  /** Every log of one event up to the head, oldest first, decoded. */
  async events(name) {
    return (await this.logs([name]))[name];
  }

  /** Blocks one eth_getLogs spans at most: public endpoints limit the range. */
  static LOG_RANGE = 5000n;
  /** eth_getLogs calls in flight at once. */
  static LOG_CALLS = 4;
  /** How many times a range the endpoint refuses is halved before the read fails. */
  static LOG_HALVINGS = 5;

  /**
   * Every log of the named events from the first block to toBlock (the head when
   * not given), decoded, oldest first, by event name. One eth_getLogs per
   * LOG_RANGE blocks asks for all the events at once (a topic list); a range the
   * endpoint refuses (too many blocks or results) is read in halves, up to
   * LOG_HALVINGS times.
   */
  async logs(names, toBlock) {
    const byTopic = new Map(names.map((n) => [this.abi.events[n].topic, n]));
    const topics = [...byTopic.keys()];
    const to = BigInt(toBlock ?? (await this.rpc.call("eth_blockNumber")));
    const ranges = [];
    for (let a = BigInt(this.fromBlock); a <= to; a += Registry.LOG_RANGE) ranges.push([a, a + Registry.LOG_RANGE - 1n < to ? a + Registry.LOG_RANGE - 1n : to]);
    const found = new Array(ranges.length);
    let next = 0;
    const worker = async () => {
      while (next < ranges.length) {
        const i = next++;
        found[i] = await this.#logRange(topics, ...ranges[i], Registry.LOG_HALVINGS);
      }
    };
    await Promise.all(Array.from({ length: Math.min(Registry.LOG_CALLS, ranges.length) }, worker));
    const out = Object.fromEntries(names.map((n) => [n, []]));
    for (const l of found.flat()) {
      const name = byTopic.get(l.topics?.[0]);
      if (name) out[name].push({ block: Number(BigInt(l.blockNumber)), tx: l.transactionHash, index: Number(BigInt(l.logIndex)), ...decodeEvent(name, l) });
    }
    return out;
  }

  async #logRange(topics, from, to, halvings) {
    const hex = (n) => "0x" + n.toString(16);
    try {
      return await this.rpc.call("eth_getLogs", [{ address: this.address, topics: [topics], fromBlock: hex(from), toBlock: hex(to) }]);
    } catch (e) {
      if (!(e instanceof RpcError) || halvings === 0 || from === to) throw e;
      const mid = (from + to) / 2n;
      return [...(await this.#logRange(topics, from, mid, halvings - 1)), ...(await this.#logRange(topics, mid + 1n, to, halvings - 1))];
    }
  }
}

// A packed batch entry (docs/verdict-encoding.md): each field big-endian in its
// type's width, in EIP-712 order, 223 bytes. [name, offset, bytes, kind].
export const PACKED_VERDICT_SIZE = 223;
const PACKED_FIELDS = [
  ["machineId", 0, 32, "bytes32"], ["tee", 32, 1, "uint"], ["status", 33, 1, "uint"], ["teeKey", 34, 20, "address"],
  ["workloadId", 54, 32, "bytes32"], ["tcbStatus", 86, 1, "uint"], ["tcb", 87, 8, "big"], ["policyHash", 95, 32, "bytes32"],
  ["evidenceHash", 127, 32, "bytes32"], ["anchorBlockNumber", 159, 8, "big"], ["anchorBlockHash", 167, 32, "bytes32"],
  ["issuedAt", 199, 8, "uint"], ["expiresAt", 207, 8, "uint"], ["reasons", 215, 8, "big"],
];

/** Unpacks the packed verdicts of submitBatch's first argument (hex without 0x). */
export function unpackBatch(hex) {
  if (hex.length === 0 || hex.length % (2 * PACKED_VERDICT_SIZE) !== 0) throw new RpcError(`a packed batch of ${hex.length / 2} bytes is not a positive multiple of ${PACKED_VERDICT_SIZE}`);
  const out = [];
  for (let at = 0; at < hex.length; at += 2 * PACKED_VERDICT_SIZE) {
    const v = {};
    for (const [name, off, n, kind] of PACKED_FIELDS) {
      const h = hex.slice(at + 2 * off, at + 2 * (off + n));
      if (kind === "bytes32") v[name] = "0x" + h;
      else if (kind === "address") v[name] = checksumless("0x" + h);
      else if (kind === "big") v[name] = BigInt("0x" + h);
      else {
        const x = BigInt("0x" + h);
        if (x > BigInt(Number.MAX_SAFE_INTEGER)) throw new RpcError(`${name} ${x} is too large`);
        v[name] = Number(x);
      }
    }
    out.push(v);
  }
  return out;
}

/**
 * The packed verdicts of a submitBatch(bytes verdicts, bytes signatures) call's
 * input (0x hex), read as the registry's ABI decoder reads them: the head word's
 * offset followed to a length and that many bytes; anything after is ignored, as
 * Solidity ignores it. Null, never an error, for input that is not such a call or
 * cannot be read so: anyone may send submitBatch any calldata.
 */
export function batchOfInput(input, selector) {
  const s = String(input ?? "").toLowerCase();
  if (!s.startsWith(selector)) return null;
  const args = s.slice(selector.length);
  if (args.length % 2 !== 0 || !/^[0-9a-f]*$/.test(args)) return null;
  const size = args.length / 2;
  // The word at byte offset at, as a number no larger than the input.
  const word = (at) => {
    const h = args.slice(at * 2, at * 2 + 64);
    if (h.length !== 64) return null;
    const v = BigInt("0x" + h);
    return v > BigInt(size) ? null : Number(v);
  };
  const off = word(0);
  const len = off === null ? null : word(off);
  if (len === null || len === 0 || len % PACKED_VERDICT_SIZE !== 0) return null;
  const hex = args.slice((off + 32) * 2, (off + 32 + len) * 2);
  if (hex.length !== len * 2) return null;
  try {
    return unpackBatch(hex);
  } catch {
    return null; // a field too large to show
  }
}

function decodeEvent(name, log) {
  const t = log.topics;
  const w = new Words(log.data);
  switch (name) {
    case "MachineRegistered":
      return { machineId: t[1], provider: topicAddress(t[2]), tee: w.small(0), metadataURI: w.string(1) };
    case "MachineMetadataUpdated":
      return { machineId: t[1], metadataURI: w.string(0) };
    case "MachineDeregistered":
      return { machineId: t[1], provider: topicAddress(t[2]), teeKey: w.address(0), authorizedKey: w.address(1) };
    case "VerdictAccepted":
      return { machineId: t[1], teeKey: topicAddress(t[2]), digest: w.bytes32(0), status: w.small(1), workloadId: w.bytes32(2), evidenceHash: w.bytes32(3), policyHash: w.bytes32(4), issuedAt: w.small(5), expiresAt: w.small(6) };
    case "OracleAdded":
    case "OracleRemoved":
      return { oracle: topicAddress(t[1]) };
    case "ThresholdChanged":
      return { threshold: w.small(0) };
    case "PolicyRegistered":
      return { policyHash: t[1], policyId: Number(BigInt(t[2])), validitySeconds: w.small(0), uri: w.string(1) };
    case "PolicyRetired":
      return { policyHash: t[1], policyId: Number(BigInt(t[2])) };
    case "VerdictRecorded":
      return { machineId: t[1], digest: w.bytes32(0) };
    case "VerdictSkipped":
      return { entry: w.small(0), machineId: t[1], teeKey: topicAddress(t[2]), digest: t[3] };
    case "TeeKeyRotated":
      return { machineId: t[1], oldKey: topicAddress(t[2]), newKey: topicAddress(t[3]) };
  }
  throw new RpcError(`no decoder for event ${name}`);
}
