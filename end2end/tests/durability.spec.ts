import { Page, expect, test } from "@playwright/test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { countInDatabase, hydrated, killBrowser, lastProjectReady, launch, openSignedIn, serviceWorkerReady, storeVisits, tunisToday } from "./helpers";

// "Saved" means on disk. The whole browser process dies (as when the battery runs out or Android
// kills Chrome) right after the app said *saved*: after a relaunch on the same profile, every
// entry is still on the phone, then on the server exactly once. Cookies and localStorage written
// in the last seconds may be gone (Chromium writes them lazily), so the phone may ask to sign in
// again: the entries must not depend on either.

const ROUNDS = Number(process.env.ATHAR_KILL_ROUNDS ?? 20);

/** The observations of every visit waiting in the outbox on disk (any user, any client). */
async function waitingOnDisk(page: Page): Promise<string[]> {
  return page.evaluate(async () => {
    const [keys, values] = await (window as any).athar.db.load();
    return (keys as string[])
      .map((k, i) => [k, values[i]])
      .filter(([k]) => /\/m\//.test(k))
      .map(([, v]) => JSON.parse(v).args?.fields?.observations ?? "");
  });
}

/** Records a visit offline; resolves once the form says it is saved (and not later). */
async function saveVisit(page: Page, observations: string) {
  await page.getByRole("link", { name: /Nouvelle visite/ }).click();
  await hydrated(page);
  await page.getByLabel("Par téléphone").check();
  await page.getByLabel("Observations").fill(observations);
  await page.getByRole("button", { name: "Enregistrer et soumettre" }).click();
  await expect(page.getByText("Enregistré sur ce téléphone. L'envoi se fera").first()).toBeVisible();
}

async function backToProject(page: Page) {
  await expect(page).not.toHaveURL(/\/visits\//);
  await hydrated(page);
}

function expectOnceEach(notes: string[]) {
  for (const note of notes) {
    const counted = countInDatabase(note);
    if (counted !== null) expect(counted, note).toBe(1);
  }
}

test("the browser killed right after the fifth saved visit, twenty times: all five stay on the phone and reach the server once", async ({}, testInfo) => {
  test.setTimeout(60_000 + ROUNDS * 45_000);
  const dir = mkdtempSync(join(tmpdir(), "athar-kill-"));
  let [context, page] = await launch(dir, testInfo);
  // The demo facilitator's full cached data on the profile: My projects keeps every project.
  await openSignedIn(page, "/");
  await serviceWorkerReady(page);
  // The last project: the other specs count the visits of the first.
  const last = page.locator(".card-title a").last();
  const projectUrl = new URL((await last.getAttribute("href"))!, page.url()).toString();
  await expect
    .poll(() => page.evaluate(() => Object.keys(localStorage).filter((k) => /\/project\//.test(k)).length), { timeout: 30_000 })
    .toBeGreaterThan(1);

  for (let round = 1; round <= ROUNDS; round++) {
    const stamp = `${Date.now().toString(36)} ${round}`;
    const notes = [1, 2, 3, 4, 5].map((n) => `Coupure ${stamp} visite ${n}`);
    await openSignedIn(page, projectUrl);
    await expect(page.locator(".sync-count")).toHaveText(/Tout est envoyé/, { timeout: 30_000 });
    await context.setOffline(true);
    for (const note of notes.slice(0, 4)) {
      await saveVisit(page, note);
      await backToProject(page);
    }
    await saveVisit(page, notes[4]);
    await killBrowser(dir);

    [context, page] = await launch(dir, testInfo);
    await context.setOffline(true);
    await page.goto(projectUrl);
    await page.waitForFunction(() => !!(window as any).athar?.db);
    const kept = await waitingOnDisk(page);
    expect(kept.filter((o) => notes.includes(o)).sort(), `round ${round}: on the phone after the kill`).toEqual(notes);

    await context.setOffline(false);
    await openSignedIn(page, projectUrl);
    await expect(page.locator(".sync-count")).toHaveText(/Tout est envoyé/, { timeout: 30_000 });
    expect(await waitingOnDisk(page)).toEqual([]);
    expectOnceEach(notes);
  }
  await context.close();
  rmSync(dir, { recursive: true, force: true });
});

test("the browser killed while the push is on the wire: the entries stay on the phone and reach the server once", async ({}, testInfo) => {
  test.setTimeout(120_000);
  const dir = mkdtempSync(join(tmpdir(), "athar-kill-"));
  let [context, page] = await launch(dir, testInfo);
  const projectUrl = await lastProjectReady(page);

  const stamp = Date.now().toString(36);
  const notes = [1, 2, 3, 4, 5].map((n) => `En vol ${stamp} visite ${n}`);
  await context.setOffline(true);
  for (const note of notes) {
    await saveVisit(page, note);
    await backToProject(page);
  }
  // The server applies the push and commits; the answer never reaches the phone.
  let delivered = false;
  await context.route("**/api/sync/push", async (route) => {
    await route.fetch();
    delivered = true;
  });
  // Back online, the phone sends on its own.
  await context.setOffline(false);
  await expect.poll(() => delivered, { timeout: 30_000 }).toBe(true);
  if (process.env.ATHAR_DEBUG) console.log("delivered");
  await killBrowser(dir);
  if (process.env.ATHAR_DEBUG) console.log("killed");
  for (const note of notes) expect(countInDatabase(note) ?? 1).toBe(1);

  [context, page] = await launch(dir, testInfo);
  if (process.env.ATHAR_DEBUG) console.log("relaunched");
  await context.setOffline(true);
  await page.goto(projectUrl);
  await page.waitForFunction(() => !!(window as any).athar?.db);
  expect((await waitingOnDisk(page)).filter((o) => notes.includes(o)).sort()).toEqual(notes);

  await context.setOffline(false);
  await openSignedIn(page, projectUrl);
  await expect(page.locator(".sync-count")).toHaveText(/Tout est envoyé/, { timeout: 30_000 });
  for (const note of notes) await expect(page.locator(".entries li", { hasText: note })).toContainText("Envoyé");
  expect(await waitingOnDisk(page)).toEqual([]);
  expectOnceEach(notes);
  await context.close();
  rmSync(dir, { recursive: true, force: true });
});

test("entries a phone kept in localStorage (layout 1) move to disk at the next start and reach the server once", async ({}, testInfo) => {
  test.setTimeout(120_000);
  const dir = mkdtempSync(join(tmpdir(), "athar-layout-"));
  let [context, page] = await launch(dir, testInfo);
  const projectUrl = await lastProjectReady(page);
  const projectId = projectUrl.split("/projects/")[1];
  await context.setOffline(true);

  // As the previous version stored them: one key per mutation in localStorage, the tab slot's
  // counter beside them, and the layout marker at 1.
  const stamp = Date.now().toString(36);
  const notes = [1, 2, 3].map((n) => `Ancienne version ${stamp} visite ${n}`);
  const { keys: legacy, client } = await storeVisits(
    page,
    "localStorage",
    projectId,
    notes.map((observations) => ({ observations, day: tunisToday() })),
  );
  await page.evaluate((client) => {
    const user = JSON.parse(localStorage.getItem("athar/v1/identity")!).id;
    localStorage.setItem(`athar/v1/u/${user}/client/7`, `${client} 4`);
    localStorage.setItem("athar/layout", "1");
  }, client);

  // The new version starts: the entries are on disk and have left localStorage.
  await page.reload();
  await hydrated(page);
  expect((await waitingOnDisk(page)).filter((o) => notes.includes(o)).sort()).toEqual(notes);
  expect(await page.evaluate((keys) => keys.filter((k) => localStorage.getItem(k) !== null), legacy)).toEqual([]);
  expect(await page.evaluate(() => localStorage.getItem("athar/layout"))).toBe("2");
  for (const note of notes) await expect(page.locator(".entries li", { hasText: note })).toContainText("Enregistré sur ce téléphone");

  await context.setOffline(false);
  await page.getByRole("button", { name: /Envoyer maintenant/ }).click();
  await expect(page.locator(".sync-count")).toHaveText(/Tout est envoyé/, { timeout: 30_000 });
  for (const note of notes) await expect(page.locator(".entries li", { hasText: note })).toContainText("Envoyé");
  expectOnceEach(notes);
  await context.close();
  rmSync(dir, { recursive: true, force: true });
});
