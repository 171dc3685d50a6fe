import { expect, test } from "@playwright/test";
import { hydrated, openFirstProject, serviceWorkerReady, signIn } from "./helpers";

test("a project with a long history shows its 20 latest visits first, and all of them on request", async ({ page, context }) => {
  const stamp = Date.now().toString(36);
  await signIn(page, "facilitator");
  await serviceWorkerReady(page);
  const project = await openFirstProject(page);
  const projectId = project.url.split("/projects/")[1];
  // Offline: 30 visits recorded over the past months wait on this phone (written as the outbox
  // holds them; the form's save path is tested elsewhere).
  await context.setOffline(true);
  await page.evaluate(({ project, stamp }) => {
    const user = JSON.parse(localStorage.getItem("athar/v1/identity")!).id;
    const client = crypto.randomUUID();
    for (let seq = 1; seq <= 30; seq++) {
      const day = new Date(Date.now() - seq * 86_400_000).toISOString().slice(0, 10);
      const args = {
        id: crypto.randomUUID(),
        base_version: null,
        fields: {
          project_id: project,
          visit_on: day,
          mode: "on_site",
          present_member_ids: [],
          topics: [],
          observations: `Historique ${stamp} ${day}`,
          difficulties: "",
          next_visit_on: null,
          status: "submitted",
        },
      };
      const m = { client_id: client, seq, name: "visit.save", args, created_at: Date.now() };
      localStorage.setItem(`athar/v1/u/${user}/m/${client}/${String(seq).padStart(12, "0")}`, JSON.stringify(m));
    }
  }, { project: projectId, stamp });
  const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);
  await page.reload();
  await hydrated(page);

  const visits = page.locator("section[aria-labelledby='visits-title'] .entries > li");
  await expect(visits).toHaveCount(20);
  const more = page.getByRole("button", { name: /Voir les \d+ visites/ });
  const total = Number((await more.textContent())!.match(/\d+/)![0]);
  expect(total).toBeGreaterThanOrEqual(30);
  // Latest first: yesterday's visit is drawn, the one of a month ago (29 of ours are newer) not yet.
  await expect(page.getByText(`Historique ${stamp} ${daysAgo(1)}`)).toBeVisible();
  await expect(page.getByText(`Historique ${stamp} ${daysAgo(30)}`)).toHaveCount(0);

  await more.click();
  await expect(visits).toHaveCount(total);
  await expect(more).toHaveCount(0);
  await expect(page.getByText(`Historique ${stamp} ${daysAgo(30)}`)).toBeVisible();
});
