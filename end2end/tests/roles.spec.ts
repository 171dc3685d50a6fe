import { expect, test } from "@playwright/test";
import { HOME_TITLE, LOGINS, Role, hydrated, signIn } from "./helpers";

for (const role of Object.keys(LOGINS) as Role[]) {
  test(`a ${role} signs in and lands on their home page`, async ({ page }) => {
    await signIn(page, role);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(HOME_TITLE[role]);
    await expect(page.getByRole("status").filter({ hasText: "En ligne" })).toBeVisible();
    if (role === "viewer") {
      // Aggregates only: no project is listed, small cells hidden.
      await expect(page.locator(".card")).toHaveCount(0);
      await expect(page.getByText("Projets financés")).toBeVisible();
    } else {
      await expect(page.locator(".card").first()).toBeVisible();
    }
  });
}

test("a wrong password shows one neutral message, then the waiting time", async ({ page }) => {
  await page.goto("/login");
  await hydrated(page);
  const email = `personne-${Date.now()}@demo.athar.tn`;
  for (let i = 1; i <= 5; i++) {
    await page.getByLabel("Adresse e-mail").fill(email);
    await page.getByLabel("Mot de passe").fill("mauvais");
    await page.getByRole("button", { name: "Se connecter" }).click();
    const alert = page.getByRole("alert");
    if (i < 5) {
      await expect(alert).toHaveText("Adresse e-mail ou mot de passe incorrect.");
    } else {
      await expect(alert).toHaveText(/Trop de tentatives\. Réessayez dans 15 minutes\./);
    }
  }
});

test("a facilitator only sees their own projects and a 404 for the others", async ({ page, request }) => {
  await signIn(page, "facilitator");
  // After signing in the list arrives with the page's data: read it once drawn.
  await page.locator(".card .code").first().waitFor();
  const mine = await page.locator(".card .code").allTextContents();
  expect(mine.length).toBeGreaterThan(0);
  expect(mine.length).toBeLessThan(49);
  const response = await page.goto("/projects/00000000-0000-4000-8000-000000000000");
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("alert")).toContainText("n'existe pas ou ne vous est pas attribué");
});

test("unknown addresses show a 404 page in the user's language", async ({ page, context }) => {
  const fr = await page.goto("/nulle-part");
  expect(fr?.status()).toBe(404);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Page introuvable");
  await context.addCookies([{ name: "i18n_pref_locale", value: "ar", url: page.url() }]);
  const ar = await page.goto("/nulle-part");
  expect(ar?.status()).toBe(404);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("الصفحة غير موجودة");
  await expect(page.locator("html")).toHaveAttribute("dir", "rtl");
});
