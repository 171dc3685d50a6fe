import AxeBuilder from "@axe-core/playwright";
import { BrowserContext, chromium, expect, Page } from "@playwright/test";
import { execFileSync } from "node:child_process";

export const PASSWORD = "athar-demo-2026";
export const LOGINS = {
  facilitator: "amal.facilitatrice@demo.athar.tn",
  supervisor: "rim.superviseure@demo.athar.tn",
  team: "equipe@demo.athar.tn",
  viewer: "comite@demo.athar.tn",
} as const;
export type Role = keyof typeof LOGINS;

export const HOME_TITLE: Record<Role, RegExp> = {
  facilitator: /Mes projets/,
  supervisor: /Projets de mes incubateurs/,
  team: /Tous les projets/,
  viewer: /Vue d'ensemble du programme/,
};

/** Waits until the WASM has taken over the page (hydrated or mounted). */
export async function hydrated(page: Page) {
  await page.waitForFunction(() => (window as any).__athar_ready === true, null, { timeout: 20_000 });
}

export async function signIn(page: Page, role: Role) {
  await page.goto("/login");
  await hydrated(page);
  await page.getByLabel("Adresse e-mail").fill(LOGINS[role]);
  await page.getByLabel("Mot de passe").fill(PASSWORD);
  await page.getByRole("button", { name: "Se connecter" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(HOME_TITLE[role]);
  await hydrated(page);
}

/**
 * Waits until the service worker controls the page, so a reload can be served offline. The check
 * is synchronous: `waitForFunction` takes a returned promise as a truthy answer at once, which let
 * tests go offline while the worker was still installing.
 */
export async function serviceWorkerReady(page: Page) {
  try {
    await page.waitForFunction(() => {
      const worker = navigator.serviceWorker.controller;
      return !!worker && worker.state === "activated";
    }, null, { timeout: 40_000 });
  } catch (e) {
    // Say where the worker stood, so a failure can be told from a slow install.
    const state = await page.evaluate(async () => {
      const reg = await navigator.serviceWorker.getRegistration();
      const w = (x: ServiceWorker | null | undefined) => x?.state ?? "none";
      return `installing ${w(reg?.installing)}, waiting ${w(reg?.waiting)}, active ${w(reg?.active)}, offline ready ${(window as any).athar?.offlineReady}`;
    });
    throw new Error(`the service worker does not control the page (${state}): ${e}`);
  }
}

/** Visits in the server's database with these observations (`ATHAR_DB` names the SQLite file). */
export function countInDatabase(observations: string): number | null {
  const db = process.env.ATHAR_DB;
  if (!db) {
    if (process.env.CI) throw new Error("CI must give ATHAR_DB so the test counts rows in the database");
    return null;
  }
  const sql = `select count(*) from visits where observations = '${observations.replace(/'/g, "''")}'`;
  return Number(execFileSync("sqlite3", [db, sql]).toString().trim());
}

/** Opens the first of the facilitator's projects and waits for the first sync. */
export async function openFirstProject(page: Page) {
  const first = page.locator(".card-title a").first();
  const title = (await first.textContent())!.trim();
  await first.click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(title);
  await expect(page).toHaveURL(/\/projects\/[^/]+$/);
  await hydrated(page);
  await expect(page.locator(".sync-count")).toHaveText(/Tout est envoyé/, { timeout: 20_000 });
  return { title, url: page.url() };
}

export async function recordVisit(page: Page, observations: string, action?: string) {
  await page.getByRole("link", { name: /Nouvelle visite/ }).click();
  await hydrated(page);
  await page.getByLabel("Par téléphone").check();
  await page.getByLabel("Vente et marketing").check();
  await page.getByLabel("Observations").fill(observations);
  if (action) await page.getByLabel(/Actions décidées/).fill(action);
  await page.getByRole("button", { name: "Enregistrer et soumettre" }).click();
  await savedThenBack(page);
}

/**
 * After a save: "saved" is said on the form at once, then the project page comes back with it;
 * online, that notice may already say the entry was sent.
 */
export async function savedThenBack(page: Page) {
  const said = /Enregistré sur ce téléphone. L'envoi se fera|Envoyé au serveur/;
  await expect(page.getByText(said).first()).toBeVisible();
  await expect(page).not.toHaveURL(/\/visits\//);
  await expect(page.locator("main .notice.success")).toHaveText(said);
}

/** The keys of the outbox on disk (IndexedDB, read through the app's own `athar.db`). */
export async function outboxKeys(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as any).athar.db.keys());
}

/** The day the server's database holds for the visit with these observations (`ATHAR_DB`). */
export function visitDayInDatabase(observations: string): string | null {
  const db = process.env.ATHAR_DB;
  if (!db) {
    if (process.env.CI) throw new Error("CI must give ATHAR_DB so the test reads the database");
    return null;
  }
  const sql = `select visit_on from visits where observations = '${observations.replace(/'/g, "''")}'`;
  return execFileSync("sqlite3", [db, sql]).toString().trim();
}

/** Today in Tunis (UTC+1 all year), by this machine's clock, which the server shares. */
export function tunisToday(): string {
  return tunisDay(0);
}

/** The ISO day `offsetDays` from today in Tunis (UTC+1, no daylight saving), as the app counts days. */
export function tunisDay(offsetDays: number): string {
  return new Date(Date.now() + 3_600_000 + offsetDays * 86_400_000).toISOString().slice(0, 10);
}

/** An ISO day as the French interface writes it (`04/12/2026`). */
export function frDay(iso: string): string {
  const [y, m, d] = iso.split("-");
  return `${d}/${m}/${y}`;
}

/** Chooses the interface's language for the next page this context loads (the cookie it keeps). */
export async function setLanguage(page: Page, lang: "fr" | "ar" | "en") {
  await page.context().addCookies([{ name: "i18n_pref_locale", value: lang, url: new URL(page.url()).origin }]);
}

/** A small JPEG photo made by the browser (different for each `seed`). */
export async function smallPhoto(page: Page, seed: number): Promise<Buffer> {
  const base64 = await page.evaluate(async (seed) => {
    const canvas = document.createElement("canvas");
    canvas.width = 400;
    canvas.height = 300;
    const ctx = canvas.getContext("2d")!;
    ctx.fillStyle = `rgb(${seed % 255}, 120, 60)`;
    ctx.fillRect(0, 0, 400, 300);
    ctx.fillStyle = "#fff";
    ctx.fillText(String(seed), 20, 40);
    const blob: Blob = await new Promise((r) => canvas.toBlob((b) => r(b!), "image/jpeg", 0.9));
    return btoa(String.fromCharCode(...new Uint8Array(await blob.arrayBuffer())));
  }, seed);
  return Buffer.from(base64, "base64");
}

/**
 * Stores visits for the signed-in user as the outbox keeps them, under a new client numbered
 * from 1: on disk (`athar.db`, as this version saves), or in localStorage (where layout 1 kept
 * them). Returns the keys and the client.
 */
export async function storeVisits(
  page: Page,
  where: "disk" | "localStorage",
  project: string,
  visits: { observations: string; day: string }[],
): Promise<{ keys: string[]; client: string }> {
  return page.evaluate(async ({ where, project, visits }) => {
    const user = JSON.parse(localStorage.getItem("athar/v1/identity")!).id;
    const client = crypto.randomUUID();
    const writes = visits.map(({ observations, day }, i) => {
      const seq = i + 1;
      const args = {
        id: crypto.randomUUID(),
        base_version: null,
        fields: {
          project_id: project, visit_on: day, mode: "phone", present_member_ids: [], topics: [],
          observations, difficulties: "", next_visit_on: null, status: "submitted",
        },
      };
      const m = { client_id: client, seq, name: "visit.save", args, created_at: Date.now() };
      return [`athar/v1/u/${user}/m/${client}/${String(seq).padStart(12, "0")}`, JSON.stringify(m)];
    });
    if (where === "disk") await (window as any).athar.db.write(writes);
    else for (const [k, v] of writes) localStorage.setItem(k, v);
    return { keys: writes.map(([k]) => k), client };
  }, { where, project, visits });
}

/** No axe violation (WCAG 2.2 AA) on the page as it stands; `label` says which state failed. */
export async function axe(page: Page, label: string) {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]).analyze();
  expect(results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`), label).toEqual([]);
}

/** One number from the server's database (`ATHAR_DB` names the SQLite file); null without it. */
export function countRows(sql: string): number | null {
  const db = process.env.ATHAR_DB;
  if (!db) {
    if (process.env.CI) throw new Error("CI must give ATHAR_DB so the test counts rows in the database");
    return null;
  }
  return Number(execFileSync("sqlite3", [db, sql]).toString().trim());
}

/**
 * The objects the server's file store holds under `under` ("files/", "partial/"), each with the
 * SHA-256 of its bytes. The store is the one the server was started with: `ATHAR_FILES_URL`
 * (`s3://bucket[/prefix]`, read with the AWS_* environment, as the server does) or
 * `ATHAR_FILES_DIR`; null without either.
 */
export function storedObjects(under: string): Map<string, string> | null {
  const url = process.env.ATHAR_FILES_URL;
  const dir = process.env.ATHAR_FILES_DIR;
  let listing: string;
  if (url) {
    const [bucket, ...rest] = url.replace(/^s3:\/\//, "").split("/");
    const prefix = [...rest.filter((p) => p), under].join("/");
    const script = [
      "import boto3, hashlib, sys",
      "s3 = boto3.client('s3')",
      "for page in s3.get_paginator('list_objects_v2').paginate(Bucket=sys.argv[1], Prefix=sys.argv[2]):",
      "    for o in page.get('Contents', []):",
      "        body = s3.get_object(Bucket=sys.argv[1], Key=o['Key'])['Body'].read()",
      "        print(o['Key'][len(sys.argv[2]):] + '\\t' + hashlib.sha256(body).hexdigest())",
    ].join("\n");
    listing = execFileSync("python3", ["-c", script, bucket, prefix]).toString();
  } else if (dir) {
    const script = [
      "import hashlib, os, sys",
      "root = os.path.join(sys.argv[1], sys.argv[2])",
      "for base, _, names in os.walk(root):",
      "    for n in names:",
      "        p = os.path.join(base, n)",
      "        print(os.path.relpath(p, root) + '\\t' + hashlib.sha256(open(p, 'rb').read()).hexdigest())",
    ].join("\n");
    listing = execFileSync("python3", ["-c", script, dir, under]).toString();
  } else {
    if (process.env.CI) throw new Error("CI must give ATHAR_FILES_URL or ATHAR_FILES_DIR so the test reads the file store");
    return null;
  }
  return new Map(
    listing
      .split("\n")
      .filter((l) => l.includes("\t"))
      .map((l) => l.split("\t") as [string, string]),
  );
}

/** A browser on the profile in `dir`, as a phone (360 × 640, French). */
export async function launch(dir: string, testInfo: any): Promise<[BrowserContext, Page]> {
  const { launchOptions, baseURL } = testInfo.project.use as any;
  const context = await chromium.launchPersistentContext(dir, {
    ...launchOptions,
    baseURL,
    locale: "fr-FR",
    serviceWorkers: "allow",
    viewport: { width: 360, height: 640 },
  });
  const page = context.pages()[0] ?? (await context.newPage());
  if (process.env.ATHAR_DEBUG) page.on("console", (m) => console.log("page:", m.text()));
  if (process.env.ATHAR_DEBUG) page.on("request", (r) => console.log("req:", r.method(), r.url()));
  if (process.env.ATHAR_DEBUG) page.on("requestfinished", (r) => console.log("done:", r.url()));
  return [context, page];
}

/** SIGKILLs the whole browser started on `dir` (its process group: every renderer too). */
export async function killBrowser(dir: string) {
  const rows = execFileSync("ps", ["-eo", "pid=,ppid=,args="]).toString().split("\n");
  const main = rows
    .map((r) => r.trim().match(/^(\d+)\s+(\d+)\s+(.*)$/))
    .find((m) => m && Number(m[2]) === process.pid && m[3].includes(`--user-data-dir=${dir}`));
  expect(main, "the browser's main process").toBeTruthy();
  const pid = Number(main![1]);
  process.kill(-pid, "SIGKILL");
  await expect
    .poll(() => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    })
    .toBe(false);
}

/** Opens `url`, signing in again first if the session did not survive. */
export async function openSignedIn(page: Page, url: string) {
  await page.goto(url);
  await hydrated(page);
  if (page.url().includes("/login")) {
    await page.getByLabel("Adresse e-mail").fill(LOGINS.facilitator);
    await page.getByLabel("Mot de passe").fill(PASSWORD);
    await page.getByRole("button", { name: "Se connecter" }).click();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(/Mes projets/);
    await page.goto(url);
    await hydrated(page);
  }
}


/**
 * Signs the facilitator in on a fresh phone profile, waits for the service worker, and opens the
 * last of her projects with nothing waiting: its address. (The last project: the other specs
 * count the visits of the first.)
 */
export async function lastProjectReady(page: Page): Promise<string> {
  await openSignedIn(page, "/");
  await serviceWorkerReady(page);
  const projectUrl = new URL((await page.locator(".card-title a").last().getAttribute("href"))!, page.url()).toString();
  await openSignedIn(page, projectUrl);
  await expect(page.locator(".sync-count")).toHaveText(/Tout est envoyé/, { timeout: 30_000 });
  return projectUrl;
}

/** Opens the header's menu (language, account, tools) when a phone's header folds it. */
export async function openMenu(page: Page) {
  const menu = page.locator("header details.menu");
  const summary = menu.locator(":scope > summary");
  // A page still arriving may draw its header again (closed): open it until it stays open.
  await expect(async () => {
    if ((await summary.isVisible()) && !(await menu.evaluate((d) => (d as HTMLDetailsElement).open))) await summary.click();
    await expect(menu.locator(".menu-body")).toBeVisible({ timeout: 1_000 });
    await page.waitForTimeout(300);
    await expect(menu.locator(".menu-body")).toBeVisible({ timeout: 100 });
  }).toPass({ timeout: 20_000 });
}

/** Chooses the interface's language from the header. */
export async function chooseLanguage(page: Page, label: string) {
  await openMenu(page);
  await page.getByRole("button", { name: label, exact: true }).click();
}

/** Opens the sync bar's details (when the last send went through, the export of unsent entries). */
export async function openSyncDetails(page: Page) {
  const details = page.locator(".sync-bar details.sync-details");
  await expect(async () => {
    if (!(await details.evaluate((d) => (d as HTMLDetailsElement).open))) await details.locator(":scope > summary").click();
    await expect(details.locator(".sync-more")).toBeVisible({ timeout: 1_000 });
  }).toPass({ timeout: 20_000 });
}
