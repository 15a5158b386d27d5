// Unit tests of web/static/registry.mjs under node's test runner, run by
// web/registry_test.go (node --test). The JSON-RPC endpoint is an object answering
// from fixed logs and transactions; the page against a real chain is
// explorer.browser.mjs's.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { Registry, batchOfInput, PACKED_VERDICT_SIZE } from "../static/registry.mjs";

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

// rpc answers eth_getLogs from logs (by topic) and eth_getTransactionByHash from txs.
function rpc(logs, txs = {}) {
  return {
    async call(method, params) {
      if (method === "eth_getLogs") return logs.filter((l) => l.topics[0] === params[0].topics[0]);
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
