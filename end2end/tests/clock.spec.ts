import { expect, test } from "@playwright/test";
import { hydrated, openFirstProject, recordVisit, signIn, tunisToday, visitDayInDatabase } from "./helpers";

// A cheap phone loses its date when the battery dies. With the phone's clock days ahead or a
// year behind, Athar still loads, says the date is wrong, and dates entries by the server's day.

const DAY = 86_400_000;

for (const [label, shift] of [
  ["two days ahead", 2 * DAY],
  ["a year behind", -365 * DAY],
] as const) {
  test(`the phone's clock ${label}: My projects works, the wrong date is said, and a visit is dated by the server's day`, async ({ page }) => {
    await page.clock.install({ time: new Date(Date.now() + shift) });
    await signIn(page, "facilitator");
    await expect(page.locator(".card").first()).toBeVisible();
    const warning = page.locator(".clock-warning");
    await expect(warning).toContainText("La date de ce téléphone semble fausse");
    // Day/month as the phone has it, then as it is.
    const dm = (ms: number) => new Date(ms + 3_600_000).toISOString().slice(5, 10).split("-").reverse().join("/");
    await expect(warning).toContainText(dm(Date.now() + shift));
    await expect(warning).toContainText(`au lieu du ${dm(Date.now())}`);

    // A full load of My projects hydrates (no page left dead by a day drawn differently).
    await page.reload();
    await hydrated(page);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Mes projets");

    await openFirstProject(page);
    const note = `Horloge ${label} ${Date.now().toString(36)}`;
    await recordVisit(page, note);
    await expect(page.locator(".sync-count")).toHaveText(/Tout est envoyé/, { timeout: 20_000 });
    await expect(page.locator(".entries li", { hasText: note })).toContainText("Envoyé");
    const day = visitDayInDatabase(note);
    if (day !== null) expect(day).toBe(tunisToday());
  });
}
