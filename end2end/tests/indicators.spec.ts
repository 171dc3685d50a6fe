import { execFileSync } from "node:child_process";
import { expect, test } from "@playwright/test";
import { hydrated, openFirstProject, serviceWorkerReady, signIn } from "./helpers";

// Impact measurement on the phone: each project's indicators with baseline, target, latest value
// and progress, read and entered offline, checked as the server will check them.

test("offline, a facilitator enters a quarter's jobs with their breakdown; the progress changes at once; synced, the supervisor validates it", async ({ page, context, browser }) => {
  await signIn(page, "facilitator");
  await serviceWorkerReady(page);
  await page.waitForFunction(() => Object.keys(localStorage).some((k) => k.endsWith("/indicators")), null, { timeout: 20_000 });
  await openFirstProject(page);
  await context.setOffline(true);

  const section = page.locator("section[aria-labelledby='indicators-title']");
  await expect(section.getByRole("heading", { level: 2 })).toHaveText("Indicateurs");
  const jobs = section.locator("li.indicator", { hasText: "SOC-01" });
  await expect(jobs).toContainText("Objectif");
  await expect(jobs.locator("dl div", { hasText: "Dernière valeur" }).locator("dd")).toHaveText("—");

  await section.getByText("Saisir une valeur").click();
  await section.getByLabel("Indicateur").selectOption("SOC-01");
  const period = await section.getByLabel("Période").inputValue();
  expect(period).toMatch(/^\d{4}-Q[1-4]$/);
  // Women and men must add up to the value.
  await section.getByLabel(/^Valeur/).fill("1,5");
  await section.getByLabel("Femmes").fill("1");
  await section.getByLabel("Hommes").fill("1");
  await section.getByRole("button", { name: "Enregistrer la valeur" }).click();
  await expect(section.locator("#value-error")).toHaveText("La somme des femmes et des hommes doit égaler la valeur.");
  await section.getByLabel("Hommes").fill("0,5");
  await section.getByLabel(/Justificatif/).fill("Contrats de Salma et d'une saisonnière");
  await section.getByRole("button", { name: "Enregistrer la valeur" }).click();
  await expect(section.getByRole("status")).toContainText("Enregistré sur ce téléphone");

  await expect(jobs.locator("dl div", { hasText: "Dernière valeur" }).locator("dd")).toHaveText(`1,5 FTE (${period})`);
  await expect(jobs.locator("dl div", { hasText: "Avancement" }).locator("dd")).toContainText("en progression");
  await expect(jobs).toContainText("Enregistré sur ce téléphone");

  await context.setOffline(false);
  await page.getByRole("button", { name: /Envoyer maintenant/ }).click();
  await expect(page.locator(".sync-count")).toHaveText(/Tout est envoyé/, { timeout: 20_000 });
  await expect(jobs).not.toContainText("Enregistré sur ce téléphone");
  // The supervisor validates it from the review queue; the phone learns it at the next sync.
  const tablet = await browser.newContext({ viewport: { width: 800, height: 1280 }, locale: "fr-FR" });
  const supervisor = await tablet.newPage();
  await signIn(supervisor, "supervisor");
  await supervisor.goto("/review");
  await hydrated(supervisor);
  const card = supervisor.locator("article.review-item", { hasText: `SOC-01 · ${period}` }).first();
  await expect(card.locator("dl")).toContainText("Contrats de Salma");
  await card.getByRole("button", { name: "Valider" }).click();
  await expect(card.getByRole("status")).toContainText("Saisie validée.");
  await tablet.close();
  await page.getByRole("button", { name: /Envoyer maintenant/ }).click();
  await expect(jobs.locator(".review-note")).toContainText("Validé par", { timeout: 20_000 });

  const db = process.env.ATHAR_DB;
  if (db) {
    const row = execFileSync("sqlite3", [db, `select value || ' ' || status || ' ' || source from indicator_values where indicator = 'SOC-01' and period = '${period}'`]).toString().trim();
    expect(row).toBe("1500 validated record");
  }
});
