import { defineConfig, devices } from "@playwright/test";

// The server is started by `.ci/test` (release build, fresh SQLite database with the demo data)
// before Playwright runs; ATHAR_URL points at it.
export default defineConfig({
  testDir: "./tests",
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [["list"]],
  use: {
    baseURL: process.env.ATHAR_URL ?? "http://127.0.0.1:3000",
    serviceWorkers: "allow",
    // Phones in the programme are set to French or Arabic; without a choice saved in a cookie,
    // Athar follows the browser's language.
    locale: "fr-FR",
    trace: "off",
    launchOptions: {
      executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
      ],
    },
  },
  projects: [
    { name: "phone", use: { viewport: { width: 360, height: 640 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 } },
  ],
});
