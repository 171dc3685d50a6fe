import { Browser, BrowserContext, Page, expect, test } from "@playwright/test";
import { execFileSync } from "node:child_process";
import { hydrated, serviceWorkerReady, signIn } from "./helpers";

// Offline capture and sync, in the real browser with the real service worker.

/** Visits in the server's database with these observations (`ATHAR_DB` names the SQLite file). */
function countInDatabase(observations: string): number | null {
  const db = process.env.ATHAR_DB;
  if (!db) {
    if (process.env.CI) throw new Error("CI must give ATHAR_DB so the test counts rows in the database");
    return null;
  }
  const sql = `select count(*) from visits where observations = '${observations.replace(/'/g, "''")}'`;
  return Number(execFileSync("sqlite3", [db, sql]).toString().trim());
}

/** Opens the first of the facilitator's projects and waits for the first sync. */
async function openFirstProject(page: Page) {
  const first = page.locator(".card h3 a").first();
  const title = (await first.textContent())!.trim();
  await first.click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(title);
  await hydrated(page);
  await expect(page.locator(".sync-count")).toHaveText(/Tout est envoyé/, { timeout: 20_000 });
  return { title, url: page.url() };
}

async function recordVisit(page: Page, observations: string, action?: string) {
  await page.getByRole("link", { name: /Nouvelle visite/ }).click();
  await hydrated(page);
  await page.getByLabel("Par téléphone").check();
  await page.getByLabel("Vente et marketing").check();
  await page.getByLabel("Observations").fill(observations);
  if (action) await page.getByLabel(/Actions décidées/).fill(action);
  await page.getByRole("button", { name: "Enregistrer et soumettre" }).click();
  await expect(page.getByText("Enregistré sur ce téléphone. L'envoi se fera")).toBeVisible();
}

test("visits made offline wait on the phone, survive a reload, and reach the supervisor exactly once", async ({ page, context, browser }) => {
  const stamp = Date.now().toString(36);
  const notes = [1, 2, 3].map((n) => `Visite hors ligne ${n} ${stamp}`);
  await signIn(page, "facilitator");
  await serviceWorkerReady(page);
  const project = await openFirstProject(page);

  const action = `Ouvrir un cahier de caisse ${stamp}`;
  await context.setOffline(true);
  await recordVisit(page, notes[0], action);
  for (const note of notes.slice(1)) await recordVisit(page, note);
  // Three visits and the action item agreed during the first.
  await expect(page.locator(".sync-count")).toHaveText(/4 en attente/);
  await expect(page.locator(".entries li", { hasText: action })).toContainText("Enregistré sur ce téléphone");
  for (const note of notes) {
    const entry = page.locator(".entries li", { hasText: note });
    await expect(entry).toHaveCount(1);
    await expect(entry.getByText("Enregistré sur ce téléphone")).toBeVisible();
  }

  // Reloaded offline: the shell from the service worker, the entries from the phone.
  await page.reload();
  await hydrated(page);
  await expect(page.locator(".sync-count")).toHaveText(/4 en attente/);
  for (const note of notes) await expect(page.locator(".entries li", { hasText: note })).toHaveCount(1);
  for (const note of notes) expect(countInDatabase(note) ?? 0).toBe(0);

  // Back online: they go, once each.
  await context.setOffline(false);
  await page.getByRole("button", { name: /Envoyer maintenant/ }).click();
  await expect(page.locator(".sync-count")).toHaveText(/Tout est envoyé/, { timeout: 20_000 });
  for (const note of notes) {
    const entry = page.locator(".entries li", { hasText: note });
    await expect(entry).toContainText("Envoyé");
    await expect(entry).not.toContainText("Enregistré sur ce téléphone");
    const counted = countInDatabase(note);
    if (counted !== null) expect(counted).toBe(1);
  }

  // The action item is done: closed on the phone, sent, shown as done.
  const item = page.locator(".entries li", { hasText: action });
  await expect(item).toContainText("Envoyé");
  await item.getByRole("button", { name: /Fait/ }).click();
  await expect(item).toContainText(/Fait le \d\d\/\d\d\/\d{4}/);
  await expect(page.locator(".sync-count")).toHaveText(/Tout est envoyé/, { timeout: 20_000 });
  await expect(item).toContainText("Envoyé");
  await expect(item.getByRole("button", { name: /Fait/ })).toBeHidden();

  // The supervisor, on a tablet of their own, sees each one once.
  const tablet = await browser.newContext({ viewport: { width: 800, height: 1280 }, locale: "fr-FR" });
  const supervisor = await tablet.newPage();
  await signIn(supervisor, "supervisor");
  await supervisor.goto(project.url);
  await hydrated(supervisor);
  for (const note of notes) {
    await expect(supervisor.locator(".entries li", { hasText: note })).toHaveCount(1, { timeout: 20_000 });
  }
  await tablet.close();
});

test("a visit with a date in the future is refused in the form, which keeps what was typed", async ({ page }) => {
  await signIn(page, "facilitator");
  await openFirstProject(page);
  await page.getByRole("link", { name: /Nouvelle visite/ }).click();
  await hydrated(page);
  await page.getByLabel("Observations").fill("Texte à garder");
  await page.getByLabel("Date de la visite").fill("2099-01-01");
  await page.getByRole("button", { name: "Enregistrer et soumettre" }).click();
  const summary = page.getByRole("alert").filter({ hasText: "Il y a un problème" });
  await expect(summary).toBeVisible();
  await expect(summary.getByRole("link", { name: "La date de la visite ne peut pas être dans le futur." })).toBeVisible();
  await expect(page.getByLabel("Date de la visite")).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByLabel("Observations")).toHaveValue("Texte à garder");
});
