import { expect, Locator, Page, test } from "@playwright/test";
import { countInDatabase, countRows, hydrated, recordVisit, signIn, setLanguage, smallPhoto } from "./helpers";

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

test("Arabic, French and digits in one observation are kept and shown as typed, in their own direction, in French and in Arabic", async ({ page }) => {
  const typed = `نخلة دقلة نور Kébili 2026 : 3 صناديق, 45 kg (${Date.now().toString(36)})`;
  await signIn(page, "facilitator");
  // The last of her projects: the first one's timeline is what other tests read.
  await page.locator(".card-title a").last().click();
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

test("a member's name and a photo's caption in Arabic, French and digits are kept and shown as typed, in their own direction, in French and in Arabic", async ({ page, context }) => {
  const stamp = Date.now().toString(36);
  const name = `فاطمة Ben Salah 2 ${stamp}`;
  const caption = `مضخة شمسية Douz, 3 kW (${stamp})`;
  await signIn(page, "facilitator");
  await page.locator(".card-title a").last().click();
  await expect(page).toHaveURL(/\/projects\//);
  await hydrated(page);
  await expect(page.locator(".sync-count")).toHaveText(/Tout est envoyé/, { timeout: 20_000 });
  const projectUrl = page.url();

  // A member: the name field isolates its direction as she types.
  await page.getByRole("link", { name: /Inscrire un membre/ }).click();
  await hydrated(page);
  const nameField = page.getByLabel("Nom et prénom");
  await expect(nameField).toHaveAttribute("dir", "auto");
  await nameField.fill(name);
  await page.getByRole("group", { name: "Sexe" }).getByLabel("Femme").check();
  await page.getByLabel("Année de naissance").fill("1990");
  await page.getByRole("group", { name: "Rôle dans le projet" }).getByLabel("Membre", { exact: true }).check();
  await page.getByRole("group", { name: /accepte que ses réponses/ }).getByLabel("Non").check();
  await page.getByRole("button", { name: "Enregistrer le membre" }).click();
  await expect(page).toHaveURL(projectUrl);
  await hydrated(page);

  // A visit with a photo and its caption.
  await page.getByRole("link", { name: /Nouvelle visite/ }).click();
  await hydrated(page);
  await page.getByLabel("Par téléphone").check();
  await page.getByLabel("Observations").fill(`Visite ${stamp}`);
  const photo = await smallPhoto(page, Date.now() % 100_000);
  await page.locator("#files-add-file").setInputFiles([{ name: "pompe.jpg", mimeType: "image/jpeg", buffer: photo }]);
  const file = page.locator(".attachments .file");
  await expect(file).toHaveCount(1, { timeout: 20_000 });
  const captionField = file.getByLabel(/Légende/);
  await expect(captionField).toHaveAttribute("dir", "auto");
  await captionField.fill(caption);
  await file.getByLabel("Non", { exact: true }).check();
  await page.getByRole("button", { name: "Enregistrer et soumettre" }).click();
  await expect(page).toHaveURL(projectUrl);
  await expect(page.locator(".sync-count")).toHaveText(/Tout est envoyé/, { timeout: 30_000 });

  // Stored as typed: the database finds each by the very string.
  const members = countRows(`select count(*) from members where full_name = '${name}'`);
  if (members !== null) expect(members).toBe(1);
  const visits = countRows(`select count(*) from visits where files like '%${caption.replace(/[()]/g, "_")}%'`);
  if (visits !== null) expect(visits).toBe(1);

  for (const lang of ["fr", "ar"] as const) {
    await setLanguage(page, lang);
    await page.goto(projectUrl);
    await hydrated(page);
    const shownName = page.locator(".members li strong bdi", { hasText: name });
    await expect(shownName).toHaveCount(1);
    expect(await shownName.textContent()).toBe(name);
    expect(await isolated(shownName), `the name shown in ${lang}`).toBe(true);
    const shownCaption = page.locator(".evidence p", { hasText: caption }).first();
    await expect(shownCaption).toBeVisible();
    expect(await shownCaption.textContent()).toBe(caption);
    expect(await isolated(shownCaption), `the caption shown in ${lang}`).toBe(true);
  }
});
