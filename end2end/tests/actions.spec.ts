import { Page, expect, test } from "@playwright/test";
import { execFileSync } from "node:child_process";
import { hydrated, openFirstProject, savedThenBack, serviceWorkerReady, signIn, frDay, tunisDay } from "./helpers";

// Action items carried from visit to visit, offline: the next visit lists the items left open,
// each done, kept or moved to a new date; overdue ones stand out.

/** An action item's status and due day in the server's database (`ATHAR_DB`), or null. */
function actionInDatabase(title: string): string | null {
  const db = process.env.ATHAR_DB;
  if (!db) {
    if (process.env.CI) throw new Error("CI must give ATHAR_DB");
    return null;
  }
  const sql = `select status || ' ' || coalesce(due_on, '-') || ' ' || coalesce(closed_on, '-') from action_items where title = '${title.replace(/'/g, "''")}'`;
  return execFileSync("sqlite3", [db, sql]).toString().trim();
}

async function newVisit(page: Page) {
  await page.getByRole("link", { name: /Nouvelle visite/ }).click();
  await hydrated(page);
  await page.getByLabel("Par téléphone").check();
  await page.getByLabel("Vente et marketing").check();
}

test("a visit picks up the action items left open: one done, one moved to a new date; overdue ones stand out", async ({ page, context }) => {
  const stamp = Date.now().toString(36);
  const [a, b] = [`Ouvrir un cahier de caisse ${stamp}`, `Demander un devis d'emballage ${stamp}`];
  const [visited, due, moved] = [tunisDay(-40), tunisDay(-10), tunisDay(14)];
  await signIn(page, "facilitator");
  await serviceWorkerReady(page);
  await openFirstProject(page);
  await context.setOffline(true);

  // An earlier visit agreed two actions, due by its next visit, which has passed.
  await newVisit(page);
  await page.getByLabel("Date de la visite").fill(visited);
  await page.getByLabel(/Prochaine visite prévue/).fill(due);
  await page.getByLabel("Observations").fill(`Visite d'il y a quarante jours ${stamp}`);
  await page.getByLabel(/Actions décidées/).fill(`${a}\n${b}`);
  await page.getByRole("button", { name: "Enregistrer et soumettre" }).click();
  await savedThenBack(page);
  for (const title of [a, b]) {
    const item = page.locator(".entries li", { hasText: title });
    await expect(item).toContainText(`Avant le ${frDay(due)}`);
    await expect(item.locator(".overdue-tag")).toHaveText(/En retard/);
  }

  // Today's visit: both are listed, overdue; one is done, the other moves.
  await newVisit(page);
  const carried = page.locator("section.carried");
  await expect(carried.getByRole("heading", { name: "Actions en cours" })).toBeVisible();
  const groupA = carried.getByRole("group", { name: new RegExp(a) });
  const groupB = carried.getByRole("group", { name: new RegExp(b) });
  await expect(groupA).toContainText("En retard");
  await expect(groupA.getByLabel("Gardée")).toBeChecked();
  await groupA.getByLabel("Faite").check();
  await groupB.getByLabel("Reportée").check();
  // Moved without a date: the form says so and keeps the choices.
  await page.getByLabel("Observations").fill(`Visite du jour ${stamp}`);
  await page.getByRole("button", { name: "Enregistrer et soumettre" }).click();
  await expect(page.locator(".error-summary")).toContainText("Saisissez une date réelle.");
  await expect(groupA.getByLabel("Faite")).toBeChecked();
  await groupB.getByLabel("Nouvelle date").fill(moved);
  await page.getByRole("button", { name: "Enregistrer et soumettre" }).click();
  await savedThenBack(page);

  const itemA = page.locator(".entries li", { hasText: a });
  const itemB = page.locator(".entries li", { hasText: b });
  await expect(itemA).toContainText(`Fait le ${frDay(tunisDay(0))}`);
  await expect(itemB).toContainText(`Avant le ${frDay(moved)}`);
  await expect(itemB.locator(".overdue-tag")).toHaveCount(0);

  await context.setOffline(false);
  await page.getByRole("button", { name: /Envoyer maintenant/ }).click();
  await expect(page.locator(".sync-count")).toHaveText(/Tout est envoyé/, { timeout: 20_000 });
  const inA = actionInDatabase(a);
  if (inA !== null) {
    expect(inA).toBe(`done ${due} ${tunisDay(0)}`);
    expect(actionInDatabase(b)).toBe(`open ${moved} -`);
  }
});

test("a visit's economic snapshot: amounts typed as on paper, a wrong one refused in the form, the figures reach the server in millimes", async ({ page }) => {
  const stamp = Date.now().toString(36);
  const note = `Bilan du mois ${stamp}`;
  await signIn(page, "facilitator");
  await openFirstProject(page);
  await newVisit(page);
  await page.getByLabel("Observations").fill(note);
  await page.getByLabel(/Ventes depuis la dernière visite/).fill("1 200,5");
  await page.getByLabel(/Caisse disponible/).fill("350");
  await page.getByLabel(/Dettes/).fill("beaucoup");
  await page.getByRole("group", { name: "Cahier de caisse à jour" }).getByLabel("Oui").check();
  await page.getByRole("group", { name: /Un choc depuis la dernière visite/ }).getByLabel("Oui").check();
  await page.getByLabel("Quel choc ?").fill("Vent de sable, serre abîmée");
  await page.getByRole("button", { name: "Enregistrer et soumettre" }).click();
  await expect(page.locator(".error-summary")).toContainText("Saisissez un montant en dinars");
  await expect(page.getByLabel(/Ventes depuis la dernière visite/)).toHaveValue("1 200,5");
  await page.getByLabel(/Dettes/).fill("0");
  await page.getByRole("button", { name: "Enregistrer et soumettre" }).click();
  await savedThenBack(page);
  await expect(page.locator(".sync-count")).toHaveText(/Tout est envoyé/, { timeout: 20_000 });

  const db = process.env.ATHAR_DB;
  if (db) {
    const sql = `select sales_millimes || ' ' || cash_millimes || ' ' || debts_millimes || ' ' || cash_book_up_to_date || ' ' || shock from visits where observations = '${note}'`;
    expect(execFileSync("sqlite3", [db, sql]).toString().trim()).toBe("1200500 350000 0 1 Vent de sable, serre abîmée");
  }
  // Opened again, the figures read as typed.
  await page.locator(".entries li", { hasText: note }).getByRole("link", { name: /Modifier/ }).click();
  await hydrated(page);
  await expect(page.getByLabel(/Ventes depuis la dernière visite/)).toHaveValue("1200,500");
  await expect(page.getByRole("group", { name: "Cahier de caisse à jour" }).getByLabel("Oui")).toBeChecked();
  await expect(page.getByLabel("Quel choc ?")).toHaveValue("Vent de sable, serre abîmée");
});
