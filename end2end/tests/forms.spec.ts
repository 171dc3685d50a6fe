import AxeBuilder from "@axe-core/playwright";
import { expect, test } from "@playwright/test";
import { hydrated, openFirstProject, savedThenBack, serviceWorkerReady, signIn, openMenu } from "./helpers";
import { readFileSync } from "node:fs";

test("the team exports a form, a broken new version is refused with its errors located, a fixed one is published", async ({ page }) => {
  await signIn(page, "team");
  await openMenu(page);
  await page.getByRole("link", { name: "Formulaires" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Formulaires");
  await hydrated(page);
  const visitForm = page.locator(".forms li", { hasText: "coaching_visit" });
  await expect(visitForm).toContainText("Visite d'accompagnement");
  await expect(page.locator(".forms li")).toHaveCount(5);

  // Export the definition in use.
  const download = page.waitForEvent("download");
  await visitForm.getByRole("button", { name: /Exporter la définition/ }).click();
  const file = await (await download).path();
  const form = JSON.parse(readFileSync(file, "utf8"));
  expect(form.id).toBe("coaching_visit");
  const next = form.version + 1;
  const kept = Number((await visitForm.textContent())!.match(/(\d+) version\(s\) gardée\(s\)/)![1]);

  // A new version whose display condition reads a field that does not exist: refused, located.
  const broken = { ...form, version: next, fields: form.fields.map((f: any) => (f.name === "difficulties" ? { ...f, relevant: "${humeur} = 'bonne'" } : f)) };
  const publish = async (definition: object) => {
    await page.getByLabel("Fichier de définition (JSON)").setInputFiles({
      name: "visite.json",
      mimeType: "application/json",
      buffer: Buffer.from(JSON.stringify(definition)),
    });
    await page.getByRole("button", { name: "Publier" }).click();
  };
  await publish(broken);
  const errors = page.locator(".definition-errors li");
  await expect(errors).toHaveCount(1);
  await expect(errors).toHaveText("difficulties : la condition d'affichage lit « humeur », qui n'existe pas");
  await expect(visitForm).toContainText(`Version ${form.version} en service`);

  // Fixed: published, and the list shows the new version with the old one kept.
  await publish({ ...form, version: next });
  await expect(page.getByRole("status").filter({ hasText: `Version ${next} de « coaching_visit » publiée` })).toBeVisible();
  await expect(visitForm).toContainText(`Version ${next} en service · ${kept + 1} version(s) gardée(s)`);

  // The same number again is refused, and says which is the latest.
  await publish({ ...form, version: next });
  await expect(page.getByRole("alert")).toContainText(`la dernière est la ${next}`);
});

test("the team previews a form at phone size: conditions show and hide questions, and the checks speak the form's own words", async ({ page }) => {
  await signIn(page, "team");
  await page.goto("/forms");
  await hydrated(page);
  const visitForm = page.locator(".forms li", { hasText: "coaching_visit" });
  await visitForm.getByRole("button", { name: /Aperçu sur téléphone/ }).click();
  const preview = visitForm.locator(".phone-preview");
  await expect(preview).toBeVisible();
  expect((await preview.boundingBox())!.width).toBeLessThanOrEqual(360);

  const shockDetails = preview.getByLabel("Quel choc ?");
  await expect(shockDetails).toBeHidden();
  await preview.getByRole("group", { name: /Un choc depuis la dernière visite/ }).getByLabel("Oui").check();
  await expect(shockDetails).toBeVisible();

  const tomorrow = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
  await preview.getByLabel("Date de la visite").fill(tomorrow);
  await preview.getByLabel("Ventes depuis la dernière visite (DT)").fill("1 250,5");
  await preview.getByRole("button", { name: "Vérifier les réponses" }).click();
  await expect(preview.locator(".field-error", { hasText: "La date de la visite ne peut pas être dans le futur." })).toBeVisible();
  await expect(preview.locator(".field-error", { hasText: "Réponse obligatoire." })).toHaveCount(2); // mode, shock details

  await preview.getByLabel("Date de la visite").fill("2026-01-15");
  await preview.getByLabel("Par téléphone").check();
  await shockDetails.fill("Sécheresse");
  await preview.getByRole("button", { name: "Vérifier les réponses" }).click();
  await expect(preview.locator(".field-error")).toHaveCount(0);
  await expect(preview.getByRole("status")).toContainText("Aucune erreur");
  const axe = await new AxeBuilder({ page }).include(".phone-preview").withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]).analyze();
  expect(axe.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`)).toEqual([]);

  // Answering "no" hides the question again.
  await preview.getByRole("group", { name: /Un choc depuis la dernière visite/ }).getByLabel("Non").check();
  await expect(shockDetails).toBeHidden();
});

test("a question the team adds to the visit form shows on the phone's visit screen, offline, and its answer reaches the supervisor", async ({ page, context, browser }) => {
  const stamp = Date.now().toString(36);
  const buyers = `Coopérative de Douz ${stamp}`;
  const note = `Visite avec une question ajoutée ${stamp}`;

  // The team publishes a version of the visit form with one more question.
  const team = await (await browser.newContext({ locale: "fr-FR" })).newPage();
  await signIn(team, "team");
  await team.goto("/forms");
  await hydrated(team);
  const visitForm = team.locator(".forms li", { hasText: "coaching_visit" });
  const download = team.waitForEvent("download");
  await visitForm.getByRole("button", { name: /Exporter la définition/ }).click();
  const form = JSON.parse(readFileSync((await (await download).path())!, "utf8"));
  const question = { name: "main_buyers", label: { fr: "Principaux acheteurs", ar: "أهم المشترين", en: "Main buyers" }, type: "text" };
  const next = { ...form, version: form.version + 1, fields: [...form.fields.slice(0, 5), question, ...form.fields.slice(5)] };
  await team.getByLabel("Fichier de définition (JSON)").setInputFiles({
    name: "visite.json",
    mimeType: "application/json",
    buffer: Buffer.from(JSON.stringify(next)),
  });
  await team.getByRole("button", { name: "Publier" }).click();
  await expect(team.getByRole("status").filter({ hasText: `Version ${next.version} de « coaching_visit » publiée` })).toBeVisible();
  await team.context().close();

  // The phone receives it at its next sync; offline, the visit screen asks the new question.
  await signIn(page, "facilitator");
  await serviceWorkerReady(page);
  await openFirstProject(page);
  await page.getByRole("button", { name: /Envoyer maintenant/ }).click();
  await expect(page.locator(".sync-count")).toHaveText(/Tout est envoyé/, { timeout: 20_000 });
  await context.setOffline(true);
  await page.getByRole("link", { name: /Nouvelle visite/ }).click();
  await hydrated(page);
  await page.getByLabel("Par téléphone").check();
  await page.getByLabel("Observations").fill(note);
  await page.getByLabel("Principaux acheteurs").fill(buyers);
  await page.getByRole("button", { name: "Enregistrer et soumettre" }).click();
  await savedThenBack(page);

  // Opened again, offline, the answer is there.
  await page.locator(".entries li", { hasText: note }).getByRole("link", { name: /Modifier/ }).click();
  await hydrated(page);
  await expect(page.getByLabel("Principaux acheteurs")).toHaveValue(buyers);
  await page.getByRole("link", { name: /Annuler/ }).click();
  await context.setOffline(false);
  await page.getByRole("button", { name: /Envoyer maintenant/ }).click();
  await expect(page.locator(".sync-count")).toHaveText(/Tout est envoyé/, { timeout: 20_000 });

  // The supervisor reads it on the visit's card, under the question's own label.
  const supervisor = await (await browser.newContext({ viewport: { width: 800, height: 1280 }, locale: "fr-FR" })).newPage();
  await signIn(supervisor, "supervisor");
  await supervisor.goto("/review");
  await hydrated(supervisor);
  const card = supervisor.locator("article.review-item", { hasText: note });
  await expect(card.locator("dt", { hasText: "Principaux acheteurs" })).toBeVisible();
  await expect(card.locator("dd", { hasText: buyers })).toBeVisible();
  await supervisor.context().close();
});
