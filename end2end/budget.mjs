// Critical-path bytes of a cold load of *My projects*: the HTML of the page as a signed-in
// facilitator (its style in its head), and the JS and WASM it loads before it is usable. Prints raw, gzip and brotli
// sizes of each file; exits non-zero when the brotli total is over the limit.
//
//   node end2end/budget.mjs [base-url]        (default http://127.0.0.1:3000)
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import { facilitatorCookie } from "./session.mjs";

const base = process.argv[2] ?? process.env.ATHAR_URL ?? "http://127.0.0.1:3000";
const TARGET = 150 * 1024;
const LIMIT = 320 * 1024;

const cookie = await facilitatorCookie(base, "budget");

async function get(path) {
  const res = await fetch(new URL(path, base), { headers: { cookie, accept: "text/html,*/*", "accept-encoding": "identity" } });
  if (!res.ok) throw new Error(`${path}: ${res.status}`);
  return Buffer.from(await res.arrayBuffer());
}

const html = await get("/");
const text = html.toString("utf8");
if (!text.includes("Mes projets") && !text.includes("مشاريعي") && !text.includes("My projects")) {
  console.error("budget: the page is not My projects");
  process.exit(2);
}
const stylesheets = [...text.matchAll(/<link rel="stylesheet" href="([^"]+)"/g)].map((m) => m[1]);
const scripts = [
  ...text.matchAll(/<link rel="modulepreload" href="([^"]+)"/g),
  ...text.matchAll(/<link rel="preload" href="([^"]+\.wasm)"/g),
].map((m) => m[1]);
if (scripts.length !== 2 || (stylesheets.length === 0 && !text.includes("<style>"))) {
  console.error(`budget: expected the style, JS and WASM on the page, found ${JSON.stringify([...stylesheets, ...scripts])}`);
  process.exit(2);
}
const assets = [...stylesheets, ...scripts];

const rows = [["/ (My projects, HTML)", html]];
for (const a of assets) rows.push([a, await get(a)]);

const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
let total = { raw: 0, gzip: 0, br: 0 };
console.log("Critical path of a cold load of My projects (KB = 1024 bytes)");
console.log(`${"file".padEnd(52)} ${"raw".padStart(10)} ${"gzip".padStart(10)} ${"brotli".padStart(10)}`);
for (const [name, buf] of rows) {
  const gz = gzipSync(buf, { level: 9 }).length;
  const br = brotliCompressSync(buf, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
  total.raw += buf.length;
  total.gzip += gz;
  total.br += br;
  console.log(`${name.padEnd(52)} ${kb(buf.length).padStart(10)} ${kb(gz).padStart(10)} ${kb(br).padStart(10)}`);
}
console.log(`${"total".padEnd(52)} ${kb(total.raw).padStart(10)} ${kb(total.gzip).padStart(10)} ${kb(total.br).padStart(10)}`);
console.log(`budget: brotli ${kb(total.br)} — target ${kb(TARGET)}, limit ${kb(LIMIT)}`);
if (total.br > LIMIT) {
  console.error(`budget: FAILED, ${kb(total.br)} is over the ${kb(LIMIT)} limit`);
  process.exit(1);
}
if (total.br > TARGET) console.log(`budget: over the ${kb(TARGET)} target by ${kb(total.br - TARGET)} (not a failure)`);
