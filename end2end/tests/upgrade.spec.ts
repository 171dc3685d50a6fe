import { BrowserContext, Page, chromium, expect, test } from "@playwright/test";
import { existsSync, writeFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { countInDatabase, outboxKeys, serviceWorkerReady, signIn, storeVisits, tunisToday } from "./helpers";

// Upgrades, in three acts around redeployments (`end2end/upgrade-acts.sh`: the same build
// restarted under a new release label, which phones see as a new version). One browser profile
// on disk plays a phone that had the app installed and opens it after each upgrade. An entry of
// another user of the phone waits in its outbox (this user's session does not send it), so only
// the user's word or the outbox emptying can let a new version in. The entries are written where
// the previous storage layout (1) kept them, in localStorage: the new version moves them to disk.
// Skipped unless ATHAR_UPGRADE_PROFILE names that profile.
const profile = process.env.ATHAR_UPGRADE_PROFILE;
const act = process.env.ATHAR_UPGRADE_ACT;
const PENDING = "athar/v1/u/00000000-0000-0000-0000-00000000abcd/m/00000000-0000-0000-0000-000000000001/000000000001";
const UPDATE_NOW = "Mettre à jour maintenant";

async function open(testInfo: any): Promise<[BrowserContext, Page]> {
  const { launchOptions, baseURL } = testInfo.project.use as any;
  const context = await chromium.launchPersistentContext(profile!, {
    ...launchOptions,
    baseURL,
    locale: "fr-FR",
    serviceWorkers: "allow",
  });
  return [context, context.pages()[0] ?? (await context.newPage())];
}

function remember(name: string, value: string) {
  writeFileSync(join(profile!, `athar-${name}`), value);
}

function recall(name: string): string {
  const file = join(profile!, `athar-${name}`);
  expect(existsSync(file), `${name} was recorded by the previous act`).toBe(true);
  return readFileSync(file, "utf8");
}

const waiting = (page: Page) =>
  page.evaluate(async () => !!(await navigator.serviceWorker.getRegistration())?.waiting);
// Whether a new version waits, asking the browser to look for one if none is on its way (as the
// app does every half hour): when it checks on its own after a navigation is the browser's affair.
const newVersionWaiting = (page: Page) =>
  page.evaluate(async () => {
    const reg = await navigator.serviceWorker.getRegistration();
    if (reg && !reg.waiting && !reg.installing) await reg.update().catch(() => {});
    return !!reg?.waiting;
  });
const cacheNames = (page: Page) => page.evaluate(() => caches.keys());
const activeBuild = (page: Page) =>
  page.evaluate(async () => {
    const names = await caches.keys();
    return names[names.length - 1];
  });

/**
 * Closes the browser with the app installed. Chrome writes a registration to disk a moment
 * after it activates; a browser closed before that forgets the app (the next act would install
 * it afresh, with nothing to wait for). Reopens until a fresh navigation is controlled from its
 * start.
 */
async function closeInstalled(context: BrowserContext, testInfo: any) {
  await context.close();
  for (let attempt = 1; ; attempt++) {
    const [again, page] = await open(testInfo);
    await page.goto("/", { waitUntil: "domcontentloaded" });
    const installed = await page.evaluate(() => navigator.serviceWorker.controller !== null);
    if (!installed) await serviceWorkerReady(page);
    await page.waitForTimeout(1000 * attempt);
    await again.close();
    if (installed) return;
    expect(attempt, "the service worker registration stays on disk").toBeLessThan(4);
  }
}

test("act 1, before the upgrade: the app is installed, with an entry waiting to be sent", async ({}, testInfo) => {
  test.skip(!profile || act !== "before", "the first act of end2end/upgrade-acts.sh");
  const [context, page] = await open(testInfo);
  await signIn(page, "facilitator");
  await serviceWorkerReady(page);
  const names = await cacheNames(page);
  expect(names).toHaveLength(1);
  remember("cache-1", names[0]);
  await page.evaluate((k) => localStorage.setItem(k, "{}"), PENDING);
  await closeInstalled(context, testInfo);
});

test("act 2, after an upgrade: the new version waits for the entry, and takes over when the user agrees", async ({}, testInfo) => {
  test.skip(!profile || act !== "after", "the second act of end2end/upgrade-acts.sh");
  const first = recall("cache-1");
  const [context, page] = await open(testInfo);
  // A phone's HTTP cache is small and may have been emptied since: what the new version does not
  // download must come from the previous version's own cache.
  await (await context.newCDPSession(page)).send("Network.clearBrowserCache");
  await page.goto("/");
  await expect.poll(() => newVersionWaiting(page), { timeout: 30_000 }).toBe(true);
  // The previous version still serves the app while the entry waits; the user is told a new
  // version is ready and that the entry stays.
  const notice = page.locator(".update-notice");
  await expect(notice).toContainText("Une nouvelle version d'Athar est prête", { timeout: 20_000 });
  expect(await cacheNames(page)).toContain(first);

  // An upgrade downloads only the files that changed: this one changed none of the code, so each
  // hashed file of the new version's cache is the response the previous version fetched (the
  // same `Date`), not fetched again.
  const next = (await cacheNames(page)).find((n) => n !== first)!;
  const fetchedOn = (name: string) =>
    page.evaluate(async (name) => {
      const cache = await caches.open(name);
      const dates: Record<string, string | null> = {};
      for (const request of await cache.keys()) {
        const path = new URL(request.url).pathname;
        if (path.startsWith("/pkg/")) dates[path] = (await cache.match(request))!.headers.get("date");
      }
      return dates;
    }, name);
  const before = await fetchedOn(first);
  expect(Object.keys(before).length).toBeGreaterThan(3);
  expect(await fetchedOn(next)).toEqual(before);

  // A version that could not read this phone's stored entries is not offered.
  await page.evaluate(() => {
    localStorage.setItem("athar/layout", "99");
    (window as any).athar.checkUpdate();
  });
  await expect(notice).toContainText("attend que vos saisies soient envoyées");
  await expect(page.getByRole("button", { name: UPDATE_NOW })).toHaveCount(0);
  await page.evaluate(() => {
    localStorage.setItem("athar/layout", "1");
    (window as any).athar.checkUpdate();
  });

  // The version running saved a visit of this user where layout 1 kept entries (localStorage),
  // and the layout marker says so.
  const note = `Avant la mise à jour ${Date.now().toString(36)}`;
  const href = (await page.locator(".card-title a").first().getAttribute("href"))!;
  await storeVisits(page, "localStorage", href.split("/projects/")[1], [{ observations: note, day: tunisToday() }]);

  // The user agrees: the page reloads into the new version, which moves both entries to disk;
  // the user's own is sent, once, and the other user's stays.
  const reloaded = page.waitForEvent("load");
  await page.getByRole("button", { name: UPDATE_NOW }).click();
  await reloaded;
  await expect.poll(() => waiting(page), { timeout: 20_000 }).toBe(false);
  await serviceWorkerReady(page);
  await expect(page.locator(".sync-count")).toHaveText(/Tout est envoyé/, { timeout: 20_000 });
  expect((await outboxKeys(page)).filter((k) => k.includes("/m/"))).toEqual([PENDING]);
  expect(await page.evaluate(() => Object.keys(localStorage).filter((k) => k.includes("/m/")))).toEqual([]);
  const counted = countInDatabase(note);
  if (counted !== null) expect(counted).toBe(1);
  await expect(page.locator(".update-notice")).toHaveCount(0);
  // The new version's cache beside the previous one (a page still running the previous version
  // fetches its code chunks from there).
  const names = await cacheNames(page);
  expect(names).toHaveLength(2);
  expect(names[0]).toBe(first);
  remember("cache-2", names[1]);
  await closeInstalled(context, testInfo);
});

test("act 3, after another upgrade: once nothing waits, the new version takes over by itself", async ({}, testInfo) => {
  test.skip(!profile || act !== "again", "the third act of end2end/upgrade-acts.sh");
  const second = recall("cache-2");
  const [context, page] = await open(testInfo);
  await page.goto("/");
  await expect.poll(() => newVersionWaiting(page), { timeout: 30_000 }).toBe(true);
  await expect(page.locator(".update-notice")).toBeVisible({ timeout: 20_000 });
  await page.evaluate(() => {
    const w = window as any;
    w.__sameDocument = true;
    navigator.serviceWorker.addEventListener("controllerchange", () => (w.__controllerChanged = true));
  });

  // The entry leaves the phone (its owner's sync, played here by removing it); the next sync of
  // this page finds the outbox empty and the new version takes over without a reload.
  await page.evaluate((k) => (window as any).athar.db.write([[k, null]]), PENDING);
  await page.getByRole("button", { name: "Envoyer maintenant" }).click();
  await expect.poll(() => waiting(page), { timeout: 20_000 }).toBe(false);
  await expect(page.locator(".update-notice")).toHaveCount(0);
  await serviceWorkerReady(page);
  expect(await page.evaluate(() => [(window as any).__sameDocument, (window as any).__controllerChanged])).toEqual([true, true]);
  // Two caches: this version's and the previous one; the first act's is gone.
  await expect.poll(() => cacheNames(page), { timeout: 20_000 }).toHaveLength(2);
  const names = await cacheNames(page);
  expect(names[0]).toBe(second);
  expect(await activeBuild(page)).not.toBe(second);
  await context.close();
});
