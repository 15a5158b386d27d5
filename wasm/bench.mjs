// Measures the WebAssembly verifier in Node: load time and verification time per
// SEV-SNP report and TDX quote, on the repository's real evidence.
//
//   scripts/build-wasm && node wasm/bench.mjs [dist/wasm] [iterations]
//
// Load is compile + instantiate + Go start (from bytes already in memory, and from
// the file). Verification is one `await verifier.verify()` call from JavaScript inputs to
// the parsed report, the same work as the native BenchmarkVerifyJSON* benchmarks
// (go test ./oracle/verifier -bench VerifyJSON). The first call is reported apart:
// it includes the engine's tier-up of the hot code. Each request is timed with
// signatures checked by Node's WebCrypto (the default) and by the module's Go code
// (load's signatures: "go"), one call at a time.
import { readFile } from "node:fs/promises";
import { join, dirname } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const repo = join(dirname(fileURLToPath(import.meta.url)), "..");
const dir = process.argv[2] ?? join(repo, "dist", "wasm");
const iterations = Number(process.argv[3] ?? 200);
const { load } = await import(pathToFileURL(join(dir, "teeoracle.mjs")).href);

const ms = (t0) => Number(process.hrtime.bigint() - t0) / 1e6;

const bytes = await readFile(join(dir, "teeoracle.wasm"));
let t0 = process.hrtime.bigint();
const verifier = await load(bytes);
const loadBytes = ms(t0);
const goOnly = await load(bytes, { signatures: "go" });
t0 = process.hrtime.bigint();
await load(pathToFileURL(join(dir, "teeoracle.wasm")));
const loadFile = ms(t0);

const td = (...p) => readFile(join(repo, "testdata", ...p));
const shared = (...p) => readFile(join(repo, "..", "shared", "vectors", ...p));
const requests = {
  "SEV-SNP Milan report (VCEK, DER)": {
    evidence: await td("sev-snp", "milan-v2", "report.bin"),
    certificates: [await td("sev-snp", "milan-v2", "vcek.der")],
    at: "2022-09-24T01:00:00Z",
  },
};
try {
  requests["TDX v5 quote (dcap-qvl collateral)"] = {
    evidence: await shared("tdx-v5-outdated", "quote.bin"),
    collateral: { tdxDcapQvl: await shared("tdx-v5-outdated", "collateral.json") },
    at: "2026-02-19T00:00:00Z",
  };
  requests["SEV-SNP Turin report (VCEK)"] = {
    evidence: await shared("snp-turin", "report.bin"),
    certificates: [await shared("snp-turin", "vcek.der")],
    at: "2025-07-18T00:00:00Z",
  };
} catch (e) {
  console.error(`../shared/vectors not readable (${e.message}): SEV-SNP Milan only`);
}

console.log(`node ${process.version}, ${iterations} iterations`);
console.log(`module ${bytes.length} bytes; load from bytes ${loadBytes.toFixed(1)} ms, from file ${loadFile.toFixed(1)} ms`);
// Every (verifier, request) pair is warmed up before any is timed, so that no row
// pays for the engine's tier-up of code the others share.
const firsts = {};
for (const v of [verifier, goOnly]) {
  for (const [name, req] of Object.entries(requests)) {
    t0 = process.hrtime.bigint();
    const first = await v.verify(req);
    firsts[`${name} [${v.signatures}]`] = { ms: ms(t0), verdict: first.verdict_hash };
    for (let i = 0; i < 20; i++) await v.verify(req);
  }
}
for (const v of [verifier, goOnly]) {
  for (const [name, req] of Object.entries(requests)) {
    const key = `${name} [${v.signatures}]`;
    t0 = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) await v.verify(req);
    const each = ms(t0) / iterations;
    console.log(`${key}: first call ${firsts[key].ms.toFixed(1)} ms, then ${each.toFixed(2)} ms per verification (verdict ${firsts[key].verdict.slice(0, 10)}…)`);
  }
}
console.log(`signature checks: ${JSON.stringify(verifier.signatureStats())}`);
