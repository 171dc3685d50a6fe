import { Browser, Page, expect, test } from "@playwright/test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { axe, countRows, hydrated, signIn, chooseLanguage } from "./helpers";

// The programme run through the pages, in French and in Arabic: the team (1280 px) adds a funding
// line and two facilitators, imports the projects its spreadsheet gives the first one under that
// funder, takes one project off the funder, reads the dashboard narrowed to the funder, and moves
// one chosen project to the second facilitator. The first facilitator's phone (360 px) opens her
// code, chooses her password, finds the projects left to her with their funder, and records a
// visit the supervisor validates. Then her account is disabled while a second visit waits on the
// phone: the phone exports it, and the team imports the file once.

const quoted = (s: string) => s.replace(/'/g, "''");
const escaped = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

type Lang = "fr" | "ar";
type Words = (key: string, vars?: Record<string, string | number>) => string;

/** The app's own words in `lang`, from its locale files, with `{{ name }}` filled in. */
function words(lang: Lang): Words {
  const table: Record<string, string> = JSON.parse(readFileSync(join(__dirname, `../../app/locales/${lang}.json`), "utf8"));
  return (key, vars = {}) => {
    const text = table[key];
    if (text === undefined) throw new Error(`no "${key}" in ${lang}.json`);
    return text.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, name) => String(vars[name]));
  };
}

const LANGUAGE = { fr: "Français", ar: "العربية" } as const;
const INCUBATOR = "Incubateur de proximité Oasis Vertes (fictif)";

const PEOPLE = {
  fr: { funder: "Fonds Joud", hind: "Hind Saïdi", sana: "Sana Jridi", title: "Séchage de dattes", note: "Visite de suivi" },
  ar: { funder: "صندوق جود", hind: "هند السعيدي", sana: "سناء الجريدي", title: "تجفيف التمور", note: "زيارة متابعة" },
};

async function speak(page: Page, lang: Lang) {
  await chooseLanguage(page, LANGUAGE[lang]);
  await hydrated(page);
  await expect(page.locator("html")).toHaveAttribute("lang", lang);
}

/** A new device whose browser speaks `locale` (the app follows it until a language is chosen). */
async function device(browser: Browser, locale: string, width: number, height: number) {
  const context = await browser.newContext({ viewport: { width, height }, locale, acceptDownloads: true });
  return context.newPage();
}

/** A visit recorded on the phone, from the project page: saved, then the project page again. */
async function recordVisit(phone: Page, t: Words, note: string) {
  await phone.getByRole("link", { name: new RegExp(escaped(t("new_visit"))) }).click();
  await hydrated(phone);
  await phone.getByLabel(t("mode_phone")).check();
  await phone.getByLabel(t("topic_marketing")).check();
  await phone.getByLabel(t("observations")).fill(note);
  await phone.getByRole("button", { name: t("save_submit") }).click();
  const said = new RegExp(`${escaped(t("saved_on_phone"))}|${escaped(t("sent_to_server"))}`);
  await expect(phone).not.toHaveURL(/\/visits\//);
  await expect(phone.locator("main .notice.success")).toHaveText(said);
}

for (const lang of ["fr", "ar"] as const) {
  test(`${lang}: the team sets up a funder, two facilitators and their projects; the facilitator records, is reviewed, moves on, and loses nothing`, async ({ page, browser }) => {
    test.setTimeout(180_000);
    const t = words(lang);
    const stamp = Date.now().toString(36);
    const names = PEOPLE[lang];
    const funder = `${names.funder} ${stamp}`;
    const hind = { name: `${names.hind} ${stamp}`, email: `hind.${lang}.${stamp}@example.tn` };
    const sana = { name: `${names.sana} ${stamp}`, email: `sana.${lang}.${stamp}@example.tn` };
    const codes = [1, 2, 3].map((n) => `P${lang.toUpperCase()}-${stamp.toUpperCase()}-${n}`);
    const titles = [1, 2, 3].map((n) => `${names.title} ${n} ${stamp}`);
    const notes = [1, 2].map((n) => `${names.note} ${n} ${stamp}`);
    const status = page.locator("main .notice[role=status]");

    await page.setViewportSize({ width: 1280, height: 900 });
    await signIn(page, "team");
    await speak(page, lang);

    // The funding line, on the organisations page.
    await page.getByRole("link", { name: t("nav_organisations"), exact: true }).click();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(t("setting_title"));
    await hydrated(page);
    const orgs = page.locator("section", { has: page.getByRole("heading", { name: t("setting_organisations"), exact: true }) });
    await orgs.getByLabel(t("setting_name"), { exact: true }).fill(funder);
    await orgs.getByLabel(t("setting_kind")).selectOption("funder");
    await orgs.getByRole("button", { name: t("setting_save_organisation") }).click();
    await expect(orgs.locator("tbody tr", { hasText: funder })).toContainText(t("org_funder"));

    // Two facilitators of one incubator, each with a sign-in code to hand over.
    await page.getByRole("link", { name: t("nav_people"), exact: true }).click();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(t("people_title"));
    await hydrated(page);
    const links: string[] = [];
    for (const person of [hind, sana]) {
      await page.getByLabel(t("person_name")).fill(person.name);
      await page.getByLabel(t("email")).fill(person.email);
      await page.getByLabel(t("people_role")).selectOption("facilitator");
      await page.getByLabel(t("people_incubator"), { exact: true }).selectOption({ label: INCUBATOR });
      await page.getByRole("button", { name: t("people_add") }).click();
      const panel = page.locator(".sign-in-code");
      await expect(panel.getByRole("heading")).toContainText(person.name);
      links.push((await panel.locator("figcaption a").textContent())!.trim());
    }
    await axe(page, `people with a sign-in code ${lang}`);

    // The spreadsheet gives Hind three projects under the funder.
    const projects = [
      "Code du dossier;Intitulé;Type;Filière;Localité;Incubateur;E-mail de l'animateur;Forme juridique;Formation;Vague d'appel;Bailleur;Date de démarrage;Subvention (DT)",
      ...codes.map((code, i) => `${code};${titles[i]};individuel;DAT;Kébili;${INCUBATOR};${hind.email};sole_trader;cefe_sse;3;${funder};01/02/2026;8 000`),
    ].join("\n");
    const members = [
      "Code du dossier;Nom et prénom;Sexe;Année de naissance;Rôle;Date d'adhésion;Téléphone;Consentement",
      `${codes[1]};Leila Ben Amor ${stamp};Femme;1991;promoter;2026-02-01;98123456;non`,
    ].join("\n");
    const file = (name: string, text: string) => ({ name, mimeType: "text/csv", buffer: Buffer.from(text, "utf8") });
    await page.getByRole("link", { name: t("nav_import"), exact: true }).click();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(t("sheet_title"));
    await hydrated(page);
    await page.getByLabel(t("sheet_files")).setInputFiles([file("projets.csv", projects), file("membres.csv", members)]);
    await page.getByRole("button", { name: t("sheet_check") }).click();
    await expect(status).toContainText(t("sheet_projects_tally", { new: 3, changed: 0, same: 0 }));
    await axe(page, `import checked ${lang}`);
    await page.getByRole("button", { name: t("sheet_apply"), exact: true }).click();
    await expect(status).toContainText(t("sheet_done"));
    const funded = `select count(*) from projects p join organisations o on o.id = p.funder_id where o.name = '${quoted(funder)}'`;
    expect(countRows(funded) ?? 3).toBe(3);

    // The third project comes off the funder, on its page.
    await page.goto("/");
    await hydrated(page);
    await page.locator(".card-title a", { hasText: titles[2] }).click();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(titles[2]);
    await hydrated(page);
    await expect(page.locator("dl.facts div", { hasText: t("funder") }).locator("dd")).toHaveText(funder);
    await page.getByLabel(t("funder"), { exact: true }).selectOption({ label: t("funder_none") });
    await page.getByRole("button", { name: t("assignment_save") }).click();
    await expect(page.locator("form.assignment [role=status]")).toContainText(t("assignment_saved"));
    expect(countRows(funded) ?? 2).toBe(2);

    // The dashboard narrowed to the funder counts its two projects, and its exports follow.
    await page.goto("/dashboard");
    await hydrated(page);
    const funders = page.getByRole("navigation", { name: t("funder") });
    await expect(funders.getByRole("link", { name: t("dash_all_funders") })).toHaveAttribute("aria-current", "page");
    await funders.getByRole("link", { name: funder }).click();
    await expect(page.locator("#dash-scope")).toContainText(funder);
    await expect(funders.getByRole("link", { name: funder })).toHaveAttribute("aria-current", "page");
    await expect(page.locator("dl.summary > div").first().locator("dd")).toHaveText("2");
    await expect(page.locator(".exports a").first()).toHaveAttribute("href", /&funder=[0-9a-f-]{36}$/);
    await axe(page, `dashboard narrowed to a funder ${lang}`);

    // One project (the first), ticked alone, moves to Sana.
    await page.getByRole("link", { name: t("nav_people"), exact: true }).click();
    await hydrated(page);
    const rowOf = (who: string) => page.locator("table.people tbody tr").filter({ has: page.locator("td:first-child", { hasText: who }) });
    const row = rowOf(hind.email);
    await expect(row).toContainText(t("people_projects", { count: 3 }));
    await row.getByLabel(t("people_move_to", { name: hind.name })).selectOption({ label: sana.name });
    await row.locator("summary", { hasText: t("people_move_which") }).click();
    await row.getByRole("checkbox", { name: codes[1] }).uncheck();
    await row.getByRole("checkbox", { name: codes[2] }).uncheck();
    await row.getByRole("button", { name: t("people_move_count", { count: 1 }) }).click();
    await expect(status).toContainText(t("people_moved", { count: 1 }));
    await expect(rowOf(hind.email)).toContainText(t("people_projects", { count: 2 }));
    await expect(rowOf(sana.email)).toContainText(t("people_projects", { count: 1 }));
    await axe(page, `people after a move ${lang}`);

    // Hind's phone: her code, her password, the two projects left to her, the funder on one.
    const phone = await device(browser, lang === "ar" ? "ar-TN" : "fr-FR", 360, 740);
    await phone.goto(links[0]);
    await hydrated(phone);
    await speak(phone, lang);
    await expect(phone.getByRole("heading", { level: 1 })).toHaveText(t("code_title"));
    await axe(phone, `sign-in code page ${lang}`);
    const password = `${names.title} ${stamp} 2026`;
    await phone.getByLabel(t("new_password"), { exact: true }).fill(password);
    await phone.getByLabel(t("new_password_again")).fill(password);
    await phone.getByRole("button", { name: t("code_button") }).click();
    await expect(phone.getByRole("heading", { level: 1 })).toHaveText(t("my_projects"));
    await hydrated(phone);
    await expect(phone.locator(".card")).toHaveCount(2);
    await expect(phone.locator(".card", { hasText: codes[0] })).toHaveCount(0);
    await phone.locator(".card-title a", { hasText: titles[1] }).click();
    await expect(phone.getByRole("heading", { level: 1 })).toHaveText(titles[1]);
    await hydrated(phone);
    await expect(phone.locator("dl.facts div", { hasText: t("funder") }).locator("dd")).toHaveText(funder);
    await axe(phone, `project with its funder ${lang} 360`);
    await expect(phone.locator(".sync-count")).toHaveText(new RegExp(escaped(t("nothing_waiting"))), { timeout: 20_000 });

    // A visit, sent; the supervisor of the incubator validates it on her tablet.
    await recordVisit(phone, t, notes[0]);
    await expect(phone.locator(".sync-count")).toHaveText(new RegExp(escaped(t("nothing_waiting"))), { timeout: 20_000 });
    // Her browser speaks French: she chooses her language on the page.
    const tablet = await device(browser, "fr-FR", 800, 1280);
    await signIn(tablet, "supervisor");
    await speak(tablet, lang);
    await tablet.goto("/review");
    await hydrated(tablet);
    await expect(tablet.getByRole("heading", { level: 1 })).toHaveText(t("review_title"));
    const card = tablet.locator("article.review-item", { hasText: notes[0] });
    await card.getByRole("button", { name: t("validate") }).click();
    await expect(card.getByRole("status")).toContainText(t("review_done_validated"));
    expect(countRows(`select count(*) from visits where status = 'validated' and observations = '${quoted(notes[0])}'`) ?? 1).toBe(1);
    await tablet.context().close();

    // A second visit waits on the phone, offline, when the team disables her account.
    await phone.context().setOffline(true);
    await recordVisit(phone, t, notes[1]);
    await expect(phone.locator(".sync-count")).toHaveText(new RegExp(escaped(t("waiting_count", { count: 1 }))));
    await rowOf(hind.email).getByRole("button", { name: new RegExp(`^${escaped(t("people_disable"))}`) }).click();
    await expect(status).toContainText(t("people_disabled_done", { name: hind.name }));

    // Back online, the phone says why and offers the export; the team imports the file once.
    await phone.context().setOffline(false);
    await phone.goto("/login");
    await hydrated(phone);
    await phone.getByLabel(t("email")).fill(hind.email);
    await phone.getByLabel(t("password"), { exact: true }).fill(password);
    await phone.getByRole("button", { name: t("sign_in_button") }).click();
    await expect(phone.locator(".error-summary")).toContainText(t("err_account_disabled"));
    await axe(phone, `sign-in of a disabled account ${lang}`);
    const downloading = phone.waitForEvent("download");
    await phone.getByRole("button", { name: new RegExp(escaped(t("export_unsent"))) }).click();
    const exported = await (await downloading).path();
    await expect(phone.locator(".notice [role=status]")).toContainText(t("disabled_export_done", { count: 1 }));
    const second = `select count(*) from visits where observations = '${quoted(notes[1])}'`;
    expect(countRows(second) ?? 0).toBe(0);

    await page.goto("/devices");
    await hydrated(page);
    const imported = page.getByRole("status").filter({ hasText: hind.name });
    for (let time = 0; time < 2; time++) {
      await page.getByLabel(t("import_file")).setInputFiles(exported!);
      await page.getByRole("button", { name: t("import_button"), exact: true }).click();
      await expect(imported).toContainText(t("import_done", { user: hind.name, entries: 1, on_server: 1, refused: 0, conflicts: 0 }));
      expect(countRows(second) ?? 1).toBe(1);
    }
    await axe(page, `devices after the import ${lang}`);
    await phone.context().close();
  });
}
