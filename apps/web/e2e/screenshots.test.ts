import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  type BrowserTestEnv,
  DESKTOP,
  describeInBrowser,
  PHONE,
  SMALLEST,
  startBrowserTestEnv,
  uniqueEmail,
} from "./harness.js";
import {
  createAccount,
  expectVerified,
  PASSWORD,
  readLatestCode,
  typeCode,
  waitForAlert,
  wrongCodeFor,
} from "./user.js";

/** Written by every run, so the pictures in the docs show the app as it is. */
const SCREENSHOTS = resolve(import.meta.dirname, "..", "..", "..", "docs", "screenshots");

async function shoot(page: Page, name: string, fullPage = true) {
  // Let fonts and the mailbox's frames settle.
  await page.evaluate(() => document.fonts.ready);
  await page.screenshot({
    path: join(SCREENSHOTS, `${name}.png`),
    fullPage,
    animations: "disabled",
    caret: "hide",
  });
}

async function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
}

describeInBrowser("screenshots of every page, and the layout at small widths", () => {
  let env: BrowserTestEnv;
  let mailbox: Page;

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    env = await startBrowserTestEnv();
    mailbox = await env.newPage();
  });
  afterAll(async () => {
    await env?.close();
  });

  for (const [label, viewport] of [
    ["desktop", DESKTOP],
    ["phone", PHONE],
  ] as const) {
    it(`${label} (${viewport.width}x${viewport.height}): create account, verify with an error, verified, mailbox`, async () => {
      const page = await env.newPage(viewport);
      const email = uniqueEmail(`screenshot-${label}`);

      await page.goto("/");
      await page.getByText(/Use \d+ to \d+ characters/).waitFor();
      await page.getByLabel("Email address").fill(email);
      await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
      await page.getByLabel("Email address").focus();
      await shoot(page, `create-account-${label}`);

      await createAccount(page, email);
      const code = await readLatestCode(env, mailbox, email);
      await typeCode(env, page, wrongCodeFor(code));
      await waitForAlert(page, /not correct/);
      await shoot(page, `verify-${label}`);

      await page.keyboard.type(code);
      await expectVerified(page, email);
      await shoot(page, `verified-${label}`);

      await page.goto("/mailbox");
      await page
        .getByRole("article")
        .first()
        .locator("iframe")
        .contentFrame()
        .locator("body")
        .waitFor();
      await shoot(page, `mailbox-${label}`, false);
    });
  }

  it(`nothing scrolls sideways at ${SMALLEST.width} px, and every code box is visible`, async () => {
    const page = await env.newPage(SMALLEST);
    const email = uniqueEmail("narrow");
    await page.goto("/");
    await page.getByText(/Use \d+ to \d+ characters/).waitFor();
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);

    await createAccount(page, email);
    const boxes = page.getByRole("textbox", { name: /^Digit \d+ of \d+$/ });
    await boxes.first().waitFor();
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
    for (const box of await boxes.all()) {
      const bounds = await box.boundingBox();
      expect(bounds).not.toBeNull();
      expect(bounds?.x ?? -1).toBeGreaterThanOrEqual(0);
      expect((bounds?.x ?? 0) + (bounds?.width ?? 0)).toBeLessThanOrEqual(SMALLEST.width);
      expect(bounds?.width ?? 0).toBeGreaterThanOrEqual(24);
    }

    await page.goto("/mailbox");
    await page.getByRole("article").first().waitFor();
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
  });
});
