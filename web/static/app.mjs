// The registry explorer: machines, verdicts, oracles and policies read from the
// chain's JSON-RPC, and re-verification of any verdict in the browser with the
// WebAssembly verifier from the evidence the oracle archived.
import { Rpc, Registry, TCB_STATUS, TEE } from "./registry.mjs";

const $ = (sel) => document.querySelector(sel);
const el = (tag, attrs = {}, ...children) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") e.className = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(String(c ?? "")));
  return e;
};
const short = (h) => (h && h.length > 14 ? `${h.slice(0, 8)}…${h.slice(-4)}` : h);
const hashCell = (h) => el("code", { title: h }, short(h));
const when = (unix) => (unix ? new Date(unix * 1000).toISOString().replace(".000Z", "Z") : "—");
const ZERO32 = "0x" + "0".repeat(64);

function status(text, isError = false) {
  const s = $("#status");
  s.textContent = text;
  s.classList.toggle("error", isError);
}

async function main() {
  const config = await (await fetch("config.json")).json();
  const abi = await (await fetch("abi.json")).json();
  const rpc = new Rpc(config.rpc);
  const registry = new Registry(rpc, config.registry, abi, config.from_block ?? 0);
  $("#registry").textContent = config.registry;
  if (config.test_roots) {
    // Only a devnet's explorer has test roots; say so before anything else.
    const b = $("#test-roots");
    b.hidden = false;
    b.textContent = `Test network: verdicts that do not reproduce under AMD's and Intel's roots are re-verified under this ${config.test_roots.label}'s test-only roots too, and labelled so. Such a verdict says nothing about real hardware.`;
  }
  status("Reading the registry…");

  const [chainId, latest] = await Promise.all([rpc.call("eth_chainId"), rpc.call("eth_getBlockByNumber", ["latest", false])]);
  const now = Number(BigInt(latest.timestamp));
  $("#chain").textContent = `chain ${BigInt(chainId)}, block ${BigInt(latest.number)} at ${when(now)}`;

  // Every event the page reads, up to the block shown above, in ranges the endpoint allows.
  const names = ["MachineRegistered", "MachineMetadataUpdated", "MachineDeregistered", "VerdictAccepted", "VerdictRecorded", "VerdictSkipped", "OracleAdded", "OracleRemoved", "ThresholdChanged", "PolicyRegistered", "PolicyRetired"];
  const logs = await registry.logs(names, latest.number);
  const [registeredLogs, metadataUpdates, deregistered, accepted, recorded, skipped, added, removed, thresholds, policiesReg, policiesRet] = names.map((n) => logs[n]);
  // A machine's metadata URI is its newest: the registration's, or the last
  // MachineMetadataUpdated (logs come oldest first).
  const metadataOf = new Map(metadataUpdates.map((u) => [u.machineId, u.metadataURI]));
  const registered = registeredLogs.map((m) => (metadataOf.has(m.machineId) ? { ...m, metadataURI: metadataOf.get(m.machineId) } : m));
  // Verdicts of both kinds of submission, in log order: VerdictAccepted carries its
  // fields, a submitBatch verdict's come from its transaction's calldata.
  const verdicts = [...accepted, ...(await registry.batchVerdicts(recorded, skipped))].sort((a, b) => a.block - b.block || a.index - b.index);

  // Oracles: replay additions and removals in log order.
  const oracleLog = [...added.map((e) => ({ ...e, add: true })), ...removed.map((e) => ({ ...e, add: false }))].sort((a, b) => a.block - b.block || a.index - b.index);
  const oracles = new Set();
  for (const e of oracleLog) e.add ? oracles.add(e.oracle) : oracles.delete(e.oracle);
  const threshold = await registry.threshold();
  $("#oracles").replaceChildren(
    el("p", {}, `Quorum: ${threshold} of ${oracles.size} oracle${oracles.size === 1 ? "" : "s"}.`),
    el("ul", {}, ...[...oracles].map((o) => el("li", {}, el("code", {}, o)))),
  );
  void thresholds;

  // Policies.
  const retired = new Set(policiesRet.map((p) => p.policyHash));
  const policyRows = await Promise.all(
    policiesReg.map(async (p) => {
      const info = await registry.policy(p.policyHash);
      return el("tr", {}, el("td", {}, info.id), el("td", {}, hashCell(p.policyHash)), el("td", {}, retired.has(p.policyHash) ? "retired" : "active"), el("td", {}, `${info.validitySeconds} s`), el("td", {}, p.uri || "—"));
    }),
  );
  $("#policies tbody").replaceChildren(...policyRows);

  // Machines, newest registration first. Everything to list and search them comes
  // from the logs read above; the registry is asked (machine, isTrusted) only for the
  // machines on the page shown, so a fleet of thousands costs one page of calls.
  const gone = new Set(deregistered.map((d) => d.machineId));
  const history = new Map();
  for (const v of verdicts) {
    if (!history.has(v.machineId)) history.set(v.machineId, []);
    history.get(v.machineId).push(v);
  }
  const keysOf = new Map();
  for (const d of deregistered) keysOf.set(d.machineId, [d.teeKey]);
  const entries = [...registered].reverse().map((m) => {
    const hist = history.get(m.machineId) ?? [];
    const keys = [...(keysOf.get(m.machineId) ?? []), ...hist.map((v) => v.teeKey)].filter(Boolean);
    const ids = [m.machineId, m.provider, ...keys, ...hist.map((v) => v.workloadId)].filter(Boolean).join(" ").toLowerCase();
    return { m, hist, gone: gone.has(m.machineId), ids, text: `${ids} ${m.metadataURI}`.toLowerCase() };
  });
  const list = new MachineList(entries, registry, now, retired, config);
  await list.render();
  status(`${registered.length} machine${registered.length === 1 ? "" : "s"}, ${verdicts.length} verdict${verdicts.length === 1 ? "" : "s"}.`);
  // First paint: from the start of the page to the first page of machines shown.
  document.documentElement.dataset.firstPaintMs = performance.now().toFixed(0);
}

// MachineList shows the machines a page at a time, filtered by the search box: every
// word typed must occur in the machine id, provider, metadata URI, a TEE key its
// verdicts or deregistration named, or a workload id of its verdicts. A word that is
// hex (0x and hex digits, or 8 or more hex digits) is looked for in the ids, keys and
// workload ids only: the metadata URI is the provider's free text, and one naming
// another machine's id must not make that search list it.
const hexTerm = (t) => /^0x[0-9a-f]*$/.test(t) || /^[0-9a-f]{8,}$/.test(t);
class MachineList {
  static PAGE = 50;
  #token = 0;
  constructor(entries, registry, now, retired, config) {
    Object.assign(this, { entries, registry, now, retired, config, page: 0, terms: [] });
    const search = $("#search");
    let timer = null;
    search.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        this.terms = search.value.toLowerCase().split(/\s+/).filter(Boolean);
        this.page = 0;
        this.render().catch((e) => status(`Could not read the registry: ${e.message}`, true));
      }, 150);
    });
    const go = (d) => () => {
      this.page += d;
      this.render().catch((e) => status(`Could not read the registry: ${e.message}`, true));
    };
    $("#prev").addEventListener("click", go(-1));
    $("#next").addEventListener("click", go(1));
  }

  matching() {
    return this.terms.length ? this.entries.filter((e) => this.terms.every((t) => (hexTerm(t) ? e.ids : e.text).includes(t))) : this.entries;
  }

  async render() {
    const token = ++this.#token;
    const found = this.matching();
    const pages = Math.max(1, Math.ceil(found.length / MachineList.PAGE));
    this.page = Math.min(Math.max(this.page, 0), pages - 1);
    const from = this.page * MachineList.PAGE;
    const shown = found.slice(from, from + MachineList.PAGE);
    // The page's machines at once: one round trip's latency, not one per machine.
    const rows = await Promise.all(
      shown.map(async (e) => {
        const [rec, trusted] = await Promise.all([this.registry.machine(e.m.machineId), this.registry.isTrusted(e.m.machineId)]);
        return machineRow(e.m, rec, trusted, e.hist, this.now, e.gone, this.retired, this.config);
      }),
    );
    if (token !== this.#token) return; // a newer search or page replaced this one
    $("#machines").replaceChildren(...rows);
    if (this.entries.length === 0) $("#machines").append(el("p", {}, "No machine is registered."));
    else if (found.length === 0) $("#machines").append(el("p", {}, "No machine matches the search."));
    const of = this.terms.length ? `${found.length} matching of ${this.entries.length}` : `${found.length}`;
    $("#page-info").textContent = found.length ? `Machines ${from + 1}–${from + shown.length} of ${of} (page ${this.page + 1} of ${pages})` : `0 of ${this.entries.length}`;
    $("#pager").dataset.matching = String(found.length);
    $("#pager").dataset.page = String(this.page + 1);
    $("#prev").disabled = this.page === 0;
    $("#next").disabled = this.page >= pages - 1;
  }
}

// trustOf says, in words, why isTrusted answers as it does.
function trustOf(rec, trusted, now, deregistered, retired) {
  if (trusted) return ["trusted", "trusted"];
  if (deregistered || rec.state === 2) return ["deregistered", "untrusted"];
  if (rec.status === 0) return ["no verdict", "none"];
  if (rec.status === 2) return ["untrusted", "untrusted"];
  if (retired.has(rec.policyHash)) return ["policy retired", "untrusted"];
  if (rec.expiresAt <= now) return ["expired", "expired"];
  return ["not trusted", "untrusted"];
}

function machineRow(m, rec, trusted, hist, now, deregistered, retired, config) {
  const [word, cls] = trustOf(rec, trusted, now, deregistered, retired);
  const last = hist.at(-1);
  const left = rec.expiresAt - now;
  const expiry = rec.expiresAt ? `${when(rec.expiresAt)} (${left > 0 ? `in ${Math.round(left / 3600)} h` : `${Math.round(-left / 3600)} h ago`})` : "—";
  const section = el(
    "section",
    { class: "machine", "data-machine": m.machineId, "aria-labelledby": `m-${m.machineId}` },
    el("h3", { id: `m-${m.machineId}` }, el("span", { class: `badge ${cls}`, "data-trust": word }, word), " ", el("code", { class: "id" }, m.machineId), ` ${TEE[m.tee] ?? "TEE " + m.tee}`),
    el(
      "dl",
      {},
      el("dt", {}, "Provider"), el("dd", {}, el("code", {}, m.provider)),
      el("dt", {}, "TEE key"), el("dd", {}, el("code", {}, rec.teeKey)),
      el("dt", {}, "TCB status"), el("dd", {}, rec.status ? TCB_STATUS[rec.tcbStatus] ?? rec.tcbStatus : "—"),
      el("dt", {}, "Workload"), el("dd", {}, last?.workloadId ? hashCell(last.workloadId) : "—"),
      el("dt", {}, "Policy"), el("dd", {}, rec.policyHash !== ZERO32 ? hashCell(rec.policyHash) : "—"),
      el("dt", {}, "Issued"), el("dd", {}, when(rec.issuedAt)),
      el("dt", {}, "Expires"), el("dd", {}, expiry),
      el("dt", {}, "Metadata"), el("dd", {}, m.metadataURI || "—"),
    ),
  );
  if (hist.length) {
    const table = el("table", { class: "history" }, el("caption", {}, "Verdict history"), el("thead", {}, el("tr", {}, ...["Block", "Status", "Verdict hash", "Evidence", "Re-verify"].map((h) => el("th", { scope: "col" }, h)))));
    const body = el("tbody");
    for (const v of [...hist].reverse()) body.append(...verdictRows(v, config));
    table.append(body);
    section.append(table);
  }
  return section;
}

function verdictRows(v, config) {
  const out = el("output", { class: "reverify", "aria-live": "polite", "data-digest": v.digest });
  const file = el("input", { type: "file", "aria-label": `Evidence file to verify against verdict ${v.digest}`, "data-digest": v.digest });
  const run = (evidenceFile) => reverify(v, config, out, evidenceFile).catch((e) => show(out, "error", `Could not re-verify: ${e.message}`));
  file.addEventListener("change", () => file.files[0] && run(file.files[0]));
  const row = el(
    "tr",
    { "data-digest": v.digest },
    el("td", {}, v.block),
    el("td", {}, v.status === 1 ? "trusted" : v.status === 2 ? "untrusted" : "—"),
    el("td", {}, hashCell(v.digest)),
    el("td", {}, v.evidenceHash ? hashCell(v.evidenceHash) : "—"),
    el("td", {}, el("button", { type: "button", "data-digest": v.digest, onclick: () => run(null) }, "Re-verify archived evidence"), " or a file: ", file),
  );
  return [row, el("tr", { class: "result" }, el("td", { colspan: 5 }, out))];
}

function show(out, cls, text, details) {
  out.className = `reverify ${cls}`;
  out.dataset.result = cls;
  out.replaceChildren(el("p", {}, text), ...(details ? [details] : []));
}

let verifierPromise = null;
// verifiers loads the module once and returns the vendor verifier (AMD's and Intel's
// production roots) and, only when the server gave test roots (a devnet), a second
// verifier on the same instance that trusts those roots instead.
async function verifiers(config) {
  verifierPromise ??= import(new URL(config.wasm ?? "wasm/teeoracle.mjs", document.baseURI).href).then(async (m) => {
    const vendor = await m.load();
    if (vendor.roots !== "vendor") throw new Error(`the verifier trusts ${vendor.roots} roots, not the vendors'`);
    let test = null;
    let testError = null;
    if (config.test_roots) {
      try {
        test = vendor.withRoots(config.test_roots.roots);
      } catch (e) {
        testError = e;
      }
    }
    return { vendor, test, testError };
  });
  return verifierPromise;
}

// attempt runs one verifier; a request that gives no verdict is a result too.
async function attempt(v, request) {
  try {
    return { report: await v.verify(request) };
  } catch (e) {
    return { error: e };
  }
}

const hex0x = (h) => (String(h).startsWith("0x") ? String(h) : "0x" + h);

// reverify fetches what the oracle archived for a verdict, verifies it here, and
// says whether the hash on-chain is reproduced.
async function reverify(v, config, out, evidenceFile) {
  show(out, "busy", "Fetching the archive and verifying…");
  // The oracle API given, or the node serving the page at <base>/explorer/: its API
  // is at <base>/v1/, reached relative to the page so that a path prefix in front
  // of the node is kept.
  const api = config.oracle_api ? config.oracle_api.replace(/\/?$/, "/") : new URL("../", document.baseURI).href;
  const get = async (path, as = "json") => {
    const res = await fetch(new URL(path.replace(/^\//, ""), api));
    if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
    return as === "json" ? res.json() : new Uint8Array(await res.arrayBuffer());
  };
  const view = await get(`/v1/verdicts/${v.digest}`);
  const audit = typeof view.audit === "string" ? JSON.parse(view.audit) : view.audit;
  if (!audit) throw new Error("the oracle keeps no audit record for this verdict");
  // A verdict whose fields the logs do not carry (a batch relayed by another
  // contract) is fetched by the hashes the oracle names; the verdict hash the
  // evidence reproduces, compared with the one on-chain, decides either way.
  const body = typeof view.verdict === "string" ? JSON.parse(view.verdict) : view.verdict;
  const evidenceHash = v.evidenceHash ?? body?.evidenceHash ?? audit.evidence_hash;
  const policyHash = v.policyHash ?? body?.policyHash ?? audit.policy_hash;
  if (!policyHash || (!evidenceFile && !evidenceHash)) throw new Error("neither the chain's logs nor the oracle name this verdict's evidence and policy");
  const [evidence, policy, ...items] = await Promise.all([
    evidenceFile ? evidenceFile.arrayBuffer().then((b) => new Uint8Array(b)) : get(`/v1/archive/evidence/${evidenceHash}`, "bytes"),
    get(`/v1/archive/policy/${policyHash}`, "bytes"),
    ...(audit.collateral ?? []).map((c) => get(`/v1/archive/collateral/${hex0x(c.sha256)}`, "bytes").then((b) => ({ kind: c.kind, b }))),
  ]);
  const request = {
    evidence,
    evidenceName: evidenceFile ? evidenceFile.name : `evidence ${evidenceHash}`,
    collateral: {
      // A VCEK the node fetched is collateral, not evidence: as a certificate it would
      // change the evidence hash and the verdict.
      snpVceks: items.filter((i) => i.kind === "snp-vcek").map((i) => i.b),
      snpCrls: items.filter((i) => i.kind === "snp-crl").map((i) => i.b),
      ...(items.some((i) => i.kind === "tdx-collateral") ? { tdxSet: items.find((i) => i.kind === "tdx-collateral").b } : {}),
    },
    policy,
    at: new Date(audit.as_of * 1000),
    chainId: BigInt(audit.chain_id),
    registry: audit.registry,
    binding: { machineId: audit.machine_id, teeKey: audit.tee_key, anchorBlockNumber: BigInt(audit.anchor_block_number), anchorBlockHash: audit.anchor_block_hash },
  };
  const t0 = performance.now();
  const { vendor, test, testError } = await verifiers(config);
  // The vendors' roots first: a verdict they reproduce is shown as plainly
  // reproduced even on a devnet. Test roots only for what they do not reproduce.
  const tries = [{ roots: "vendor", ...(await attempt(vendor, request)) }];
  if (tries[0].report?.verdict_hash !== v.digest && test) tries.push({ roots: "test", ...(await attempt(test, request)) });
  const ms = (performance.now() - t0).toFixed(1);
  const hit = tries.find((t) => t.report?.verdict_hash === v.digest);
  const details = (t) =>
    el(
      "details",
      {},
      el("summary", {}, `${t.roots === "test" ? `Under ${config.test_roots.label} test-only roots: ` : config.test_roots ? "Under AMD's and Intel's roots: " : ""}${t.report.tee}, ${t.report.tcb_status}, ${t.report.trusted ? "trusted" : "not trusted: " + (t.report.reasons ?? []).join(", ")}; ${t.report.checks.length} checks`),
      ...identity(t.report.identity),
      el("ul", {}, ...t.report.checks.map((c) => el("li", { class: c.outcome }, `${c.outcome} ${c.name}${c.detail ? ": " + c.detail : ""}`))),
    );
  // Every attempt's checks when nothing reproduced; the reproducing one's otherwise.
  const made = hit ? [hit] : tries.filter((t) => t.report);
  const checks = made.length ? el("div", {}, ...made.map(details)) : null;
  const note = testError ? ` (The ${config.test_roots.label}'s test roots were not usable: ${testError.message}.)` : "";
  if (hit?.roots === "vendor") {
    show(out, "reproduced", `Reproduced: re-verified here in ${ms} ms under AMD's and Intel's roots, the verdict hash is ${hit.report.verdict_hash}, the one on-chain.`, checks);
  } else if (hit?.roots === "test") {
    show(out, "reproduced-test-roots", `Reproduced under ${config.test_roots.label} test-only roots (not AMD/Intel): re-verified here in ${ms} ms, the verdict hash is ${hit.report.verdict_hash}, the one on-chain. AMD's and Intel's roots do not reproduce it.`, checks);
  } else if (!made.length) {
    const e = tries[0].error;
    show(out, "mismatch", `Not reproduced: the evidence gives no verdict (${e.kind ?? "error"}: ${e.message}).${note}`);
  } else {
    const derived = made.map((t) => `${t.report.verdict_hash} (${t.roots === "test" ? `${config.test_roots.label} test-only roots` : "AMD/Intel roots"})`);
    show(out, "mismatch", `Not reproduced: on-chain ${v.digest}, re-derived here ${derived.join(", ")}.${note}`, checks);
  }
}

// What runs, by name (the report's identity, docs/evidence.md): the bound workload
// description and the components the TDX event log names. Nothing for evidence
// that carries neither.
function identity(id) {
  if (!id) return [];
  const rows = [];
  if (id.workload_id_version === 2) {
    rows.push(`workload ${JSON.stringify(id.name ?? "")}: ${id.bound ? "bound by " + id.binding : "NOT bound (" + id.binding + " does not match)"}`);
    for (const i of id.images ?? []) rows.push(`image ${i}`);
    if (id.compose_sha256) rows.push(`compose sha256 ${id.compose_sha256}`);
  }
  for (const [label, list] of [["kernel cmdline", id.kernel_cmdlines], ["kernel", id.kernels], ["initrd", id.initrds], ["firmware", id.firmware]]) {
    for (const v of list ?? []) rows.push(`${label} ${v}`);
  }
  if (id.rtmrs?.length) rows.push(`event log: ${id.rtmrs.join(", ")}`);
  return [el("ul", { class: "identity" }, ...rows.map((r) => el("li", {}, r)))];
}

main().catch((e) => status(`Cannot read the registry: ${e.message}`, true));
