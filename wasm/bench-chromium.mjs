// Measures the WebAssembly verifier in headless Chromium (Debian's chromium through
// playwright-core, scripts/install-browser-test): load time and verification time
// per SEV-SNP report and TDX quote, on the same evidence as wasm/bench.mjs.
//
//   scripts/build-wasm && scripts/install-browser-test && node wasm/bench-chromium.mjs [dist/wasm] [iterations]
//
// A small server on 127.0.0.1 serves the build and the evidence; the page loads the
// module with load() (fetch + streaming compile + Go start) and times `await verify()`,
// with signatures checked by Chromium's WebCrypto (the default) and by the module's
// Go code (load's signatures: "go").
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { join, dirname, extname } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const repo = join(dirname(fileURLToPath(import.meta.url)), "..");
const dir = process.argv[2] ?? join(repo, "dist", "wasm");
const iterations = Number(process.argv[3] ?? 100);
const { chromium } = await import(pathToFileURL(join(repo, ".tools", "playwright", "node_modules", "playwright-core", "index.mjs")).href);

const files = {
  "/teeoracle.mjs": join(dir, "teeoracle.mjs"),
  "/wasm_exec.js": join(dir, "wasm_exec.js"),
  "/teeoracle.wasm": join(dir, "teeoracle.wasm"),
  "/milan/report.bin": join(repo, "testdata", "sev-snp", "milan-v2", "report.bin"),
  "/milan/vcek.der": join(repo, "testdata", "sev-snp", "milan-v2", "vcek.der"),
  "/tdx/quote.bin": join(repo, "..", "shared", "vectors", "tdx-v5-outdated", "quote.bin"),
  "/tdx/collateral.json": join(repo, "..", "shared", "vectors", "tdx-v5-outdated", "collateral.json"),
  "/turin/report.bin": join(repo, "..", "shared", "vectors", "snp-turin", "report.bin"),
  "/turin/vcek.der": join(repo, "..", "shared", "vectors", "snp-turin", "vcek.der"),
};
const types = { ".mjs": "text/javascript", ".js": "text/javascript", ".wasm": "application/wasm", ".html": "text/html" };
const server = createServer(async (req, res) => {
  if (req.url === "/") {
    res.writeHead(200, { "content-type": "text/html" }).end("<!doctype html><title>bench</title>");
    return;
  }
  try {
    const body = await readFile(files[req.url]);
    res.writeHead(200, { "content-type": types[extname(req.url)] ?? "application/octet-stream" }).end(body);
  } catch {
    res.writeHead(404).end();
  }
});
await new Promise((r) => server.listen(0, "127.0.0.1", r));
const base = `http://127.0.0.1:${server.address().port}`;

const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
});
try {
  const page = await browser.newPage();
  await page.goto(base + "/");
  const out = await page.evaluate(async (n) => {
    const bytes = async (p) => new Uint8Array(await (await fetch(p)).arrayBuffer());
    const t0 = performance.now();
    const { load } = await import("/teeoracle.mjs");
    const verifier = await load("/teeoracle.wasm");
    const loadMs = performance.now() - t0;
    const goOnly = await load("/teeoracle.wasm", { signatures: "go" });
    const requests = {
      "SEV-SNP Milan report (VCEK, DER)": { evidence: await bytes("/milan/report.bin"), certificates: [await bytes("/milan/vcek.der")], at: "2022-09-24T01:00:00Z" },
    };
    const q = await fetch("/tdx/quote.bin");
    if (q.ok) {
      requests["TDX v5 quote (dcap-qvl collateral)"] = { evidence: new Uint8Array(await q.arrayBuffer()), collateral: { tdxDcapQvl: await bytes("/tdx/collateral.json") }, at: "2026-02-19T00:00:00Z" };
      requests["SEV-SNP Turin report (VCEK)"] = { evidence: await bytes("/turin/report.bin"), certificates: [await bytes("/turin/vcek.der")], at: "2025-07-18T00:00:00Z" };
    }
    const rows = [];
    const firsts = {};
    // Warm up every (verifier, request) pair before timing any, so that no row pays
    // for the engine's tier-up of code the others share.
    for (const v of [verifier, goOnly]) {
      for (const [name, req] of Object.entries(requests)) {
        const t = performance.now();
        const first = await v.verify(req);
        firsts[`${name} [${v.signatures}]`] = { ms: performance.now() - t, verdict: first.verdict_hash };
        for (let i = 0; i < 20; i++) await v.verify(req);
      }
    }
    for (const v of [verifier, goOnly]) {
      for (const [name, req] of Object.entries(requests)) {
        const key = `${name} [${v.signatures}]`;
        const t = performance.now();
        for (let i = 0; i < n; i++) await v.verify(req);
        rows.push({ name: key, firstMs: firsts[key].ms, eachMs: (performance.now() - t) / n, verdict: firsts[key].verdict });
      }
    }
    return { loadMs, rows, ua: navigator.userAgent, stats: verifier.signatureStats() };
  }, iterations);
  console.log(`${out.ua.match(/(HeadlessChrome|Chrome)\/[\d.]+/)?.[0]}, ${iterations} iterations`);
  console.log(`load (fetch, compile, instantiate, start) ${out.loadMs.toFixed(1)} ms`);
  for (const r of out.rows) {
    console.log(`${r.name}: first call ${r.firstMs.toFixed(1)} ms, then ${r.eachMs.toFixed(2)} ms per verification (verdict ${r.verdict.slice(0, 10)}…)`);
  }
  console.log(`signature checks: ${JSON.stringify(out.stats)}`);
} finally {
  await browser.close();
  server.close();
}
