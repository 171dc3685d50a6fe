import { execFileSync } from "node:child_process";
import { expect, test } from "@playwright/test";
import ExcelJS from "exceljs";
import { hydrated, openFirstProject, serviceWorkerReady, signIn } from "./helpers";

// Impact measurement on the phone: each project's indicators with baseline, target, latest value
// and progress, read and entered offline, checked as the server will check them.

test("offline, a facilitator enters a quarter's jobs with their breakdown; the progress changes at once; synced, the supervisor validates it; the dashboard and its workbook count it", async ({ page, context, browser }) => {
  await signIn(page, "facilitator");
  await serviceWorkerReady(page);
  await page.waitForFunction(() => Object.keys(localStorage).some((k) => k.endsWith("/indicators")), null, { timeout: 20_000 });
  await openFirstProject(page);
  const projectId = new URL(page.url()).pathname.split("/")[2];
  await context.setOffline(true);

  const section = page.locator("section[aria-labelledby='indicators-title']");
  await expect(section.getByRole("heading", { level: 2 })).toHaveText("Indicateurs");
  const jobs = section.locator("li.indicator", { hasText: "SOC-01" });
  await expect(jobs).toContainText("Objectif");
  // Until a value is entered, the jobs are counted from the members on the phone.
  await expect(jobs.locator("dl div", { hasText: "Dernière valeur" }).locator("dd")).toHaveText(/ FTE \(\d{4}-Q[1-4]\)$/);
  await expect(jobs).toContainText("Dernière valeur calculée à partir des membres ou des visites enregistrés.");

  await section.getByText("Saisir une valeur").click();
  await section.getByLabel("Indicateur").selectOption("SOC-01");
  const period = await section.getByLabel("Période").inputValue();
  expect(period).toMatch(/^\d{4}-Q[1-4]$/);
  // Women and men must add up to the value.
  await section.getByLabel(/^Valeur/).fill("1,5");
  await section.getByLabel("Femmes", { exact: true }).fill("1");
  await section.getByLabel("Hommes", { exact: true }).fill("1");
  await section.getByRole("button", { name: "Enregistrer la valeur" }).click();
  await expect(section.locator("#value-error")).toHaveText("La somme des femmes et des hommes doit égaler la valeur.");
  await section.getByLabel("Hommes", { exact: true }).fill("0,5");
  await section.getByLabel(/Justificatif/).fill("Contrats de Salma et d'une saisonnière");
  await section.getByRole("button", { name: "Enregistrer la valeur" }).click();
  await expect(section.getByRole("status")).toContainText("Enregistré sur ce téléphone");

  await expect(jobs.locator("dl div", { hasText: "Dernière valeur" }).locator("dd")).toHaveText(`1,5 FTE (${period})`);
  await expect(jobs).not.toContainText("Dernière valeur calculée");
  await expect(jobs.locator("dl div", { hasText: "Avancement" }).locator("dd")).toContainText("en progression");
  await expect(jobs).toContainText("Enregistré sur ce téléphone");

  await context.setOffline(false);
  await page.getByRole("button", { name: /Envoyer maintenant/ }).click();
  await expect(page.locator(".sync-count")).toHaveText(/Tout est envoyé/, { timeout: 20_000 });
  await expect(jobs).not.toContainText("Enregistré sur ce téléphone");
  // The supervisor validates it from the review queue; the phone learns it at the next sync.
  const tablet = await browser.newContext({ viewport: { width: 800, height: 1280 }, locale: "fr-FR" });
  const supervisor = await tablet.newPage();
  await signIn(supervisor, "supervisor");
  // Before validation, the project's dashboard says a value waits and does not count it.
  const dashboard = `/dashboard?level=project&id=${projectId}&year=${period.slice(0, 4)}`;
  await supervisor.goto(dashboard);
  await expect(supervisor.locator("p.note")).toContainText("1 valeur(s) envoyée(s) attendent la validation");
  await supervisor.goto("/review");
  await hydrated(supervisor);
  const card = supervisor.locator("article.review-item", { hasText: `SOC-01 · ${period}` }).first();
  await expect(card.locator("dl")).toContainText("Contrats de Salma");
  await card.getByRole("button", { name: "Valider" }).click();
  await expect(card.getByRole("status")).toContainText("Saisie validée.");

  // Validated, it counts: the entered value replaces the one computed from the registry, and
  // its breakdown by sex is too small to show.
  await supervisor.goto(dashboard);
  await expect(supervisor.locator("p.note")).toHaveCount(0);
  const panel = supervisor.locator("article.panel", { hasText: "SOC-01" });
  await expect(panel.locator("dd.latest")).toHaveText(`1,5 FTE (${period})`);
  await expect(panel.locator("table.breakdown", { hasText: "Par sexe" })).toContainText("Femmes<5");
  await expect(panel.getByRole("img")).toHaveAccessibleName(/^Emplois créés \(ETP\) : chaque période de \d{4}/);
  await panel.getByText("Voir les chiffres en tableau").click();
  await expect(panel.locator("details table tr", { hasText: period })).toContainText("1,5 FTE");

  // The workbook of this dashboard holds the same cells.
  const [download] = await Promise.all([
    supervisor.waitForEvent("download"),
    supervisor.getByRole("link", { name: "classeur par niveau (XLSX)" }).click(),
  ]);
  const book = new ExcelJS.Workbook();
  await book.xlsx.readFile(await download.path());
  expect(book.worksheets.map((w) => w.name)).toEqual(["project", "long"]);
  const sheet = book.getWorksheet("project")!;
  const header = (sheet.getRow(1).values as unknown[]).map(String);
  const column = header.indexOf(period);
  expect(column).toBeGreaterThan(0);
  let jobsRow = 0;
  sheet.eachRow((row, n) => {
    if (row.getCell(2).value === "SOC-01") jobsRow = n;
  });
  expect(sheet.getRow(jobsRow).getCell(3).value).toBe("Emplois créés (ETP)");
  expect(sheet.getRow(jobsRow).getCell(column).value).toBe(1.5);
  const long = book.getWorksheet("long")!;
  const women: unknown[][] = [];
  long.eachRow((row) => {
    const v = row.values as unknown[];
    if (v[4] === "SOC-01" && v[7] === period && v[9] === "female") women.push(v);
  });
  expect(women).toHaveLength(1);
  expect(women[0][10]).toBeUndefined();
  expect(women[0][11]).toBe("<5");
  await tablet.close();
  await page.getByRole("button", { name: /Envoyer maintenant/ }).click();
  await expect(jobs.locator(".review-note")).toContainText("Validé par", { timeout: 20_000 });

  const db = process.env.ATHAR_DB;
  if (db) {
    const row = execFileSync("sqlite3", [db, `select value || ' ' || status || ' ' || source from indicator_values where indicator = 'SOC-01' and period = '${period}'`]).toString().trim();
    expect(row).toBe("1500 validated record");
  }
});
