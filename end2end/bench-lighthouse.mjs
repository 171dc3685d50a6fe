// Lighthouse (mobile: its simulated slow 4G and CPU ×4) on the sign-in page and on *My projects*
// for a signed-in facilitator, against a running Athar (release build), in Debian's Chromium.
// Prints the performance and accessibility scores, the metrics behind the first, and what the
// accessibility audit failed on. The median of 3 runs per page (`ATHAR_RUNS`).
//
// Lighthouse is not one of the test dependencies (it is large, and only this measure uses it):
//
//   npm install --prefix /tmp/lighthouse lighthouse@12
//   LIGHTHOUSE=/tmp/lighthouse/node_modules/.bin/lighthouse node end2end/bench-lighthouse.mjs [base-url]
import { execFileSync } from "node:child_process";
import { facilitatorCookie } from "./session.mjs";

const base = process.argv[2] ?? process.env.ATHAR_URL ?? "http://127.0.0.1:3000";
const lighthouse = process.env.LIGHTHOUSE ?? "lighthouse";
const RUNS = Number(process.env.ATHAR_RUNS ?? 3);

const cookie = await facilitatorCookie(base, "lighthouse");

function audit(path, headers) {
  const args = [
    new URL(path, base).toString(),
    "--quiet",
    "--output=json",
    "--only-categories=performance,accessibility",
    "--form-factor=mobile",
    "--locale=fr",
    `--chrome-path=${process.env.CHROMIUM ?? "/usr/bin/chromium"}`,
    "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
  ];
  if (headers) args.push(`--extra-headers=${JSON.stringify(headers)}`);
  const report = JSON.parse(execFileSync(lighthouse, args, { maxBuffer: 64 * 1024 * 1024 }).toString());
  const a = report.audits;
  return {
    performance: Math.round(report.categories.performance.score * 100),
    accessibility: Math.round(report.categories.accessibility.score * 100),
    fcp: a["first-contentful-paint"].numericValue,
    lcp: a["largest-contentful-paint"].numericValue,
    tbt: a["total-blocking-time"].numericValue,
    si: a["speed-index"].numericValue,
    cls: a["cumulative-layout-shift"].numericValue,
    bytes: a["total-byte-weight"].numericValue,
    longest: Math.max(0, ...(a["long-tasks"]?.details?.items ?? []).map((t) => t.duration)),
    failed: report.categories.accessibility.auditRefs
      .filter((r) => r.weight > 0 && a[r.id].score !== null && a[r.id].score < 1)
      .map((r) => r.id),
  };
}

const median = (runs, f) => {
  const xs = runs.map(f).sort((x, y) => x - y);
  return xs[Math.floor(xs.length / 2)];
};

for (const [name, path, headers] of [
  ["sign-in page", "/login", null],
  ["My projects", "/", { Cookie: cookie }],
]) {
  const runs = [];
  for (let i = 0; i < RUNS; i++) {
    // Lighthouse now and then fails to read its own trace: such a run is made again.
    for (let attempt = 1; ; attempt++) {
      try {
        runs.push(audit(path, headers));
        break;
      } catch (e) {
        if (attempt === 3) throw e;
        console.log(`  (a run failed: ${String(e.message).split("\n")[0].slice(0, 120)}; again)`);
      }
    }
  }
  const failed = [...new Set(runs.flatMap((r) => r.failed))];
  console.log(`${name} (${path}), Lighthouse mobile, median of ${RUNS}`);
  console.log(`  performance    ${median(runs, (r) => r.performance)}   (runs: ${runs.map((r) => r.performance).join(", ")}; goal ≥ 95)`);
  console.log(`  accessibility  ${median(runs, (r) => r.accessibility)}   (goal 100${failed.length ? `; failed: ${failed.join(", ")}` : ""})`);
  console.log(
    `  FCP ${(median(runs, (r) => r.fcp) / 1000).toFixed(2)} s, LCP ${(median(runs, (r) => r.lcp) / 1000).toFixed(2)} s, ` +
      `TBT ${median(runs, (r) => r.tbt).toFixed(0)} ms, speed index ${(median(runs, (r) => r.si) / 1000).toFixed(2)} s, ` +
      `CLS ${median(runs, (r) => r.cls).toFixed(3)}, longest task ${median(runs, (r) => r.longest).toFixed(0)} ms, ` +
      `${(median(runs, (r) => r.bytes) / 1024).toFixed(0)} KiB transferred`,
  );
}
