// Times the WebAssembly verifier in headless Chromium (Debian's chromium through
// playwright-core). Run by web/speed_test.go (TestVerifierSpeedInChromium), which
// serves the built module under /wasm/, the requests' wire JSON at /requests.json
// and, at /native/i, the native time (ns) per verification of request i, measured
// when asked; and passes:
//   SPEED_URL          the page (an empty document of that server)
//   PLAYWRIGHT_CORE    path of playwright-core's index.mjs
//   CHROMIUM           the browser executable
//   SPEED_ROUNDS       native-then-Chromium pairs per request (default 3)
//   SPEED_ITERATIONS   timed calls per request and round, at least (default 30;
//                      more while the run is under half a second)
//   SPEED_CPUPROFILE   optional: a directory to write one DevTools CPU profile
//                      (.cpuprofile) per request, of its timed calls
// The page loads the module (signatures by WebCrypto), calls verifyJSON once per
// request and 20 more times (so that no request pays for the engine's tier-up of
// code the others share). Then, for each request and round, it asks for the
// native time and right after times its own calls, one at a time, in wall time
// and in Chromium's CPU time (all its processes, from the DevTools protocol's
// SystemInfo.getProcessInfo, 10 ms resolution). Prints JSON: {ua, iterations,
// stats, rows: [{first_ms, report, native: [{wall_ns, cpu_ns} per round],
// each_ms: [per round], cpu_ms: [per round]}], signatures: [the same for one
// ECDSA check, {curve, native, each_ms, cpu_ms}]}.
import { pathToFileURL } from "node:url";
import { join } from "node:path";
import { mkdir, writeFile } from "node:fs/promises";

const env = (k) => {
  if (!process.env[k]) throw new Error(`${k} is not set`);
  return process.env[k];
};
const { chromium } = await import(pathToFileURL(env("PLAYWRIGHT_CORE")).href);
const iterations = Number(process.env.SPEED_ITERATIONS ?? 30);
const rounds = Number(process.env.SPEED_ROUNDS ?? 3);
// Each timed run lasts at least this long (and makes at least the iterations), so
// that Chromium's CPU time, counted in 10 ms steps, is read to a few percent.
const minMs = 500;
const profileDir = process.env.SPEED_CPUPROFILE;

const browser = await chromium.launch({
  executablePath: env("CHROMIUM"),
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
});
try {
  const page = await browser.newPage();
  const problems = [];
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  await page.goto(env("SPEED_URL"));
  const setup = await page.evaluate(async () => {
    const { load } = await import("/wasm/teeoracle.mjs");
    window.verifier = await load("/wasm/teeoracle.wasm");
    window.requests = await (await fetch("/requests.json")).json();
    window.firsts = [];
    for (const r of window.requests) {
      const t = performance.now();
      const report = await window.verifier.verifyJSON(r.request);
      window.firsts.push({ first_ms: performance.now() - t, report });
      for (let i = 0; i < 20; i++) await window.verifier.verifyJSON(r.request);
    }
    return { ua: navigator.userAgent, signatures: window.verifier.signatures, n: window.requests.length };
  });
  if (setup.signatures !== "webcrypto") throw new Error(`the page's verifier checks signatures with ${setup.signatures}, not WebCrypto`);
  const cdp = profileDir ? await page.context().newCDPSession(page) : null;
  if (cdp) {
    await mkdir(profileDir, { recursive: true });
    await cdp.send("Profiler.enable");
    await cdp.send("Profiler.setSamplingInterval", { interval: 100 });
  }
  // Chromium's CPU time (every process: renderer, browser, GPU, network), so that
  // the ratio can be taken on CPU time too, which the machine's load moves less.
  const browserCDP = await browser.newBrowserCDPSession();
  const cpuSeconds = async () => (await browserCDP.send("SystemInfo.getProcessInfo")).processInfo.reduce((s, p) => s + p.cpuTime, 0);
  const rows = [];
  for (let i = 0; i < setup.n; i++) {
    const row = { ...(await page.evaluate((i) => window.firsts[i], i)), native: [], each_ms: [], cpu_ms: [] };
    for (let round = 0; round < rounds; round++) {
      const native = await page.evaluate(async (i) => {
        const res = await fetch(`/native/${i}`);
        if (!res.ok) throw new Error(`native time of request ${i}: ${res.status} ${await res.text()}`);
        return res.json();
      }, i);
      if (cdp && round === 0) await cdp.send("Profiler.start");
      const cpu0 = await cpuSeconds();
      const [each, calls] = await page.evaluate(async ([i, n, minMs]) => {
        const r = window.requests[i];
        const t = performance.now();
        let k = 0;
        for (; k < n || performance.now() - t < minMs; k++) await window.verifier.verifyJSON(r.request);
        return [(performance.now() - t) / k, k];
      }, [i, iterations, minMs]);
      const cpu = ((await cpuSeconds()) - cpu0) * 1000 / calls;
      if (cdp && round === 0) {
        const { profile } = await cdp.send("Profiler.stop");
        await writeFile(join(profileDir, `request-${i}.cpuprofile`), JSON.stringify(profile));
      }
      row.native.push(native);
      row.each_ms.push(each);
      row.cpu_ms.push(cpu);
    }
    rows.push(row);
  }
  // One signature check alone, as WebCrypto does it for the verifier (a key the
  // page makes, 1000 bytes signed), beside Go's native ecdsa.VerifyASN1 (GET
  // /native-ecdsa/curve): what a verification's signature checks cost at least.
  const signatures = [];
  for (const [curve, hash] of [["P-256", "SHA-256"], ["P-384", "SHA-384"]]) {
    const native = [], each = [], cpu = [];
    for (let round = 0; round < rounds; round++) {
      native.push(await page.evaluate(async (curve) => (await fetch(`/native-ecdsa/${curve}`)).json(), curve));
      const cpu0 = await cpuSeconds();
      const [ms, calls] = await page.evaluate(async ([curve, hash, n, minMs]) => {
        const s = crypto.subtle;
        const kp = await s.generateKey({ name: "ECDSA", namedCurve: curve }, false, ["sign", "verify"]);
        const msg = new Uint8Array(1000);
        const sig = await s.sign({ name: "ECDSA", hash }, kp.privateKey, msg);
        const t = performance.now();
        let k = 0;
        for (; k < n || performance.now() - t < minMs; k++) {
          if (!(await s.verify({ name: "ECDSA", hash }, kp.publicKey, sig, msg))) throw new Error(`${curve} signature does not verify`);
        }
        return [(performance.now() - t) / k, k];
      }, [curve, hash, iterations, minMs]);
      each.push(ms);
      cpu.push(((await cpuSeconds()) - cpu0) * 1000 / calls);
    }
    signatures.push({ curve, native, each_ms: each, cpu_ms: cpu });
  }
  const stats = await page.evaluate(() => window.verifier.signatureStats());
  if (problems.length) throw new Error(problems.join("; "));
  console.log(JSON.stringify({ ua: setup.ua.match(/(HeadlessChrome|Chrome)\/[\d.]+/)?.[0] ?? setup.ua, iterations, stats, rows, signatures }));
} finally {
  await browser.close();
}
