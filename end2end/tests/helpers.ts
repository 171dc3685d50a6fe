import { expect, Page } from "@playwright/test";

export const PASSWORD = "athar-demo-2026";
export const LOGINS = {
  facilitator: "amal.facilitatrice@demo.athar.tn",
  supervisor: "rim.superviseure@demo.athar.tn",
  team: "equipe@demo.athar.tn",
  viewer: "comite@demo.athar.tn",
} as const;
export type Role = keyof typeof LOGINS;

export const HOME_TITLE: Record<Role, RegExp> = {
  facilitator: /Mes projets/,
  supervisor: /Projets de mes incubateurs/,
  team: /Tous les projets/,
  viewer: /Vue d'ensemble du programme/,
};

/** Waits until the WASM has taken over the page (hydrated or mounted). */
export async function hydrated(page: Page) {
  await page.waitForFunction(() => (window as any).__athar_ready === true, null, { timeout: 20_000 });
}

export async function signIn(page: Page, role: Role) {
  await page.goto("/login");
  await hydrated(page);
  await page.getByLabel("Adresse e-mail").fill(LOGINS[role]);
  await page.getByLabel("Mot de passe").fill(PASSWORD);
  await page.getByRole("button", { name: "Se connecter" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(HOME_TITLE[role]);
  await hydrated(page);
}

/** Waits until the service worker controls the page, so a reload can be served offline. */
export async function serviceWorkerReady(page: Page) {
  await page.waitForFunction(async () => {
    const reg = await navigator.serviceWorker.getRegistration();
    return !!reg && !!reg.active && !!navigator.serviceWorker.controller;
  }, null, { timeout: 20_000 });
}
