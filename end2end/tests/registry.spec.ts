import { expect, test } from "@playwright/test";
import { execFileSync } from "node:child_process";
import { hydrated, openFirstProject, recordVisit, serviceWorkerReady, signIn } from "./helpers";

// The project registry from the field and from the office: a facilitator moves a project on in
// its lifecycle offline; the team assigns a project to another facilitator.

test("offline, a facilitator suspends a project and resumes it; both changes reach the server in order", async ({ page, context }) => {
  await signIn(page, "facilitator");
  await serviceWorkerReady(page);
  const project = await openFirstProject(page);
  const status = page.locator("dl.facts div", { hasText: "Statut" }).locator("dd");
  await expect(status).toHaveText("En activité");
  await context.setOffline(true);

  await page.getByLabel("Nouveau statut").selectOption({ label: "Suspendu" });
  await page.getByRole("button", { name: "Changer le statut" }).click();
  await expect(status).toHaveText("Suspendu");
  await expect(page.locator(".status-change").locator("xpath=..")).toContainText("Enregistré sur ce téléphone");
  // Only the moves the lifecycle allows are offered: back to operating, withdrawn or closed.
  await expect(page.getByLabel("Nouveau statut").locator("option")).toHaveText(["—", "En activité", "Abandonné", "Clôturé"]);
  await page.getByLabel("Nouveau statut").selectOption({ label: "En activité" });
  await page.getByRole("button", { name: "Changer le statut" }).click();
  await expect(status).toHaveText("En activité");

  await context.setOffline(false);
  await page.getByRole("button", { name: /Envoyer maintenant/ }).click();
  await expect(page.locator(".sync-count")).toHaveText(/Tout est envoyé/, { timeout: 20_000 });
  await page.goto(project.url);
  await hydrated(page);
  await expect(status).toHaveText("En activité");
});

test("the team assigns a project to another facilitator, and back", async ({ page }) => {
  await signIn(page, "team");
  await page.locator(".card-title a").first().click();
  await hydrated(page);
  const section = page.locator("section[aria-labelledby='assignment-title']");
  await expect(section.getByRole("heading")).toHaveText("Affectation");
  const select = section.getByLabel("Animateur·rice");
  const current = await select.inputValue();
  const other = await select.locator("option").evaluateAll((options, now) => options.map((o) => (o as HTMLOptionElement).value).find((v) => v && v !== now), current);
  await select.selectOption(other!);
  await section.getByRole("button", { name: "Enregistrer l'affectation" }).click();
  await expect(section.getByRole("status")).toContainText("Affectation enregistrée");
  await page.reload();
  await hydrated(page);
  await expect(section.getByLabel("Animateur·rice")).toHaveValue(other!);
  const name = (await section.getByLabel("Animateur·rice").locator("option:checked").textContent())!.split(" · ")[0];
  await expect(page.locator("dl.facts div", { hasText: "Animateur·rice" }).locator("dd")).toHaveText(name);

  await section.getByLabel("Animateur·rice").selectOption(current);
  await section.getByRole("button", { name: "Enregistrer l'affectation" }).click();
  await expect(section.getByRole("status")).toContainText("Affectation enregistrée");
});

test("offline, a facilitator adds a milestone and marks it reached; the timeline tells it", async ({ page, context }) => {
  await signIn(page, "facilitator");
  await serviceWorkerReady(page);
  await openFirstProject(page);
  await context.setOffline(true);
  const section = page.locator("section[aria-labelledby='milestones-title']");
  await section.getByText("Ajouter une étape").click();
  // "Other" needs its own words.
  await section.getByLabel("Étape", { exact: true }).selectOption({ label: "Autre étape" });
  await section.getByRole("button", { name: "Ajouter l'étape" }).click();
  await expect(section.getByRole("alert")).toHaveText("Ce champ est obligatoire.");
  await section.getByLabel("Étape", { exact: true }).selectOption({ label: "Première vente" });
  await section.getByLabel("Prévue le").fill("2030-06-30");
  await section.getByRole("button", { name: "Ajouter l'étape" }).click();
  const item = section.locator(".milestones li", { hasText: "Première vente" }).first();
  await expect(item).toContainText("Prévue le 30/06/2030");
  await expect(item).toContainText("Enregistré sur ce téléphone");
  await item.getByRole("button", { name: /Atteinte aujourd'hui/ }).click();
  await expect(item).toContainText("Atteinte le");
  await expect(page.locator("ol.timeline")).toContainText("Étape atteinte : Première vente");

  await context.setOffline(false);
  await page.getByRole("button", { name: /Envoyer maintenant/ }).click();
  await expect(page.locator(".sync-count")).toHaveText(/Tout est envoyé/, { timeout: 20_000 });
  await expect(item).not.toContainText("Enregistré sur ce téléphone");
});

test("offline, a facilitator corrects the project's title and legal form; the correction reaches the server", async ({ page, context }) => {
  await signIn(page, "facilitator");
  await serviceWorkerReady(page);
  const project = await openFirstProject(page);
  const facts = page.locator("dl.facts");
  await context.setOffline(true);
  await page.getByText("Corriger le projet").click();
  await page.getByLabel("Intitulé du projet").fill(`${project.title} (corrigé)`);
  await page.getByLabel("Forme juridique").selectOption({ label: "Coopérative" });
  await page.getByRole("button", { name: "Enregistrer les corrections" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(`${project.title} (corrigé)`);
  await expect(facts.locator("div", { hasText: "Forme juridique" }).locator("dd")).toHaveText("Coopérative");
  // An empty title is refused on the phone, in words.
  await page.getByLabel("Intitulé du projet").fill(" ");
  await page.getByRole("button", { name: "Enregistrer les corrections" }).click();
  await expect(page.locator("#project-edit-error")).toHaveText("Ce champ est obligatoire.");

  await context.setOffline(false);
  await page.getByRole("button", { name: /Envoyer maintenant/ }).click();
  await expect(page.locator(".sync-count")).toHaveText(/Tout est envoyé/, { timeout: 20_000 });
  await page.goto(project.url);
  await hydrated(page);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(`${project.title} (corrigé)`);
  // Put back as it was, for the stories that follow.
  await page.getByText("Corriger le projet").click();
  await page.getByLabel("Intitulé du projet").fill(project.title);
  await page.getByRole("button", { name: "Enregistrer les corrections" }).click();
  await page.getByRole("button", { name: /Envoyer maintenant/ }).click();
  await expect(page.locator(".sync-count")).toHaveText(/Tout est envoyé/, { timeout: 20_000 });
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(project.title);
});

test("a correction half typed stays as typed while what the phone holds changes under it", async ({ page, context }) => {
  await signIn(page, "facilitator");
  await serviceWorkerReady(page);
  const project = await openFirstProject(page);
  await context.setOffline(true);
  await page.getByText("Corriger le projet").click();
  const typed = `${project.title} (en cours)`;
  await page.getByLabel("Intitulé du projet").fill(typed);
  // Meanwhile a visit is saved in another tab: the phone's data changes, the project does not.
  const stamp = Date.now().toString(36);
  const other = await context.newPage();
  await other.goto(project.url);
  await hydrated(other);
  await recordVisit(other, `Visite d'un autre onglet ${stamp}`);
  await other.close();
  await expect(page.locator(".entries li", { hasText: stamp }), "the first tab has read the change").toHaveCount(1);
  await expect(page.getByLabel("Intitulé du projet")).toHaveValue(typed);
  await page.getByRole("button", { name: "Enregistrer les corrections" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(typed);
});

test("the team records a tranche: more disbursed than planned is refused, a good one shows at once", async ({ page }) => {
  await signIn(page, "team");
  await page.locator(".card-title a").first().click();
  await hydrated(page);
  const section = page.locator("section[aria-labelledby='tranches-title']");
  await section.getByText("Enregistrer une tranche").click();
  await section.getByLabel("Tranche", { exact: true }).selectOption("6");
  await section.getByLabel("Montant prévu (DT)").fill("2000");
  await section.getByLabel("Montant versé (DT)").fill("3000");
  const today = new Date().toISOString().slice(0, 10);
  await section.getByLabel("Versée le").fill(today);
  await section.getByRole("button", { name: "Enregistrer la tranche" }).click();
  await expect(section.getByRole("alert")).toContainText("Rien n'a été enregistré");
  await expect(section.getByLabel("Montant versé (DT)")).toHaveAttribute("aria-invalid", "true");
  await section.getByLabel("Montant versé (DT)").fill("1 500");
  await section.getByRole("button", { name: "Enregistrer la tranche" }).click();
  await expect(section.getByRole("status")).toHaveText(/Tranche enregistrée/);
  const row = section.getByRole("row", { name: /^6 / });
  await expect(row).toContainText("2 000,000 DT");
  await expect(row).toContainText("1 500,000 DT");
  await page.reload();
  await hydrated(page);
  await expect(section.getByRole("row", { name: /^6 / })).toContainText("1 500,000 DT");
});

test("offline, a facilitator registers a project, is told at once when its code is taken, opens it, adds a milestone; all of it reaches the server", async ({ page, context }) => {
  await signIn(page, "facilitator");
  await serviceWorkerReady(page);
  await expect(page.locator(".sync-count")).toHaveText(/Tout est envoyé/, { timeout: 20_000 });
  // The choice lists come to the phone in the background, with the projects' pages.
  await page.waitForFunction(() => Object.keys(localStorage).some((k) => k.endsWith("/registry")), null, { timeout: 20_000 });
  await context.setOffline(true);

  await page.getByRole("link", { name: /Enregistrer un projet/ }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Enregistrer un projet");
  await hydrated(page);
  await page.getByLabel("Code du projet").fill("jn-dat-01");
  await page.getByLabel("Intitulé du projet").fill("Vannerie des femmes de Telmine");
  await page.getByLabel("Collectif").check();
  await page.getByLabel("Filière").selectOption({ label: "Artisanat" });
  await page.getByLabel("Localité").selectOption({ index: 1 });
  await page.getByLabel("Vague d'appel").fill("3");
  await page.getByRole("button", { name: "Enregistrer le projet" }).click();
  await expect(page.locator("#reg-code-error")).toHaveText("Ce code est déjà celui d'un autre projet.");
  await expect(page.getByLabel("Code du projet")).toHaveAttribute("aria-invalid", "true");
  await page.getByLabel("Code du projet").fill("jn-van-01");
  await page.getByRole("button", { name: "Enregistrer le projet" }).click();

  // The project's page, from the phone: preselected, waiting to be sent.
  await expect(page).toHaveURL(/\/projects\/[0-9a-f-]{36}$/);
  const url = page.url();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Vannerie des femmes de Telmine");
  await expect(page.locator("p.meta")).toContainText("JN-VAN-01");
  await expect(page.locator("p.meta")).toContainText("Artisanat");
  await expect(page.locator("dl.facts div", { hasText: "Statut" }).locator("dd")).toHaveText("Présélectionné");
  await expect(page.locator("dl.facts dt", { hasText: /^Type$/ }).locator("xpath=following-sibling::dd")).toHaveText("Collectif");
  await expect(page.locator("main p.tag.waiting, main p.tag").first()).toContainText("Enregistré sur ce téléphone");
  const section = page.locator("section[aria-labelledby='milestones-title']");
  await section.getByText("Ajouter une étape").click();
  await section.getByLabel("Étape", { exact: true }).selectOption({ label: "Première vente" });
  await section.getByLabel("Prévue le").fill("2030-06-30");
  await section.getByRole("button", { name: "Ajouter l'étape" }).click();
  await expect(section.locator(".milestones li", { hasText: "Première vente" })).toContainText("Enregistré sur ce téléphone");

  // Listed at home, offline.
  await page.locator("a", { hasText: "Retour aux projets" }).click();
  await expect(page.locator(".card-title a", { hasText: "Vannerie des femmes de Telmine" })).toBeVisible();

  await context.setOffline(false);
  await page.getByRole("button", { name: /Envoyer maintenant/ }).click();
  await expect(page.locator(".sync-count")).toHaveText(/Tout est envoyé/, { timeout: 20_000 });
  // Now the server's: its page comes from the server, with the milestone.
  await page.goto(url);
  await hydrated(page);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Vannerie des femmes de Telmine");
  await expect(page.locator("dl.facts div", { hasText: "Vague d'appel" }).locator("dd")).toHaveText("3");
  await expect(section.locator(".milestones li", { hasText: "Première vente" })).not.toContainText("Enregistré sur ce téléphone");
  const db = process.env.ATHAR_DB;
  if (db) {
    const row = execFileSync("sqlite3", [db, "select status || ' ' || call_wave || ' ' || grant_millimes from projects where code = 'JN-VAN-01'"]).toString().trim();
    expect(row).toBe("preselected 3 0");
  }
});
