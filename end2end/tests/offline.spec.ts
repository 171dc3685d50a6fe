import { chromium, expect, test } from "@playwright/test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LOGINS, hydrated, serviceWorkerReady, signIn, chooseLanguage, openMenu } from "./helpers";

test("a facilitator opens a project, switches to Arabic, goes offline, reloads and still has everything", async ({ page, context }) => {
  await signIn(page, "facilitator");
  await serviceWorkerReady(page);
  const firstCard = page.locator(".card").first();
  const code = (await firstCard.locator(".code").textContent())!.trim();
  const title = (await firstCard.getByRole("link").textContent())!.trim();
  await firstCard.getByRole("link").click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(title);
  await hydrated(page);
  const members = await page.locator(".members li").count();
  expect(members).toBeGreaterThan(0);

  await chooseLanguage(page, "العربية");
  await expect(page.locator("html")).toHaveAttribute("dir", "rtl");
  await expect(page.locator("html")).toHaveAttribute("lang", "ar");
  await expect(page.getByRole("heading", { name: "الأعضاء" })).toBeVisible();
  const projectUrl = page.url();

  await context.setOffline(true);
  await expect(page.getByRole("status").filter({ hasText: "غير متصل" })).toBeVisible();

  // Reload the project page: the service worker answers with the shell, the app draws from storage.
  await page.reload();
  await hydrated(page);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(title);
  await expect(page.locator(".members li")).toHaveCount(members);
  await expect(page.locator("html")).toHaveAttribute("dir", "rtl");
  await expect(page.getByText("دون اتصال: هذه البيانات محفوظة")).toBeVisible();

  // Another page of the app, opened offline: My projects, from storage.
  await page.goto("/");
  await hydrated(page);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("مشاريعي");
  await expect(page.locator(".card .code", { hasText: code })).toBeVisible();
  expect(page.url()).not.toContain("login");

  // Back online: once a sync has gone through, the page no longer says it is offline.
  await expect(page.locator(".offline-note").first()).toBeVisible();
  await context.setOffline(false);
  await expect(page.locator(".offline-note")).toHaveCount(0, { timeout: 20_000 });

  await context.setOffline(false);
  await page.goto(projectUrl);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(title);
});

test("after one online visit to My projects, every project of mine opens offline", async ({ page, context }) => {
  await signIn(page, "facilitator");
  await serviceWorkerReady(page);
  const links = page.locator(".card-title a");
  const count = await links.count();
  const projectKeys = () =>
    page.evaluate(() => Object.keys(localStorage).filter((k) => /^athar\/v1\/u\/[^/]+\/project\//.test(k)).length);
  await expect.poll(projectKeys).toBe(count);
  const last = links.nth(count - 1);
  const title = (await last.textContent())!.trim();
  const href = (await last.getAttribute("href"))!;

  await context.setOffline(true);
  await page.goto(href);
  await hydrated(page);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(title);
  await expect(page.locator(".members li").first()).toBeVisible();
  await context.setOffline(false);
});

test("signing out removes the user's data from the device", async ({ page }) => {
  await signIn(page, "facilitator");
  await page.locator(".card").first().getByRole("link").click();
  await hydrated(page);
  const keys = () => page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith("athar/")));
  await expect.poll(async () => (await keys()).filter((k) => k.includes("/u/")).length).toBeGreaterThanOrEqual(2);
  await openMenu(page);
  await page.getByRole("button", { name: "Se déconnecter" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Connexion");
  const left = await keys();
  expect(left.filter((k) => k.includes("/u/") || k.endsWith("/identity"))).toEqual([]);
});

test("the app is installable", async ({}, testInfo) => {
  // Chromium never offers to install from an incognito profile, which every Playwright context
  // is: use a real profile on disk.
  const dir = mkdtempSync(join(tmpdir(), "athar-profile-"));
  const { launchOptions, baseURL } = testInfo.project.use as any;
  const context = await chromium.launchPersistentContext(dir, { ...launchOptions, baseURL, locale: "fr-FR" });
  const page = context.pages()[0] ?? (await context.newPage());
  await signIn(page, "facilitator");
  await serviceWorkerReady(page);
  const cdp = await context.newCDPSession(page);
  const { installabilityErrors } = await cdp.send("Page.getInstallabilityErrors");
  expect(installabilityErrors).toEqual([]);
  const manifest = await (await page.request.get("/manifest.webmanifest")).json();
  expect(manifest.icons.map((i: any) => `${i.sizes} ${i.purpose}`)).toEqual(
    expect.arrayContaining(["192x192 any", "512x512 any", "512x512 maskable"]),
  );
  await context.close();
  rmSync(dir, { recursive: true, force: true });
});
