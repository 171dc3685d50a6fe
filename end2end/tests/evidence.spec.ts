import { Page, expect, test } from "@playwright/test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { countRows, hydrated, killBrowser, lastProjectReady, launch, openSignedIn, signIn, smallPhoto, storedObjects, tunisToday } from "./helpers";

// A facilitator offline photographs the new equipment and attaches a receipt to her visit. The
// browser dies while the second photo goes up over a weak link; relaunched on the same profile,
// the phone goes on from where the server stands. The server holds each file once, whole, under
// the hash of its bytes, and the supervisor sees the photos on the visit's review card.

/** A photo as a phone's camera makes it: 4,000 × 3,000 pixels (12 megapixels), JPEG. */
async function cameraPhoto(page: Page, seed: number): Promise<Buffer> {
  const base64 = await page.evaluate(async (seed) => {
    const canvas = document.createElement("canvas");
    canvas.width = 4000;
    canvas.height = 3000;
    const ctx = canvas.getContext("2d")!;
    let x = seed;
    const random = () => ((x = (x * 1103515245 + 12345) % 2147483648) / 2147483648);
    for (let i = 0; i < 4000; i += 20) {
      for (let j = 0; j < 3000; j += 20) {
        ctx.fillStyle = `rgb(${(random() * 255) | 0},${(random() * 255) | 0},${(random() * 255) | 0})`;
        ctx.fillRect(i, j, 20, 20);
      }
    }
    const blob: Blob = await new Promise((r) => canvas.toBlob((b) => r(b!), "image/jpeg", 0.92));
    const bytes = new Uint8Array(await blob.arrayBuffer());
    let s = "";
    for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return btoa(s);
  }, seed);
  return Buffer.from(base64, "base64");
}

/** A small real PDF: one page, one line of text. */
function receiptPdf(): Buffer {
  const objects = [
    "<< /Type /Catalog /Pages 2 0 R >>",
    "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 144] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
    "<< /Length 44 >>\nstream\nBT /F1 18 Tf 20 60 Td (Recu 0042) Tj ET\nendstream",
    "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
  ];
  let out = "%PDF-1.4\n";
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(out.length);
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = out.length;
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  out += offsets.map((o) => `${String(o).padStart(10, "0")} 00000 n \n`).join("");
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, "latin1");
}

/** What the waiting visit with these observations names, from the outbox on disk. */
async function filesOfWaitingVisit(page: Page, observations: string): Promise<{ sha256: string; bytes: number; media: string }[]> {
  return page.evaluate(async (observations) => {
    const [keys, values] = await (window as any).athar.db.load();
    for (let i = 0; i < keys.length; i++) {
      if (!/\/m\//.test(keys[i])) continue;
      const fields = JSON.parse(values[i]).args?.fields;
      if (fields?.observations === observations) return fields.files ?? [];
    }
    return [];
  }, observations);
}

/** The files the phone keeps in its evidence store (any user). */
async function keptOnPhone(page: Page): Promise<string[]> {
  return page.evaluate(
    () =>
      new Promise<string[]>((resolve, reject) => {
        const req = indexedDB.open("athar-files", 1);
        req.onupgradeneeded = () => req.result.createObjectStore("files");
        req.onerror = () => reject(req.error);
        req.onsuccess = () => {
          const keys = req.result.transaction("files").objectStore("files").getAllKeys();
          keys.onsuccess = () => {
            req.result.close();
            resolve((keys.result as string[]).sort());
          };
        };
      }),
  );
}

function fileRows(shas: string[], where: string): number {
  const list = shas.map((s) => `'${s}'`).join(",");
  return countRows(`select count(*) from files where sha256 in (${list}) and ${where}`) ?? 0;
}

test("a visit with two photos and a PDF, taken offline, reaches the server whole and once though the browser dies mid-upload; the supervisor sees the photos", async ({ browser }, testInfo) => {
  test.setTimeout(240_000);
  const dir = mkdtempSync(join(tmpdir(), "athar-evidence-"));
  let [context, page] = await launch(dir, testInfo);
  const projectUrl = await lastProjectReady(page);
  // Photos of their own on each run: a file the server already holds would not be sent again.
  const seed = Date.now() % 1_000_000;
  const photos = [await cameraPhoto(page, seed), await cameraPhoto(page, seed + 1)];
  const observations = `Pompe solaire installée ${Date.now().toString(36)}`;

  await context.setOffline(true);
  await page.getByRole("link", { name: /Nouvelle visite/ }).click();
  await hydrated(page);
  await page.getByLabel("Sur place").check();
  await page.getByLabel("Observations").fill(observations);
  await page.locator("#files-add-file").setInputFiles([
    { name: "IMG_0001.jpg", mimeType: "image/jpeg", buffer: photos[0] },
    { name: "IMG_0002.jpg", mimeType: "image/jpeg", buffer: photos[1] },
    { name: "recu.pdf", mimeType: "application/pdf", buffer: receiptPdf() },
  ]);
  const items = page.locator(".attachments .file");
  await expect(items).toHaveCount(3, { timeout: 30_000 });
  // A photo asks about the people on it before the visit can be saved.
  await page.getByRole("button", { name: "Enregistrer et soumettre" }).click();
  await expect(page.locator(".attachments .field-error")).toHaveText(/Dites pour chaque photo/);
  await items.nth(0).getByLabel("Non", { exact: true }).check();
  await items.nth(1).getByLabel(/elles ont accepté/).check();
  await items.nth(0).getByLabel(/Légende/).fill("La pompe et le panneau");
  await page.getByRole("button", { name: "Enregistrer et soumettre" }).click();
  await expect(page.getByText("Enregistré sur ce téléphone. L'envoi se fera").first()).toBeVisible();
  await expect(page).not.toHaveURL(/\/visits\//);
  await hydrated(page);

  const files = await filesOfWaitingVisit(page, observations);
  expect(files.map((f) => f.media)).toEqual(["jpeg", "jpeg", "pdf"]);
  // Resized on the phone: a 12-megapixel photo is kept at a few hundred KB.
  for (const f of files.slice(0, 2)) expect(f.bytes).toBeLessThan(1_200_000);
  const shas = files.map((f) => f.sha256);
  expect(await keptOnPhone(page)).toEqual(expect.arrayContaining(shas));

  // Online over a weak link (400 ms, 50,000 bytes/s): the text goes first, then the files.
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 400, downloadThroughput: 50_000, uploadThroughput: 50_000 });
  await context.setOffline(false);
  // The browser dies while a file is half sent, after another one is whole.
  await expect
    .poll(() => (fileRows(shas, "complete = 1") >= 1 && fileRows(shas, "complete = 0 and received > 0") >= 1 ? "midway" : "not yet"), {
      timeout: 120_000,
      intervals: [100],
    })
    .toBe("midway");
  const partlyBefore = countRows(`select max(received) from files where sha256 in (${shas.map((s) => `'${s}'`).join(",")}) and complete = 0`) ?? 0;
  await killBrowser(dir);
  if (process.env.ATHAR_DEBUG) console.log("sizes", files.map((f) => f.bytes), "killed with", partlyBefore, "bytes of a file held");

  [context, page] = await launch(dir, testInfo);
  // Relaunched: the files are still on the phone, and sending goes on from where the server stands.
  let resumedAt: number | null = null;
  page.on("request", (r) => {
    const offset = r.headers()["upload-offset"];
    if (r.method() === "PATCH" && offset !== undefined && resumedAt === null) resumedAt = Number(offset);
  });
  await openSignedIn(page, projectUrl);
  await expect.poll(() => fileRows(shas, "complete = 1"), { timeout: 90_000 }).toBe(3);
  expect(resumedAt, "the first piece after the relaunch").not.toBeNull();
  expect(resumedAt!).toBeGreaterThanOrEqual(partlyBefore);
  if (process.env.ATHAR_DEBUG) console.log("resumed at", resumedAt);

  // Each file once, whole, under the hash of its bytes; nothing left in pieces.
  const whole = storedObjects("files/");
  if (whole) {
    for (const sha of shas) expect(whole.get(sha), `files/${sha}`).toBe(sha);
    const pieces = storedObjects("partial/")!;
    expect([...pieces.keys()].filter((k) => shas.some((s) => k.startsWith(s)))).toEqual([]);
  }
  expect(fileRows(shas, "1 = 1")).toBe(3);
  // Forgotten by the phone once the server has them and the visit.
  await expect.poll(async () => (await keptOnPhone(page)).filter((s) => shas.includes(s)), { timeout: 30_000 }).toEqual([]);
  await expect(page.locator(".sync-files")).toHaveCount(0);
  await context.close();
  rmSync(dir, { recursive: true, force: true });

  // The supervisor reviews the visit with its photos.
  const review = await browser.newContext({ viewport: { width: 1024, height: 768 } });
  const tablet = await review.newPage();
  await signIn(tablet, "supervisor");
  await tablet.goto("/review");
  await hydrated(tablet);
  const card = tablet.locator("article.review-item", { hasText: observations });
  await expect(card).toHaveCount(1);
  const thumbnails = card.locator(".evidence img");
  await expect(thumbnails).toHaveCount(2);
  for (let i = 0; i < 2; i++) {
    await thumbnails.nth(i).scrollIntoViewIfNeeded();
    await expect.poll(() => thumbnails.nth(i).evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBeGreaterThan(0);
    expect(await thumbnails.nth(i).evaluate((img: HTMLImageElement) => Math.max(img.naturalWidth, img.naturalHeight))).toBeLessThanOrEqual(320);
  }
  await expect(card.locator(".evidence img").first()).toHaveAttribute("alt", /La pompe et le panneau/);
  await expect(card.locator(".evidence a", { hasText: "Document 3" })).toHaveAttribute("href", `/api/files/${shas[2]}`);
  await review.close();
});

test("a page renamed .jpg, an SVG and a PDF over 10 MB are refused on the phone, each with its reason, and nothing is kept", async ({ page }) => {
  await signIn(page, "facilitator");
  await page.locator(".card-title a").last().click();
  await hydrated(page);
  await page.getByRole("link", { name: /Nouvelle visite/ }).click();
  await hydrated(page);
  const before = await keptOnPhone(page);
  const big = Buffer.concat([Buffer.from("%PDF-1.4\n"), Buffer.alloc(10 * 1024 * 1024 + 1, 32)]);
  await page.locator("#files-add-file").setInputFiles([
    { name: "photo.jpg", mimeType: "image/jpeg", buffer: Buffer.from("<!doctype html><script>alert(1)</script>") },
    { name: "logo.svg", mimeType: "image/svg+xml", buffer: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>') },
    { name: "scan.pdf", mimeType: "application/pdf", buffer: big },
  ]);
  const said = page.locator(".attachments .notice li");
  await expect(said).toHaveCount(3, { timeout: 20_000 });
  await expect(said.nth(0)).toHaveText(/« photo\.jpg » : seules les photos \(JPEG, PNG, WebP\) et les PDF/);
  await expect(said.nth(1)).toHaveText(/« logo\.svg » : seules les photos/);
  await expect(said.nth(2)).toHaveText(/« scan\.pdf » : plus de 10 Mo/);
  await expect(page.locator(".attachments .file")).toHaveCount(0);
  expect(await keptOnPhone(page)).toEqual(before);
});

test("a phone whose storage for Athar is four fifths full says so in the sync bar, and tells the team", async ({ page }) => {
  // The browser's own figures, as a phone full of photos would give them.
  await page.addInitScript(() => {
    Object.defineProperty(navigator.storage, "estimate", { value: () => Promise.resolve({ usage: 123_400_000, quota: 150_000_000 }) });
  });
  await signIn(page, "facilitator");
  await expect(page.locator(".sync-bar .storage-note", { hasText: "presque plein" })).toBeVisible({ timeout: 20_000 });
  const told = () => countRows("select count(*) from sync_clients where storage_bytes = 123400000 and storage_budget = 150000000");
  if (told() !== null) await expect.poll(told, { timeout: 20_000 }).toBeGreaterThanOrEqual(1);
});

test("the team justifies a tranche with a receipt's photo and an invoice; they reach the server, and the supervisor sees them with the tranche and on the timeline", async ({ browser }) => {
  test.setTimeout(120_000);
  // A project of the supervisor's, opened by the team.
  const tablet = await browser.newContext({ viewport: { width: 1024, height: 768 } });
  const supervisor = await tablet.newPage();
  await signIn(supervisor, "supervisor");
  await supervisor.locator(".card-title a").first().click();
  // The router moves inside the page: the address changes once the project's page is drawn.
  await supervisor.waitForURL(/\/projects\/[^/]+$/);
  await hydrated(supervisor);
  const projectPath = new URL(supervisor.url()).pathname;

  const desk = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await desk.newPage();
  await signIn(page, "team");
  await page.goto(projectPath);
  await hydrated(page);
  const section = page.locator("section[aria-labelledby='tranches-title']");
  await section.getByText("Enregistrer une tranche").click();
  await section.getByLabel("Tranche", { exact: true }).selectOption("5");
  // A tranche already recorded comes with its documents (a second run of this test): start over.
  const items = section.locator(".attachments .file");
  while ((await items.count()) > 0) await items.first().locator(".file-remove").click();
  await section.getByLabel("Montant prévu (DT)").fill("3000");
  await section.getByLabel("Montant versé (DT)").fill("3000");
  await section.getByLabel("Versée le").fill(tunisToday());
  await section.getByLabel("Montant justifié (DT)").fill("2 400");
  const before = await keptOnPhone(page);
  await section.locator("#tranche-files-add-file").setInputFiles([
    { name: "recu.jpg", mimeType: "image/jpeg", buffer: await smallPhoto(page, Date.now() % 100_000) },
    { name: "facture.pdf", mimeType: "application/pdf", buffer: receiptPdf() },
  ]);
  await expect(items).toHaveCount(2, { timeout: 20_000 });
  await items.nth(0).getByLabel("Non", { exact: true }).check();
  await items.nth(0).getByLabel(/Légende/).fill("Reçu du fournisseur de cartons");
  await section.getByRole("button", { name: "Enregistrer la tranche" }).click();
  await expect(section.getByRole("status")).toHaveText(/Tranche enregistrée/);
  const shas = (await keptOnPhone(page)).filter((s) => !before.includes(s));
  expect(shas).toHaveLength(2);
  // The sync that follows sends them; the browser forgets them once the server holds them.
  await expect.poll(() => fileRows(shas, "complete = 1"), { timeout: 60_000 }).toBe(shas.length);
  await expect.poll(async () => (await keptOnPhone(page)).filter((s) => shas.includes(s)), { timeout: 30_000 }).toEqual([]);
  // Chosen again, the tranche comes back with its documents.
  await page.reload();
  await hydrated(page);
  await section.getByText("Enregistrer une tranche").click();
  await section.getByLabel("Tranche", { exact: true }).selectOption("5");
  await expect(section.getByLabel("Montant justifié (DT)")).toHaveValue("2400");
  await expect(section.locator(".attachments .file")).toHaveCount(2);
  await desk.close();

  await supervisor.reload();
  await hydrated(supervisor);
  const tranches = supervisor.locator("section[aria-labelledby='tranches-title']");
  await expect(tranches.getByRole("heading", { name: "Tranche 5" })).toBeVisible();
  const photo = tranches.locator(".evidence img");
  await expect(photo).toHaveAttribute("alt", /Reçu du fournisseur de cartons/);
  await photo.scrollIntoViewIfNeeded();
  await expect.poll(() => photo.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBeGreaterThan(0);
  await expect(tranches.locator(".evidence a", { hasText: "Document 2" })).toHaveAttribute("href", /\/api\/files\/[0-9a-f]{64}$/);
  // The timeline's line for the tranche carries them too.
  const moment = supervisor.locator("ol.timeline li", { hasText: "Tranche 5 versée" });
  await expect(moment.locator(".evidence img")).toHaveCount(1);
  await expect(moment.locator(".evidence a", { hasText: "Document 2" })).toHaveCount(1);
  await tablet.close();
});
