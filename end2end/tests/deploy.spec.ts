import { ChildProcess, spawn } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "@playwright/test";
import { hydrated, serviceWorkerReady, signIn } from "./helpers";

// Deploys as they happen: files copied under a running server before it restarts, or a file
// missing from the copy. Each test runs its own release server on a copy of the built site
// (`target/site`), so what it does to the files touches nothing else.

const BINARY = join(__dirname, "../../target/release/athar");
const SITE = join(__dirname, "../../target/site");
const PORT = Number(process.env.ATHAR_DEPLOY_PORT ?? 3007);
const URL = `http://127.0.0.1:${PORT}`;

async function serve(site: string): Promise<[ChildProcess, string]> {
  const work = mkdtempSync(join(tmpdir(), "athar-deploy-"));
  const server = spawn(BINARY, ["serve", "--demo", "--bind", `127.0.0.1:${PORT}`, "--site-root", site], {
    env: { ...process.env, DATABASE_URL: `sqlite://${work}/athar.db`, ATHAR_LOG: "warn" },
    stdio: "ignore",
  });
  await expect
    .poll(async () => (await fetch(`${URL}/healthz`).catch(() => null))?.status ?? 0, { timeout: 30_000 })
    .toBe(200);
  return [server, work];
}

test.use({ baseURL: URL });

test("a new build copied over the site under a running server: a phone that installs still gets a working offline shell", async ({ page, context }) => {
  test.setTimeout(90_000);
  const site = mkdtempSync(join(tmpdir(), "athar-site-"));
  cpSync(SITE, site, { recursive: true });
  const [server, work] = await serve(site);
  try {
    // The deploy copies the next build's files: every hashed name changes, the old ones go.
    const pkg = join(site, "pkg");
    for (const name of readdirSync(pkg)) renameSync(join(pkg, name), join(pkg, name.replace(/\.([^.]+)$/, ".next.$1")));
    writeFileSync(join(site, "manifest.webmanifest"), "not the manifest this server started with");

    await signIn(page, "facilitator");
    await serviceWorkerReady(page);
    await expect(page.locator(".offline-not-ready")).toHaveCount(0);
    const first = page.locator(".card-title a").first();
    const title = (await first.textContent())!.trim();
    await first.click();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(title);
    await hydrated(page);

    await context.setOffline(true);
    await page.reload();
    await hydrated(page);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(title);
    await context.setOffline(false);
  } finally {
    server.kill();
    rmSync(site, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  }
});

test("a file missing from the site: the phone says it cannot open offline yet, and gets there once the file is back", async ({ page }) => {
  test.setTimeout(90_000);
  const site = mkdtempSync(join(tmpdir(), "athar-site-"));
  cpSync(SITE, site, { recursive: true });
  const icon = join(site, "icons", "maskable-512.png");
  // The file and the compressed copies a `--precompress` build leaves beside it.
  for (const copy of ["", ".br", ".gz"]) rmSync(icon + copy, { force: true });
  const [server, work] = await serve(site);
  try {
    await signIn(page, "facilitator");
    await expect(page.locator(".offline-not-ready")).toContainText("Athar ne s'ouvre pas encore sans réseau", { timeout: 20_000 });

    // Back on the server (read from disk, as it was not there at start): the next try installs.
    cpSync(join(SITE, "icons", "maskable-512.png"), icon);
    await serviceWorkerReady(page);
    await expect(page.locator(".offline-not-ready")).toHaveCount(0);
  } finally {
    server.kill();
    rmSync(site, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  }
});
