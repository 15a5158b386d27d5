// Drives the registry explorer in headless Chromium (Debian's chromium through
// playwright-core). Run by web/explorer_test.go, which starts anvil, deploys the
// registry, publishes verdicts, serves the page and the oracle archive, and passes:
//   EXPLORER_URL        the page
//   EXPLORER_EXPECT     JSON: {machines: {id: trust word}, reproduced: [digest]
//                       (under AMD's and Intel's roots), test_rooted: [digest]
//                       (only under the devnet's test-only roots),
//                       tampered: [{digest, file}], identity: [digest],
//                       metadata: {id: metadata URI shown}, searchable: id of
//                       a trusted machine to search for by TEE key and workload}
//   EXPLORER_FLEET      JSON: {count, provider, sample}: machines registered (before
//                       the attested ones) to fill pages, their provider, one's id
//   SCREENSHOT_DIR      where screenshots go
//   PLAYWRIGHT_CORE     path of playwright-core's index.mjs
//   CHROMIUM            the browser executable
// Exits non-zero with a message on the first expectation that fails.
import { pathToFileURL } from "node:url";
import { join } from "node:path";
import { mkdir } from "node:fs/promises";

const env = (k) => {
  if (!process.env[k]) throw new Error(`${k} is not set`);
  return process.env[k];
};
const { chromium } = await import(pathToFileURL(env("PLAYWRIGHT_CORE")).href);
const expect = JSON.parse(env("EXPLORER_EXPECT"));
const shots = env("SCREENSHOT_DIR");
await mkdir(shots, { recursive: true });

const browser = await chromium.launch({
  executablePath: env("CHROMIUM"),
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
});
const problems = [];
const fleet = JSON.parse(env("EXPLORER_FLEET"));
const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
try {
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("console", (m) => m.type() === "error" && !/Failed to load resource/.test(m.text()) && problems.push(`console error: ${m.text()}`));
  // Failed loads are reported with their URL (the console message has none).
  page.on("response", (r) => r.status() >= 400 && problems.push(`HTTP ${r.status()} for ${r.url()}`));
  await page.goto(env("EXPLORER_URL"));
  await page.waitForFunction(() => /machine/.test(document.querySelector("#status").textContent) || document.querySelector("#status.error"), null, { timeout: 30000 });
  const statusText = await page.textContent("#status");
  if (await page.$("#status.error")) throw new Error(`page could not read the registry: ${statusText}`);

  for (const [id, want] of Object.entries(expect.machines)) {
    const got = await page.getAttribute(`section[data-machine="${id}"] .badge`, "data-trust");
    if (got !== want) throw new Error(`machine ${id}: trust "${got}", want "${want}"`);
    // The heading names the whole id, so that no other machine looks the same.
    const heading = await page.textContent(`section[data-machine="${id}"] h3 code`);
    if (heading !== id) throw new Error(`machine ${id}: heading shows ${JSON.stringify(heading)}`);
  }
  for (const [id, want] of Object.entries(expect.metadata ?? {})) {
    const got = await page.evaluate((id) => {
      const dt = [...document.querySelectorAll(`section[data-machine="${id}"] dt`)].find((d) => d.textContent === "Metadata");
      return dt?.nextElementSibling.textContent;
    }, id);
    if (got !== want) throw new Error(`machine ${id}: metadata ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
  }
  // The explorer was given test roots: the page says so before anything else.
  const banner = await page.$("#test-roots:not([hidden])");
  if (!banner || !/test-only roots/.test(await banner.textContent())) throw new Error("no test-roots notice on a page given test roots");
  await page.screenshot({ path: join(shots, "1-machines.png"), fullPage: true });
  const firstPaintMs = Number(await page.evaluate(() => document.documentElement.dataset.firstPaintMs));
  if (!(firstPaintMs > 0)) throw new Error("the page recorded no first paint time");
  await checkPagingAndSearch();

  const result = async (digest) => {
    const sel = `output[data-digest="${digest}"]`;
    await page.waitForFunction((s) => {
      const r = document.querySelector(s)?.dataset.result;
      return r && r !== "busy";
    }, sel, { timeout: 60000 });
    return { result: await page.getAttribute(sel, "data-result"), text: await page.textContent(sel) };
  };
  const timings = {};
  const reverify = async (digest, want, text) => {
    const t0 = Date.now();
    await page.click(`button[data-digest="${digest}"]`);
    const r = await result(digest);
    timings[digest] = Date.now() - t0;
    if (r.result !== want) throw new Error(`verdict ${digest}: ${r.result}, want ${want}: ${r.text}`);
    if (!text.test(r.text)) throw new Error(`verdict ${digest}: text ${JSON.stringify(r.text)} does not match ${text}`);
  };
  // Real evidence: reproduced under the vendors' roots, with no test-roots label.
  for (const digest of expect.reproduced) await reverify(digest, "reproduced", /^Reproduced: .*AMD's and Intel's roots/);
  // Devnet evidence: reproduced only under the devnet's roots, and labelled so.
  for (const digest of expect.test_rooted) await reverify(digest, "reproduced-test-roots", /^Reproduced under devnet test-only roots \(not AMD\/Intel\)/);
  // A verdict whose evidence names its workload: the page lists it by name.
  for (const digest of expect.identity) {
    const text = await page.textContent(`output[data-digest="${digest}"]`);
    for (const want of [/workload "api": bound by rtmr3_event/, /image ghcr\.io\/acme\/api@sha256:(5a){32}/, /kernel cmdline console=ttyS0/, /event log: RTMR0 verified/]) {
      if (!want.test(text)) throw new Error(`verdict ${digest}: the workload identity lacks ${want}: ${text}`);
    }
  }
  await page.screenshot({ path: join(shots, "2-reproduced.png"), fullPage: true });

  // Tampered evidence is not reproduced, under any roots.
  for (const { digest, file } of expect.tampered) {
    // Forget the archived evidence's result, so that the next one is the file's.
    await page.$eval(`output[data-digest="${digest}"]`, (o) => delete o.dataset.result);
    await page.setInputFiles(`input[type=file][data-digest="${digest}"]`, file);
    const r = await result(digest);
    if (r.result !== "mismatch" || !/^Not reproduced/.test(r.text)) throw new Error(`tampered evidence for ${digest}: ${r.result}: ${r.text}`);
  }
  await page.screenshot({ path: join(shots, "3-tampered.png"), fullPage: true });

  if (problems.length) throw new Error(problems.join("; "));
  console.log(JSON.stringify({ ok: true, status: statusText, machines: fleet.count + Object.keys(expect.machines).length, first_paint_ms: firstPaintMs, reverify_ms: timings, screenshots: shots }));
} catch (e) {
  console.error(`explorer test failed: ${e.message}`);
  await page.screenshot({ path: join(shots, "failure.png"), fullPage: true }).catch(() => {});
  if (problems.length) console.error(problems.join("\n"));
  process.exitCode = 1;
} finally {
  await browser.close();
}

// checkPagingAndSearch: the machines come a page (50) at a time, newest first, with
// Next and Previous; the search box finds a machine by its id, its TEE key, its
// provider and its workload id, and clearing it lists every machine again.
async function checkPagingAndSearch() {
  const PAGE = 50;
  const total = fleet.count + Object.keys(expect.machines).length;
  const pager = () =>
    page.evaluate(() => ({
      matching: Number(document.querySelector("#pager").dataset.matching),
      page: Number(document.querySelector("#pager").dataset.page),
      ids: [...document.querySelectorAll("#machines section.machine")].map((m) => m.dataset.machine),
    }));
  const waitFor = (matching, pageNo) =>
    page.waitForFunction(([m, n]) => {
      const p = document.querySelector("#pager");
      return p.dataset.matching === String(m) && p.dataset.page === String(n);
    }, [matching, pageNo], { timeout: 30000 });
  // The pager's count is cleared before each search or page change, so that only
  // the render it causes can satisfy the wait.
  const clear = () => page.evaluate(() => delete document.querySelector("#pager").dataset.matching);
  let p = await pager();
  if (p.matching !== total || p.page !== 1) throw new Error(`pager: ${p.matching} machines on page ${p.page}, want ${total} on page 1`);
  if (p.ids.length !== Math.min(PAGE, total)) throw new Error(`first page shows ${p.ids.length} machines, want ${Math.min(PAGE, total)}`);
  if (total > PAGE) {
    const first = p.ids;
    await clear();
    await page.click("#next");
    await waitFor(total, 2);
    p = await pager();
    if (p.ids.length !== Math.min(PAGE, total - PAGE) || p.ids.some((id) => first.includes(id))) throw new Error(`second page: ${p.ids.length} machines, some of the first page's`);
    await clear();
    await page.click("#prev");
    await waitFor(total, 1);
  }
  const search = async (q, want, id) => {
    await clear();
    await page.fill("#search", q);
    await waitFor(want, 1);
    p = await pager();
    if (id && !p.ids.includes(id)) throw new Error(`search ${JSON.stringify(q)}: ${id} not listed (${p.ids.length} shown)`);
  };
  await search(fleet.sample, 1, fleet.sample);
  await search(fleet.sample.slice(2, 14).toUpperCase(), 1, fleet.sample);
  await search(fleet.provider, fleet.count);
  // A trusted machine's TEE key and workload id, as the page shows them.
  const trustedId = expect.searchable;
  await search("", total);
  const found = await page.evaluate((id) => {
    const sec = document.querySelector(`section[data-machine="${id}"]`);
    const dd = (name) => [...sec.querySelectorAll("dt")].find((dt) => dt.textContent === name).nextElementSibling;
    return { key: dd("TEE key").textContent, workload: dd("Workload").querySelector("code").title };
  }, trustedId);
  await search(found.key, 1, trustedId);
  await clear();
  await page.fill("#search", found.workload);
  await page.waitForFunction(() => document.querySelector("#pager").dataset.matching !== undefined, null, { timeout: 30000 });
  p = await pager();
  if (!p.ids.includes(trustedId) || p.matching >= total) throw new Error(`search by workload ${found.workload}: ${p.matching} machines, ${trustedId} ${p.ids.includes(trustedId) ? "" : "not "}listed`);
  await search("no-such-machine", 0);
  if (!/No machine matches/.test(await page.textContent("#machines"))) throw new Error("an empty search result says nothing");
  await search("", total);
}
