import { Page, expect, test } from "@playwright/test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { axe, countInDatabase, hydrated, killBrowser, lastProjectReady, launch, openSignedIn, outboxKeys, setLanguage, smallPhoto } from "./helpers";

// A form is kept on the phone as it is typed. Android kills the tab (here: the whole browser,
// SIGKILL) while she answers a call in the middle of a visit: reopened, the form is as she left
// it, photo and unanswered question included, and says since when it was kept.

const KEPT = { fr: "Brouillon gardé sur ce téléphone à", ar: "مسودة محفوظة على هذا الهاتف" };
const UNSAVED = { fr: "Formulaires non enregistrés", ar: "استمارات غير محفوظة" };

for (const lang of ["fr", "ar"] as const) {
  test(`a visit half typed, the browser killed: relaunched, the form is as it was (${lang})`, async ({}, testInfo) => {
    test.setTimeout(150_000);
    const dir = mkdtempSync(join(tmpdir(), "athar-draft-"));
    let [context, page] = await launch(dir, testInfo);
    const projectUrl = await lastProjectReady(page);
    const typed = `نخلة دقلة نور Kébili ${lang} ${Date.now().toString(36)} : 3 صناديق`;
    const photo = await smallPhoto(page, Date.now() % 100_000);

    await setLanguage(page, lang);
    await context.setOffline(true);
    await page.goto(projectUrl);
    await hydrated(page);
    await page.locator('a[href$="/visits/new"]').click();
    await hydrated(page);
    await page.locator('input[type="radio"][value="phone"]').check();
    await page.locator("textarea#f-observations").fill(typed);
    await page.locator("#files-add-file").setInputFiles([{ name: "pompe.jpg", mimeType: "image/jpeg", buffer: photo }]);
    await expect(page.locator(".attachments .file")).toHaveCount(1, { timeout: 20_000 });
    // The form with a photo in it, its question waiting: no axe violation at 360 px.
    await axe(page, `visit form with a photo (${lang})`);
    // On disk, then said: only then is the browser killed.
    await expect(page.locator(".draft-note")).toContainText(KEPT[lang], { timeout: 10_000 });
    await expect(page.locator(".draft-note")).toContainText(/\d\d:\d\d/);
    // Typing goes on; what is kept follows within about a second.
    await page.locator("textarea#f-observations").fill(`${typed} — suite`);
    await expect
      .poll(async () => (await draftsOnDisk(page)).some((d) => d.answers?.observations === `${typed} — suite`), { timeout: 5_000 })
      .toBe(true);
    await killBrowser(dir);

    [context, page] = await launch(dir, testInfo);
    // The session cookie may not have survived the kill: sign in again if asked, then offline.
    await openSignedIn(page, projectUrl);
    await setLanguage(page, lang);
    await context.setOffline(true);
    await page.goto(projectUrl);
    await hydrated(page);
    // The project page lists the form left unsaved.
    const unsaved = page.locator("section.drafts");
    await expect(unsaved.getByRole("heading", { level: 2 })).toHaveText(UNSAVED[lang]);
    await unsaved.locator("a.draft-link").first().click();
    await expect(page).toHaveURL(/\/visits\/new$/);
    await hydrated(page);
    await expect(page.locator("textarea#f-observations")).toHaveValue(`${typed} — suite`);
    await expect(page.locator('input[type="radio"][value="phone"]')).toBeChecked();
    await expect(page.locator(".draft-note")).toContainText(KEPT[lang]);
    // The photo is there, and its people question still waits.
    const item = page.locator(".attachments .file");
    await expect(item).toHaveCount(1);
    await expect(item.locator("img")).toBeVisible();
    expect(await item.locator('input[type="radio"]:checked').count()).toBe(0);
    await item.locator('input[type="radio"]').first().check();

    // Saved: the draft goes with the save, in the same transaction.
    await page.locator("form.visit-form button[type=submit]").click();
    await expect(page).not.toHaveURL(/\/visits\//);
    await hydrated(page);
    expect((await outboxKeys(page)).filter((k) => k.includes("/draft/"))).toEqual([]);
    expect((await outboxKeys(page)).filter((k) => k.includes("/m/")).length).toBeGreaterThan(0);
    await expect(page.locator("section.drafts")).toHaveCount(0);

    // Online, it leaves the phone once, as any entry.
    await context.setOffline(false);
    await expect.poll(async () => (await outboxKeys(page)).filter((k) => k.includes("/m/")).length, { timeout: 30_000 }).toBe(0);
    const stored = countInDatabase(`${typed} — suite`);
    if (stored !== null) expect(stored).toBe(1);
    await context.close();
    rmSync(dir, { recursive: true, force: true });
  });
}

test("a new milestone half typed comes back after a reload, and Discard empties it and removes it from the phone", async ({}, testInfo) => {
  test.setTimeout(90_000);
  const dir = mkdtempSync(join(tmpdir(), "athar-draft-"));
  const [context, page] = await launch(dir, testInfo);
  const projectUrl = await lastProjectReady(page);
  const label = `Première vente au souk ${Date.now().toString(36)}`;
  await context.setOffline(true);
  const form = page.locator("details.add-milestone");
  await form.locator("summary").click();
  await form.locator("#milestone-label").fill(label);
  await form.locator("#milestone-due").fill("2027-03-15");
  await expect(form.locator(".draft-note")).toContainText(KEPT.fr, { timeout: 10_000 });
  // Kept as typed, and the form keeps what is typed while it keeps it.
  await page.waitForTimeout(1_000);
  await expect(form.locator("#milestone-label")).toHaveValue(label);
  await expect(form.locator("#milestone-due")).toHaveValue("2027-03-15");

  await page.goto(projectUrl);
  await hydrated(page);
  // Opened again, the form unfolds with what was typed.
  await expect(form).toHaveAttribute("open", "");
  await expect(form.locator("#milestone-label")).toHaveValue(label);
  await expect(form.locator("#milestone-due")).toHaveValue("2027-03-15");
  await expect(page.locator("section.drafts a.draft-link")).toContainText("Étape");

  await form.getByRole("button", { name: "Supprimer le brouillon" }).click();
  await expect(form.locator("#milestone-label")).toHaveValue("");
  await expect(form.locator(".draft-note")).toHaveCount(0);
  await expect.poll(async () => (await outboxKeys(page)).filter((k) => k.includes("/draft/"))).toEqual([]);
  // Emptied by hand back to where it started: nothing is kept either.
  await form.locator("summary").click();
  await form.locator("#milestone-label").fill("x");
  await expect(form.locator(".draft-note")).toBeVisible({ timeout: 10_000 });
  await form.locator("#milestone-label").fill("");
  await expect(form.locator(".draft-note")).toHaveCount(0, { timeout: 10_000 });
  await expect.poll(async () => (await outboxKeys(page)).filter((k) => k.includes("/draft/"))).toEqual([]);
  await context.close();
  rmSync(dir, { recursive: true, force: true });
});

test("a milestone's proof chosen and not yet attached comes back after a reload, then joins the milestone", async ({}, testInfo) => {
  test.setTimeout(90_000);
  const dir = mkdtempSync(join(tmpdir(), "athar-draft-"));
  const [context, page] = await launch(dir, testInfo);
  const projectUrl = await lastProjectReady(page);
  const label = `Four solaire installé ${Date.now().toString(36)}`;
  const photo = await smallPhoto(page, Date.now() % 100_000);
  await context.setOffline(true);
  const add = page.locator("details.add-milestone");
  await add.locator("summary").click();
  await add.locator("#milestone-kind").selectOption("other");
  await add.locator("#milestone-label").fill(label);
  await add.getByRole("button", { name: "Ajouter l'étape" }).click();
  const milestone = page.locator("ul.milestones li", { hasText: label });
  await expect(milestone).toHaveCount(1);
  const proof = milestone.locator("details.milestone-proof");
  await proof.locator("summary").click();
  await proof.locator('input[type="file"][accept*="pdf"]').setInputFiles([{ name: "four.jpg", mimeType: "image/jpeg", buffer: photo }]);
  await expect(proof.locator(".attachments .file")).toHaveCount(1, { timeout: 20_000 });
  await expect(proof.locator(".draft-note")).toContainText(KEPT.fr, { timeout: 10_000 });

  await page.goto(projectUrl);
  await hydrated(page);
  await expect(proof).toHaveAttribute("open", "");
  await expect(proof.locator(".attachments .file")).toHaveCount(1);
  await expect(page.locator("section.drafts a.draft-link")).toContainText("Preuve d'une étape");
  // The people question still waits, as it was left.
  await proof.getByRole("button", { name: "Enregistrer la preuve" }).click();
  await expect(proof.locator(".attachments .field-error")).toHaveText(/Dites pour chaque photo/);
  await proof.locator(".attachments .file").getByLabel("Non", { exact: true }).check();
  await proof.getByRole("button", { name: "Enregistrer la preuve" }).click();
  await expect(milestone.locator(".evidence img")).toHaveCount(1, { timeout: 10_000 });
  await expect.poll(async () => (await draftsOnDisk(page)).filter((d) => d.form === "proof")).toEqual([]);
  await context.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The drafts on disk (every user). */
async function draftsOnDisk(page: Page): Promise<any[]> {
  return page.evaluate(async () => {
    const [keys, values] = await (window as any).athar.db.load();
    return (keys as string[]).map((k, i) => [k, values[i]]).filter(([k]) => k.includes("/draft/")).map(([, v]) => JSON.parse(v));
  });
}

test("an indicator value and a new project's registration, half typed, come back after a reload", async ({}, testInfo) => {
  test.setTimeout(90_000);
  const dir = mkdtempSync(join(tmpdir(), "athar-draft-"));
  const [context, page] = await launch(dir, testInfo);
  const projectUrl = await lastProjectReady(page);
  // The indicator catalogue reaches the phone with the first sync.
  await page.waitForFunction(() => Object.keys(localStorage).some((k) => k.endsWith("/indicators")), null, { timeout: 20_000 });
  await context.setOffline(true);
  await page.goto(projectUrl);
  await hydrated(page);

  const value = page.locator("details.add-value");
  await value.locator("summary").click();
  await value.locator("#f-value").fill("1250");
  await value.locator("#f-evidence").fill("Cahier de caisse, page 12");
  await expect(value.locator(".draft-note")).toContainText(KEPT.fr, { timeout: 10_000 });
  await page.goto(projectUrl);
  await hydrated(page);
  await expect(value).toHaveAttribute("open", "");
  await expect(value.locator("#f-value")).toHaveValue("1250");
  await expect(value.locator("#f-evidence")).toHaveValue("Cahier de caisse, page 12");
  await expect(page.locator("section.drafts a.draft-link")).toContainText("Valeur d'indicateur");

  const title = `Tissage de palmes ${Date.now().toString(36)}`;
  await page.goto("/new-project");
  await hydrated(page);
  await page.locator("#reg-title").fill(title);
  await page.getByLabel("Collectif").check();
  await expect(page.locator(".draft-note")).toContainText(KEPT.fr, { timeout: 10_000 });
  await page.goto("/new-project");
  await hydrated(page);
  await expect(page.locator("#reg-title")).toHaveValue(title);
  await expect(page.getByLabel("Collectif")).toBeChecked();
  // The kind's usual legal form came with it, as chosen when it was typed.
  await expect(page.locator("#reg-legal_form")).toHaveValue("gda");
  await context.close();
  rmSync(dir, { recursive: true, force: true });
});
