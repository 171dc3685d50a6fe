import { Browser, Page, expect, test } from "@playwright/test";
import { axe, hydrated, openFirstProject, savedThenBack, serviceWorkerReady, signIn, chooseLanguage } from "./helpers";

// Diagnostics and SSE-law self-assessments: made offline on the phone from their form
// definitions, drawn on the project page (scores over time, the score and its gaps), reviewed by
// the supervisor like visits, and told in the project's timeline with every version and review.

async function syncNow(page: Page, button = /Envoyer maintenant/, done = /Tout est envoyé/) {
  await page.getByRole("button", { name: button }).click();
  await expect(page.locator(".sync-count")).toHaveText(done, { timeout: 20_000 });
}

async function tablet(browser: Browser) {
  const context = await browser.newContext({ viewport: { width: 800, height: 1280 }, locale: "fr-FR" });
  const page = await context.newPage();
  await signIn(page, "supervisor");
  return page;
}

/** Answers the six axes of the diagnostic form with these scores. */
async function score(page: Page, scores: number[]) {
  const axes = ["entrepreneur", "market", "production", "finance", "governance", "sse_environment"];
  for (const [i, axis] of axes.entries()) {
    await page.locator(`#f-score_${axis}`).getByLabel(String(scores[i]), { exact: true }).check();
  }
}

test("offline, a diagnostic and a self-assessment are made on the phone, drawn on the project page, and a gap becomes an action item", async ({ page, context }) => {
  await signIn(page, "facilitator");
  await serviceWorkerReady(page);
  const project = await openFirstProject(page);
  await context.setOffline(true);

  await page.getByRole("link", { name: /Nouveau diagnostic/ }).click();
  await hydrated(page);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Diagnostic");
  // Submitting needs every score; the summary names what is missing.
  await page.getByRole("button", { name: "Enregistrer et soumettre" }).click();
  await expect(page.locator(".error-summary")).toContainText("Étape");
  await expect(page.locator(".error-summary")).toContainText("Finances et gestion");
  await page.locator("#f-stage").getByLabel("Initial").check();
  await score(page, [2, 3, 2, 1, 4, 3]);
  await axe(page, "diagnostic form fr");
  await page.getByRole("button", { name: "Enregistrer et soumettre" }).click();
  await savedThenBack(page);
  await expect(page).toHaveURL(project.url);

  const chart = page.locator("figure.score-chart");
  await expect(chart.locator("figcaption")).toContainText("Scores par axe");
  await expect(chart.locator(".bar")).toHaveCount(6);
  await chart.getByText("Voir les scores en tableau").click();
  const finance = chart.getByRole("row", { name: /Finances et gestion/ });
  await expect(finance.getByRole("cell")).toHaveText(["1"]);
  const diagnostics = page.locator("section[aria-labelledby='diagnostics-title'] .entries li");
  await expect(diagnostics.first()).toContainText("Initial");
  await expect(diagnostics.first()).toContainText("Enregistré sur ce téléphone");

  // A self-assessment: every criterion answered; L3 partly, L4 no.
  await page.getByRole("link", { name: /Nouvelle auto-évaluation/ }).click();
  await hydrated(page);
  for (let n = 1; n <= 14; n++) {
    const answer = n === 3 ? "En partie" : n === 4 ? "Non" : "Oui";
    await page.locator(`#f-l${n}`).getByLabel(answer, { exact: true }).check();
  }
  await page.getByRole("button", { name: "Enregistrer et soumettre" }).click();
  await savedThenBack(page);
  const result = page.locator(".assessment-result");
  // (12 + ½) / 14 = 89 %.
  await expect(result).toContainText("score 89 %");
  await expect(result).toContainText("12 oui · 1 en partie · 1 non · 0 sans objet");
  const gaps = result.locator(".gaps li");
  await expect(gaps).toHaveCount(2);
  await expect(gaps.nth(1)).toContainText("L4.");
  await gaps.nth(1).getByRole("button", { name: /Ajouter comme action/ }).click();
  await expect(gaps.nth(1)).toContainText("Action ajoutée");
  await expect(page.locator("section[aria-labelledby='actions-title']")).toContainText("L4.");
  await axe(page, "project page with diagnostics fr");

  await context.setOffline(false);
  await syncNow(page);
  await expect(diagnostics.first()).not.toContainText("Enregistré sur ce téléphone");
});

test("a diagnostic returned with a comment is fixed on the phone and validated; the timeline tells both versions and both decisions", async ({ page, browser }) => {
  const stamp = Date.now().toString(36);
  const comment = `Le score finance paraît trop bas ${stamp}`;
  await signIn(page, "facilitator");
  const project = await openFirstProject(page);
  await page.getByRole("link", { name: /Nouveau diagnostic/ }).click();
  await hydrated(page);
  await page.locator("#f-stage").getByLabel("Mi-parcours").check();
  await score(page, [3, 3, 3, 1, 3, 3]);
  await page.getByLabel("Points forts").fill(`Clientèle fidèle ${stamp}`);
  await page.getByRole("button", { name: "Enregistrer et soumettre" }).click();
  await savedThenBack(page);
  await syncNow(page);

  const supervisor = await tablet(browser);
  await supervisor.goto("/review");
  await hydrated(supervisor);
  const card = supervisor.locator("article.review-item", { hasText: `Clientèle fidèle ${stamp}` });
  await expect(card.getByRole("heading")).toContainText("Diagnostic");
  await expect(card).toContainText("Mi-parcours");
  await card.getByLabel("Commentaire pour l'animateur").fill(comment);
  await card.getByRole("button", { name: "Renvoyer avec ce commentaire" }).click();
  await expect(card.getByRole("status")).toContainText("Saisie renvoyée");

  await syncNow(page);
  const entry = page.locator("section[aria-labelledby='diagnostics-title'] .entries li", { hasText: "Mi-parcours" }).first();
  await expect(entry.locator(".tag.returned")).toBeVisible();
  await expect(entry.locator("blockquote")).toHaveText(comment);
  await entry.getByRole("link", { name: /Ouvrir/ }).click();
  await hydrated(page);
  await expect(page.locator(".review-note blockquote")).toHaveText(comment);
  await page.locator("#f-score_finance").getByLabel("2", { exact: true }).check();
  await page.getByRole("button", { name: "Enregistrer et soumettre" }).click();
  await savedThenBack(page);
  await syncNow(page);

  await supervisor.goto("/review");
  await hydrated(supervisor);
  await card.locator("details.history summary").click();
  const steps = card.locator(".history-steps > li");
  await expect(steps).toHaveCount(3);
  await expect(steps.nth(2)).toContainText("Modifié : Finances et gestion");
  await axe(supervisor, "review queue with a diagnostic fr");
  await card.getByRole("button", { name: "Valider" }).click();
  await expect(card.getByRole("status")).toContainText("Saisie validée.");

  await syncNow(page);
  await page.goto(project.url);
  await hydrated(page);
  const timeline = page.locator("ol.timeline");
  await expect(timeline.getByText(/^Validation par .* : Diagnostic du /).first()).toBeVisible();
  await expect(timeline.getByText(/^Version 2 par .* : Diagnostic du /).first()).toBeVisible();
  await expect(timeline.locator("li", { hasText: comment }).getByText(/^Renvoi par .* : Diagnostic du /)).toBeVisible();
  await expect(timeline.getByText(/^Version 1 par .* : Diagnostic du /).first()).toBeVisible();
  // Validated is final on the phone too: the form opens read-only.
  await entry.getByRole("link", { name: /Ouvrir/ }).click();
  await hydrated(page);
  await expect(page.getByText("Validée : cette saisie ne peut plus être modifiée.")).toBeVisible();
  await expect(page.getByRole("button", { name: "Enregistrer et soumettre" })).toHaveCount(0);
  await supervisor.context().close();
});

test("in Arabic, right to left, the diagnostic form, the chart and the timeline read in Arabic with no axe violation", async ({ page }) => {
  await signIn(page, "facilitator");
  await openFirstProject(page);
  await chooseLanguage(page, "العربية");
  await expect(page.locator("html")).toHaveAttribute("dir", "rtl");
  // The page reloaded in Arabic: a link followed before it runs may be lost.
  await hydrated(page);
  await page.getByRole("link", { name: /تشخيص جديد/ }).click();
  await hydrated(page);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("تشخيص");
  await page.getByRole("button", { name: "حفظ وتقديم" }).click();
  await expect(page.locator(".error-summary")).toContainText("المالية والتصرف");
  await page.locator("#f-stage").getByLabel("أولي").check();
  await score(page, [4, 4, 3, 3, 2, 5]);
  await axe(page, "diagnostic form ar");
  await page.getByRole("button", { name: "حفظ وتقديم" }).click();
  await expect(page.locator("figure.score-chart figcaption")).toContainText("الدرجات حسب المحور");
  await expect(page.locator("ol.timeline")).toContainText("تشخيص");
  await axe(page, "project page ar");
});
