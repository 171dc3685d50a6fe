import { expect, test } from "@playwright/test";
import { countInDatabase, hydrated, openFirstProject, outboxKeys, recordVisit, savedThenBack, serviceWorkerReady, signIn } from "./helpers";

// What phones do to sync in the field: two tabs at once, a full storage, a tab closed while its
// entries are on the wire, a network that comes and goes. Each entry must land exactly once.

/** Each of these visits is in the server's database exactly once (when ATHAR_DB is given). */
function expectOnceEach(notes: string[]) {
  for (const note of notes) {
    const counted = countInDatabase(note);
    if (counted !== null) expect(counted, note).toBe(1);
  }
}

test("two tabs saving at the same time: every entry gets its own number, none is lost", async ({ page, context }) => {
  const stamp = Date.now().toString(36);
  await signIn(page, "facilitator");
  await serviceWorkerReady(page);
  const project = await openFirstProject(page);
  const other = await context.newPage();
  await other.goto(project.url);
  await hydrated(other);
  await context.setOffline(true);

  const notes: string[] = [];
  for (let round = 1; round <= 3; round++) {
    const pair = [`Onglet A ${round} ${stamp}`, `Onglet B ${round} ${stamp}`];
    notes.push(...pair);
    await Promise.all([recordVisit(page, pair[0]), recordVisit(other, pair[1])]);
  }
  // One key per mutation on disk, (client, seq) unique: the two tabs are two clients.
  const keys: string[] = (await outboxKeys(page)).filter((k) => k.includes("/m/"));
  expect(keys).toHaveLength(6);
  expect(new Set(keys).size).toBe(6);
  const clients = new Set(keys.map((k) => k.split("/m/")[1].split("/")[0]));
  expect(clients.size).toBe(2);

  await context.setOffline(false);
  await page.getByRole("button", { name: /Envoyer maintenant/ }).click();
  await expect(page.locator(".sync-count")).toHaveText(/Tout est envoyé/, { timeout: 20_000 });
  await other.reload();
  await hydrated(other);
  await expect(other.locator(".sync-count")).toHaveText(/Tout est envoyé/, { timeout: 20_000 });
  for (const note of notes) await expect(page.locator(".entries li", { hasText: note })).toHaveCount(1);
  expectOnceEach(notes);
});

test("localStorage full: a save still goes to disk, and nothing stored is lost", async ({ page, context }) => {
  const stamp = Date.now().toString(36);
  const before = `Avant le plein ${stamp}`;
  const besideFull = `A côté du plein ${stamp}`;
  await signIn(page, "facilitator");
  await serviceWorkerReady(page);
  const project = await openFirstProject(page);
  await context.setOffline(true);
  await recordVisit(page, before);

  // The browser's real localStorage quota, filled with big chunks then smaller ones. It holds
  // only what the server can send again; entries go to IndexedDB.
  const filled = await page.evaluate(() => {
    let n = 0;
    for (const size of [1_000_000, 100_000, 10_000, 1_000, 100, 10, 1]) {
      const chunk = "x".repeat(size);
      try {
        for (;;) localStorage.setItem(`test-filler/${n++}`, chunk);
      } catch {
        // This size no longer fits: try a smaller one.
      }
    }
    return n;
  });
  expect(filled).toBeGreaterThan(0);
  await recordVisit(page, besideFull);
  await page.evaluate(() => {
    for (const k of Object.keys(localStorage)) if (k.startsWith("test-filler/")) localStorage.removeItem(k);
  });

  await context.setOffline(false);
  await page.goto(project.url);
  await hydrated(page);
  await expect(page.locator(".sync-count")).toHaveText(/Tout est envoyé/, { timeout: 20_000 });
  for (const note of [before, besideFull]) await expect(page.locator(".entries li", { hasText: note })).toContainText("Envoyé");
  expectOnceEach([before, besideFull]);
});

test("no room left on the phone: the save says so, the form keeps what was typed, and it saves once there is room", async ({ page, context }) => {
  const stamp = Date.now().toString(36);
  const blocked = `Pendant le plein ${stamp}`;
  // The browser's own quota for the site, lowered to a byte before Athar stored anything on
  // this phone: the browser refuses to create its database.
  const cdp = await context.newCDPSession(page);
  await page.goto("/login");
  const origin = new URL(page.url()).origin;
  await cdp.send("Storage.overrideQuotaForOrigin", { origin, quotaSize: 1 });
  await signIn(page, "facilitator");
  const project = await openFirstProject(page);

  await page.getByRole("link", { name: /Nouvelle visite/ }).click();
  await hydrated(page);
  await page.getByLabel("Par téléphone").check();
  await page.getByLabel("Observations").fill(blocked);
  await page.getByRole("button", { name: "Enregistrer et soumettre" }).click();
  await expect(page.getByRole("alert")).toContainText("Le stockage d'Athar sur ce téléphone est plein");
  await expect(page.getByLabel("Observations")).toHaveValue(blocked);
  expect(countInDatabase(blocked) ?? 0).toBe(0);

  // Room made, the same form saves.
  await cdp.send("Storage.overrideQuotaForOrigin", { origin });
  await page.getByRole("button", { name: "Enregistrer et soumettre" }).click();
  await savedThenBack(page);
  await page.goto(project.url);
  await hydrated(page);
  await expect(page.locator(".sync-count")).toHaveText(/Tout est envoyé/, { timeout: 20_000 });
  await expect(page.locator(".entries li", { hasText: blocked })).toContainText("Envoyé");
  expectOnceEach([blocked]);
});

test("a tab closed while its entries are on the wire: reopened, they arrive once", async ({ page, context }) => {
  const stamp = Date.now().toString(36);
  const notes = [1, 2, 3].map((n) => `Onglet fermé ${n} ${stamp}`);
  await signIn(page, "facilitator");
  await serviceWorkerReady(page);
  const project = await openFirstProject(page);
  await context.setOffline(true);
  for (const note of notes) await recordVisit(page, note);

  // The push reaches the server, which applies it; the answer never comes back to the tab.
  let delivered = false;
  await context.route("**/api/sync/push", async (route) => {
    const response = await route.fetch();
    delivered = true;
    await new Promise((r) => setTimeout(r, 3_000));
    await route.fulfill({ response }).catch(() => {});
  });
  await context.setOffline(false);
  await page.getByRole("button", { name: /Envoyer maintenant/ }).click();
  await expect.poll(() => delivered, { timeout: 20_000 }).toBe(true);
  await page.close();
  await context.unroute("**/api/sync/push");

  const again = await context.newPage();
  await again.goto(project.url);
  await hydrated(again);
  await expect(again.locator(".sync-count")).toHaveText(/Tout est envoyé/, { timeout: 20_000 });
  for (const note of notes) await expect(again.locator(".entries li", { hasText: note })).toContainText("Envoyé");
  expectOnceEach(notes);
});

test("fifty entries sync while the network comes and goes: they converge, once each", async ({ page, context }) => {
  test.setTimeout(120_000);
  const stamp = Date.now().toString(36);
  const notes = Array.from({ length: 50 }, (_, i) => `Réseau instable ${i + 1} ${stamp}`);
  await signIn(page, "facilitator");
  await serviceWorkerReady(page);
  await openFirstProject(page);
  await context.setOffline(true);
  for (const note of notes) await recordVisit(page, note);
  await expect(page.locator(".sync-count")).toHaveText(/50 en attente/);

  // Off and on every 300 ms for six seconds, asking for a sync each time it is back.
  for (let i = 0; i < 20; i++) {
    await context.setOffline(i % 2 === 0);
    if (i % 2 === 1) await page.getByRole("button", { name: /Envoyer maintenant/ }).click();
    await page.waitForTimeout(300);
  }
  await context.setOffline(false);
  await page.getByRole("button", { name: /Envoyer maintenant/ }).click();
  await expect(page.locator(".sync-count")).toHaveText(/Tout est envoyé/, { timeout: 60_000 });
  // The project page draws the latest 20 visits; the rest on request.
  await page.getByRole("button", { name: /Voir les \d+ visites/ }).click();
  for (const note of notes) await expect(page.locator(".entries li", { hasText: note })).toContainText("Envoyé");
  expectOnceEach(notes);
});

test("an entry the server cannot take because one before it is missing is not called sent", async ({ page, context }) => {
  const stamp = Date.now().toString(36);
  const notes = [`Avant le trou ${stamp}`, `Après le trou ${stamp}`];
  await signIn(page, "facilitator");
  await serviceWorkerReady(page);
  await openFirstProject(page);
  await context.setOffline(true);
  for (const note of notes) await recordVisit(page, note);
  // Damage the phone's storage behind the app's back: the first of the two disappears.
  const removed = await page.evaluate(async () => {
    const athar = (window as any).athar;
    const keys = (await athar.db.keys()).filter((k: string) => k.includes("/m/")).sort();
    await athar.db.write([[keys[0], null]]);
    return keys[0];
  });
  expect(removed).toMatch(/\/m\/[0-9a-f-]+\/0+1$/);
  await page.reload();
  await hydrated(page);

  await context.setOffline(false);
  await page.getByRole("button", { name: /Envoyer maintenant/ }).click();
  await expect(page.locator(".sync-error")).toContainText("L'envoi n'a pas abouti", { timeout: 20_000 });
  await expect(page.locator(".sync-count")).toHaveText(/1 en attente/);
  await expect(page.locator(".entries li", { hasText: notes[1] })).toContainText("Enregistré sur ce téléphone");
  expect(countInDatabase(notes[1]) ?? 0).toBe(0);
});
