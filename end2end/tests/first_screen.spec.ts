import { Page, expect, test } from "@playwright/test";
import { hydrated, openFirstProject, signIn, setLanguage } from "./helpers";

// On a 360 × 640 phone the header and the sync bar are one line each: the first screen shows the
// work (the day's first line or the first project, the form's first question) without scrolling,
// in French and in Arabic. Screenshots are kept with the test's results.

/** The bottom of `selector`'s first visible element, in CSS pixels from the top of the page. */
async function bottomOf(page: Page, selector: string): Promise<number> {
  // The day's lists are drawn again when a sync ends: measure the element that is there then.
  const seen: { box: { y: number; height: number } | null } = { box: null };
  await expect.poll(async () => (seen.box = await page.locator(selector).first().boundingBox()) !== null, { message: selector }).toBe(true);
  return seen.box!.y + seen.box!.height;
}

for (const lang of ["fr", "ar"] as const) {
  test(`the first screen of a phone shows the work, not the header (${lang})`, async ({ page }, testInfo) => {
    await signIn(page, "facilitator");
    const project = await openFirstProject(page);
    await setLanguage(page, lang);

    await page.goto("/");
    await hydrated(page);
    await expect(page.locator("section.today li").first()).toBeVisible({ timeout: 15_000 });
    const header = await page.locator("header.top").boundingBox();
    const bar = await page.locator(".sync-bar").boundingBox();
    // One line each: the tallest thing in them is a 48 px button.
    expect(header!.height, "header").toBeLessThanOrEqual(72);
    expect(bar!.height, "sync bar").toBeLessThanOrEqual(64);
    expect(await bottomOf(page, "section.today li"), "the day's first line").toBeLessThanOrEqual(640);
    await page.screenshot({ path: testInfo.outputPath(`home-${lang}.png`) });

    await page.goto(`${project.url}/visits/new`);
    await hydrated(page);
    await expect(page.locator("form.visit-form .field").first()).toBeVisible();
    expect(await bottomOf(page, "form.visit-form .field input, form.visit-form .field textarea"), "the first question's field").toBeLessThanOrEqual(640);
    await page.screenshot({ path: testInfo.outputPath(`visit-${lang}.png`) });

    // The menu holds the language and the sign-out, and opens on a tap.
    await page.locator("header .menu > summary").click();
    await expect(page.getByRole("button", { name: "العربية", exact: true })).toBeVisible();
    await expect(page.locator("header .sign-out button")).toBeVisible();
  });
}
