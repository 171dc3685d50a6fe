import { Page, expect, test } from "@playwright/test";
import { axe, hydrated, signIn, chooseLanguage, openMenu } from "./helpers";

// The team sets the thresholds of the risk rules: a value out of bounds is refused with its
// bounds and nothing is saved; a saved one changes the flags on the cards at once.

async function flaggedWithoutVisit(page: Page) {
  await page.goto("/");
  await hydrated(page);
  // The list is drawn with the review panel, once the page runs in the browser.
  await expect(page.locator("section.today h2")).toHaveText("À relire");
  await expect(page.locator("section.today .today-quiet, section.today ul, section.today .hint").first()).toBeVisible();
  return page.locator("section.risk-list li", { hasText: /Pas de visite depuis|Aucune visite enregistrée/ }).count();
}

async function setDays(page: Page, days: string) {
  await page.goto("/settings");
  await hydrated(page);
  await page.getByLabel("Jours sans visite").fill(days);
  await page.getByRole("button", { name: "Enregistrer les réglages" }).click();
}

test("the team tightens the days-without-visit threshold: out of bounds is refused, saved it flags more projects", async ({ page }) => {
  await signIn(page, "team");
  const before = await flaggedWithoutVisit(page);
  await openMenu(page);
  await page.getByRole("link", { name: "Réglages" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Réglages");
  await hydrated(page);
  await expect(page.getByLabel("Jours sans visite")).toHaveValue("45");
  await axe(page, "settings fr");

  await setDays(page, "3");
  await expect(page.getByRole("alert")).toContainText("Rien n'a été enregistré");
  await expect(page.locator("#set-days_without_visit-error")).toContainText("Entre 7 et 365.");
  await expect(page.getByLabel("Jours sans visite")).toHaveAttribute("aria-invalid", "true");
  await page.reload();
  await hydrated(page);
  await expect(page.getByLabel("Jours sans visite")).toHaveValue("45");

  await setDays(page, "7");
  await expect(page.getByRole("status").filter({ hasText: "Réglages enregistrés" })).toBeVisible();
  expect(await flaggedWithoutVisit(page)).toBeGreaterThan(before);

  await setDays(page, "45");
  await expect(page.getByRole("status").filter({ hasText: "Réglages enregistrés" })).toBeVisible();
  expect(await flaggedWithoutVisit(page)).toBe(before);
});

test("in Arabic, right to left, the settings page reads in Arabic with no axe violation", async ({ page }) => {
  await signIn(page, "team");
  await chooseLanguage(page, "العربية");
  await page.goto("/settings");
  await hydrated(page);
  await expect(page.locator("html")).toHaveAttribute("dir", "rtl");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("الإعدادات");
  await expect(page.getByLabel("أيام بدون زيارة")).toBeVisible();
  await axe(page, "settings ar");
});
