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
  /** A dynamic string whose offset (in bytes from the data's start) is in word i. */
  string(i) {
    const off = this.small(i);
    if (off % 32 !== 0) throw new RpcError(`string offset ${off} is not word aligned`);
    const at = off / 32;
    const len = this.small(at);
    const hex = this.#hex.slice((at + 1) * 64, (at + 1) * 64 + len * 2);
    if (hex.length !== len * 2) throw new RpcError("string runs past the data");
    const bytes = new Uint8Array(len);
    for (let k = 0; k < len; k++) bytes[k] = parseInt(hex.slice(2 * k, 2 * k + 2), 16);
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
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

  /** Every log of one event, oldest first, decoded. */
  async events(name) {
    const ev = this.abi.events[name];
    const logs = await this.rpc.call("eth_getLogs", [{ address: this.address, topics: [ev.topic], fromBlock: this.fromBlock, toBlock: "latest" }]);
    return logs.map((l) => ({ block: Number(BigInt(l.blockNumber)), tx: l.transactionHash, index: Number(BigInt(l.logIndex)), ...decodeEvent(name, l) }));
  }
}

function decodeEvent(name, log) {
  const t = log.topics;
  const w = new Words(log.data);
  switch (name) {
    case "MachineRegistered":
      return { machineId: t[1], provider: topicAddress(t[2]), tee: w.small(0), metadataURI: w.string(1) };
    case "MachineDeregistered":
      return { machineId: t[1], provider: topicAddress(t[2]), teeKey: w.address(0) };
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
    case "TeeKeyRotated":
      return { machineId: t[1], oldKey: topicAddress(t[2]), newKey: topicAddress(t[3]) };
  }
  throw new RpcError(`no decoder for event ${name}`);
}
