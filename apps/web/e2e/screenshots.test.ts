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
  expectAccount,
  expectVerified,
  PASSWORD,
  readCodesFromMailbox,
  readLatestCode,
  SUBJECTS,
  typeCode,
  waitForAlert,
  wrongCodeFor,
} from "./user.js";

/** Written by every run, so the pictures in the docs show the app as it is. */
const SCREENSHOTS = resolve(import.meta.dirname, "..", "..", "..", "docs", "screenshots");

async function shoot(page: Page, name: string, fullPage = true) {
  // Let fonts and the mailbox's frames settle; no hover colour from the last click.
  await page.mouse.move(0, page.viewportSize()?.height ?? 0);
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

  for (const [label, viewport] of [
    ["desktop", DESKTOP],
    ["phone", PHONE],
  ] as const) {
    it(`${label} (${viewport.width}x${viewport.height}): sign in, not verified, account, change email, sign in with a code, reset password`, async () => {
      const page = await env.newPage(viewport);
      const email = uniqueEmail(`screenshot-session-${label}`);
      await createAccount(page, email);

      await page.goto("/sign-in");
      await page.getByRole("navigation").getByRole("link", { name: "Sign in" }).waitFor();
      await page.getByLabel("Email address").fill(email);
      await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
      await page.getByLabel("Email address").focus();
      await shoot(page, `sign-in-${label}`);

      await page.getByRole("button", { name: "Sign in", exact: true }).click();
      await waitForAlert(page, /not verified/);
      await shoot(page, `sign-in-not-verified-${label}`);

      await page.getByRole("button", { name: "Send a verification code" }).click();
      await page.waitForURL((url) => url.pathname === "/verify");
      const [code] = await readCodesFromMailbox(env, mailbox, email, 2, SUBJECTS.verification);
      await typeCode(env, page, code ?? "");
      await expectVerified(page, email);
      await page.getByRole("main").getByRole("link", { name: "Sign in" }).click();
      await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
      await page.getByRole("button", { name: "Sign in", exact: true }).click();
      await expectAccount(page, email);
      await shoot(page, `account-${label}`);

      await page.getByRole("link", { name: "Change email" }).click();
      await page.getByLabel("New email address").fill(uniqueEmail(`screenshot-new-${label}`));
      await page.getByRole("button", { name: "Send a code" }).click();
      await page.getByRole("heading", { name: "Check your new inbox" }).waitFor();
      await shoot(page, `change-email-${label}`);

      await page.goto("/sign-in/code");
      await page.getByLabel("Email address").fill(email);
      await page.getByRole("button", { name: "Email me a code" }).click();
      await page.getByRole("textbox", { name: /^Digit 1 of \d+$/ }).waitFor();
      await shoot(page, `sign-in-code-${label}`);

      await page.goto("/reset-password");
      await page.getByLabel("Email address").fill(email);
      await page.getByRole("button", { name: "Email me a code" }).click();
      // A code typed (not sent) and the new password: the form as it is filled in.
      await typeCode(env, page, "1234567890".repeat(2).slice(0, env.codeLength));
      await page.getByLabel("New password", { exact: true }).fill("a new long passphrase");
      await shoot(page, `reset-password-${label}`);
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

    for (const path of ["/sign-in", "/sign-in/code", "/reset-password"]) {
      await page.goto(path);
      await page.getByLabel("Email address").waitFor();
      expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
    }
  });
});
