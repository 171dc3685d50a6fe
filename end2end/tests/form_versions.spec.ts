import { Page, expect, test } from "@playwright/test";
import { readFileSync } from "node:fs";
import { hydrated, openFirstProject, savedThenBack, signIn } from "./helpers";

// Forms are versioned data the phones receive: a version the team publishes reaches the phone at
// its next sync and serves new entries, offline too, while a draft started on the earlier version
// still opens with that version and is accepted by the server.

async function syncNow(page: Page) {
  await page.getByRole("button", { name: /Envoyer maintenant/ }).click();
  await expect(page.locator(".sync-count")).toHaveText(/Tout est envoyé/, { timeout: 20_000 });
}

test("a diagnostic version published by the team reaches the phone; a draft made on the earlier version still opens and submits", async ({ page, context, browser }) => {
  const stamp = Date.now().toString(36);
  await signIn(page, "facilitator");
  const project = await openFirstProject(page);

  // A draft on the version the phone has now.
  await page.getByRole("link", { name: /Nouveau diagnostic/ }).click();
  await hydrated(page);
  await page.locator("#f-stage").getByLabel("Final").check();
  // (A rerun on the same database finds the version an earlier run published.)
  await page.getByLabel(/^(Points forts|Atouts du projet)/).fill(`Brouillon ${stamp}`);
  await page.getByRole("button", { name: "Enregistrer le brouillon" }).click();
  await savedThenBack(page);
  await syncNow(page);
  const draft = page.locator("section[aria-labelledby='diagnostics-title'] .entries li", { hasText: "Final" }).filter({ hasText: "Brouillon" }).first();
  await expect(draft).toBeVisible();
  const draftHref = (await draft.getByRole("link", { name: /Ouvrir/ }).getAttribute("href"))!;

  // The team publishes a new version with a reworded question.
  const shipped = JSON.parse(readFileSync("../app/forms/diagnostic.json", "utf8"));
  const team = await (await browser.newContext()).newPage();
  await signIn(team, "team");
  await team.goto("/forms");
  await hydrated(team);
  const listed = team.locator(".forms li", { hasText: "diagnostic" }).first();
  const current = Number((await listed.textContent())!.match(/Version (\d+) en service/)![1]);
  const next = {
    ...shipped,
    version: current + 1,
    fields: shipped.fields.map((f: any) => (f.name === "strengths" ? { ...f, label: { ...f.label, fr: `Atouts du projet ${stamp}` } } : f)),
  };
  await team.getByLabel("Fichier de définition (JSON)").setInputFiles({
    name: "diagnostic.json",
    mimeType: "application/json",
    buffer: Buffer.from(JSON.stringify(next)),
  });
  await team.getByRole("button", { name: "Publier" }).click();
  await expect(team.getByRole("status").filter({ hasText: `Version ${next.version} de « diagnostic » publiée` })).toBeVisible();
  await team.context().close();

  // The phone receives it at its next sync and keeps it: offline, a new diagnostic asks it.
  // (Nothing waits to be sent, so the sync bar already says all is sent: wait for the forms.)
  await page.getByRole("button", { name: /Envoyer maintenant/ }).click();
  await page.waitForFunction((v) => (localStorage.getItem("athar/v1/forms-seen") ?? "").includes(`diagnostic:${v}`), next.version);
  await context.setOffline(true);
  await page.getByRole("link", { name: /Nouveau diagnostic/ }).click();
  await hydrated(page);
  await expect(page.getByLabel(`Atouts du projet ${stamp}`)).toBeVisible();
  await page.getByRole("link", { name: /Annuler/ }).click();
  await expect(page).toHaveURL(project.url);

  // The draft opens with the version it was started on, and is completed and submitted.
  await page.goto(draftHref);
  await hydrated(page);
  await expect(page.getByLabel(/^(Points forts|Atouts du projet)/)).toHaveValue(`Brouillon ${stamp}`);
  await expect(page.getByLabel(`Atouts du projet ${stamp}`)).toHaveCount(0);
  const axes = ["entrepreneur", "market", "production", "finance", "governance", "sse_environment"];
  for (const axis of axes) await page.locator(`#f-score_${axis}`).getByLabel("4", { exact: true }).check();
  await page.getByRole("button", { name: "Enregistrer et soumettre" }).click();
  await savedThenBack(page);
  await context.setOffline(false);
  await syncNow(page);
  const sent = page.locator("section[aria-labelledby='diagnostics-title'] .entries li", { hasText: "Final" }).filter({ hasText: "Soumis" }).first();
  await expect(sent).toBeVisible();
  await expect(sent.locator(".tag.refused")).toHaveCount(0);
});
