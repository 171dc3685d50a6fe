import { expect, test } from "@playwright/test";
import { axe, hydrated, openFirstProject, serviceWorkerReady, signIn, chooseLanguage } from "./helpers";

// Registering a member offline with the member form and the Washington Group questions: the
// "with disability" flag is derived on the phone, the answers are checked again by the server,
// and a supervisor sees the flag only.

test("offline, a facilitator registers a member with a lot of difficulty walking: flagged on the phone, synced, the supervisor sees the flag only", async ({ page, context, browser }) => {
  const name = `Salma Ben Ali ${Date.now().toString(36)}`;
  await signIn(page, "facilitator");
  await serviceWorkerReady(page);
  const project = await openFirstProject(page);
  await context.setOffline(true);

  await page.getByRole("link", { name: /Inscrire un membre/ }).click();
  await hydrated(page);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Inscrire un membre");
  // The health questions wait for consent.
  const walking = page.getByRole("group", { name: /difficultés à marcher/ });
  await expect(walking).toBeHidden();
  await page.getByRole("button", { name: "Enregistrer le membre" }).click();
  await expect(page.locator(".error-summary")).toContainText("Nom et prénom");

  await page.getByLabel("Nom et prénom").fill(name);
  await page.getByRole("group", { name: "Sexe" }).getByLabel("Femme").check();
  await page.getByLabel("Année de naissance").fill("1994");
  await page.getByRole("group", { name: "Rôle dans le projet" }).getByLabel("Membre", { exact: true }).check();
  await page.getByLabel("Téléphone").fill("12345");
  await page.getByRole("group", { name: /accepte que ses réponses/ }).getByLabel("Oui").check();
  await expect(walking).toBeVisible();
  for (const group of await page.locator("fieldset[id^='f-wg_']").all()) {
    await group.getByLabel("Non, aucune difficulté").check();
  }
  await walking.getByLabel("Oui, beaucoup de difficultés").check();
  await axe(page, "member form fr");
  // A phone number that is not one: the form's own message.
  await page.getByRole("button", { name: "Enregistrer le membre" }).click();
  await expect(page.locator(".error-summary")).toContainText("Un numéro tunisien a 8 chiffres.");
  await page.getByLabel("Téléphone").fill("98765432");
  await page.getByRole("button", { name: "Enregistrer le membre" }).click();
  await expect(page).toHaveURL(project.url);

  const entry = page.locator(".members li", { hasText: name });
  await expect(entry).toContainText("Situation de handicap");
  await expect(entry).toContainText("Enregistré sur ce téléphone");

  await context.setOffline(false);
  await page.getByRole("button", { name: /Envoyer maintenant/ }).click();
  await expect(page.locator(".sync-count")).toHaveText(/Tout est envoyé/, { timeout: 20_000 });
  await expect(entry).not.toContainText("Enregistré sur ce téléphone");

  // The facilitator opens it again: the answers are there.
  await entry.getByRole("link", { name: /Modifier/ }).click();
  await hydrated(page);
  await expect(page.getByRole("group", { name: /difficultés à marcher/ }).getByLabel("Oui, beaucoup de difficultés")).toBeChecked();
  // She left the project today: recorded from the same page, and listed among those who left.
  await page.goto(project.url);
  await hydrated(page);
  const count = Number((await page.locator("#members-title .count").textContent())!.replace(/\D/g, ""));
  await entry.getByRole("link", { name: /Modifier/ }).click();
  await hydrated(page);
  await page.getByRole("button", { name: "Enregistrer le départ" }).click();
  await expect(page.locator("section.leave")).toContainText("Parti·e le");
  await page.goto(project.url);
  await hydrated(page);
  await expect(entry).toContainText("Parti·e le");
  await expect(page.locator("#members-title .count")).toHaveText(`(${count - 1})`);

  const tablet = await browser.newContext({ viewport: { width: 800, height: 1280 }, locale: "fr-FR" });
  const supervisor = await tablet.newPage();
  await signIn(supervisor, "supervisor");
  await supervisor.goto(project.url);
  await hydrated(supervisor);
  const seen = supervisor.locator(".members li", { hasText: name });
  await expect(seen).toContainText("Situation de handicap");
  await expect(seen.getByRole("link", { name: /Modifier/ })).toHaveCount(0);
  await tablet.close();
});

test("in Arabic, right to left, the member form reads and checks in Arabic with no axe violation", async ({ page }) => {
  await signIn(page, "facilitator");
  await openFirstProject(page);
  await chooseLanguage(page, "العربية");
  await expect(page.locator("html")).toHaveAttribute("dir", "rtl");
  // The page reloaded in Arabic: a link followed before it runs may be lost.
  await hydrated(page);
  await page.getByRole("link", { name: /تسجيل عضو/ }).click();
  await hydrated(page);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("تسجيل عضو");
  await page.getByRole("group", { name: /يوافق العضو/ }).getByLabel("نعم").check();
  await expect(page.getByRole("group", { name: /صعوبة في المشي/ })).toBeVisible();
  await page.getByRole("button", { name: "حفظ العضو" }).click();
  await expect(page.locator(".error-summary")).toContainText("الاسم واللقب");
  await axe(page, "member form ar");
});
