// Unit tests of web/static/registry.mjs under node's test runner, run by
// web/registry_test.go (node --test). The JSON-RPC endpoint is an object answering
// from fixed logs and transactions; the page against a real chain is
// explorer.browser.mjs's.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { Registry, RpcError, batchOfInput, PACKED_VERDICT_SIZE } from "../static/registry.mjs";

const abi = JSON.parse(await readFile(new URL("../static/abi.json", import.meta.url), "utf8"));
const REGISTRY = "0x5fbdb2315678afecb367f032d93f642f64180aa3";
const SELECTOR = abi.functions.submitBatch.selector;

const word = (n) => BigInt(n).toString(16).padStart(64, "0");
const pad = (hex) => hex + "0".repeat((64 - (hex.length % 64)) % 64);
const id = (b) => "0x" + b.repeat(32);

// A packed verdict (docs/verdict-encoding.md) for machine, every other field fixed.
function packed(machine) {
  const fields = [machine.slice(2), "02", "01", "11".repeat(20), "aa".repeat(32), "01", "00".repeat(8), "bb".repeat(32), "cc".repeat(32),
    word(7).slice(-16), "dd".repeat(32), word(100).slice(-16), word(200).slice(-16), "00".repeat(8)];
  const hex = fields.join("");
  assert.equal(hex.length, PACKED_VERDICT_SIZE * 2);
  return hex;
}

// submitBatch(bytes verdicts, bytes signatures) as the Go bindings pack it.
function batchInput(machines, sigs = "ee".repeat(65)) {
  const verdicts = machines.map(packed).join("");
  const head = word(64) + word(64 + 32 + pad(verdicts).length / 2);
  return SELECTOR + head + word(verdicts.length / 2) + pad(verdicts) + word(sigs.length / 2) + pad(sigs);
}

// rpc answers eth_getLogs from logs (by topic and block range) and
// eth_getTransactionByHash from txs. maxRange, when set, is the most blocks one
// eth_getLogs may span, as public endpoints limit it; calls counts the calls.
function rpc(logs, txs = {}, { maxRange = 0, head = 100, calls = {} } = {}) {
  const block = (b) => (b === "latest" ? head : Number(BigInt(b)));
  return {
    async call(method, params) {
      calls[method] = (calls[method] ?? 0) + 1;
      if (method === "eth_blockNumber") return "0x" + head.toString(16);
      if (method === "eth_getLogs") {
        const q = params[0];
        const [from, to] = [block(q.fromBlock), block(q.toBlock)];
        if (maxRange && to - from + 1 > maxRange) throw new RpcError(`eth_getLogs: range of ${to - from + 1} blocks exceeds ${maxRange}`);
        const topics = [q.topics[0]].flat();
        return logs.filter((l) => topics.includes(l.topics[0]) && block(l.blockNumber) >= from && block(l.blockNumber) <= to);
      }
      if (method === "eth_getTransactionByHash") return txs[params[0]] ?? null;
      throw new Error(`unexpected ${method}`);
    },
  };
}

const log = (event, topics, data, { tx = "0x" + "01".repeat(32), index = 0, block = 5 } = {}) => ({
  address: REGISTRY, topics: [abi.events[event].topic, ...topics], data: "0x" + data,
  blockNumber: "0x" + block.toString(16), transactionHash: tx, logIndex: "0x" + index.toString(16),
});

// MachineRegistered(bytes32 indexed machineId, address indexed provider, uint8 tee, string metadataURI)
const registered = (machine, uriHex, opts) =>
  log("MachineRegistered", [machine, "0x" + word("0x" + "22".repeat(20))], word(1) + word(64) + word(uriHex.length / 2) + pad(uriHex), opts);

test("a metadata URI that is not UTF-8 is shown with replacement characters, not an error", async () => {
  const r = new Registry(rpc([registered(id("0a"), "ff41"), registered(id("0b"), Buffer.from("https://ok.example/").toString("hex"), { index: 1 })]), REGISTRY, abi);
  const got = await r.events("MachineRegistered");
  assert.equal(got.length, 2);
  assert.equal(got[0].metadataURI, "\ufffdA");
  assert.equal(got[1].metadataURI, "https://ok.example/");
});

test("MachineMetadataUpdated is decoded", async () => {
  const uri = Buffer.from("https://new.example/").toString("hex");
  const r = new Registry(rpc([log("MachineMetadataUpdated", [id("0a")], word(32) + word(uri.length / 2) + pad(uri))]), REGISTRY, abi);
  const got = await r.events("MachineMetadataUpdated");
  assert.deepEqual(got.map((u) => [u.machineId, u.metadataURI]), [[id("0a"), "https://new.example/"]]);
});

test("batchOfInput reads a canonical submitBatch input", () => {
  const got = batchOfInput(batchInput([id("0a"), id("0b")]), SELECTOR);
  assert.deepEqual(got.map((v) => v.machineId), [id("0a"), id("0b")]);
  assert.equal(got[1].evidenceHash, "0x" + "cc".repeat(32));
});

test("batchOfInput ignores calldata after the arguments", () => {
  for (const extra of ["00", "0000", "ff".repeat(31), "ff".repeat(33)]) {
    const got = batchOfInput(batchInput([id("0a"), id("0b")]) + extra, SELECTOR);
    assert.deepEqual(got?.map((v) => v.machineId), [id("0a"), id("0b")], `with ${extra.length / 2} extra bytes`);
  }
});

test("batchOfInput follows a non-canonical verdicts offset", () => {
  // The verdicts after an unused word: the registry's ABI decoder follows the offset.
  const verdicts = packed(id("0c"));
  const input = SELECTOR + word(96) + word(96 + 32 + pad(verdicts).length / 2) + word(0) + word(verdicts.length / 2) + pad(verdicts) + word(65) + pad("ee".repeat(65));
  assert.deepEqual(batchOfInput(input, SELECTOR).map((v) => v.machineId), [id("0c")]);
});

test("batchOfInput answers null, never throws, for input it cannot read", () => {
  const good = batchInput([id("0a")]);
  const cases = {
    "misaligned offset": SELECTOR + word(65) + good.slice(SELECTOR.length + 64),
    "offset past the end": SELECTOR + word(1 << 20) + good.slice(SELECTOR.length + 64),
    "huge offset": SELECTOR + "ff".repeat(32) + good.slice(SELECTOR.length + 64),
    "huge length": SELECTOR + word(64) + word(0) + "ff".repeat(32),
    "length not a whole number of verdicts": SELECTOR + word(64) + word(0) + word(PACKED_VERDICT_SIZE - 1) + pad("00".repeat(PACKED_VERDICT_SIZE - 1)),
    "verdicts cut short": good.slice(0, SELECTOR.length + 64 * 3 + 100),
    "no head": SELECTOR,
    "odd hex": good + "0",
    "not hex": SELECTOR + "zz".repeat(64),
  };
  for (const [name, input] of Object.entries(cases)) {
    let got;
    assert.doesNotThrow(() => (got = batchOfInput(input, SELECTOR)), name);
    assert.equal(got, null, name);
  }
  assert.equal(batchOfInput("0x12345678" + good.slice(SELECTOR.length), SELECTOR), null, "another function");
});

test("batchOfInput never throws on mutated input (seeded, 5,000 cases)", () => {
  const good = batchInput([id("0a"), id("0b")]);
  let seed = 0x2545f491;
  const rand = (n) => {
    seed ^= seed << 13; seed ^= seed >>> 17; seed ^= seed << 5;
    return (seed >>> 0) % n;
  };
  const hexdigit = () => "0123456789abcdef"[rand(16)];
  for (let i = 0; i < 5000; i++) {
    let s = good.slice(SELECTOR.length);
    for (let k = rand(4) + 1; k > 0; k--) {
      const at = rand(s.length + 1);
      const op = rand(4);
      if (op === 0) s = s.slice(0, at) + hexdigit() + s.slice(at + 1); // change a digit
      else if (op === 1) s = s.slice(0, at); // cut
      else if (op === 2) s = s + "0".repeat(rand(70)); // append
      else s = s.slice(0, at - (at % 64)) + "f".repeat(64) + s.slice(at - (at % 64) + 64); // a word of all ones
    }
    const input = SELECTOR + s;
    let got;
    assert.doesNotThrow(() => (got = batchOfInput(input, SELECTOR)), input);
    if (got !== null) assert.ok(Array.isArray(got) && got.length > 0, input);
  }
});

// VerdictRecorded(bytes32 indexed machineId, bytes32 digest)
const recorded = (machine, digest, opts) => ({ ...log("VerdictRecorded", [machine], digest.slice(2), opts) });

test("batchVerdicts reads a batch resent with one extra byte", async () => {
  const tx = "0x" + "0f".repeat(32);
  const logs = [recorded(id("0a"), id("d1"), { tx, index: 0 }), recorded(id("0b"), id("d2"), { tx, index: 1 })];
  const r = new Registry(rpc(logs, { [tx]: { to: REGISTRY, input: batchInput([id("0a"), id("0b")]) + "00" } }), REGISTRY, abi);
  const got = await r.batchVerdicts(await r.events("VerdictRecorded"), []);
  assert.deepEqual(got.map((v) => [v.machineId, v.digest, v.evidenceHash]), [[id("0a"), id("d1"), "0x" + "cc".repeat(32)], [id("0b"), id("d2"), "0x" + "cc".repeat(32)]]);
});

test("batchVerdicts shows by hash only the verdicts of a transaction it cannot pair", async () => {
  const bad = "0x" + "0e".repeat(32);
  const good = "0x" + "0d".repeat(32);
  const logs = [
    recorded(id("0a"), id("d1"), { tx: bad, index: 0, block: 5 }),
    recorded(id("0b"), id("d2"), { tx: good, index: 0, block: 6 }),
  ];
  // bad's input names another machine than its log; good's is right.
  const r = new Registry(rpc(logs, { [bad]: { to: REGISTRY, input: batchInput([id("0c")]) }, [good]: { to: REGISTRY, input: batchInput([id("0b")]) } }), REGISTRY, abi);
  const got = await r.batchVerdicts(await r.events("VerdictRecorded"), []);
  assert.equal(got.length, 2);
  assert.equal(got[0].machineId, id("0a"));
  assert.equal(got[0].digest, id("d1"));
  assert.equal(got[0].evidenceHash, undefined, "no fields from a batch entry of another machine");
  assert.equal(got[1].evidenceHash, "0x" + "cc".repeat(32));
});

test("logs are read in ranges of at most 5,000 blocks, every event at once", async () => {
  const logs = [];
  for (let b = 10; b < 23000; b += 997) logs.push(registered(id((b % 256).toString(16).padStart(2, "0")), "41", { block: b, index: 0 }));
  logs.push(log("MachineMetadataUpdated", [id("0a")], word(32) + word(1) + pad("42"), { block: 22999, index: 1 }));
  const calls = {};
  const r = new Registry(rpc(logs, {}, { maxRange: 5000, head: 23000, calls }), REGISTRY, abi, 7);
  assert.equal((await r.events("MachineRegistered")).length, logs.length - 1, "events() to the head");
  calls.eth_getLogs = 0;
  const got = await r.logs(["MachineRegistered", "MachineMetadataUpdated", "PolicyRetired"], 23000);
  assert.deepEqual(got.MachineRegistered.map((l) => l.block), logs.slice(0, -1).map((l) => Number(BigInt(l.blockNumber))));
  assert.deepEqual(got.MachineMetadataUpdated.map((l) => l.metadataURI), ["B"]);
  assert.deepEqual(got.PolicyRetired, []);
  assert.equal(calls.eth_getLogs, Math.ceil((23000 - 7 + 1) / 5000));
});

test("a range the endpoint refuses is read in halves", async () => {
  const logs = [registered(id("0a"), "41", { block: 1 }), registered(id("0b"), "41", { block: 4999 })];
  const r = new Registry(rpc(logs, {}, { maxRange: 1000, head: 5000 }), REGISTRY, abi);
  const got = await r.logs(["MachineRegistered"], 5000);
  assert.deepEqual(got.MachineRegistered.map((l) => l.machineId), [id("0a"), id("0b")]);
});

test("an endpoint that refuses every range fails the read, after a bounded number of calls", async () => {
  const calls = {};
  const r = new Registry(rpc([], {}, { maxRange: 1, head: 5000, calls }), REGISTRY, abi);
  await assert.rejects(r.logs(["MachineRegistered"], 5000), RpcError);
  assert.ok(calls.eth_getLogs < 100, `${calls.eth_getLogs} calls`);
});
