import { BrowserContext, Page, expect, test } from "@playwright/test";
import { hydrated, recordVisit, serviceWorkerReady, signIn } from "./helpers";

// Every page of Athar runs under a Content-Security-Policy without 'unsafe-inline' for scripts:
// its own inline scripts carry the page's nonce. Here the browser itself says whether it blocked
// anything (`securitypolicyviolation`), online and from the offline shell; the rest of the suite
// is checked through the reports the browser sends to the server (`.ci/test` reads its log).

async function watchViolations(context: BrowserContext) {
  await context.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { cspViolations: string[] }).cspViolations = seen;
    document.addEventListener("securitypolicyviolation", (e) =>
      seen.push(`${e.violatedDirective} ${e.blockedURI} ${e.sample}`),
    );
  });
}

const violations = (page: Page) =>
  page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations);

test("a facilitator's day runs under the policy with nothing blocked, online and offline", async ({ page, context }) => {
  await watchViolations(context);
  const answer = await page.goto("/login");
  const policy = answer!.headers()["content-security-policy"];
  expect(policy).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9_-]{22,}' 'wasm-unsafe-eval'/);
  expect(policy).not.toContain("'unsafe-inline' 'wasm");
  await signIn(page, "facilitator");
  await serviceWorkerReady(page);
  expect(await violations(page)).toEqual([]);

  // The last of her projects: the first one's timeline is what other specs count on.
  const last = page.locator(".card-title a").last();
  const title = (await last.textContent())!.trim();
  await last.click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(title);
  await hydrated(page);
  await expect(page.locator(".sync-count")).toHaveText(/Tout est envoyé/, { timeout: 20_000 });
  expect(await violations(page)).toEqual([]);
  await recordVisit(page, "Visite sous la politique de sécurité");
  expect(await violations(page)).toEqual([]);

  // The shell the service worker keeps, opened offline: its scripts run under the policy stored
  // with it.
  await context.setOffline(true);
  await page.reload();
  await hydrated(page);
  await expect(page.locator("body")).toHaveAttribute("data-offline-shell", "");
  expect(await violations(page)).toEqual([]);
  await context.setOffline(false);
});

test("a script slipped into a page does not run, and the browser says so", async ({ page, context }) => {
  await watchViolations(context);
  // `csp-probe` in the address marks this one deliberate violation in the server's log.
  await page.goto("/login?csp-probe");
  await hydrated(page);
  const ran = await page.evaluate(() => {
    const script = document.createElement("script");
    script.textContent = "window.injected = true;";
    document.body.appendChild(script);
    return (window as unknown as { injected?: boolean }).injected === true;
  });
  expect(ran).toBe(false);
  await expect.poll(() => violations(page)).toContainEqual(expect.stringContaining("script-src"));
});
