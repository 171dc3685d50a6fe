import { expect, Page, test } from "@playwright/test";
import { LOGINS, Role, hydrated, signIn } from "./helpers";

/**
 * Every visible thing a finger can press, on every page each role reaches, is at least 44 × 44 px
 * on a 360 px phone, in French and in Arabic. A link inside running text is measured as the
 * text's line, not as a target (WCAG 2.5.8's inline exception); a checkbox or a radio button by
 * its label, and a file input by the label that holds it (a tap on the label works the control).
 */
async function smallTargets(page: Page): Promise<string[]> {
  // Details open and close: measure them closed and open, as a user meets them.
  return page.evaluate(() => {
    const MIN = 44;
    const found: string[] = [];
    const selector =
      "a[href], button, input:not([type=hidden]), select, textarea, summary, [role=button], [tabindex]:not([tabindex='-1'])";
    const visible = (el: Element) => {
      const r = el.getBoundingClientRect();
      const style = getComputedStyle(el);
      return r.width > 0 && r.height > 0 && style.visibility !== "hidden" && !el.closest("[hidden], [inert]");
    };
    const inRunningText = (el: Element) => {
      if (el.tagName !== "A" || getComputedStyle(el).display !== "inline") return false;
      const block = el.parentElement;
      if (!block) return false;
      const own = (el.textContent ?? "").trim().length;
      return (block.textContent ?? "").trim().length > own + 3;
    };
    for (const el of Array.from(document.querySelectorAll(selector))) {
      if (!visible(el) || inRunningText(el)) continue;
      let target: Element = el;
      const input = el as HTMLInputElement;
      if (el.tagName === "INPUT" && (input.type === "checkbox" || input.type === "radio")) {
        target = el.closest("label") ?? (input.id ? document.querySelector(`label[for="${input.id}"]`) : null) ?? el;
      } else if (el.tagName === "INPUT" && input.type === "file") {
        // Hidden inside a label drawn as a button (the evidence buttons): the label is tapped.
        target = el.closest("label") ?? el;
      }
      const r = target.getBoundingClientRect();
      if (r.width < MIN - 0.5 || r.height < MIN - 0.5) {
        const name = ((el as HTMLElement).innerText || input.value || el.getAttribute("aria-label") || el.getAttribute("name") || "")
          .trim()
          .slice(0, 40);
        const where = (e: Element | null) => (e ? `${e.tagName.toLowerCase()}${e.className ? "." + String(e.className).trim().split(/\s+/).join(".") : ""}` : "");
        const path = `${where(el.parentElement?.parentElement ?? null)} > ${where(el.parentElement)} > ${where(el)}`;
        found.push(`${path} "${name.replace(/\s+/g, " ")}" ${Math.round(r.width)}×${Math.round(r.height)}`);
      }
    }
    return found;
  });
}

async function check(page: Page, label: string, problems: string[]) {
  for (const s of await smallTargets(page)) problems.push(`${label}: ${s}`);
  // Open every disclosure and look again at what it shows.
  const closed = page.locator("details:not([open]) > summary");
  const n = await closed.count();
  if (n > 0) {
    await page.evaluate(() => document.querySelectorAll("details").forEach((d) => d.setAttribute("open", "")));
    for (const s of await smallTargets(page)) {
      const line = `${label} (opened): ${s}`;
      if (!problems.some((p) => p.endsWith(s) && p.startsWith(label))) problems.push(line);
    }
  }
}

const PAGES: Record<Role, string[]> = {
  facilitator: ["/new-project", "/account"],
  supervisor: ["/review", "/conflicts", "/dashboard", "/account"],
  team: ["/review", "/conflicts", "/devices", "/forms", "/settings", "/catalogue", "/people", "/organisations", "/audit", "/import", "/account"],
  viewer: ["/dashboard", "/account"],
};

for (const lang of ["fr", "ar"] as const) {
  test(`every tap target of every page is at least 44 × 44 px on a phone (${lang})`, async ({ page }) => {
    test.setTimeout(240_000);
    await page.setViewportSize({ width: 360, height: 640 });
    const problems: string[] = [];
    await page.goto("/login");
    await page.context().addCookies([{ name: "i18n_pref_locale", value: lang, url: page.url() }]);
    await page.goto("/login");
    await hydrated(page);
    await check(page, `login`, problems);
    for (const role of Object.keys(LOGINS) as Role[]) {
      await page.context().clearCookies();
      await signIn(page, role);
      await page.context().addCookies([{ name: "i18n_pref_locale", value: lang, url: page.url() }]);
      await page.goto("/");
      await hydrated(page);
      await check(page, `home ${role}`, problems);
      const link = page.locator(".card a").first();
      if (await link.count()) {
        await link.click();
        await expect(page.locator(".members")).toBeVisible();
        await hydrated(page);
        await check(page, `project ${role}`, problems);
      }
      for (const path of PAGES[role]) {
        await page.goto(path);
        await hydrated(page);
        await expect(page.locator("main h1")).toBeVisible();
        await check(page, `${path} ${role}`, problems);
      }
    }
    expect(problems, problems.join("\n")).toEqual([]);
  });
}
