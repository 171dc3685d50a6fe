import { expect, test } from "@playwright/test";
import { execFileSync } from "node:child_process";
import { LOGINS, countInDatabase, hydrated, outboxKeys, recordVisit, serviceWorkerReady, signIn, openMenu } from "./helpers";

// When the server ends a session (signed out from elsewhere, account disabled, expired), the
// phone keeps nothing of that user readable (her projects and their members), and it no longer
// opens offline as her. Her unsent entries stay, shown to nobody else, and go once she signs in
// again.

/** Ends every session of `email` on the server, behind the app's back (`ATHAR_DB`). */
function endSessions(email: string) {
  const db = process.env.ATHAR_DB;
  if (!db) throw new Error("ATHAR_DB must name the server's SQLite database");
  execFileSync("sqlite3", [db, `delete from sessions where user_id = (select id from users where email = '${email}')`]);
}

test("a session the server ended leaves nothing of its user on the phone but her unsent entries, which go when she is back", async ({ page, context }) => {
  test.skip(!process.env.ATHAR_DB, "needs the server's database");
  const observations = `Saisie en attente d'une session terminée ${Date.now()}`;
  await signIn(page, "facilitator");
  await serviceWorkerReady(page);
  // Her projects, as My projects lists them.
  const codes = (await page.locator(".card .code").allTextContents()).map((c) => c.trim());
  expect(codes.length).toBeGreaterThan(0);
  const card = page.locator(".card").last();
  const title = (await card.getByRole("link").textContent())!.trim();
  await card.getByRole("link").click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(title);
  await hydrated(page);
  await expect(page.locator(".sync-count")).toHaveText(/Tout est envoyé/, { timeout: 20_000 });
  const amal: string = await page.evaluate(() => JSON.parse(localStorage.getItem("athar/v1/identity")!).id);
  // What the phone keeps of her to read (her unsent entries are in IndexedDB).
  const unsent = async () => (await outboxKeys(page)).filter((k) => k.includes("/m/"));
  const userKeys = () =>
    page.evaluate(
      (id) => Object.keys(localStorage).filter((k) => k.startsWith(`athar/v1/u/${id}/`) || k === "athar/v1/identity"),
      amal,
    );
  expect((await userKeys()).length).toBeGreaterThan(1);

  // Offline, a visit waits on the phone; meanwhile the server ends her session.
  await context.setOffline(true);
  await recordVisit(page, observations);
  expect(await unsent()).toHaveLength(1);
  endSessions(LOGINS.facilitator);

  // Back online, the phone learns it at its next sync: it says so and forgets her data.
  await context.setOffline(false);
  await expect(async () => {
    await page.getByRole("button", { name: /Envoyer maintenant/ }).click();
    await expect(page.getByText("Reconnectez-vous pour envoyer les saisies en attente")).toBeVisible({ timeout: 5_000 });
  }).toPass({ timeout: 30_000 });
  await expect.poll(userKeys).toEqual([]);
  expect(await unsent()).toHaveLength(1);
  expect(countInDatabase(observations)).toBe(0);

  // Reopened offline, the app does not open as her: the sign-in page, none of her projects.
  await context.setOffline(true);
  await page.goto("/");
  await hydrated(page);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Connexion");
  await expect(page.getByText(title)).toHaveCount(0);
  for (const code of codes) await expect(page.getByText(code)).toHaveCount(0);

  // Another user on the same phone sees none of it, and her entry is not sent in his name.
  await context.setOffline(false);
  await signIn(page, "supervisor");
  await expect(page.getByText(observations)).toHaveCount(0);
  expect((await userKeys()).filter((k) => k.includes(amal))).toEqual([]);
  await openMenu(page);
  await page.getByRole("button", { name: "Se déconnecter" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Connexion");
  expect(countInDatabase(observations)).toBe(0);
  expect(await unsent()).toHaveLength(1);

  // She signs in again: her entry goes, once.
  await signIn(page, "facilitator");
  await expect.poll(() => countInDatabase(observations), { timeout: 30_000 }).toBe(1);
  await expect.poll(unsent, { timeout: 20_000 }).toHaveLength(0);
  expect(countInDatabase(observations)).toBe(1);
});
