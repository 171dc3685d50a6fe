import { ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "@playwright/test";
import { axe, hydrated, signIn, chooseLanguage } from "./helpers";

// A real programme's first start: no demo, a one-time setup link printed by the server, the first
// team account made through it. And the demo, on the shared server, says on every page that it is
// one.

const BINARY = join(__dirname, "../../target/release/athar");
const SITE = join(__dirname, "../../target/site");
const PORT = Number(process.env.ATHAR_SETUP_PORT ?? 3008);
const URL = `http://127.0.0.1:${PORT}`;

/** A server on an empty database, and the setup link it prints. */
async function firstStart(): Promise<[ChildProcess, string, string]> {
  const work = mkdtempSync(join(tmpdir(), "athar-setup-"));
  const server = spawn(BINARY, ["serve", "--bind", `127.0.0.1:${PORT}`, "--site-root", SITE], {
    env: { ...process.env, DATABASE_URL: `sqlite://${work}/athar.db`, ATHAR_LOG: "warn" },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let said = "";
  server.stderr!.on("data", (chunk) => (said += chunk.toString()));
  await expect.poll(() => /\/setup\?token=[0-9a-f]{32}/.test(said), { timeout: 30_000 }).toBe(true);
  const link = said.match(/(http\S+\/setup\?token=[0-9a-f]{32})/)![1];
  await expect
    .poll(async () => (await fetch(`${URL}/healthz`).catch(() => null))?.status ?? 0, { timeout: 30_000 })
    .toBe(200);
  return [server, work, link];
}

test.describe("the first start", () => {
  test.use({ baseURL: URL });

  test("the printed link makes the first team account once, with a password that is not a common one", async ({ page }) => {
    test.setTimeout(90_000);
    const [server, work, link] = await firstStart();
    try {
      expect(link.startsWith(URL)).toBe(true);
      await page.goto(link);
      await hydrated(page);
      await expect(page.getByRole("heading", { level: 1 })).toHaveText("Premier compte de l'équipe");
      await expect(page.locator(".demo-band")).toHaveCount(0);
      await axe(page, "setup fr");

      await page.getByLabel("Nom et prénom").fill("Salma Ben Youssef");
      await page.getByLabel("Adresse e-mail").fill("salma@example.tn");
      await page.getByLabel("Nouveau mot de passe", { exact: true }).fill("azerty123456");
      await page.getByLabel("Nouveau mot de passe, encore une fois").fill("azerty123456");
      await page.getByRole("button", { name: "Créer le compte et se connecter" }).click();
      await expect(page.locator(".error-summary")).toContainText("Trop facile à deviner");
      await expect(page.getByLabel("Nouveau mot de passe", { exact: true })).toHaveAttribute("aria-invalid", "true");
      await axe(page, "setup with an error fr");

      await page.getByLabel("Nouveau mot de passe", { exact: true }).fill("les palmiers de Douz 2026");
      await page.getByLabel("Nouveau mot de passe, encore une fois").fill("les palmiers de Douz 2026");
      await page.getByRole("button", { name: "Créer le compte et se connecter" }).click();
      await expect(page.getByRole("heading", { level: 1 })).toHaveText(/Tous les projets/);
      await expect(page.locator(".who")).toContainText("Salma Ben Youssef");

      // The link is dead: it says so, in Arabic too.
      const other = await page.context().browser()!.newContext({ viewport: { width: 360, height: 740 }, locale: "fr-FR" });
      const phone = await other.newPage();
      await phone.goto(link);
      await hydrated(phone);
      await expect(phone.getByRole("alert")).toContainText("ne fonctionne plus");
      await chooseLanguage(phone, "العربية");
      await hydrated(phone);
      await expect(phone.getByRole("alert")).toContainText("لم يعد صالحًا");
      await expect(phone.locator("html")).toHaveAttribute("dir", "rtl");
      await axe(phone, "setup link dead ar");
      await other.close();
    } finally {
      server.kill();
      rmSync(work, { recursive: true, force: true });
    }
  });
});

test("the demo says it is one, on the sign-in page and after, in each language", async ({ page }) => {
  await page.goto("/login");
  await hydrated(page);
  await expect(page.locator(".demo-band")).toContainText("Données de démonstration");
  await signIn(page, "facilitator");
  await expect(page.locator(".demo-band")).toContainText("Données de démonstration");
  await chooseLanguage(page, "العربية");
  await hydrated(page);
  await expect(page.locator(".demo-band")).toContainText("بيانات تجريبية");
  await chooseLanguage(page, "English");
  await hydrated(page);
  await expect(page.locator(".demo-band")).toContainText("Demo data");
});
