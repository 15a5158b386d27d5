// Where the WebAssembly verifier's bytes go: section sizes, and code size by Go
// module or standard-library package, read from the function names (the "name"
// section) of an unstripped build. `go tool nm` does not read wasm files.
//
//   GOOS=js GOARCH=wasm GOWASM=satconv,signext go build -trimpath -o /tmp/teeoracle-names.wasm ./wasm
//   node wasm/size.mjs /tmp/teeoracle-names.wasm [top]
import { readFile } from "node:fs/promises";

const file = process.argv[2];
if (!file) throw new Error("usage: node wasm/size.mjs FILE.wasm [top]");
const top = Number(process.argv[3] ?? 30);
const b = await readFile(file);

let i = 8;
const leb = () => {
  let r = 0, s = 0, x;
  do {
    x = b[i++];
    r += (x & 0x7f) * 2 ** s;
    s += 7;
  } while (x & 0x80);
  return r;
};
const sectionNames = { 1: "type", 2: "import", 3: "function", 5: "memory", 6: "global", 7: "export", 9: "element", 10: "code", 11: "data" };
const sections = [];
let importedFuncs = 0;
const bodies = [];
const names = new Map();
while (i < b.length) {
  const id = b[i++];
  const size = leb();
  const end = i + size;
  if (id === 0) {
    const n = leb();
    const name = b.subarray(i, i + n).toString();
    i += n;
    sections.push([`custom "${name}"`, size]);
    if (name === "name") {
      while (i < end) {
        const sub = b[i++];
        const subEnd = leb() + i;
        if (sub === 1) {
          for (let k = leb(); k > 0; k--) {
            const idx = leb();
            const l = leb();
            names.set(idx, b.subarray(i, i + l).toString());
            i += l;
          }
        }
        i = subEnd;
      }
    }
  } else {
    sections.push([sectionNames[id] ?? `section ${id}`, size]);
    if (id === 2) {
      for (let k = leb(); k > 0; k--) {
        i += leb(); // module
        i += leb(); // field
        const kind = b[i++];
        if (kind === 0) {
          leb();
          importedFuncs++;
        } else if (kind === 1) {
          i++;
          if (b[i++] & 1) leb();
          leb();
        } else if (kind === 2) {
          if (b[i++] & 1) leb();
          leb();
        } else i += 2;
      }
    } else if (id === 10) {
      for (let n = 0, count = leb(); n < count; n++) {
        const l = leb();
        bodies.push([importedFuncs + n, l]);
        i += l;
      }
    }
  }
  i = end;
}

// Go's wasm function names are the symbol with '/' kept and the package's dots
// replaced by '_' ("github.com_ethereum_go-ethereum_rlp.Encode"): the package is the
// part before the first '.' that follows the host, or before the first '.' for std.
const groups = [
  ["google.golang.org/protobuf", /^google\.golang\.org_protobuf/],
  ["github.com/google/go-sev-guest", /^github\.com_google_go[-_]sev[-_]guest/],
  ["github.com/google/go-tdx-guest", /^github\.com_google_go[-_]tdx[-_]guest/],
  ["github.com/teeoracle/teeoracle", /^github\.com_teeoracle/],
  ["github.com/ethereum/go-ethereum", /^github\.com_ethereum_go[-_]ethereum/],
  ["github.com/holiman/uint256", /^github\.com_holiman/],
  ["github.com/decred (secp256k1)", /^github\.com_decred/],
  ["go.yaml.in/yaml + sigs.k8s.io/yaml", /^(go\.yaml\.in|sigs\.k8s\.io)/],
  ["regexp (used by yaml v2)", /^regexp/],
  ["net/http", /^net_http/],
  ["crypto/*", /^(crypto|vendor_golang\.org_x_crypto|golang\.org_x_crypto)/],
  ["encoding/json", /^encoding_json/],
  ["log/slog", /^log_slog/],
  ["reflect", /^(reflect|internal_reflectlite)/],
  ["runtime", /^(runtime|internal_runtime)/],
];
const bySize = new Map();
let total = 0;
for (const [idx, len] of bodies) {
  const n = (names.get(idx) ?? "?").replace(/^(type:\.eq\.)?[(*]*/, "");
  const g = groups.find(([, re]) => re.test(n))?.[0] ?? "other (std and small modules)";
  bySize.set(g, (bySize.get(g) ?? 0) + len);
  total += len;
}
const kb = (n) => `${(n / 1024).toFixed(0).padStart(6)} KiB`;
console.log(`${file}: ${b.length} bytes`);
for (const [name, size] of sections) console.log(`  ${kb(size)}  ${name}`);
console.log(`code by package (function bodies, ${kb(total).trim()}):`);
for (const [g, size] of [...bySize].sort((x, y) => y[1] - x[1]).slice(0, top)) {
  console.log(`  ${kb(size)}  ${((100 * size) / total).toFixed(1).padStart(5)}%  ${g}`);
}
