// Node tests of the WebAssembly verifier (node --test). Run by wasm/node_test.go
// (`go test ./wasm`), which builds the module and writes the native verifier's results:
//   TEEORACLE_WASM_DIR    scripts/build-wasm's output directory
//   TEEORACLE_WASM_CASES  JSON list of {name, request, expected}: request JSON and the
//                         native report JSON for every real vector
//   TEEORACLE_WASM_DEVNET JSON {roots, cases}: devnet-only roots in load's roots shape,
//                         and SEV-SNP and TDX evidence of the devnet's simulated
//                         hardware with the native report under those roots
//   TEEORACLE_REPO        the repository root (for testdata/)
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const dir = process.env.TEEORACLE_WASM_DIR;
const repo = process.env.TEEORACLE_REPO;
if (!dir || !process.env.TEEORACLE_WASM_CASES || !process.env.TEEORACLE_WASM_DEVNET || !repo) {
  throw new Error("run through `go test ./wasm`: TEEORACLE_WASM_DIR, TEEORACLE_WASM_CASES, TEEORACLE_WASM_DEVNET and TEEORACLE_REPO must be set");
}
const cases = JSON.parse(await readFile(process.env.TEEORACLE_WASM_CASES, "utf8"));
const devnet = JSON.parse(await readFile(process.env.TEEORACLE_WASM_DEVNET, "utf8"));
const { load, encodeRequest, encodeRoots, TeeoracleError } = await import(pathToFileURL(join(dir, "teeoracle.mjs")).href);
const verifier = await load();
const byName = Object.fromEntries(cases.map((c) => [c.name, c]));
const milan = (f) => readFile(join(repo, "testdata", "sev-snp", "milan-v2", f));
const milanReport = await milan("report.bin");

// Which check a flipped signature bit must fail, by the tampered case's suffix.
const tamperedCheck = {
  "tampered-report-signature": "snp.signature",
  "tampered-certificate-signature": null, // snp.vcek_chain or snp.vlek_chain
  "tampered-quote-signature": "tdx.quote_signature",
  "tampered-qe-report-signature": "tdx.qe_report_signature",
};

test("every real vector: the module's report is the native verifier's, byte for byte", async () => {
  assert.ok(cases.length >= 12, `only ${cases.length} cases`);
  for (const c of cases) {
    const got = await verifier.verifyJSON(c.request);
    assert.equal(got, c.expected, c.name);
    const report = JSON.parse(got);
    assert.equal(report.verdict_hash, JSON.parse(c.expected).verdict_hash, c.name);
    assert.match(report.verdict_hash, /^0x[0-9a-f]{64}$/);
  }
});

test("WebCrypto and Go's crypto: the same report on every real vector and every flipped signature bit", async () => {
  assert.equal(verifier.signatures, "webcrypto");
  const goOnly = await load(await readFile(join(dir, "teeoracle.wasm")), { signatures: "go" });
  assert.equal(goOnly.signatures, "go");
  const before = verifier.signatureStats();
  const tampered = cases.filter((c) => c.name.includes("/tampered-"));
  assert.ok(tampered.length >= 8, `only ${tampered.length} tampered cases`);
  for (const c of cases) {
    const web = await verifier.verifyJSON(c.request);
    const go = await goOnly.verifyJSON(c.request);
    assert.equal(web, c.expected, `${c.name}: WebCrypto path`);
    assert.equal(go, c.expected, `${c.name}: Go path`);
  }
  for (const c of tampered) {
    const report = JSON.parse(c.expected);
    assert.equal(report.appraisal.authentic, false, c.name);
    const suffix = c.name.slice(c.name.lastIndexOf("/") + 1);
    assert.ok(suffix in tamperedCheck, c.name);
    const failed = report.checks.filter((x) => x.outcome === "fail").map((x) => x.name);
    const want = tamperedCheck[suffix] ?? (c.name.startsWith("snp-vlek") ? "snp.vlek_chain" : "snp.vcek_chain");
    assert.ok(failed.includes(want), `${c.name}: failed checks ${failed}, want ${want}`);
  }
  // Every signature of the real vectors went to WebCrypto (none fell back to Go),
  // and the Go-only instance never used WebCrypto.
  const after = verifier.signatureStats();
  assert.ok(after.webcrypto - before.webcrypto >= cases.length, JSON.stringify({ before, after }));
  assert.equal(after.go, before.go, JSON.stringify({ before, after }));
  assert.deepEqual(goOnly.signatureStats(), { webcrypto: 0, go: 0 });
});

test("without WebCrypto (no crypto.subtle, as on a page outside a secure context) verify uses Go's crypto", async () => {
  // Outside a secure context a page has crypto.getRandomValues (which Go's runtime
  // uses) but no crypto.subtle.
  const saved = Object.getOwnPropertyDescriptor(globalThis, "crypto");
  const real = globalThis.crypto;
  const insecure = { getRandomValues: (a) => real.getRandomValues(a) };
  Object.defineProperty(globalThis, "crypto", { value: insecure, configurable: true, writable: true });
  let plain;
  try {
    plain = await load(await readFile(join(dir, "teeoracle.wasm")));
  } finally {
    Object.defineProperty(globalThis, "crypto", saved);
  }
  assert.equal(plain.signatures, "go");
  for (const name of ["snp-milan-v2/raw+der/default", "tdx-v5-outdated/default", "snp-milan-v2/raw+der/default/tampered-report-signature"]) {
    const c = byName[name];
    if (!c) continue; // the shared vectors are absent (the Go side says so)
    assert.equal(await plain.verifyJSON(c.request), c.expected, name);
  }
  assert.deepEqual(plain.signatureStats(), { webcrypto: 0, go: 0 });
});

test("verify() with JavaScript inputs gives the same verdict as the wire form", async () => {
  const want = JSON.parse(byName["snp-milan-v2/raw+der/default"].expected);
  const report = await verifier.verify({
    evidence: await milan("report.bin"),
    evidenceName: "report.bin",
    certificates: [(await milan("vcek.der")).buffer.slice(0)],
    at: new Date("2022-09-24T01:00:00.250Z"),
  });
  assert.deepEqual(report, want);
  assert.equal(report.trusted, false);
  assert.deepEqual(report.reasons, ["debug"]);

  // PEM as text, a policy as text, a binding with a BigInt and strings.
  const bound = JSON.parse(byName["snp-milan-v2/binding"].expected);
  const got = await verifier.verify({
    evidence: await milan("report.bin"),
    certificates: [await readFile(join(repo, "testdata", "sev-snp", "milan-v2", "vcek.pem"), "utf8")],
    policy: await readFile(join(repo, "testdata", "policies", "lab-permissive.yaml"), "utf8"),
    at: "2022-09-24T01:00:00Z",
    chainId: 31337n,
    registry: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
    binding: {
      machineId: "0x" + "11".repeat(32),
      teeKey: "0x" + "22".repeat(20),
      anchorBlockNumber: "7",
      anchorBlockHash: "0x" + "33".repeat(32),
    },
  });
  assert.equal(got.verdict_hash, bound.verdict_hash);
  assert.deepEqual(got.reasons, ["report_data_mismatch"]);
});

test("uint64 fields keep all their digits on the wire", async () => {
  const text = encodeRequest({ evidence: "x", at: "2022-09-24T01:00:00Z", chainId: 18446744073709551615n });
  assert.match(text, /"chain_id":18446744073709551615[,}]/);
  assert.throws(() => encodeRequest({ evidence: "x", at: "2022-09-24T01:00:00Z", chainId: 2 ** 60 }), TeeoracleError);
  assert.throws(() => encodeRequest({ evidence: "x", at: "2022-09-24T01:00:00Z", chainId: -1 }), TeeoracleError);
});

test("a tampered report is not authentic and does not reproduce the verdict hash", async () => {
  const want = JSON.parse(byName["snp-milan-v2/raw+der/default"].expected);
  const report = new Uint8Array(await milan("report.bin"));
  report[0x2a0 + 5] ^= 0x01; // a byte of the signature's R
  const got = await verifier.verify({ evidence: report, certificates: [await milan("vcek.der")], at: "2022-09-24T01:00:00Z" });
  assert.equal(got.appraisal.authentic, false);
  assert.ok(got.reasons.includes("not_authentic"), String(got.reasons));
  assert.equal(got.checks.find((c) => c.name === "snp.signature").outcome, "fail");
  assert.notEqual(got.verdict_hash, want.verdict_hash);
});

const kind = (fn) => {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof TeeoracleError, String(e));
    return e.kind;
  }
  assert.fail("no error");
};
const rejectKind = async (p) => {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof TeeoracleError, String(e));
    return e.kind;
  }
  assert.fail("no error");
};

test("inputs that give no verdict throw TeeoracleError with the right kind", async () => {
  const at = "2022-09-24T01:00:00Z";
  assert.equal(await rejectKind(verifier.verifyJSON("{")), "request");
  assert.equal(await rejectKind(verifier.verifyJSON('{"evidence":"AAEC"}')), "request");
  assert.equal(await rejectKind(verifier.verify({ evidence: "not a report", at })), "evidence");
  assert.equal(await rejectKind(verifier.verify({ evidence: milanReport, at, policy: "version: 9\n" })), "policy");
  const quote = await readFile(join(repo, "testdata", "tdx", "spr-e4", "quote.bin"));
  assert.equal(await rejectKind(verifier.verify({ evidence: quote, at })), "collateral");
  assert.equal(await rejectKind(verifier.verify({ evidence: quote, at, evidense: 1 })), "request");
  assert.equal(await rejectKind(verifier.verify({ evidence: quote })), "request");
  assert.equal(await rejectKind(verifier.verify({ evidence: 42, at })), "request");
  // After errors the module still verifies.
  const c = byName["tdx-spr-e4/pcs/default"];
  assert.equal(await verifier.verifyJSON(c.request), c.expected);
});
test("the module loads from bytes and from a URL, and instances are independent", async () => {
  const bytes = await readFile(join(dir, "teeoracle.wasm"));
  const a = await load(bytes);
  const b = await load(pathToFileURL(join(dir, "teeoracle.wasm")));
  const c = byName["snp-milan-v2/bundle"];
  assert.equal(await a.verifyJSON(c.request), c.expected);
  assert.equal(await b.verifyJSON(c.request), c.expected);
  const v = a.version();
  assert.equal(v.api, 2);
  assert.equal(v.default_policy_hash, JSON.parse(byName["snp-milan-v2/raw+der/default"].expected).policy_hash);
  assert.match(v.go, /^go1\./);
});

test("devnet evidence: verified under the devnet's roots, not under the vendors'", async () => {
  // Plain evidence, and bundles naming a workload (TDX: CCEL + runtime RTMR3
  // event; SEV-SNP: HOST_DATA).
  assert.equal(devnet.cases.length, 4);
  assert.equal(verifier.roots, "vendor");
  const dv = verifier.withRoots(devnet.roots);
  assert.equal(dv.roots, "custom");
  const info = dv.version().roots;
  assert.equal(info.kind, "custom");
  assert.equal(info.snp[0].product_line, "Milan");
  assert.match(info.tdx_root_sha256, /^0x[0-9a-f]{64}$/);
  assert.deepEqual(verifier.version().roots, { kind: "vendor" });
  for (const c of devnet.cases) {
    // Under the devnet roots: the native report, byte for byte, and trusted.
    const got = await dv.verifyJSON(c.request);
    assert.equal(got, c.expected, c.name);
    assert.equal(JSON.parse(got).trusted, true, c.name);
    if (c.name.endsWith("-workload")) {
      const id = JSON.parse(got).identity;
      assert.equal(id.bound, true, c.name);
      assert.equal(id.workload_id_version, 2, c.name);
      assert.match(id.images[0], /@sha256:[0-9a-f]{64}$/, c.name);
    }
    // The same evidence under the default (vendor) roots: not authentic, another
    // verdict hash; making the devnet verifier changed nothing of this one.
    const vendor = JSON.parse(await verifier.verifyJSON(c.request));
    assert.equal(vendor.trusted, false, c.name);
    assert.equal(vendor.appraisal.authentic, false, c.name);
    assert.ok(vendor.reasons.includes("not_authentic"), `${c.name}: ${vendor.reasons}`);
    assert.notEqual(vendor.verdict_hash, JSON.parse(c.expected).verdict_hash, c.name);
  }
  const snp = JSON.parse(await verifier.verifyJSON(devnet.cases.find((c) => c.name === "devnet-snp").request));
  assert.equal(snp.checks.find((c) => c.name === "snp.vcek_chain").outcome, "fail");
});

test("devnet roots given to load; a tampered devnet report is not reproduced under them", async () => {
  const dv = await load(await readFile(join(dir, "teeoracle.wasm")), { roots: devnet.roots });
  assert.equal(dv.roots, "custom");
  const c = devnet.cases.find((c) => c.name === "devnet-snp");
  assert.equal(await dv.verifyJSON(c.request), c.expected);
  const req = JSON.parse(c.request);
  const ev = Buffer.from(req.evidence, "base64");
  ev[0x2a0 + 5] ^= 0x01; // a byte of the report signature's R
  req.evidence = ev.toString("base64");
  const got = JSON.parse(await dv.verifyJSON(JSON.stringify(req)));
  assert.equal(got.appraisal.authentic, false);
  assert.equal(got.checks.find((x) => x.name === "snp.signature").outcome, "fail");
  assert.notEqual(got.verdict_hash, JSON.parse(c.expected).verdict_hash);
});

test("malformed roots throw TeeoracleError of kind roots", async () => {
  const r = devnet.roots;
  const s0 = r.snp[0];
  const bad = {
    "not an object": "roots",
    "no tdxRoot": { snp: r.snp },
    "no snp": { snp: [], tdxRoot: r.tdxRoot },
    "unknown field": { ...r, intelRoot: r.tdxRoot },
    "unknown snp field": { snp: [{ ...s0, vcek: s0.ask }], tdxRoot: r.tdxRoot },
    "certificate of the wrong type": { snp: [{ ...s0, ark: 42 }], tdxRoot: r.tdxRoot },
    "ARK not PEM or DER": { snp: [{ ...s0, ark: "not a certificate" }], tdxRoot: r.tdxRoot },
    "ARK truncated PEM": { snp: [{ ...s0, ark: s0.ark.slice(0, 200) }], tdxRoot: r.tdxRoot },
    "ASK not signed by the ARK": { snp: [{ ...s0, ark: r.tdxRoot }], tdxRoot: r.tdxRoot },
    "TDX root not self-issued": { snp: r.snp, tdxRoot: s0.ask },
  };
  for (const [name, roots] of Object.entries(bad)) {
    assert.equal(kind(() => verifier.withRoots(roots)), "roots", name);
  }
  assert.throws(() => encodeRoots({ snp: r.snp }), (e) => e instanceof TeeoracleError && e.kind === "roots");
  await assert.rejects(load(await readFile(join(dir, "teeoracle.wasm")), { roots: { snp: [{ ...s0, ark: "x" }], tdxRoot: r.tdxRoot } }), (e) => e instanceof TeeoracleError && e.kind === "roots");
  // The vendor verifier is still the vendor verifier.
  assert.equal(verifier.roots, "vendor");
  const c = byName["snp-milan-v2/bundle"];
  assert.equal(await verifier.verifyJSON(c.request), c.expected);
});
