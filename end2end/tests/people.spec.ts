import { Browser, expect, test } from "@playwright/test";
import { axe, countInDatabase, hydrated, openFirstProject, recordVisit, signIn, chooseLanguage, openMenu } from "./helpers";

// The team runs its people from the pages: a facilitator added gets a sign-in code, chooses her
// password on her phone, coaches the projects of a colleague who leaves, is disabled and enabled
// again; everyone changes their own password.

async function phone(browser: Browser) {
  const context = await browser.newContext({ viewport: { width: 360, height: 740 }, locale: "fr-FR" });
  return context.newPage();
}

test("a facilitator added by the team chooses her password with the code, takes over a colleague's projects, and is disabled then enabled", async ({ page, browser }) => {
  test.setTimeout(120_000);
  const stamp = Date.now().toString(36);
  const email = `nour.${stamp}@example.tn`;
  const name = `Nour Haddad ${stamp}`;
  await page.setViewportSize({ width: 1280, height: 900 });
  await signIn(page, "team");
  await openMenu(page);
  await page.getByRole("link", { name: "Personnes" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Personnes");
  await hydrated(page);
  await axe(page, "people fr");

  // A colleague who coaches projects, and her incubator.
  const colleagues = page.locator("table.people tbody tr", { hasText: "Animateur·rice" }).filter({ hasNotText: "amal.facilitatrice" }).filter({ hasText: /[1-9]\d* projet/ });
  const leaving = colleagues.last();
  const leavingName = (await leaving.locator("td").first().locator("bdi").first().textContent())!.trim();
  const leavingEmail = (await leaving.locator("td").first().locator("small bdi").textContent())!.trim();
  const rowOf = (who: string) => page.locator("table.people tbody tr").filter({ has: page.locator("td:first-child", { hasText: who }) });
  const scope = (await leaving.locator("td").nth(2).textContent())!;
  const incubator = scope.split(" · ")[0].trim();
  const projects = Number(scope.match(/(\d+) projet/)![1]);

  // Refused by name: no incubator.
  await page.getByLabel("Nom et prénom").fill(name);
  await page.getByLabel("Adresse e-mail").fill(email);
  await page.getByLabel("Rôle").selectOption("facilitator");
  await page.getByRole("button", { name: "Ajouter et faire un code de connexion" }).click();
  await expect(page.locator(".person-editor .error-summary")).toContainText("appartient à un incubateur");
  await expect(page.getByLabel("Incubateur")).toHaveAttribute("aria-invalid", "true");
  await axe(page, "people with an error fr");

  await page.getByLabel("Incubateur").selectOption({ label: incubator });
  await page.getByRole("button", { name: "Ajouter et faire un code de connexion" }).click();
  const panel = page.locator(".sign-in-code");
  await expect(panel.getByRole("heading")).toContainText(name);
  await expect(panel.locator(".qr svg")).toBeVisible();
  const link = (await panel.locator("figcaption a").textContent())!.trim();
  await axe(page, "people with a sign-in code fr");

  // On her phone: the code, her password, her (empty) list.
  const nour = await phone(browser);
  await nour.goto(link);
  await hydrated(nour);
  await expect(nour.getByRole("heading", { level: 1 })).toHaveText("Choisir votre mot de passe");
  await expect(nour.locator("main")).toContainText(email);
  await axe(nour, "sign-in code page fr");
  await nour.getByLabel("Nouveau mot de passe", { exact: true }).fill("les dattes de Jemna 2026");
  await nour.getByLabel("Nouveau mot de passe, encore une fois").fill("les dattes de Jemna 2026");
  await nour.getByRole("button", { name: "Enregistrer et se connecter" }).click();
  await expect(nour.getByRole("heading", { level: 1 })).toHaveText("Mes projets");
  await hydrated(nour);

  // The colleague leaves: her projects move to Nour.
  const row = rowOf(leavingEmail);
  await row.getByLabel(/Transférer les projets de/).selectOption({ label: name });
  await row.getByRole("button", { name: "Transférer" }).click();
  await expect(page.locator("main .notice[role=status]")).toContainText(`${projects} projet(s) transféré(s)`);
  await nour.reload();
  await hydrated(nour);
  await expect(nour.locator(".card")).toHaveCount(projects);

  // Disabled: her next sign-in is refused in words; enabled again, it works.
  const nourRow = rowOf(email);
  await nourRow.getByRole("button", { name: /^Désactiver/ }).click();
  await expect(page.locator("main .notice[role=status]")).toContainText("est désactivé");
  await nour.goto("/login");
  await hydrated(nour);
  await nour.getByLabel("Adresse e-mail").fill(email);
  await nour.getByLabel("Mot de passe").fill("les dattes de Jemna 2026");
  await nour.getByRole("button", { name: "Se connecter" }).click();
  await expect(nour.getByRole("alert")).toContainText("Ce compte est désactivé");
  await nourRow.getByRole("button", { name: /^Réactiver/ }).click();
  await expect(page.locator("main .notice[role=status]")).toContainText("peut de nouveau se connecter");
  await nour.getByRole("button", { name: "Se connecter" }).click();
  await expect(nour.getByRole("heading", { level: 1 })).toHaveText("Mes projets");

  // Her projects go back to the colleague, so the demo stays as other stories expect it.
  await nourRow.getByLabel(/Transférer les projets de/).selectOption({ label: leavingName });
  await nourRow.getByRole("button", { name: "Transférer" }).click();
  await expect(page.locator("main .notice[role=status]")).toContainText(`${projects} projet(s) transféré(s)`);

  // The same page in Arabic, right to left.
  await chooseLanguage(page, "العربية");
  await hydrated(page);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("الأشخاص");
  await expect(page.locator("html")).toHaveAttribute("dir", "rtl");
  await axe(page, "people ar");
  await nour.context().close();
});

test("everyone changes their own password, the current one required, and can sign out of every device", async ({ page, browser }) => {
  const stamp = Date.now().toString(36);
  await page.setViewportSize({ width: 1280, height: 900 });
  await signIn(page, "team");
  await openMenu(page);
  await page.getByRole("link", { name: "Personnes" }).click();
  await hydrated(page);
  const email = `hela.${stamp}@example.tn`;
  await page.getByLabel("Nom et prénom").fill(`Hela ${stamp}`);
  await page.getByLabel("Adresse e-mail").fill(email);
  await page.getByLabel("Rôle").selectOption("viewer");
  await page.getByRole("button", { name: "Ajouter et faire un code de connexion" }).click();
  const link = (await page.locator(".sign-in-code figcaption a").textContent())!.trim();

  const hela = await phone(browser);
  await hela.goto(link);
  await hydrated(hela);
  await hela.getByLabel("Nouveau mot de passe", { exact: true }).fill("un oasis au matin 2026");
  await hela.getByLabel("Nouveau mot de passe, encore une fois").fill("un oasis au matin 2026");
  await hela.getByRole("button", { name: "Enregistrer et se connecter" }).click();
  await expect(hela.getByRole("heading", { level: 1 })).toHaveText(/Vue d'ensemble du programme/);
  await hydrated(hela);

  await openMenu(hela);
  await hela.getByRole("link", { name: `Hela ${stamp}` }).click();
  await expect(hela.getByRole("heading", { level: 1 })).toHaveText("Mon compte");
  await hydrated(hela);
  await axe(hela, "my account fr");
  await hela.getByLabel("Mot de passe actuel").fill("pas le bon");
  await hela.getByLabel("Nouveau mot de passe", { exact: true }).fill("un oasis au soir 2026");
  await hela.getByLabel("Nouveau mot de passe, encore une fois").fill("un oasis au soir 2026");
  await hela.getByRole("button", { name: "Changer le mot de passe" }).click();
  await expect(hela.locator(".error-summary")).toContainText("pas votre mot de passe actuel");
  await hela.getByLabel("Mot de passe actuel").fill("un oasis au matin 2026");
  await hela.getByRole("button", { name: "Changer le mot de passe" }).click();
  await expect(hela.locator("main .notice[role=status]")).toContainText("Mot de passe changé");

  await hela.getByRole("button", { name: "Se déconnecter de tous les appareils" }).click();
  await expect(hela.getByRole("heading", { level: 1 })).toHaveText("Connexion");
  await hela.context().close();
});

test("the team sets up a place, an incubator in it and a value chain; an organisation is archived, not deleted", async ({ page }) => {
  const stamp = Date.now().toString(36);
  await page.setViewportSize({ width: 1280, height: 900 });
  await signIn(page, "team");
  await openMenu(page);
  await page.getByRole("link", { name: "Organisations et lieux" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Organisations, lieux et filières");
  await hydrated(page);
  await axe(page, "organisations fr");

  const places = page.locator("section", { has: page.getByRole("heading", { name: "Lieux" }) });
  await places.getByLabel("Délégation").fill("Faouar");
  await places.getByRole("button", { name: "Enregistrer le lieu" }).click();
  await expect(places.getByRole("alert")).toContainText("Nom");
  await places.getByLabel("Nom", { exact: true }).fill(`Sabria ${stamp}`);
  await places.getByRole("button", { name: "Enregistrer le lieu" }).click();
  await expect(places.locator("table")).toContainText(`Sabria ${stamp}`);

  const orgs = page.locator("section", { has: page.getByRole("heading", { name: "Organisations", exact: true }) });
  await orgs.getByLabel("Nom", { exact: true }).fill(`Pépinière de Sabria ${stamp}`);
  await orgs.getByLabel("Type").selectOption("incubator");
  await orgs.getByLabel("Lieu").selectOption({ label: `Sabria ${stamp} (Faouar)` });
  await orgs.getByRole("button", { name: "Enregistrer l'organisation" }).click();
  const row = orgs.locator("tbody tr", { hasText: `Pépinière de Sabria ${stamp}` });
  await expect(row).toContainText("Incubateur");
  await row.getByRole("button", { name: /^Archiver/ }).click();
  await expect(row).toContainText("Archivée");
  await row.getByRole("button", { name: /^Rétablir/ }).click();
  await expect(row).not.toContainText("Archivée");

  const chains = page.locator("section", { has: page.getByRole("heading", { name: "Filières" }) });
  const code = `P${stamp.slice(-5).toUpperCase().replace(/[^A-Z0-9]/g, "0")}`;
  await chains.getByLabel("Code").fill(code);
  await chains.getByLabel("Nom en français").fill("Plantes aromatiques");
  await chains.getByLabel("Nom en arabe").fill("النباتات العطرية");
  await chains.getByLabel("Nom en anglais").fill("Aromatic plants");
  await chains.getByRole("button", { name: "Enregistrer la filière" }).click();
  await expect(chains.locator("table")).toContainText(code);
  await axe(page, "organisations after saving fr");

  await chooseLanguage(page, "العربية");
  await hydrated(page);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("الهياكل والأماكن وسلاسل القيمة");
  await axe(page, "organisations ar");
});

test("the team reads the audit trail, filtered by kind, and downloads it", async ({ page }) => {
  const stamp = Date.now().toString(36);
  await page.setViewportSize({ width: 1280, height: 900 });
  await signIn(page, "team");
  await openMenu(page);
  await page.getByRole("link", { name: "Organisations et lieux" }).click();
  await hydrated(page);
  const places = page.locator("section", { has: page.getByRole("heading", { name: "Lieux" }) });
  await places.getByLabel("Délégation").fill("Douz Sud");
  await places.getByLabel("Nom", { exact: true }).fill(`Ghidma ${stamp}`);
  await places.getByRole("button", { name: "Enregistrer le lieu" }).click();
  await expect(places.locator("table")).toContainText(`Ghidma ${stamp}`);

  await openMenu(page);

  await page.getByRole("link", { name: "Journal" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Journal des changements");
  await hydrated(page);
  await page.getByLabel("Changement").selectOption({ label: "Lieu créé" });
  const line = page.locator("table.audit tbody tr", { hasText: `Ghidma ${stamp}` });
  await expect(line).toContainText("Lieu créé");
  await expect(line).toContainText("Sabrine Khelifi");
  await line.getByText("Voir").click();
  await expect(line.locator("pre")).toContainText("Douz Sud");
  await expect(page.getByRole("link", { name: "Télécharger ce journal (CSV)" })).toHaveAttribute("href", /\/exports\/audit\.csv\?kind=place_created/);
  await axe(page, "audit fr");
  const csv = await page.request.get("/exports/audit.csv?kind=place_created");
  expect(csv.status()).toBe(200);
  expect(await csv.text()).toContain(`Ghidma ${stamp}`);
});

test("a disabled facilitator's phone exports its unsent entries from the sign-in page, and the team imports them once", async ({ page, browser }) => {
  test.setTimeout(120_000);
  const stamp = Date.now().toString(36);
  const email = `lina.${stamp}@example.tn`;
  const name = `Lina Ayari ${stamp}`;
  const note = `Visite avant désactivation ${stamp}`;
  await page.setViewportSize({ width: 1280, height: 900 });
  await signIn(page, "team");
  await page.goto("/people");
  await hydrated(page);
  const rowOf = (who: string) => page.locator("table.people tbody tr").filter({ has: page.locator("td:first-child", { hasText: who }) });
  const colleague = page.locator("table.people tbody tr", { hasText: "Animateur·rice" }).filter({ hasNotText: "amal.facilitatrice" }).filter({ hasText: /[1-9]\d* projet/ }).first();
  const colleagueEmail = (await colleague.locator("td").first().locator("small bdi").textContent())!.trim();
  const colleagueName = (await colleague.locator("td").first().locator("bdi").first().textContent())!.trim();
  const incubator = (await colleague.locator("td").nth(2).textContent())!.split(" · ")[0].trim();
  await page.getByLabel("Nom et prénom").fill(name);
  await page.getByLabel("Adresse e-mail").fill(email);
  await page.getByLabel("Rôle").selectOption("facilitator");
  await page.getByLabel("Incubateur").selectOption({ label: incubator });
  await page.getByRole("button", { name: "Ajouter et faire un code de connexion" }).click();
  const link = (await page.locator(".sign-in-code figcaption a").textContent())!.trim();
  await rowOf(colleagueEmail).getByLabel(/Transférer les projets de/).selectOption({ label: name });
  await rowOf(colleagueEmail).getByRole("button", { name: "Transférer" }).click();
  await expect(page.locator("main .notice[role=status]")).toContainText("transféré");

  const context = await browser.newContext({ viewport: { width: 360, height: 740 }, locale: "fr-FR", acceptDownloads: true });
  const lina = await context.newPage();
  await lina.goto(link);
  await hydrated(lina);
  await lina.getByLabel("Nouveau mot de passe", { exact: true }).fill("les palmes de Kébili 2026");
  await lina.getByLabel("Nouveau mot de passe, encore une fois").fill("les palmes de Kébili 2026");
  await lina.getByRole("button", { name: "Enregistrer et se connecter" }).click();
  await expect(lina.getByRole("heading", { level: 1 })).toHaveText("Mes projets");
  await hydrated(lina);
  await openFirstProject(lina);
  await context.setOffline(true);
  await recordVisit(lina, note);
  await expect(lina.locator(".sync-count")).toHaveText(/1 en attente/);

  // The team disables her account while the visit waits on her phone.
  await rowOf(email).getByRole("button", { name: /^Désactiver/ }).click();
  await expect(page.locator("main .notice[role=status]")).toContainText("est désactivé");

  await context.setOffline(false);
  await lina.goto("/login");
  await hydrated(lina);
  await lina.getByLabel("Adresse e-mail").fill(email);
  await lina.getByLabel("Mot de passe").fill("les palmes de Kébili 2026");
  await lina.getByRole("button", { name: "Se connecter" }).click();
  await expect(lina.locator(".error-summary")).toContainText("Ce compte est désactivé");
  await axe(lina, "sign-in of a disabled account fr");
  const downloading = lina.waitForEvent("download");
  await lina.getByRole("button", { name: /Exporter mes saisies non envoyées/ }).click();
  const file = await (await downloading).path();
  await expect(lina.locator(".notice [role=status]")).toContainText("1 fichier(s)");
  expect(countInDatabase(note) ?? 0).toBe(0);

  await page.goto("/devices");
  await hydrated(page);
  await page.getByLabel("Fichier exporté (.json)").setInputFiles(file!);
  await page.getByRole("button", { name: "Importer" }).click();
  await expect(page.getByRole("status").filter({ hasText: `Import pour ${name}` }))
    .toContainText("1 saisie(s) dans le fichier, 1 désormais sur le serveur");
  expect(countInDatabase(note) ?? 1).toBe(1);
  await page.getByLabel("Fichier exporté (.json)").setInputFiles(file!);
  await page.getByRole("button", { name: "Importer" }).click();
  await expect(page.getByRole("status").filter({ hasText: `Import pour ${name}` })).toContainText("1 désormais sur le serveur");
  expect(countInDatabase(note) ?? 1).toBe(1);

  // Her projects go back, so the demo stays as other stories expect it.
  await page.goto("/people");
  await hydrated(page);
  await rowOf(email).getByLabel(/Transférer les projets de/).selectOption({ label: colleagueName });
  await rowOf(email).getByRole("button", { name: "Transférer" }).click();
  await expect(page.locator("main .notice[role=status]")).toContainText("transféré");
  await context.close();
});
