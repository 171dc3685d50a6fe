import { Page, expect, test } from "@playwright/test";
import { HOME_TITLE, hydrated, openFirstProject, serviceWorkerReady, signIn, setLanguage } from "./helpers";

// On a 360 × 640 phone the header and the sync bar are one line each: the first screen shows the
// work (the day's first line or the first project, the form's first question) without scrolling,
// in French and in Arabic. Screenshots are kept with the test's results.

/** The bottom of `selector`'s first visible element, in CSS pixels from the top of the page. */
async function bottomOf(page: Page, selector: string): Promise<number> {
  // The day's lists are drawn again when a sync ends: measure the element that is there then.
  const seen: { box: { y: number; height: number } | null } = { box: null };
  await expect.poll(async () => (seen.box = await page.locator(selector).first().boundingBox()) !== null, { message: selector }).toBe(true);
  return seen.box!.y + seen.box!.height;
}

for (const lang of ["fr", "ar"] as const) {
  test(`the first screen of a phone shows the work, not the header (${lang})`, async ({ page }, testInfo) => {
    await signIn(page, "facilitator");
    const project = await openFirstProject(page);
    await setLanguage(page, lang);

    await page.goto("/");
    await hydrated(page);
    await expect(page.locator("section.today li").first()).toBeVisible({ timeout: 15_000 });
    const header = await page.locator("header.top").boundingBox();
    const bar = await page.locator(".sync-bar").boundingBox();
    // One line each: the tallest thing in them is a 48 px button.
    expect(header!.height, "header").toBeLessThanOrEqual(72);
    expect(bar!.height, "sync bar").toBeLessThanOrEqual(64);
    expect(await bottomOf(page, "section.today li"), "the day's first line").toBeLessThanOrEqual(640);
    await page.screenshot({ path: testInfo.outputPath(`home-${lang}.png`) });

    await page.goto(`${project.url}/visits/new`);
    await hydrated(page);
    await expect(page.locator("form.visit-form .field").first()).toBeVisible();
    expect(await bottomOf(page, "form.visit-form .field input, form.visit-form .field textarea"), "the first question's field").toBeLessThanOrEqual(640);
    await page.screenshot({ path: testInfo.outputPath(`visit-${lang}.png`) });

    // The menu holds the language and the sign-out, and opens on a tap.
    await page.locator("header .menu > summary").click();
    await expect(page.getByRole("button", { name: "العربية", exact: true })).toBeVisible();
    await expect(page.locator("header .sign-out button")).toBeVisible();
  });
}

// The page carries its style: what the server sends is drawn styled with nothing more asked for,
// before any script runs, and so is the shell the service worker keeps.
test("a page is drawn styled without a request for its style, online, with no script, and offline", async ({ page, context, browser }) => {
  const stylesheets: string[] = [];
  context.on("request", (r) => {
    if (r.resourceType() === "stylesheet" || r.url().endsWith(".css")) stylesheets.push(r.url());
  });
  const styled = (p: typeof page) =>
    p.evaluate(() => ({
      green: getComputedStyle(document.documentElement).getPropertyValue("--green").trim(),
      header: getComputedStyle(document.querySelector("header.top")!).backgroundColor,
    }));
  const drawn = { green: "#14532d", header: "rgb(20, 83, 45)" };

  await signIn(page, "facilitator");
  await serviceWorkerReady(page);
  await page.goto("/");
  await hydrated(page);
  expect(await styled(page)).toEqual(drawn);

  // What the server sent, as a browser without scripts draws it.
  const cookies = await context.cookies();
  const bare = await browser.newContext({ javaScriptEnabled: false });
  await bare.addCookies(cookies);
  const first = await bare.newPage();
  first.on("request", (r) => {
    if (r.resourceType() === "stylesheet" || r.url().endsWith(".css")) stylesheets.push(r.url());
  });
  await first.goto(new URL("/", test.info().project.use.baseURL).toString());
  await expect(first.getByRole("heading", { level: 1 })).toHaveText(HOME_TITLE.facilitator);
  expect(await styled(first)).toEqual(drawn);
  await bare.close();

  // The shell the service worker keeps, opened offline.
  await context.setOffline(true);
  await page.reload();
  await hydrated(page);
  await expect(page.locator("body")).toHaveAttribute("data-offline-shell", "");
  expect(await styled(page)).toEqual(drawn);
  await context.setOffline(false);

  expect(stylesheets).toEqual([]);
});

// A page keeps its title while it starts: what a screen reader or the tab strip reads at any moment
// is the page's name, never an empty one.
test("the page keeps its title from the first paint until it has taken over", async ({ page, context }) => {
  await context.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { titlesSeen: string[] }).titlesSeen = seen;
    document.addEventListener("DOMContentLoaded", () => {
      seen.push(document.title);
      new MutationObserver(() => seen.push(document.title)).observe(document.head, {
        childList: true,
        subtree: true,
        characterData: true,
      });
    });
  });
  await signIn(page, "facilitator");
  for (const path of ["/", "/nulle-part"]) {
    await page.goto(path);
    await hydrated(page);
    const seen = await page.evaluate(() => (window as unknown as { titlesSeen: string[] }).titlesSeen);
    expect(seen.length, path).toBeGreaterThan(0);
    expect(seen.filter((t) => t.trim() === ""), `${path}: ${JSON.stringify(seen)}`).toEqual([]);
  }
});
