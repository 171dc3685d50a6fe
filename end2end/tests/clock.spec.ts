import { expect, test } from "@playwright/test";
import { hydrated, openFirstProject, recordVisit, signIn, storeVisits, tunisToday, visitDayInDatabase } from "./helpers";

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
    // The notice that said "saved on this phone, it will be sent" now says it was.
    await expect(page.locator("main .notice.success")).toHaveText(/Envoyé au serveur/);
    await expect(page.locator(".entries li", { hasText: note })).toContainText("Envoyé");
    const day = visitDayInDatabase(note);
    if (day !== null) expect(day).toBe(tunisToday());
  });
}

test("an entry the server refuses is not called sent: it is listed to fix, in plain words, and opens at its field", async ({ page }) => {
  await signIn(page, "facilitator");
  const project = await openFirstProject(page);
  const projectId = project.url.split("/projects/")[1];
  // Saved on a phone whose clock ran two days ahead before it knew the server's time: the visit
  // is dated the day after tomorrow (written as the outbox keeps it).
  const note = `Refusée ${Date.now().toString(36)}`;
  const ahead = new Date(Date.now() + 3_600_000 + 2 * DAY).toISOString().slice(0, 10);
  await storeVisits(page, "disk", projectId, [{ observations: note, day: ahead }]);
  await page.reload();
  await hydrated(page);
  await page.getByRole("button", { name: /Envoyer maintenant/ }).click();

  // The header does not say all is sent; the home page says what to fix and why.
  const bar = page.locator(".sync-bar");
  await expect(bar.locator(".sync-attention")).toContainText("1 à corriger", { timeout: 20_000 });
  await expect(bar).not.toContainText("Tout est envoyé");
  await page.goto("/");
  await hydrated(page);
  const fix = page.locator("#attention li", { hasText: project.title });
  await expect(fix).toContainText("Date de la visite : La date de la visite ne peut pas être dans le futur.");
  await expect(page.locator("#attention")).not.toContainText("visit_on");

  // Opened at the date, corrected, sent: nothing left to fix.
  await fix.getByRole("link", { name: "Corriger" }).click();
  await hydrated(page);
  const date = page.getByLabel(/Date de la visite/);
  await expect(date).toBeFocused();
  await date.fill(tunisToday());
  await page.getByRole("button", { name: "Enregistrer et soumettre" }).click();
  await expect(page.getByText("Enregistré sur ce téléphone").first()).toBeVisible();
  await expect(page.locator(".sync-count")).toHaveText(/Tout est envoyé/, { timeout: 20_000 });
  await expect(page.locator(".sync-attention")).toHaveCount(0);
  const day = visitDayInDatabase(note);
  if (day !== null) expect(day).toBe(tunisToday());
});

test.describe("without a service worker (its fetches would pass by the test's route)", () => {
test.use({ serviceWorkers: "block" });
test("a page the app cannot take over is drawn again by the app, never left dead", async ({ page, context }) => {
  await signIn(page, "facilitator");
  // The markup of My projects as the server drew it, less its header: what the WASM expects to
  // find is not there, as when the server's page and the phone's first render disagree.
  let tampered = 0;
  await context.route(/\/$/, async (route) => {
    if (route.request().resourceType() !== "document") return route.continue();
    const response = await route.fetch();
    const html = (await response.text()).replace(/<header class="top">[\s\S]*?<\/header>/, "");
    tampered++;
    await route.fulfill({ response, body: html });
  });
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto("/");
  await hydrated(page);
  // The first load stopped in the WASM, the second was drawn by the app.
  expect(errors.join("\n")).toMatch(/unreachable/);
  expect(tampered).toBe(2);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Mes projets");
  await expect(page.locator("header.top")).toBeVisible();
  // Working: a project opens from it.
  const first = page.locator(".card-title a").first();
  const title = (await first.textContent())!.trim();
  await first.click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(title);
  await context.unroute(/\/$/);
});
});
