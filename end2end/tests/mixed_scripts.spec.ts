import { expect, Locator, Page, test } from "@playwright/test";
import { countInDatabase, hydrated, recordVisit, signIn } from "./helpers";

// A facilitator writes Arabic, French and digits in one field. What she typed is stored byte for
// byte, shown back byte for byte, and in a field and a line of its own direction in the French
// and the Arabic interface, so nothing around it is pulled into it or out of it.

/** Whether an element lays its text out in a direction of its own (bidi isolation). */
async function isolated(el: Locator): Promise<boolean> {
  return el.evaluate((node) => {
    for (let e: Element | null = node; e && !["LI", "MAIN", "BODY"].includes(e.tagName); e = e.parentElement) {
      const bidi = getComputedStyle(e).unicodeBidi;
      if (e.tagName === "BDI" || e.getAttribute("dir") === "auto" || bidi === "isolate" || bidi === "plaintext") return true;
    }
    return false;
  });
}

async function setLanguage(page: Page, lang: "fr" | "ar") {
  await page.context().addCookies([{ name: "i18n_pref_locale", value: lang, url: new URL(page.url()).origin }]);
}

test("Arabic, French and digits in one observation are kept and shown as typed, in their own direction, in French and in Arabic", async ({ page }) => {
  const typed = `نخلة دقلة نور Kébili 2026 : 3 صناديق, 45 kg (${Date.now().toString(36)})`;
  await signIn(page, "facilitator");
  // The last of her projects: the first one's timeline is what other tests read.
  await page.locator(".card h3 a").last().click();
  await expect(page).toHaveURL(/\/projects\//);
  await hydrated(page);
  await expect(page.locator(".sync-count")).toHaveText(/Tout est envoyé/, { timeout: 20_000 });
  const project = { url: page.url() };
  await page.getByRole("link", { name: /Nouvelle visite/ }).click();
  await hydrated(page);
  await expect(page.getByLabel("Observations")).toHaveAttribute("dir", "auto");
  await page.goto(project.url);
  await hydrated(page);
  await recordVisit(page, typed);
  await expect(page.locator(".sync-count")).toHaveText(/Tout est envoyé/, { timeout: 20_000 });
  // Stored as typed: the database finds it by the very string.
  const stored = countInDatabase(typed);
  if (stored !== null) expect(stored).toBe(1);

  for (const lang of ["fr", "ar"] as const) {
    await setLanguage(page, lang);
    await page.goto(project.url);
    await hydrated(page);
    await expect(page.locator("html")).toHaveAttribute("dir", lang === "ar" ? "rtl" : "ltr");
    const shown = page.locator(".entry-text", { hasText: typed });
    await expect(shown).toHaveCount(1);
    expect(await shown.textContent()).toBe(typed);
    expect(await isolated(shown), `the observation shown in ${lang}`).toBe(true);
    // Opened again to edit, the field holds it as typed, in its own direction.
    await shown.locator("xpath=..").getByRole("link").first().click();
    await hydrated(page);
    const field = page.locator("textarea#f-observations");
    await expect(field).toHaveValue(typed);
    await expect(field).toHaveAttribute("dir", "auto");
  }
});
