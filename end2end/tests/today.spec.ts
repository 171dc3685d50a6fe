import { Page, expect, test } from "@playwright/test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LOGINS, PASSWORD, hydrated, launch, openSignedIn, savedThenBack, serviceWorkerReady, signIn, frDay, tunisDay } from "./helpers";

// The facilitator's day on one screen, offline: what she must fix, the action items falling due,
// the visits to make, the forms she left unsaved, what waits to be sent, the risks on her
// projects; each line opens the place to act. A reviewer's home says what waits for review.

async function home(page: Page) {
  await page.goto("/");
  await hydrated(page);
  const today = page.locator("section.today");
  await expect(today.getByRole("heading", { level: 2 })).toHaveText("Aujourd'hui");
  return today;
}

test("offline, the day lists the overdue action, the visit due, the unsaved form and what waits; each line opens where to act", async ({}, testInfo) => {
  test.setTimeout(120_000);
  const dir = mkdtempSync(join(tmpdir(), "athar-today-"));
  const [context, page] = await launch(dir, testInfo);
  // The second project: the others' visits (the first's and the last's, made by other tests
  // today) would set when the next visit is due.
  await openSignedIn(page, "/");
  await serviceWorkerReady(page);
  const projectUrl = new URL((await page.locator(".card-title a").nth(1).getAttribute("href"))!, page.url()).toString();
  await openSignedIn(page, projectUrl);
  await expect(page.locator(".sync-count")).toHaveText(/Tout est envoyé/, { timeout: 30_000 });
  const title = (await page.getByRole("heading", { level: 1 }).textContent())!.trim();
  const stamp = Date.now().toString(36);
  const action = `Peser les dattes avant la vente ${stamp}`;
  // Newer than any visit of the demo data (those are two weeks old or more).
  const [visited, due] = [tunisDay(-3), tunisDay(-1)];

  await context.setOffline(true);
  // A visit three days ago set the next one for yesterday and agreed an action due then.
  await page.getByRole("link", { name: /Nouvelle visite/ }).click();
  await hydrated(page);
  await page.getByLabel("Par téléphone").check();
  await page.getByLabel("Date de la visite").fill(visited);
  await page.getByLabel(/Prochaine visite prévue/).fill(due);
  await page.getByLabel("Observations").fill(`Visite ${stamp}`);
  await page.getByLabel(/Actions décidées/).fill(action);
  await page.getByRole("button", { name: "Enregistrer et soumettre" }).click();
  await savedThenBack(page);
  // A member's form left half typed.
  await page.getByRole("link", { name: /Inscrire un membre|Ajouter un membre/ }).first().click();
  await hydrated(page);
  await page.locator("#f-full_name").fill(`Membre ${stamp}`);
  await expect(page.locator(".draft-note")).toBeVisible({ timeout: 10_000 });

  const today = await home(page);
  const actionLine = today.locator(".today-list li", { hasText: action });
  await expect(actionLine).toContainText(`Avant le ${frDay(due)}`);
  await expect(actionLine).toContainText(title);
  await expect(actionLine.locator(".overdue-tag")).toHaveText(/En retard/);
  const visitLine = today.locator(".today-list li", { hasText: `Visite prévue le ${frDay(due)}` }).filter({ hasText: title });
  await expect(visitLine.locator(".overdue-tag")).toHaveText(/En retard/);
  await expect(today.locator(".today-group", { hasText: "Formulaires non enregistrés" })).toContainText("Membre, gardé à");
  await expect(today.locator(".today-waiting")).toContainText("saisie(s) attendent le réseau");
  // No demo project at risk has been hidden: every flagged card is on the day.
  const flagged = await page.locator(".card.flagged").count();
  await expect(today.locator(".today-group", { hasText: "Risques sur vos projets" }).locator("li")).toHaveCount(flagged);

  // Each line opens where to act: the visit due opens a new visit of that project.
  await visitLine.getByRole("link").click();
  await expect(page).toHaveURL(`${projectUrl}/visits/new`);
  await hydrated(page);
  await page.goto("/");
  await hydrated(page);
  await page.locator("section.today .today-group", { hasText: "Formulaires non enregistrés" }).getByRole("link").click();
  await expect(page).toHaveURL(/\/members\/new$/);
  await hydrated(page);
  await expect(page.locator("#f-full_name")).toHaveValue(`Membre ${stamp}`);
  await context.close();
  rmSync(dir, { recursive: true, force: true });
});

test("a supervisor's home says what waits for review and links to it", async ({ page }) => {
  await page.goto("/login");
  await hydrated(page);
  await page.getByLabel("Adresse e-mail").fill(LOGINS.supervisor);
  await page.getByLabel("Mot de passe").fill(PASSWORD);
  await page.getByRole("button", { name: "Se connecter" }).click();
  await hydrated(page);
  const today = page.locator("section.today");
  await expect(today.getByRole("heading", { level: 2 })).toHaveText("À relire");
  // The count the line gives is the review queue's: visits, entries, members, milestones and
  // values submitted in her incubators, as the review page lists them.
  const waiting = today.locator("a[href='/review']").first();
  await expect(waiting).toContainText(/\d+ saisie\(s\) attendent votre relecture/);
  const said = Number((await waiting.textContent())!.match(/(\d+) saisie/)![1]);
  expect(said).toBeGreaterThan(0);
  await waiting.click();
  await expect(page).toHaveURL(/\/review$/);
  await hydrated(page);
  await expect(page.locator("article.review-item")).toHaveCount(said, { timeout: 20_000 });
});

test("the day comes with the page: the server draws it, and the phone's own takes its place without moving the projects", async ({ page }) => {
  await signIn(page, "facilitator");
  // What the server sends, before any code runs: the day, with lines to act on.
  const html = await (await page.request.get("/")).text();
  const served = html.match(/<div class="today-early">[\s\S]*?<\/section>/)?.[0] ?? "";
  expect(served).toMatch(/<section [^>]*class="today"/);
  expect((served.match(/<li>/g) ?? []).length).toBeGreaterThan(0);

  // Where the first project is when the page arrives, and the lines the server drew.
  await page.addInitScript(() => {
    addEventListener("load", () => {
      const w = window as any;
      w.__early = !!document.querySelector(".today-early");
      w.__firstCardTop = document.querySelector(".card")?.getBoundingClientRect().top;
      w.__serverLines = [...document.querySelectorAll(".today-early .today-list li")].map((li) => li.textContent);
    });
  });
  await page.goto("/");
  await hydrated(page);
  // The phone's panel has taken the server's place (the phone holds her data: she signed in).
  await expect(page.locator(".today-early")).toHaveCount(0, { timeout: 20_000 });
  await expect(page.locator(".sync-count")).toHaveText(/Tout est envoyé/, { timeout: 30_000 });
  const phoneLines = await page.locator("section.today .today-list li").allTextContents();
  expect(await page.evaluate(() => (window as any).__early), "the server's day, laid out with the page").toBe(true);
  const serverLines = await page.evaluate(() => (window as any).__serverLines as string[]);
  expect(serverLines.length).toBeGreaterThan(0);
  expect(phoneLines).toEqual(serverLines);
  const top = await page.locator(".card").first().evaluate((e) => e.getBoundingClientRect().top);
  expect(top).toBe(await page.evaluate(() => (window as any).__firstCardTop));
});

test("the projects the server drew are the ones the page keeps: nothing of them is drawn again once the page runs", async ({ page }) => {
  await signIn(page, "facilitator");
  // Every change to the list of projects once the app has taken the page over, and its first
  // card as the server sent it.
  await page.addInitScript(() => {
    const w = window as any;
    w.__listChanges = [];
    new MutationObserver((records) => {
      for (const r of records) {
        const at = r.target instanceof Element ? r.target : r.target.parentElement;
        if (w.__athar_ready && at?.closest("ul.cards")) w.__listChanges.push(`${r.type} ${r.attributeName ?? ""} ${at.tagName}`);
      }
    }).observe(document, { childList: true, subtree: true, attributes: true, characterData: true });
    addEventListener("DOMContentLoaded", () => (w.__firstCard = document.querySelector(".card")));
  });
  await page.goto("/");
  await hydrated(page);
  await expect(page.locator(".today-early")).toHaveCount(0, { timeout: 20_000 });
  await expect(page.locator(".sync-count")).toHaveText(/Tout est envoyé/, { timeout: 30_000 });
  // Whatever the page still does once it has started (the phone's own projects, the day).
  await page.waitForTimeout(1_000);
  expect(await page.evaluate(() => (window as any).__listChanges), "the list drawn again").toEqual([]);
  expect(await page.evaluate(() => (window as any).__firstCard === document.querySelector(".card")), "the server's first card").toBe(true);
  // The server's cards are the page's: all there, the button to register beside them, and a
  // card opens its project inside the app (the page is not loaded again).
  const served = ((await (await page.request.get("/")).text()).match(/<li class="card/g) ?? []).length;
  expect(served).toBeGreaterThan(0);
  await expect(page.locator("li.card")).toHaveCount(served);
  await expect(page.getByRole("link", { name: /Enregistrer un projet/ })).toBeVisible();
  await page.evaluate(() => ((window as any).__samePage = true));
  const first = page.locator("li.card a").first();
  const title = (await first.textContent()) ?? "";
  await first.click();
  await expect(page).toHaveURL(/\/projects\/[0-9a-f-]+$/);
  await expect(page.locator("h1")).toContainText(title.trim());
  expect(await page.evaluate(() => (window as any).__samePage), "the project opened inside the app").toBe(true);
});
