import { BrowserContext, chromium, expect, test } from "@playwright/test";
import { existsSync, writeFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { serviceWorkerReady, signIn } from "./helpers";

// An upgrade in two acts, around a redeployment done by `.ci/test` between them (the same build
// restarted as a new version): the same browser profile on disk plays a phone that had the app
// installed before and opens it after. Skipped unless ATHAR_UPGRADE_PROFILE names that profile.
const profile = process.env.ATHAR_UPGRADE_PROFILE;
const act = process.env.ATHAR_UPGRADE_ACT;
const PENDING = "athar/v1/u/upgrade-test/m/00000000-0000-0000-0000-000000000001/000000000001";

async function open(testInfo: any): Promise<BrowserContext> {
  const { launchOptions, baseURL } = testInfo.project.use as any;
  return chromium.launchPersistentContext(profile!, { ...launchOptions, baseURL, locale: "fr-FR", serviceWorkers: "allow" });
}

test("before the upgrade: the app is installed, with an entry waiting to be sent", async ({}, testInfo) => {
  test.skip(!profile || act !== "before", "runs as the first act of the upgrade test in .ci/test");
  const context = await open(testInfo);
  const page = context.pages()[0] ?? (await context.newPage());
  await signIn(page, "facilitator");
  await serviceWorkerReady(page);
  const caches = await page.evaluate(() => caches.keys());
  expect(caches).toHaveLength(1);
  writeFileSync(join(profile!, "athar-cache-before"), caches[0]);
  await page.evaluate((k) => localStorage.setItem(k, "{}"), PENDING);
  await context.close();
});

test("after the upgrade: the new version waits for the entry, then takes over, keeping the previous cache", async ({}, testInfo) => {
  test.skip(!profile || act !== "after", "runs as the second act of the upgrade test in .ci/test");
  expect(existsSync(join(profile!, "athar-cache-before"))).toBe(true);
  const old = readFileSync(join(profile!, "athar-cache-before"), "utf8");
  const context = await open(testInfo);
  const page = context.pages()[0] ?? (await context.newPage());
  await page.goto("/");
  const waiting = () => page.evaluate(async () => !!(await navigator.serviceWorker.getRegistration())?.waiting);
  await expect.poll(waiting, { timeout: 20_000 }).toBe(true);
  // The old version still serves the app while an entry waits: its cache is intact.
  expect(await page.evaluate(() => caches.keys())).toContain(old);

  // The entry leaves; the next time the app opens, the new version takes over.
  await page.evaluate((k) => localStorage.removeItem(k), PENDING);
  await page.reload();
  await expect.poll(waiting, { timeout: 20_000 }).toBe(false);
  // The new version's cache beside the previous one (a page still running the previous version
  // fetches its code chunks from there); nothing older.
  await expect.poll(() => page.evaluate(() => caches.keys()), { timeout: 20_000 }).toHaveLength(2);
  expect(await page.evaluate(() => caches.keys())).toContain(old);
  await serviceWorkerReady(page);
  await context.close();
});
