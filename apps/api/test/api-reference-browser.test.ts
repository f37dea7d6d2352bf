/**
 * The API reference page in a real browser (Chromium, headless, the DOM after
 * its scripts ran): the document is drawn, and none of Scalar's upsell
 * buttons are ("Deploy", "Generate SDK", "Ask AI": they show by default on
 * localhost, where this runs).
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "./harness.js";

const CHROMIUM = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((path) =>
  existsSync(path),
);
if (CHROMIUM === undefined)
  console.warn("[api] the reference page's browser test skipped: no Chromium");

describe.skipIf(CHROMIUM === undefined)("API reference page in Chromium", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp("pglite");
  });
  afterAll(async () => {
    await t?.close();
  });

  it("draws the operations, without Deploy, Generate SDK or Ask AI", async () => {
    const { stdout: dom } = await promisify(execFile)(
      CHROMIUM as string,
      [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--virtual-time-budget=20000",
        "--dump-dom",
        `${t.url}/api/docs`,
      ],
      { maxBuffer: 64 * 1024 * 1024, timeout: 90_000 },
    );
    // Drawn from the document: operation summaries are in the page.
    expect(dom).toContain("Sign in with email and password");
    for (const upsell of ["Deploy", "Generate SDK", "Ask AI", "Developer Tools"]) {
      expect(dom, upsell).not.toContain(upsell);
    }
  }, 120_000);
});
