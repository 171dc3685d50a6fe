// Cold load of *My projects* over the oasis 3G profile (issue 20), in Debian's Chromium against a
// running Athar (release build): a signed-in facilitator on a 360 px phone, an empty HTTP cache
// and no service worker (a new browser context each run), 400 ms latency, 50,000 B/s each way,
// CPU ×4. The median of 5 runs (`ATHAR_RUNS`) of:
//
// - first contentful paint (the server-drawn page visible);
// - interactive: the WASM has taken over the page (`window.__athar_ready`);
// - the bytes on the wire until then (the page's resources, headers included), and after it;
// - the longest task and the total blocking time (the part of each task over 50 ms) until then;
// - the offline launch: once the service worker holds the app, offline, a reload to interactive.
//
// Also the main WASM module's brotli size (quality 11, as `budget.mjs` counts it). With
// `ATHAR_DEBUG=1`, each run also lists its requests until interactive (start, end, bytes); with
// `ATHAR_PROFILE=1`, the functions that took the most time until interactive (V8's sampling
// profiler; a WASM built with its names kept shows them by name; `ATHAR_PROFILE=x.cpuprofile`
// also writes the profile); with `ATHAR_TRACE=1`, each long task of the page's main thread until
// and after it, until the service worker holds the app, and what each spent its time on, from a
// trace with V8's compile events
// (`ATHAR_TRACE=x.json` also writes the trace).
//
//   node end2end/bench-cold-load.mjs [base-url]      (default http://127.0.0.1:3000)
// Playwright reports a service worker's own requests only when asked before it starts.
process.env.PW_EXPERIMENTAL_SERVICE_WORKER_NETWORK_EVENTS = "1";
const { chromium } = await import("playwright");
import { brotliCompressSync, constants } from "node:zlib";

const base = process.argv[2] ?? process.env.ATHAR_URL ?? "http://127.0.0.1:3000";
const RUNS = Number(process.env.ATHAR_RUNS ?? 5);
const oasis3g = { offline: false, latency: 400, downloadThroughput: 50_000, uploadThroughput: 50_000 };

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic"],
});

// Notes, in the page, when the WASM says it has taken over, and every long task.
const watch = () => {
  let ready = false;
  Object.defineProperty(window, "__athar_ready", {
    configurable: true,
    get: () => ready,
    set: (v) => {
      if (v && !ready) window.__ready_at = performance.now();
      ready = v;
    },
  });
  window.__long_tasks = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.__long_tasks.push([e.startTime, e.duration]);
  }).observe({ type: "longtask", buffered: true });
};

async function oneRun() {
  const context = await browser.newContext({ viewport: { width: 360, height: 640 }, locale: "fr-FR", baseURL: base });
  await context.addInitScript(watch);
  // The service worker's precache, apart: its bytes, and when its first request left, on the
  // page's clock (wall time less the page's `timeOrigin`).
  const precache = { bytes: 0, first: Infinity };
  context.on("request", (r) => {
    if (r.serviceWorker()) precache.first = Math.min(precache.first, Date.now());
  });
  context.on("requestfinished", async (r) => {
    if (!r.serviceWorker()) return;
    const sizes = await r.sizes().catch(() => null);
    if (sizes) precache.bytes += sizes.responseBodySize + sizes.responseHeadersSize;
  });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  // Signed in, then everything the browser kept of Athar but the session cookie is cleared: the
  // HTTP cache, the service worker and its caches, the phone's data.
  await page.goto("/login");
  await page.waitForFunction(() => window.__ready_at !== undefined, null, { timeout: 60_000 });
  await page.getByLabel("Adresse e-mail").fill("amal.facilitatrice@demo.athar.tn");
  await page.getByLabel("Mot de passe").fill("athar-demo-2026");
  await page.getByRole("button", { name: "Se connecter" }).click();
  await page.waitForURL(`${base}/`);
  await page.goto("about:blank");
  await cdp.send("Storage.clearDataForOrigin", {
    origin: new URL(base).origin,
    storageTypes: "file_systems,indexeddb,local_storage,shader_cache,websql,service_workers,cache_storage",
  });
  await cdp.send("Network.enable");
  await cdp.send("Network.clearBrowserCache");
  await cdp.send("Network.emulateNetworkConditions", oasis3g);
  await cdp.send("Emulation.setCPUThrottlingRate", { rate: 4 });
  // (The sign-in page above installed the app once already: counted from here.)
  Object.assign(precache, { bytes: 0, first: Infinity });
  if (process.env.ATHAR_PROFILE) {
    await cdp.send("Profiler.enable");
    await cdp.send("Profiler.setSamplingInterval", { interval: 200 });
    await cdp.send("Profiler.start");
  }
  if (process.env.ATHAR_TRACE)
    await browser.startTracing(page, {
      categories: [
        "toplevel",
        "devtools.timeline",
        "disabled-by-default-devtools.timeline",
        "v8",
        "v8.wasm",
        "v8.execute",
        "disabled-by-default-v8.compile",
        "disabled-by-default-v8.wasm.detailed",
        "blink",
        "loading",
      ],
    });
  await page.goto("/", { waitUntil: "commit" });
  await page.waitForFunction(() => window.__ready_at !== undefined, null, { timeout: 180_000, polling: 100 });
  // Profiled until interactive; with a trace, as long as the trace.
  let profile;
  const stopProfile = async () => {
    ({ profile } = await cdp.send("Profiler.stop"));
    printProfile(profile);
    // `ATHAR_PROFILE=some.cpuprofile` also keeps it (DevTools opens it).
    if (process.env.ATHAR_PROFILE.endsWith(".cpuprofile")) (await import("node:fs")).writeFileSync(process.env.ATHAR_PROFILE, JSON.stringify(profile));
  };
  if (process.env.ATHAR_PROFILE && !process.env.ATHAR_TRACE) await stopProfile();
  const title = await page.locator("h1").first().textContent();
  if (!/Mes projets/.test(title ?? "")) throw new Error(`not My projects: ${title}`);
  const figures = await page.evaluate(() => {
    const ready = window.__ready_at;
    const paint = performance.getEntriesByName("first-contentful-paint")[0]?.startTime ?? NaN;
    const nav = performance.getEntriesByType("navigation")[0];
    const resources = performance.getEntriesByType("resource");
    const before = nav.transferSize + resources.filter((r) => r.responseEnd <= ready).reduce((s, r) => s + r.transferSize, 0);
    const tasks = window.__long_tasks.filter(([start]) => start < ready);
    return {
      paint,
      ready,
      before,
      longest: Math.max(0, ...tasks.map(([, d]) => d)),
      blocking: tasks.reduce((s, [, d]) => s + Math.max(0, d - 50), 0),
      wasm: resources.filter((r) => r.name.endsWith(".wasm") && r.responseEnd <= ready).map((r) => r.name),
      // Each request until interactive: when it started and ended, and its bytes on the wire.
      requests: [nav, ...resources.filter((r) => r.startTime <= ready)].map((r) => [
        r.name.replace(location.origin, ""),
        Math.round(r.startTime),
        Math.round(r.responseEnd),
        r.transferSize,
      ]),
    };
  });
  if (process.env.ATHAR_DEBUG)
    for (const [name, start, end, bytes] of figures.requests)
      console.log(`    ${String(start).padStart(6)}–${String(end).padEnd(6)} ms ${String(bytes).padStart(8)} B  ${name.slice(0, 70)}`);
  // What the page fetches after (chunks it asks for): the service worker's precache is its own.
  await page.waitForFunction(() => window.athar?.offlineReady === true && navigator.serviceWorker.controller?.state === "activated", null, {
    timeout: 600_000,
    polling: 500,
  });
  if (process.env.ATHAR_TRACE) {
    // Traced until the service worker holds the app: the start and the work that follows it.
    const trace = JSON.parse((await browser.stopTracing()).toString());
    if (process.env.ATHAR_PROFILE) await stopProfile();
    printTrace(trace, profile);
    // `ATHAR_TRACE=some.json` also keeps it (DevTools' performance panel opens it).
    if (process.env.ATHAR_TRACE.endsWith(".json")) (await import("node:fs")).writeFileSync(process.env.ATHAR_TRACE, JSON.stringify(trace));
  }
  const origin = await page.evaluate(() => performance.timeOrigin);
  figures.precacheStart = precache.first - origin;
  figures.precache = precache.bytes;
  figures.after = await page.evaluate(() => {
    const ready = window.__ready_at;
    return performance.getEntriesByType("resource").filter((r) => r.responseEnd > ready).reduce((s, r) => s + r.transferSize, 0);
  });
  // Offline launch, from the service worker.
  await cdp.send("Network.emulateNetworkConditions", { ...oasis3g, offline: true });
  await page.reload({ waitUntil: "commit" });
  await page.waitForFunction(() => window.__ready_at !== undefined, null, { timeout: 60_000, polling: 50 });
  figures.offline = await page.evaluate(() => window.__ready_at);
  await context.close();
  return figures;
}

// The functions with the most time of their own in a CPU profile, and the ones most often on the
// stack (time including what they call), in milliseconds of the throttled page.
function printProfile(profile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map();
  const total = new Map();
  const name = (n) => `${n.callFrame.functionName || "(anonymous)"} ${n.callFrame.url.split("/").pop()}`;
  profile.samples.forEach((id, i) => {
    const dt = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    const node = byId.get(id);
    self.set(name(node), (self.get(name(node)) ?? 0) + dt);
    const seen = new Set();
    for (let at = id; at !== undefined; at = parent.get(at)) {
      const k = name(byId.get(at));
      if (!seen.has(k)) total.set(k, (total.get(k) ?? 0) + dt), seen.add(k);
    }
  });
  const top = (m, n) => [...m].sort((a, b) => b[1] - a[1]).slice(0, n);
  console.log("    self time:");
  for (const [k, v] of top(self, 25)) console.log(`      ${v.toFixed(1).padStart(8)} ms  ${k.slice(0, 110)}`);
  console.log("    on the stack:");
  for (const [k, v] of top(total, 40)) console.log(`      ${v.toFixed(1).padStart(8)} ms  ${k.slice(0, 110)}`);
}

// The page's main thread's long tasks (over 50 ms) in a trace, each with what it spent its time
// on: the events inside it, by name, in time of their own (less the events they hold).
function printTrace(trace, profile) {
  // With a CPU profile: when each sample was taken (the trace's clock), and its stack's names.
  const samples = [];
  if (profile) {
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    const parent = new Map();
    for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
    let ts = profile.startTime;
    profile.samples.forEach((id, i) => {
      ts += profile.timeDeltas[i] ?? 0;
      const stack = [];
      for (let at = id; at !== undefined; at = parent.get(at)) stack.push(byId.get(at).callFrame.functionName || "(anonymous)");
      samples.push({ ts, dt: (profile.timeDeltas[i + 1] ?? 0) / 1000, stack });
    });
  }
  const events = trace.traceEvents ?? trace;
  const threads = new Map(events.filter((e) => e.name === "thread_name").map((e) => [`${e.pid}:${e.tid}`, e.args.name]));
  const main = events.filter((e) => threads.get(`${e.pid}:${e.tid}`) === "CrRendererMain" && e.ph === "X" && e.dur !== undefined);
  const tasks = main.filter((e) => e.name === "RunTask" && e.dur > 50_000).sort((a, b) => a.ts - b.ts);
  const start = Math.min(...main.map((e) => e.ts));
  for (const task of tasks) {
    const inside = main.filter((e) => e !== task && e.ts >= task.ts && e.ts + e.dur <= task.ts + task.dur).sort((a, b) => a.ts - b.ts || b.dur - a.dur);
    // Time of its own: its duration less that of the events directly inside it.
    const own = new Map();
    const stack = [];
    for (const e of inside) {
      while (stack.length && e.ts >= stack.at(-1).ts + stack.at(-1).dur) stack.pop();
      if (stack.length) stack.at(-1).own -= e.dur;
      const entry = { ts: e.ts, dur: e.dur, own: e.dur, name: e.name };
      stack.push(entry);
      own.set(entry, e.name);
    }
    const byName = new Map();
    let covered = 0;
    for (const [entry, name] of own) {
      byName.set(name, (byName.get(name) ?? 0) + entry.own);
      covered += entry.own;
    }
    // What it fetched, by address (requests it made, answers it read).
    const urls = new Set(inside.map((e) => e.args?.data?.url ?? e.args?.url).filter(Boolean).map((u) => u.replace(/^https?:\/\/[^/]+/, "")));
    console.log(`    task at ${((task.ts - start) / 1000).toFixed(0)} ms: ${(task.dur / 1000).toFixed(1)} ms (${((task.dur - covered) / 1000).toFixed(1)} ms in no event)`);
    if (urls.size) console.log(`      requests: ${[...urls].map((u) => u.slice(0, 60)).slice(0, 8).join(" ")}${urls.size > 8 ? ` … (${urls.size})` : ""}`);
    for (const [name, us] of [...byName].sort((a, b) => b[1] - a[1]).slice(0, 12))
      console.log(`      ${(us / 1000).toFixed(1).padStart(8)} ms  ${name}`);
    // The functions most on the stack during the task (ours, by name, in a WASM that kept them).
    const onStack = new Map();
    for (const x of samples.filter((x) => x.ts >= task.ts && x.ts <= task.ts + task.dur))
      for (const f of new Set(x.stack)) onStack.set(f, (onStack.get(f) ?? 0) + x.dt);
    const ours = [...onStack].filter(([f]) => /^(app|leptos|tachys|reactive_graph|serde|wasm_split)/.test(f) || f.includes("::"));
    for (const [f, ms] of ours.sort((a, b) => b[1] - a[1]).slice(0, 14)) console.log(`      ${ms.toFixed(1).padStart(8)} ms on the stack  ${f.slice(0, 120)}`);
  }
}

const runs = [];
for (let i = 0; i < RUNS; i++) {
  const r = await oneRun();
  runs.push(r);
  console.log(
    `run ${i + 1}: paint ${(r.paint / 1000).toFixed(2)} s, interactive ${(r.ready / 1000).toFixed(2)} s, ${(r.before / 1024).toFixed(0)} KB before, ${(r.after / 1024).toFixed(0)} KB after, precache ${(r.precache / 1024).toFixed(0)} KB from ${(r.precacheStart / 1000).toFixed(2)} s, longest task ${r.longest.toFixed(0)} ms, blocking ${r.blocking.toFixed(0)} ms, offline ${(r.offline / 1000).toFixed(2)} s`,
  );
}
const median = (f) => {
  const xs = runs.map(f).sort((a, b) => a - b);
  return xs[Math.floor(xs.length / 2)];
};

// The main module: the WASM the page loaded before it was interactive, compressed as budget.mjs does.
const main = runs[0].wasm[0];
const bytes = Buffer.from(await (await fetch(main, { headers: { "accept-encoding": "identity" } })).arrayBuffer());
const brotli = brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;

console.log(`cold load of My projects, oasis 3G (400 ms, 50,000 B/s, CPU ×4), median of ${RUNS}`);
console.log(`  first contentful paint             ${(median((r) => r.paint) / 1000).toFixed(2)} s   (goal ≤ 2.5 s)`);
console.log(`  interactive                        ${(median((r) => r.ready) / 1000).toFixed(2)} s   (goal ≤ 6 s)`);
console.log(`  bytes on the wire until then       ${(median((r) => r.before) / 1024).toFixed(0)} KB   (goal ≤ 200 KB)`);
console.log(`  bytes the page fetched after       ${(median((r) => r.after) / 1024).toFixed(0)} KB   (the service worker's precache not counted)`);
console.log(`  the service worker's precache      ${(median((r) => r.precache) / 1024).toFixed(0)} KB, its first request ${(median((r) => r.precacheStart - r.ready) / 1000).toFixed(2)} s after interactive`);
console.log(`  longest task until interactive     ${median((r) => r.longest).toFixed(0)} ms   (goal ≤ 200 ms)`);
console.log(`  total blocking time until then     ${median((r) => r.blocking).toFixed(0)} ms`);
console.log(`  main WASM (${main.split("/").pop()})  ${(brotli / 1024).toFixed(1)} KB brotli   (goal ≤ 150 KB)`);
console.log(`  offline launch, interactive        ${(median((r) => r.offline) / 1000).toFixed(2)} s   (goal ≤ 1.5 s)`);

await browser.close();
