import AxeBuilder from "@axe-core/playwright";
import { expect, Page, test } from "@playwright/test";
import { LOGINS, Role, hydrated, signIn } from "./helpers";

async function scan(page: Page, label: string) {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]).analyze();
  const summary = results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
  expect(summary, `${label}`).toEqual([]);
}

async function setLanguage(page: Page, lang: "fr" | "ar") {
  await page.context().addCookies([{ name: "i18n_pref_locale", value: lang, url: page.url() }]);
}

/** The pages each role opens from the header or the home page, beside the project pages. */
const REVIEW_PAGES: Record<Role, string[]> = {
  facilitator: ["/new-project", "/account"],
  supervisor: ["/review", "/conflicts", "/dashboard", "/account"],
  team: ["/review", "/conflicts", "/devices", "/forms", "/settings", "/catalogue", "/people", "/organisations", "/audit", "/import", "/account"],
  viewer: ["/dashboard", "/account"],
};

/**
 * Walks every route a user reaches in `lang`: the sign-in page, a page that does not exist, then
 * for each role its home, its first project and the pages of its header, each once drawn (the
 * day's panel, the dashboard's panels); `check` is called on each with a label naming it.
 */
async function everyRoute(page: Page, lang: "fr" | "ar", check: (label: string) => Promise<void>) {
  await page.goto("/login");
  await setLanguage(page, lang);
  await page.goto("/login");
  await hydrated(page);
  await check(`login ${lang}`);
  await page.goto("/nulle-part");
  await check(`404 ${lang}`);

  for (const role of Object.keys(LOGINS) as Role[]) {
    await page.context().clearCookies();
    await signIn(page, role);
    await setLanguage(page, lang);
    await page.goto("/");
    await hydrated(page);
    await expect(page.locator("html")).toHaveAttribute("lang", lang);
    // The day screen (facilitators) and the review panel (supervisors, the team) are drawn
    // after the page starts: checked once there.
    if (role !== "viewer") await expect(page.locator("section.today")).toBeVisible({ timeout: 20_000 });
    await check(`home ${role} ${lang}`);
    const link = page.locator(".card a").first();
    if (await link.count()) {
      await link.click();
      await expect(page.locator(".members")).toBeVisible();
      await check(`project ${role} ${lang}`);
    }
    for (const path of REVIEW_PAGES[role]) {
      await page.goto(path);
      await hydrated(page);
      await expect(page.locator("main h1")).toBeVisible();
      if (path === "/dashboard") await expect(page.locator(".panel").first()).toBeVisible({ timeout: 20_000 });
      await check(`${path} ${role} ${lang}`);
    }
  }
}

for (const width of [360, 1280]) {
  for (const lang of ["fr", "ar"] as const) {
    test(`every route each role reaches has no axe violation (${lang}, ${width} px)`, async ({ page }) => {
      await page.setViewportSize({ width, height: width === 360 ? 640 : 800 });
      await everyRoute(page, lang, (label) => scan(page, `${label} ${width}`));
    });
  }
}

test("keyboard only: sign in, My projects, a project", async ({ page }) => {
  await page.goto("/login");
  await hydrated(page);
  // From the top of the page: skip link first, then through the header to the form.
  await page.keyboard.press("Tab");
  await expect(page.getByRole("link", { name: "Aller au contenu" })).toBeFocused();
  await page.keyboard.press("Enter");
  let guard = 0;
  while (!(await page.getByLabel("Adresse e-mail").evaluate((el) => el === document.activeElement)) && guard++ < 15) {
    await page.keyboard.press("Tab");
  }
  await page.keyboard.type(LOGINS.facilitator);
  await page.keyboard.press("Tab");
  await expect(page.getByLabel("Mot de passe")).toBeFocused();
  await page.keyboard.type("athar-demo-2026");
  await page.keyboard.press("Enter");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Mes projets");
  await hydrated(page);

  guard = 0;
  while (!(await page.evaluate(() => !!document.activeElement?.closest(".card"))) && guard++ < 30) {
    await page.keyboard.press("Tab");
  }
  const focused = await page.evaluate(() => document.activeElement?.textContent?.trim());
  await page.keyboard.press("Enter");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(focused!);
  await expect(page.getByRole("heading", { name: "Membres" })).toBeVisible();
});

/**
 * What sticks out of the page sideways, with every disclosure in its main part open. A table may
 * scroll in its own box; the page itself never (WCAG 1.4.10). Empty when nothing does.
 */
async function sideways(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    document.querySelectorAll("main details").forEach((d) => ((d as HTMLDetailsElement).open = true));
    const page = document.documentElement;
    if (page.scrollWidth <= page.clientWidth) return [];
    const inScroller = (el: Element) => {
      for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
        if (["auto", "scroll", "hidden", "clip"].includes(getComputedStyle(a).overflowX)) return true;
      }
      return false;
    };
    const out = [...document.querySelectorAll("body *")].filter((el) => {
      const box = el.getBoundingClientRect();
      return box.width > 0 && (box.right > page.clientWidth + 1 || box.left < -1);
    });
    // The outermost elements first: what the page grew by.
    const named = (el: Element) => `${el.tagName.toLowerCase()}.${[...el.classList].join(".")}`;
    const free = out.filter((el) => !inScroller(el));
    return [`page ${page.scrollWidth} px wide in ${page.clientWidth}`, ...(free.length ? free : out).slice(0, 4).map(named)];
  });
}

// 320 px is a phone's narrowest; 640 × 400 is a 1280 × 800 screen zoomed to 200 %.
for (const [width, height] of [[320, 640], [640, 400]]) {
  for (const lang of ["fr", "ar"] as const) {
    test(`no page of any role scrolls sideways at ${width} px (${lang})`, async ({ page }) => {
      await page.setViewportSize({ width, height });
      await everyRoute(page, lang, async (label) => expect(await sideways(page), `${label} ${width}`).toEqual([]));
    });
  }
}
