import AxeBuilder from "@axe-core/playwright";
import { expect, test } from "@playwright/test";
import { hydrated, signIn, openMenu } from "./helpers";

// The programme team's indicator page: reporting periods (lock, reopen only with a reason),
// targets (a programme target the dashboard then measures against), and the catalogue (export,
// an import with errors refused and located, a good one published).

test("the team locks a period and reopens it only with a reason", async ({ page }) => {
  await signIn(page, "team");
  await openMenu(page);
  await page.getByRole("link", { name: "Indicateurs" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Indicateurs : périodes, objectifs, catalogue");
  await hydrated(page);

  const periods = page.locator("section[aria-labelledby='periods-title']");
  await periods.getByLabel("Période").fill("2025-q1");
  await periods.getByLabel("Statut").selectOption("locked");
  await periods.getByRole("button", { name: "Appliquer" }).click();
  await expect(periods.getByRole("status")).toHaveText(/Période 2025-Q1 : verrouillée\./);
  await expect(periods.locator("table tr", { hasText: "2025-Q1" })).toContainText("verrouillée");

  // Reopening without a reason is refused on the reason field; nothing changes.
  await periods.getByLabel("Statut").selectOption("open");
  await periods.getByRole("button", { name: "Appliquer" }).click();
  await expect(periods.getByRole("alert")).toContainText("Rien n'a été enregistré");
  await expect(periods.locator("#period-reason")).toHaveAttribute("aria-invalid", "true");
  await expect(periods.locator("#period-reason-error")).not.toBeEmpty();
  await expect(periods.locator("table tr", { hasText: "2025-Q1" })).toContainText("verrouillée");

  await periods.getByLabel("Motif").fill("Rapport du bailleur corrigé");
  await periods.getByRole("button", { name: "Appliquer" }).click();
  await expect(periods.getByRole("status")).toHaveText(/Période 2025-Q1 : ouverte\./);
  await page.reload();
  await hydrated(page);
  await expect(page.locator("section[aria-labelledby='periods-title'] table tr", { hasText: "2025-Q1" })).toContainText("Rapport du bailleur corrigé");
});

test("a programme target set by the team is what the programme dashboard measures against", async ({ page }) => {
  await signIn(page, "team");
  await page.goto("/catalogue");
  await hydrated(page);
  const targets = page.locator("section[aria-labelledby='targets-title']");
  await targets.getByLabel("Indicateur").selectOption("SOC-03");
  await targets.getByLabel("Niveau").selectOption("programme");
  await targets.getByLabel("Situation de départ", { exact: true }).fill("150");
  await targets.getByLabel("Date de la situation de départ").fill("2025-01-01");
  await targets.getByLabel("Objectif", { exact: true }).fill("2027");
  await targets.getByLabel("Date de l'objectif").fill("2024-12-31");
  await targets.getByRole("button", { name: "Enregistrer l'objectif" }).click();
  await expect(targets.locator("#target-on-error")).toContainText("doit suivre");
  await targets.getByLabel("Objectif", { exact: true }).fill("400");
  await targets.getByLabel("Date de l'objectif").fill("2027-12-31");
  // A milestone three months from now.
  const soon = new Date(Date.now() + 90 * 86_400_000).toISOString().slice(0, 10);
  await targets.getByLabel("Étapes intermédiaires").fill(`${soon} 300`);
  await targets.getByRole("button", { name: "Enregistrer l'objectif" }).click();
  await expect(targets.getByRole("status")).toHaveText(/Objectif enregistré/);
  await expect(targets.locator("table.targets tr", { hasText: "SOC-03" })).toContainText("400");
  await expect(targets.locator("table.targets tr", { hasText: "SOC-03" })).toContainText("300");

  // And a target for the women among them (the form starts afresh after a save).
  await targets.getByLabel("Indicateur").selectOption("SOC-03");
  await targets.getByLabel("Partie de la ventilation").selectOption("sex:female");
  await targets.getByLabel("Objectif", { exact: true }).fill("220");
  await targets.getByLabel("Date de l'objectif").fill("2027-12-31");
  await targets.getByRole("button", { name: "Enregistrer l'objectif" }).click();
  await expect(targets.getByRole("status")).toHaveText(/Objectif enregistré/);
  await expect(targets.locator("table.targets tr", { hasText: "SOC-03 · Femmes" })).toContainText("220");

  await page.goto("/dashboard");
  await hydrated(page);
  const people = page.locator("article.panel", { hasText: "SOC-03" });
  await expect(people.locator("table.breakdown", { hasText: "Par sexe" }).locator("tr", { hasText: "Femmes" })).toContainText("220");
  await expect(people.locator("dl div", { hasText: "Objectif" }).locator("dd")).toHaveText("400");
  await expect(people.locator("dl div", { hasText: "Situation de départ" }).locator("dd")).toHaveText("150");
  await expect(people.locator("dl div", { hasText: "Prochaine étape" }).locator("dd")).toContainText("300");
});

test("an import naming an unknown indicator is refused with the error located; a good one is published", async ({ page }) => {
  await signIn(page, "team");
  await page.goto("/catalogue");
  await hydrated(page);
  const exported = await page.request.get("/exports/catalogue.json");
  expect(exported.status()).toBe(200);
  const catalogue = await exported.json();
  expect(catalogue.length).toBeGreaterThanOrEqual(35);
  const compost = catalogue.find((d: { code: string }) => d.code === "ENV-05");
  const section = page.locator("section[aria-labelledby='catalogue-title']");
  const upload = async (definitions: unknown) => {
    await section.getByLabel("Fichier de définitions (JSON)").setInputFiles({
      name: "indicateurs.json",
      mimeType: "application/json",
      buffer: Buffer.from(JSON.stringify(definitions)),
    });
    await section.getByRole("button", { name: "Importer et publier" }).click();
  };

  const broken = {
    ...compost,
    code: "ENV-12",
    version: 1,
    aggregation: { kind: "formula", expression: "${ENV-05} - ${XYZ-01}" },
  };
  await upload([broken]);
  await expect(section.getByRole("alert")).toContainText("Catalogue refusé : rien n'a été publié");
  await expect(section.locator(".definition-errors li")).toHaveText(["ENV-12 · aggregation : indicateur inconnu XYZ-01"]);
  await expect(section.locator("table.catalogue")).not.toContainText("ENV-12");

  const good = {
    ...compost,
    code: "ENV-12",
    version: 1,
    name: { fr: "Compost vendu", ar: "السماد العضوي المباع", en: "Compost sold" },
  };
  await upload([good]);
  await expect(section.getByRole("status")).toHaveText(/Publié : ENV-12 v1\./);
  await expect(section.locator("table.catalogue tr", { hasText: "ENV-12" })).toContainText("Compost vendu");
  // The same version again is refused: a definition changes only by a new version.
  await upload([good]);
  await expect(section.getByRole("alert")).toContainText("ENV-12 : la version importée doit être plus récente que la version 1");
});

test("the team edits an indicator's definition in the page: a formula over an unknown indicator is refused and located, the fixed one is published as the next version", async ({ page }) => {
  await signIn(page, "team");
  await page.goto("/catalogue");
  await hydrated(page);
  const section = page.locator("section[aria-labelledby='catalogue-title']");
  const row = section.locator("table.catalogue tr", { hasText: "ENV-07" });
  const before = Number(await row.locator("td").first().textContent());
  await section.getByLabel("Indicateur", { exact: true }).selectOption("ENV-07");
  const editor = section.locator("form.definition-editor");
  await expect(editor.getByLabel("Nom en français")).toHaveValue("Intrants chimiques utilisés");
  await expect(editor.getByLabel("Nom en arabe")).toHaveAttribute("dir", "rtl");
  const axe = await new AxeBuilder({ page }).include("form.definition-editor").withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]).analyze();
  expect(axe.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`)).toEqual([]);

  // A formula naming an indicator that does not exist: refused, located, nothing published.
  await editor.getByLabel("Calcul des totaux").selectOption({ label: "Formule sur d'autres indicateurs" });
  await editor.getByLabel("Formule", { exact: true }).fill("${ENV-01} / ${XYZ-02}");
  await editor.getByRole("button", { name: `Publier la version ${before + 1} de ENV-07` }).click();
  await expect(section.getByRole("alert")).toContainText("Catalogue refusé : rien n'a été publié");
  await expect(section.locator(".definition-errors li")).toHaveText(["ENV-07 · aggregation : indicateur inconnu XYZ-02"]);
  await expect(row.locator("td").first()).toHaveText(String(before));

  // A unit left empty is said beside it.
  await editor.getByLabel("Calcul des totaux").selectOption({ label: "Moyenne" });
  await editor.getByLabel("Unité").fill("");
  await editor.getByRole("button", { name: /Publier la version/ }).click();
  await expect(editor.locator("#unit-error")).toContainText("Ce champ est obligatoire.");

  // Fixed: published as the next version; the catalogue lists it.
  await editor.getByLabel("Unité").fill("kg/ha/an");
  await editor.getByLabel("Nom en français").fill("Intrants chimiques épandus");
  await editor.getByLabel("Moins, c'est mieux").check();
  await editor.getByRole("button", { name: `Publier la version ${before + 1} de ENV-07` }).click();
  await expect(section.getByRole("status")).toHaveText(new RegExp(`Publié : ENV-07 v${before + 1}\\.`));
  await expect(row).toContainText("Intrants chimiques épandus");
  await expect(row.locator("td").first()).toHaveText(String(before + 1));
  await expect(row).toContainText("kg/ha/an");
  const exported = await (await page.request.get("/exports/catalogue.json")).json();
  const inputs = exported.find((d: { code: string }) => d.code === "ENV-07");
  expect([inputs.version, inputs.unit, inputs.direction, inputs.aggregation.kind]).toEqual([before + 1, "kg/ha/an", "down", "average"]);
});
