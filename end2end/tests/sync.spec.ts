import { Page, expect, test } from "@playwright/test";
import { countInDatabase, hydrated, openFirstProject, recordVisit, savedThenBack, serviceWorkerReady, signIn, openMenu, openSyncDetails } from "./helpers";

// Offline capture and sync, in the real browser with the real service worker.

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

/** Edits the visit with these observations on this page's device: new observations, saved. */
async function editVisit(page: Page, from: string, to: string) {
  await page.locator(".entries li", { hasText: from }).getByRole("link", { name: /Modifier/ }).click();
  await hydrated(page);
  await expect(page.getByLabel("Observations")).toHaveValue(from);
  await page.getByLabel("Observations").fill(to);
  await page.getByRole("button", { name: "Enregistrer et soumettre" }).click();
  await savedThenBack(page);
}

test("two devices edit the same visit offline: the supervisor sees both versions and merges them", async ({ browser }) => {
  const stamp = Date.now().toString(36);
  const original = `Visite à deux appareils ${stamp}`;
  const onPhone = `Corrigé sur le téléphone ${stamp}`;
  const onTablet = `Corrigé sur la tablette ${stamp}`;
  const phoneContext = await browser.newContext({ viewport: { width: 360, height: 740 }, locale: "fr-FR" });
  const tabletContext = await browser.newContext({ viewport: { width: 800, height: 1280 }, locale: "fr-FR" });
  const phone = await phoneContext.newPage();
  const tablet = await tabletContext.newPage();

  // The visit is recorded and sent from the phone; the facilitator's tablet pulls it.
  await signIn(phone, "facilitator");
  const project = await openFirstProject(phone);
  await recordVisit(phone, original);
  await expect(phone.locator(".sync-count")).toHaveText(/Tout est envoyé/, { timeout: 20_000 });
  await signIn(tablet, "facilitator");
  await tablet.goto(project.url);
  await hydrated(tablet);
  await expect(tablet.locator(".entries li", { hasText: original })).toContainText("Envoyé", { timeout: 20_000 });

  // Both edit it offline, from the same version.
  await phoneContext.setOffline(true);
  await tabletContext.setOffline(true);
  await editVisit(phone, original, onPhone);
  await editVisit(tablet, original, onTablet);

  // The phone's edit arrives first; the tablet's is set aside, and the tablet says so.
  await phoneContext.setOffline(false);
  await phone.getByRole("button", { name: /Envoyer maintenant/ }).click();
  await expect(phone.locator(".sync-count")).toHaveText(/Tout est envoyé/, { timeout: 20_000 });
  await tabletContext.setOffline(false);
  await tablet.getByRole("button", { name: /Envoyer maintenant/ }).click();
  await expect(tablet.locator(".sync-count")).toHaveText(/Tout est envoyé/, { timeout: 20_000 });
  await expect(tablet.locator(".entries li", { hasText: onPhone })).toContainText("Conflit");

  // The supervisor sees both versions, takes the tablet's observations, and saves the merge.
  const office = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: "fr-FR" });
  const supervisor = await office.newPage();
  await signIn(supervisor, "supervisor");
  await openMenu(supervisor);
  await supervisor.getByRole("link", { name: "Conflits" }).click();
  await expect(supervisor.getByRole("heading", { level: 1 })).toHaveText("Conflits à résoudre");
  await hydrated(supervisor);
  const conflict = supervisor.locator("article.conflict", { hasText: onPhone });
  await expect(conflict).toHaveCount(1);
  await expect(conflict).toContainText(onTablet);
  await conflict.getByLabel(onTablet).check();
  await conflict.getByRole("button", { name: "Enregistrer mes choix" }).click();
  await expect(supervisor.locator("article.conflict", { hasText: onPhone })).toHaveCount(0);
  await expect(supervisor.getByText("Aucun conflit à résoudre.")).toBeVisible();

  // Both devices get the merged visit, no longer in conflict.
  for (const page of [phone, tablet]) {
    await page.getByRole("button", { name: /Envoyer maintenant/ }).click();
    const entry = page.locator(".entries li", { hasText: onTablet });
    await expect(entry).toHaveCount(1, { timeout: 20_000 });
    await expect(entry).toContainText("Envoyé");
    await expect(entry).not.toContainText("Conflit");
  }
  const counted = countInDatabase(onTablet);
  if (counted !== null) expect(counted).toBe(1);
  await Promise.all([phoneContext.close(), tabletContext.close(), office.close()]);
});

test("the team's sync status page shows each device as it reported itself, flagged when its storage may be cleared", async ({ page, browser }) => {
  // A facilitator's phone syncs once. (Headless Chromium answers the app's request for
  // persistent storage as it sees fit: the page must say what the device said.)
  const phoneContext = await browser.newContext({ viewport: { width: 360, height: 740 }, locale: "fr-FR" });
  const phone = await phoneContext.newPage();
  await signIn(phone, "facilitator");
  await openFirstProject(phone);
  const persisted = await phone.evaluate(() => navigator.storage.persisted());
  await phoneContext.close();

  await page.setViewportSize({ width: 1280, height: 800 });
  await signIn(page, "team");
  await openMenu(page);
  await page.getByRole("link", { name: "État de la synchronisation" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("État de la synchronisation");
  await hydrated(page);
  const row = page.locator("table.devices tbody tr", { hasText: "Amal Ben Salah" }).filter({ hasText: "à l'instant" }).first();
  await expect(row).toBeVisible();
  await expect(row).toContainText("chrome");
  if (persisted) {
    await expect(row).toContainText("RAS");
    await expect(row).toContainText("conservé");
  } else {
    await expect(row).toContainText("⚠ stockage non persistant : le navigateur peut l'effacer");
    await expect(row).toContainText("peut être effacé");
  }
  // Sorted by another column on request, through the address (works without the WASM too).
  await page.getByRole("link", { name: "Utilisateur·rice" }).click();
  await expect(page).toHaveURL(/sort=user/);
  await expect(page.getByRole("columnheader", { name: /Utilisateur·rice/ })).toHaveAttribute("aria-sort", "descending");
});

test("signing out with entries not sent warns first, and declining lets them go before", async ({ page, context }) => {
  const note = `Visite avant déconnexion ${Date.now().toString(36)}`;
  await signIn(page, "facilitator");
  await serviceWorkerReady(page);
  await openFirstProject(page);
  await context.setOffline(true);
  await recordVisit(page, note);
  await expect(page.locator(".sync-count")).toHaveText(/1 en attente/);

  // The warning names how many wait; declining keeps the user signed in, with the entry.
  let warned = "";
  page.once("dialog", (d) => { warned = d.message(); void d.dismiss(); });
  await openMenu(page);
  await page.getByRole("button", { name: "Se déconnecter" }).click();
  await expect.poll(() => warned).toContain("1 saisie(s) ne sont pas encore envoyées");
  await expect(page.locator(".sync-count")).toHaveText(/1 en attente/);
  expect(countInDatabase(note) ?? 0).toBe(0);

  // Back online, it goes; then signing out asks nothing.
  await context.setOffline(false);
  await expect(page.locator(".sync-count")).toHaveText(/Tout est envoyé/, { timeout: 20_000 });
  const counted = countInDatabase(note);
  if (counted !== null) expect(counted).toBe(1);
  let asked = false;
  page.on("dialog", (d) => { asked = true; void d.dismiss(); });
  await openMenu(page);
  await page.getByRole("button", { name: "Se déconnecter" }).click();
  await expect(page.getByRole("button", { name: "Se connecter" })).toBeVisible();
  expect(asked).toBe(false);
});

test("a phone's unsent entries exported to a file, imported by the team, then synced by the phone: each once", async ({ page, context, browser }) => {
  const stamp = Date.now().toString(36);
  const notes = [`Export 1 ${stamp}`, `Export 2 ${stamp}`];
  await signIn(page, "facilitator");
  await serviceWorkerReady(page);
  await openFirstProject(page);
  await context.setOffline(true);
  for (const note of notes) await recordVisit(page, note);
  await expect(page.locator(".sync-count")).toHaveText(/2 en attente/);

  await openSyncDetails(page);
  const downloading = page.waitForEvent("download");
  await page.getByRole("button", { name: /Exporter mes saisies non envoyées/ }).click();
  const file = await (await downloading).path();
  expect(file).toBeTruthy();
  // Exporting sends nothing and keeps the entries on the phone.
  await expect(page.locator(".sync-count")).toHaveText(/2 en attente/);

  const office = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: "fr-FR" });
  const team = await office.newPage();
  await signIn(team, "team");
  await team.goto("/devices");
  await hydrated(team);
  await team.getByLabel("Fichier exporté (.json)").setInputFiles(file!);
  await team.getByRole("button", { name: "Importer" }).click();
  await expect(team.getByRole("status").filter({ hasText: "Import pour Amal Ben Salah" }))
    .toContainText("2 saisie(s) dans le fichier, 2 désormais sur le serveur (0 refusée(s), 0 en conflit)");
  for (const note of notes) expect(countInDatabase(note) ?? 1).toBe(1);
  await office.close();

  // The phone comes back: its entries are replays, acknowledged, not applied again.
  await context.setOffline(false);
  await page.getByRole("button", { name: /Envoyer maintenant/ }).click();
  await expect(page.locator(".sync-count")).toHaveText(/Tout est envoyé/, { timeout: 20_000 });
  for (const note of notes) {
    await expect(page.locator(".entries li", { hasText: note })).toContainText("Envoyé");
    const counted = countInDatabase(note);
    if (counted !== null) expect(counted).toBe(1);
  }
});
