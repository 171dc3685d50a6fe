import { expect, test } from "@playwright/test";
import { hydrated, signIn } from "./helpers";
import { readFileSync } from "node:fs";

test("the team exports a form, a broken new version is refused with its errors located, a fixed one is published", async ({ page }) => {
  await signIn(page, "team");
  await page.getByRole("link", { name: "Formulaires" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Formulaires");
  await hydrated(page);
  const visitForm = page.locator(".forms li", { hasText: "coaching_visit" });
  await expect(visitForm).toContainText("Visite d'accompagnement");
  await expect(page.locator(".forms li")).toHaveCount(5);

  // Export the definition in use.
  const download = page.waitForEvent("download");
  await visitForm.getByRole("button", { name: /Exporter la définition/ }).click();
  const file = await (await download).path();
  const form = JSON.parse(readFileSync(file, "utf8"));
  expect(form.id).toBe("coaching_visit");
  const next = form.version + 1;

  // A new version whose display condition reads a field that does not exist: refused, located.
  const broken = { ...form, version: next, fields: form.fields.map((f: any) => (f.name === "difficulties" ? { ...f, relevant: "${humeur} = 'bonne'" } : f)) };
  const publish = async (definition: object) => {
    await page.getByLabel("Fichier de définition (JSON)").setInputFiles({
      name: "visite.json",
      mimeType: "application/json",
      buffer: Buffer.from(JSON.stringify(definition)),
    });
    await page.getByRole("button", { name: "Publier" }).click();
  };
  await publish(broken);
  const errors = page.locator(".definition-errors li");
  await expect(errors).toHaveCount(1);
  await expect(errors).toHaveText("difficulties : la condition d'affichage lit « humeur », qui n'existe pas");
  await expect(visitForm).toContainText(`Version ${form.version} en service`);

  // Fixed: published, and the list shows the new version with the old one kept.
  await publish({ ...form, version: next });
  await expect(page.getByRole("status").filter({ hasText: `Version ${next} de « coaching_visit » publiée` })).toBeVisible();
  await expect(visitForm).toContainText(`Version ${next} en service · ${next} version(s) gardée(s)`);

  // The same number again is refused, and says which is the latest.
  await publish({ ...form, version: next });
  await expect(page.getByRole("alert")).toContainText(`la dernière est la ${next}`);
});
