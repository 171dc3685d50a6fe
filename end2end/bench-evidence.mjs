// Browser benchmarks of issue 19 (evidence), in Debian's Chromium against a running Athar
// (release build), as the demo facilitator on a 360 px phone:
//
// 1. A 12-megapixel photo (4,000 × 3,000 JPEG, as a phone's camera makes it) given to the visit
//    form offline, CPU throttled 4×: from the file input's `change` to the photo listed in the
//    form, resized and written to the phone's disk. Goal: p95 ≤ 1.5 s. Prints p50, p95 and the
//    worst of 20 photos, and the sizes kept.
// 2. A visit with ten photos (about 3 MB once resized) saved offline, then sent over "oasis 3G"
//    (400 ms latency, 50,000 B/s each way, CPU ×4) while the link drops three times for 3 s.
//    Goal: all sent, and the bytes on the wire for the files ≤ 1.1 × their size. Prints the time
//    to all sent, the file requests (answered and cut by a drop), and the bytes they carried.
//
//   node end2end/bench-evidence.mjs [base-url]      (default http://127.0.0.1:3000)
import { chromium } from "playwright";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const base = process.argv[2] ?? process.env.ATHAR_URL ?? "http://127.0.0.1:3000";
const TAKES = Number(process.env.ATHAR_BENCH_TAKES ?? 20);
const SENT = 10;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic"],
});
const context = await browser.newContext({ viewport: { width: 360, height: 640 }, locale: "fr-FR", baseURL: base });
const page = await context.newPage();
const cdp = await context.newCDPSession(page);

async function ready() {
  await page.waitForFunction(() => window.__athar_ready === true, null, { timeout: 60_000 });
}
async function allSent(timeout = 300_000) {
  await page.locator(".sync-count", { hasText: "Tout est envoyé" }).waitFor({ timeout });
}

// A camera's photo: a sky-to-sand gradient, palms as shapes, sensor grain: after resizing to
// 1,600 px at q 0.7 it weighs what a real one does (a few hundred KB).
async function cameraPhoto(seed) {
  const base64 = await page.evaluate(async (seed) => {
    const canvas = document.createElement("canvas");
    canvas.width = 4000;
    canvas.height = 3000;
    const ctx = canvas.getContext("2d");
    const sky = ctx.createLinearGradient(0, 0, 0, 3000);
    sky.addColorStop(0, `rgb(${90 + (seed % 40)}, 150, 220)`);
    sky.addColorStop(0.6, "rgb(230, 200, 150)");
    sky.addColorStop(1, "rgb(190, 140, 80)");
    ctx.fillStyle = sky;
    ctx.fillRect(0, 0, 4000, 3000);
    let x = seed * 7919 + 1;
    const random = () => ((x = (x * 1103515245 + 12345) % 2147483648) / 2147483648);
    for (let p = 0; p < 40; p++) {
      ctx.fillStyle = `rgb(${40 + random() * 60}, ${70 + random() * 60}, ${30 + random() * 30})`;
      ctx.beginPath();
      ctx.ellipse(random() * 4000, 1200 + random() * 1500, 60 + random() * 300, 200 + random() * 500, random(), 0, 2 * Math.PI);
      ctx.fill();
    }
    const image = ctx.getImageData(0, 0, 4000, 3000);
    const d = image.data;
    for (let i = 0; i < d.length; i += 4) {
      const g = (random() * 56) | 0;
      d[i] += g;
      d[i + 1] += g;
      d[i + 2] += g;
    }
    ctx.putImageData(image, 0, 0);
    const blob = await new Promise((r) => canvas.toBlob((b) => r(b), "image/jpeg", 0.92));
    const bytes = new Uint8Array(await blob.arrayBuffer());
    let s = "";
    for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return btoa(s);
  }, seed);
  return Buffer.from(base64, "base64");
}

const quantiles = (xs) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
  return `p50 ${at(0.5).toFixed(0)} ms, p95 ${at(0.95).toFixed(0)} ms, worst ${sorted.at(-1).toFixed(0)} ms`;
};
const kb = (b) => `${(b / 1024).toFixed(0)} KB`;

await page.goto("/login");
await ready();
await page.getByLabel("Adresse e-mail").fill("amal.facilitatrice@demo.athar.tn");
await page.getByLabel("Mot de passe").fill("athar-demo-2026");
await page.getByRole("button", { name: "Se connecter" }).click();
await page.waitForURL(`${base}/`);
await ready();
await page.locator(".card-title a").first().click();
await page.locator(".members").waitFor();
await ready();
await allSent();
const projectUrl = page.url();

// Photos of their own on each run: a file the server already holds is not sent again.
const seed = Date.now() % 100_000;
// Written to files: the input takes no more than 50 MB of bytes at once.
const folder = mkdtempSync(join(tmpdir(), "athar-photos-"));
const photos = [];
let made = 0;
for (let i = 0; i < TAKES + SENT; i++) {
  const bytes = await cameraPhoto(seed + i);
  made += bytes.length;
  photos.push(join(folder, `IMG_${seed + i}.jpg`));
  writeFileSync(photos[i], bytes);
}
console.log(`${photos.length} photos of 4,000 × 3,000 px made (${kb(made / photos.length)} each on average)`);

// 1. Photo to "kept on this phone", offline, CPU ×4 (`ATHAR_BENCH_TAKES=0` leaves it out).
await context.setOffline(true);
await page.goto(`${projectUrl}/visits/new`).catch(() => {});
await ready();
await cdp.send("Emulation.setCPUThrottlingRate", { rate: 4 });
const input = page.locator("#files-add-file");
const items = page.locator(".attachments .file");
const takes = [];
for (let i = 0; i < TAKES; i++) {
  await input.evaluate((el) => {
    window.__chosen = null;
    el.addEventListener("change", () => (window.__chosen = performance.now()), { capture: true, once: true });
    window.__listed = null;
    const watch = new MutationObserver(() => {
      if (document.querySelectorAll(".attachments .file").length > 0 && window.__listed === null) {
        window.__listed = performance.now();
        watch.disconnect();
      }
    });
    watch.observe(document.body, { childList: true, subtree: true });
  });
  await input.setInputFiles(photos[i]);
  await page.waitForFunction(() => window.__listed !== null, null, { timeout: 60_000 });
  takes.push(await page.evaluate(() => window.__listed - window.__chosen));
  await items.first().locator(".file-remove").click();
  await items.first().waitFor({ state: "detached" });
}
await cdp.send("Emulation.setCPUThrottlingRate", { rate: 1 });
if (TAKES > 0) {
  console.log(`12-megapixel photo to kept on this phone, offline, CPU ×4, ${TAKES} photos`);
  console.log(`  ${quantiles(takes)} (goal: p95 ≤ 1.5 s)`);
}

// 2. Ten photos sent over oasis 3G with three drops.
await page.goto(`${projectUrl}/visits/new`).catch(() => {});
await ready();
const observations = `Dix photos ${seed}`;
await page.getByLabel("Sur place").check();
await page.getByLabel("Observations").fill(observations);
await input.setInputFiles(photos.slice(TAKES));
await items.nth(SENT - 1).waitFor({ timeout: 120_000 });
for (let i = 0; i < SENT; i++) await items.nth(i).getByLabel("Non", { exact: true }).check();
await page.getByRole("button", { name: "Enregistrer et soumettre" }).click();
await page.getByText("Enregistré sur ce téléphone").first().waitFor();
await ready();
const files = await page.evaluate(async (observations) => {
  const [keys, values] = await window.athar.db.load();
  for (let i = 0; i < keys.length; i++) {
    if (!/\/m\//.test(keys[i])) continue;
    const fields = JSON.parse(values[i]).args?.fields;
    if (fields?.observations === observations) return fields.files ?? [];
  }
  return [];
}, observations);
const fileBytes = files.reduce((s, f) => s + f.bytes, 0);
console.log(`a visit with ${files.length} photos, ${kb(fileBytes)} once resized (${files.map((f) => kb(f.bytes)).join(", ")})`);

const oasis3g = { latency: 400, downloadThroughput: 50_000, uploadThroughput: 50_000 };
await cdp.send("Network.enable");
await cdp.send("Network.emulateNetworkConditions", { offline: true, ...oasis3g });
await context.setOffline(false);
await cdp.send("Emulation.setCPUThrottlingRate", { rate: 4 });
const headerBytes = (headers) => Object.entries(headers).reduce((s, [k, v]) => s + k.length + String(v).length + 4, 0);
const wire = { answered: 0, cut: 0, up: 0, down: 0 };
// A piece's body is a Blob: Chromium reports no body size for it, so its Content-Length counts.
const bodyBytes = (headers) => Number(headers["content-length"] ?? 0);
page.on("requestfinished", async (r) => {
  if (!r.url().includes("/api/files/")) return;
  const [sizes, headers] = await Promise.all([r.sizes(), r.allHeaders()]);
  wire.answered++;
  wire.up += sizes.requestHeadersSize + Math.max(sizes.requestBodySize, bodyBytes(headers));
  wire.down += sizes.responseHeadersSize + sizes.responseBodySize;
});
page.on("requestfailed", (r) => {
  if (!r.url().includes("/api/files/")) return;
  // Cut by a drop: counted as if all of it had gone out (a whole piece when its size is unknown).
  wire.cut++;
  const headers = r.headers();
  const body = r.method() === "PATCH" ? bodyBytes(headers) || 32 * 1024 : 0;
  wire.up += headerBytes(headers) + body;
});
const started = performance.now();
await cdp.send("Network.emulateNetworkConditions", { offline: false, ...oasis3g });
const drops = [];
const dropping = (async () => {
  for (const at of [10_000, 25_000, 40_000]) {
    const wait = at - (performance.now() - started);
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    if ((await page.locator(".sync-files").count()) === 0) break;
    await cdp.send("Network.emulateNetworkConditions", { offline: true, ...oasis3g });
    drops.push(((performance.now() - started) / 1000).toFixed(0));
    await new Promise((r) => setTimeout(r, 3_000));
    await cdp.send("Network.emulateNetworkConditions", { offline: false, ...oasis3g });
  }
})();
// What the sync bar says, every 10 s (`ATHAR_DEBUG=1`).
const watching = process.env.ATHAR_DEBUG
  ? setInterval(async () => {
      const said = await page.evaluate(() => [navigator.onLine, document.querySelector(".sync-bar")?.textContent]).catch(() => null);
      console.log(`  ${((performance.now() - started) / 1000).toFixed(0)} s`, JSON.stringify(said));
    }, 10_000)
  : null;
await page.waitForFunction(
  () => !document.querySelector(".sync-files") && document.querySelector(".sync-count")?.textContent?.includes("Tout est envoyé"),
  null,
  { timeout: 900_000, polling: 250 },
);
const seconds = (performance.now() - started) / 1000;
if (watching) clearInterval(watching);
await dropping;
await cdp.send("Emulation.setCPUThrottlingRate", { rate: 1 });
const kept = await page.evaluate(
  () =>
    new Promise((resolve, reject) => {
      const req = indexedDB.open("athar-files", 1);
      req.onupgradeneeded = () => req.result.createObjectStore("files");
      req.onerror = () => reject(req.error);
      req.onsuccess = () => {
        const keys = req.result.transaction("files").objectStore("files").getAllKeys();
        keys.onsuccess = () => {
          req.result.close();
          resolve(keys.result);
        };
      };
    }),
);
const forgotten = files.filter((f) => !kept.includes(f.sha256)).length;
console.log(`oasis 3G (400 ms, 50,000 B/s, CPU ×4), drops of 3 s at ${drops.join(" s, ")} s: all sent in ${seconds.toFixed(1)} s`);
console.log(`  file requests: ${wire.answered} answered, ${wire.cut} cut by a drop; ${forgotten} of ${files.length} files forgotten by the phone (held by the server)`);
console.log(`  up: ${kb(wire.up)} = ${(wire.up / fileBytes).toFixed(3)} × the files (goal ≤ 1.1 ×); down: ${kb(wire.down)}`);

await browser.close();
rmSync(folder, { recursive: true, force: true });
