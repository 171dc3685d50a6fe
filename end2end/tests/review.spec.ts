import { Browser, Page, expect, test } from "@playwright/test";
import { axe, hydrated, openFirstProject, recordVisit, serviceWorkerReady, signIn, chooseLanguage } from "./helpers";

// The review loop between a facilitator's phone and a supervisor's tablet: a visit made offline
// is returned with a comment, fixed on the phone, resubmitted, validated; its history keeps both
// versions and the decisions.

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

async function openQueue(page: Page) {
  await page.goto("/review");
  await hydrated(page);
}

test("a visit made offline is returned with a comment, fixed on the phone, resubmitted and validated; its history keeps both versions", async ({ page, context, browser }) => {
  const stamp = Date.now().toString(36);
  const note = `Visite à revoir ${stamp}`;
  const comment = `Ajoutez les ventes du mois ${stamp}`;
  await signIn(page, "facilitator");
  await serviceWorkerReady(page);
  await openFirstProject(page);
  await context.setOffline(true);
  await recordVisit(page, note);
  await context.setOffline(false);
  await syncNow(page);

  // The supervisor finds it in the queue; the filters narrow the list.
  const supervisor = await tablet(browser);
  await openQueue(supervisor);
  await expect(supervisor.getByRole("heading", { level: 1 })).toHaveText("Entrées à valider");
  const card = supervisor.locator("article.review-item", { hasText: note });
  await expect(card).toBeVisible();
  await supervisor.getByLabel("En attente depuis").selectOption({ label: "Plus de 14 jours" });
  await expect(card).toBeHidden();
  await supervisor.getByLabel("En attente depuis").selectOption({ label: "Tous" });
  await expect(card).toBeVisible();

  // Returning needs a comment.
  await card.getByRole("button", { name: "Renvoyer avec ce commentaire" }).click();
  await expect(card.getByText("Ce champ est obligatoire.")).toBeVisible();
  await card.getByLabel("Commentaire pour l'animateur").fill(comment);
  await card.getByRole("button", { name: "Renvoyer avec ce commentaire" }).click();
  await expect(card.getByRole("status")).toContainText("Visite renvoyée");

  // The phone gets it back at the next sync, with the comment.
  await syncNow(page);
  const entry = page.locator(".entries li", { hasText: note });
  await expect(entry.locator(".tag.returned")).toHaveText(/Renvoyé/);
  await expect(entry.locator("blockquote")).toHaveText(comment);
  await entry.getByRole("link", { name: /Modifier/ }).click();
  await hydrated(page);
  await expect(page.locator(".notice.returned blockquote")).toHaveText(comment);
  await page.getByLabel("Observations").fill(`${note} — ventes : 1 200 TND`);
  await page.getByRole("button", { name: "Enregistrer et soumettre" }).click();
  await expect(page).not.toHaveURL(/\/visits\//);
  await syncNow(page);
  await expect(entry.locator(".entry-state")).toContainText("Soumis");

  // Back in the queue: both versions and the return in its history; validated.
  await openQueue(supervisor);
  await expect(card).toContainText("ventes : 1 200 TND");
  await expect(card.locator(".review-note")).toContainText("Renvoyé par");
  await card.locator("details.history summary").click();
  const steps = card.locator(".history-steps > li");
  await expect(steps).toHaveCount(3);
  await expect(steps.nth(0)).toContainText("Version 1");
  await expect(steps.nth(0)).toContainText("Première version.");
  await expect(steps.nth(1)).toContainText("Renvoyé par");
  await expect(steps.nth(1).locator("blockquote")).toHaveText(comment);
  await expect(steps.nth(2)).toContainText("Version 2");
  await expect(steps.nth(2)).toContainText("Modifié : Observations");
  await axe(supervisor, "review queue fr");
  await card.getByRole("button", { name: "Valider" }).click();
  await expect(card.getByRole("status")).toContainText("Visite validée.");
  await openQueue(supervisor);
  await expect(supervisor.locator("article.review-item", { hasText: note })).toHaveCount(0);

  await syncNow(page);
  await expect(entry.locator(".entry-state")).toContainText("Validé");
  // The project's timeline tells both versions and both decisions, newest first.
  await page.reload();
  await hydrated(page);
  const told = page.locator("ol.timeline li", { hasText: /: Visite du / });
  await expect(told.filter({ hasText: /^.*Validation par / }).first()).toBeVisible();
  await expect(told.filter({ hasText: comment })).toContainText("Renvoi par");
  const versions = await told.filter({ hasText: /Version \d par / }).allTextContents();
  expect(versions.findIndex((t) => t.includes("Version 2 par"))).toBeLessThan(versions.findIndex((t) => t.includes("Version 1 par")));
  await supervisor.context().close();
});

test("in Arabic, right to left: the supervisor returns a visit and the facilitator reads why, on a page with no axe violation", async ({ page, browser }) => {
  const stamp = Date.now().toString(36);
  const note = `زيارة للمراجعة ${stamp}`;
  const comment = `أضف مبيعات الشهر ${stamp}`;
  await signIn(page, "facilitator");
  await openFirstProject(page);
  await recordVisit(page, note);
  await syncNow(page);
  await chooseLanguage(page, "العربية");
  await expect(page.locator("html")).toHaveAttribute("dir", "rtl");

  const supervisor = await tablet(browser);
  await chooseLanguage(supervisor, "العربية");
  await openQueue(supervisor);
  await expect(supervisor.locator("html")).toHaveAttribute("dir", "rtl");
  await expect(supervisor.getByRole("heading", { level: 1 })).toHaveText("المدخلات في انتظار المصادقة");
  const card = supervisor.locator("article.review-item", { hasText: note });
  await card.getByLabel("تعليق للمنشط").fill(comment);
  await axe(supervisor, "review queue ar");
  await card.getByRole("button", { name: "أرجِع مع هذا التعليق" }).click();
  await expect(card.getByRole("status")).toContainText("أُرجعت الزيارة");

  await syncNow(page, /أرسل الآن/, /أُرسل كل شيء/);
  const entry = page.locator(".entries li", { hasText: note });
  await expect(entry.locator(".tag.returned")).toHaveText(/مُعاد/);
  await expect(entry.locator("blockquote")).toHaveText(comment);
  await expect(entry).toContainText("أرجعه");
  await axe(page, "project with a returned visit ar");
  await entry.getByRole("link", { name: /تعديل/ }).click();
  await hydrated(page);
  await expect(page.locator(".notice.returned blockquote")).toHaveText(comment);
  await axe(page, "visit form with a returned note ar");
  await supervisor.context().close();
});

test("the supervisor's list puts the projects at risk first, each risk in words, and the cards say them too", async ({ page }) => {
  await signIn(page, "supervisor");
  const list = page.locator("section.risk-list");
  await expect(list.getByRole("heading", { level: 2 })).toContainText("Projets à risque");
  const first = list.locator("li").first();
  await expect(first).toContainText(/Pas de visite depuis \d+ jours|Aucune visite enregistrée|actions en retard|Ventes sous les achats|non justifiée depuis|Choc signalé/);
  const name = (await first.getByRole("link").textContent())!;
  const code = name.split(" · ")[0].trim();
  const card = page.locator(".card.flagged", { hasText: code });
  await expect(card.locator(".flags li").first()).toBeVisible();

  // Marked as seen, with a note saying what was done; it holds across a reload.
  const note = `Appelée, visite prévue ${Date.now().toString(36)}`;
  // The first flag not marked yet (a run before may have marked some), held by its place.
  const flags = page.locator("section.risk-list .risk-flags > li");
  const place = await flags.evaluateAll((items) => items.findIndex((li) => li.querySelector("button") !== null));
  expect(place).toBeGreaterThanOrEqual(0);
  const flag = flags.nth(place);
  await flag.getByRole("button", { name: "Marquer comme vu" }).click();
  await flag.getByRole("button", { name: "Enregistrer" }).click();
  await expect(flag.getByRole("alert")).toHaveText("Ce champ est obligatoire.");
  await flag.getByLabel("Ce qui a été fait ou prévu").fill(note);
  await flag.getByRole("button", { name: "Enregistrer" }).click();
  await expect(flag.locator(".seen")).toContainText(note);
  await page.reload();
  await hydrated(page);
  await expect(page.locator("section.risk-list .seen", { hasText: note })).toContainText("Vu par Rim");
});

test("a member registered on the phone is returned with a comment, corrected and validated; the phone shows each decision", async ({ page, browser }) => {
  const stamp = Date.now().toString(36);
  const name = `Hela Trabelsi ${stamp}`;
  const comment = `Année de naissance à vérifier ${stamp}`;
  await signIn(page, "facilitator");
  await serviceWorkerReady(page);
  const project = await openFirstProject(page);
  await page.getByRole("link", { name: /Inscrire un membre/ }).click();
  await hydrated(page);
  await page.getByLabel("Nom et prénom").fill(name);
  await page.getByRole("group", { name: "Sexe" }).getByLabel("Femme").check();
  await page.getByLabel("Année de naissance").fill("1990");
  await page.getByRole("group", { name: "Rôle dans le projet" }).getByLabel("Membre", { exact: true }).check();
  await page.getByRole("group", { name: /accepte que ses réponses/ }).getByLabel("Non").check();
  await page.getByRole("button", { name: "Enregistrer le membre" }).click();
  await expect(page).toHaveURL(project.url);
  await syncNow(page);

  // The supervisor reads it among members and milestones, and returns it.
  const supervisor = await tablet(browser);
  await openQueue(supervisor);
  await expect(supervisor.getByRole("heading", { name: "Membres, étapes clés et valeurs d'indicateurs" })).toBeVisible();
  const card = supervisor.locator("article.review-item", { hasText: name });
  await expect(card.locator("dl")).toContainText("1990");
  await card.getByLabel("Commentaire pour l'animateur").fill(comment);
  await card.getByRole("button", { name: "Renvoyer avec ce commentaire" }).click();
  await expect(card.getByRole("status")).toContainText("Saisie renvoyée");

  // The phone shows why; the facilitator corrects the member.
  await syncNow(page);
  const entry = page.locator(".members li", { hasText: name });
  await expect(entry.locator(".review-note")).toContainText("Renvoyé par");
  await expect(entry.locator(".review-note blockquote")).toHaveText(comment);
  await entry.getByRole("link", { name: /Modifier/ }).click();
  await hydrated(page);
  await page.getByLabel("Année de naissance").fill("1991");
  await page.getByRole("button", { name: "Enregistrer le membre" }).click();
  await expect(page).toHaveURL(project.url);
  await expect(entry.locator(".review-note")).toHaveCount(0);
  await syncNow(page);

  // Back in the queue with both versions and the return; validated.
  await openQueue(supervisor);
  await expect(card.locator("dl")).toContainText("1991");
  await card.locator("details.history summary").click();
  const steps = card.locator(".history-steps > li");
  await expect(steps).toHaveCount(3);
  await expect(steps.nth(1)).toContainText("Renvoyé par");
  await expect(steps.nth(2)).toContainText("Modifié : Année de naissance");
  await axe(supervisor, "review queue with a member fr");
  await card.getByRole("button", { name: "Valider" }).click();
  await expect(card.getByRole("status")).toContainText("Saisie validée.");

  await syncNow(page);
  await expect(entry.locator(".review-note")).toContainText("Validé par");
  await supervisor.context().close();
});

test("a milestone marked reached is returned, its day corrected on the phone, and it waits again for review", async ({ page, browser }) => {
  const stamp = Date.now().toString(36);
  const label = `Stand au salon de Douz ${stamp}`;
  await signIn(page, "facilitator");
  await serviceWorkerReady(page);
  await openFirstProject(page);
  const section = page.locator("section[aria-labelledby='milestones-title']");
  await section.getByText("Ajouter une étape").click();
  await section.getByLabel("Étape", { exact: true }).selectOption({ label: "Autre étape" });
  await section.getByLabel(/Intitulé/).fill(label);
  await section.getByRole("button", { name: "Ajouter l'étape" }).click();
  const item = section.locator(".milestones li", { hasText: label });
  await item.getByRole("button", { name: /Atteinte aujourd'hui/ }).click();
  await syncNow(page);

  const supervisor = await tablet(browser);
  await openQueue(supervisor);
  const card = supervisor.locator("article.review-item", { hasText: label });
  await card.getByLabel("Commentaire pour l'animateur").fill("Le salon a lieu en décembre");
  await card.getByRole("button", { name: "Renvoyer avec ce commentaire" }).click();
  await expect(card.getByRole("status")).toContainText("Saisie renvoyée");

  await syncNow(page);
  await expect(item.locator(".review-note blockquote")).toHaveText("Le salon a lieu en décembre");
  await item.getByText("Corriger l'étape").click();
  await item.getByLabel("Atteinte le").fill("");
  await item.getByLabel("Prévue le").fill("2030-12-20");
  await item.getByRole("button", { name: "Renvoyer pour validation" }).click();
  await expect(item).toContainText("Prévue le 20/12/2030");
  await expect(item.locator(".review-note")).toHaveCount(0);
  await syncNow(page);

  await openQueue(supervisor);
  await expect(card.locator("dl")).toContainText("20/12/2030");
  await card.locator("details.history summary").click();
  await expect(card.locator(".history-steps > li").last()).toContainText("Modifié : Prévue le, Atteinte le");
  await supervisor.context().close();
});
