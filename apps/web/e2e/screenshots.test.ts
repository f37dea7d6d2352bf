import type { Page } from "playwright-core";
import { expect, it } from "vitest";
import {
  type BrowserTestEnv,
  DESKTOP,
  describeInBrowser,
  PHONE,
  SMALLEST,
  uniqueEmail,
  useBrowserTestEnv,
} from "./harness.js";
import { shoot } from "./screenshot.js";
import {
  codeField,
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

/** Each of these walks visits a dozen states, two accounts and a lockout: more than one test's usual time. */
const LONG_WALK_MS = 90_000;

async function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
}

describeInBrowser("screenshots of every page, and the layout at small widths", () => {
  let env: BrowserTestEnv;
  let mailbox: Page;
  useBrowserTestEnv({}, (opened, page) => {
    env = opened;
    mailbox = page;
  });

  for (const [label, viewport] of [
    ["desktop", DESKTOP],
    ["phone", PHONE],
  ] as const) {
    it(
      `${label} (${viewport.width}x${viewport.height}): create account, verify with an error, verified, locked, unlock, mailbox`,
      async () => {
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
        await typeCode(page, wrongCodeFor(code));
        await waitForAlert(page, /not correct/);
        // Part of the next try typed: the segments as they fill.
        await page.keyboard.type(code.slice(0, 3));
        await shoot(page, `verify-${label}`);

        await page.keyboard.type(code.slice(3));
        await expectVerified(page, email);
        await shoot(page, `verified-${label}`);

        // The last wrong try: the time stated, the input read-only.
        const locked = await env.newPage(viewport);
        const lockedEmail = uniqueEmail(`screenshot-locked-${label}`);
        await createAccount(locked, lockedEmail);
        const lockedCode = await readLatestCode(env, mailbox, lockedEmail);
        await codeField(locked).click();
        for (let left = env.app.config.policy.maxFailedAttempts - 1; left >= 0; left--) {
          await locked.keyboard.type(wrongCodeFor(lockedCode));
          await waitForAlert(locked, left > 0 ? new RegExp(`${left} attempts? left`) : /last try/);
        }
        await shoot(locked, `verify-locked-${label}`);

        // The unlock email's page, as opened: nothing changes until the button.
        await locked.goto(`/unlock#token=${"a".repeat(43)}`);
        await locked.getByRole("button", { name: "Unlock my account" }).waitFor();
        await shoot(locked, `unlock-${label}`);

        await page.goto("/mailbox");
        await page
          .getByRole("article")
          .first()
          .locator("iframe")
          .contentFrame()
          .locator("body")
          .waitFor();
        await shoot(page, `mailbox-${label}`, false);
      },
      LONG_WALK_MS,
    );
  }

  for (const [label, viewport] of [
    ["desktop", DESKTOP],
    ["phone", PHONE],
  ] as const) {
    it(
      `${label} (${viewport.width}x${viewport.height}): sign in, not verified, account, change email, sign in with a code, reset password`,
      async () => {
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
        await typeCode(page, code ?? "");
        if ((await expectVerified(page, email)) === "sign-in") {
          await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
          await page.getByRole("button", { name: "Sign in", exact: true }).click();
        }
        await expectAccount(page, email);
        await shoot(page, `account-${label}`);

        await page.getByRole("link", { name: "Change email" }).click();
        await page.getByLabel("New email address").fill(uniqueEmail(`screenshot-new-${label}`));
        await page.getByRole("button", { name: "Send a code" }).click();
        await page.getByRole("heading", { name: "Check your new inbox" }).waitFor();
        await shoot(page, `change-email-${label}`);

        // Signed out (a signed-in person is sent on from the sign-in pages): a fresh browser.
        const signedOut = await env.newPage(viewport);
        await signedOut.goto("/sign-in/code");
        await signedOut.getByLabel("Email address").fill(email);
        await signedOut.getByRole("button", { name: "Email me a code" }).click();
        await codeField(signedOut).waitFor();
        await shoot(signedOut, `sign-in-code-${label}`);

        await signedOut.goto("/reset-password");
        await signedOut.getByLabel("Email address").fill(email);
        await signedOut.getByRole("button", { name: "Email me a code" }).click();
        // A code typed (not sent) and the new password: the form as it is filled in.
        await typeCode(signedOut, "1234567890".repeat(2).slice(0, env.codeLength));
        await signedOut.getByLabel("New password", { exact: true }).fill("a new long passphrase");
        await shoot(signedOut, `reset-password-${label}`);
      },
      LONG_WALK_MS,
    );
  }

  it(`the dev mailbox on a phone (${PHONE.width}x${PHONE.height}, emulated): every email fits its frame, and the frame the screen`, async () => {
    const page = await env.newPage(PHONE);
    const email = uniqueEmail("mailbox-phone");
    await createAccount(page, email);
    await readLatestCode(env, page, email);
    const message = page
      .getByRole("article")
      .filter({ has: page.getByText(email, { exact: true }) })
      .first();
    const frame = message.locator("iframe");
    const body = frame.contentFrame().locator("body");
    await body.waitFor();

    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
    const bounds = await frame.boundingBox();
    expect(bounds?.x ?? -1).toBeGreaterThanOrEqual(0);
    expect((bounds?.x ?? 0) + (bounds?.width ?? 0)).toBeLessThanOrEqual(PHONE.width);
    // Inside the frame nothing reaches past its right edge (the email is not cut off).
    const inside = await body.evaluate(() => {
      const root = document.documentElement;
      let right = 0;
      for (const element of document.body.querySelectorAll("*")) {
        right = Math.max(right, element.getBoundingClientRect().right);
      }
      return { scrollWidth: root.scrollWidth, clientWidth: root.clientWidth, right };
    });
    expect(inside.scrollWidth).toBeLessThanOrEqual(inside.clientWidth);
    expect(inside.right).toBeLessThanOrEqual(inside.clientWidth);
    expect(inside.clientWidth).toBe(Math.round(bounds?.width ?? 0));
  });

  it(`nothing scrolls sideways at ${SMALLEST.width} px, and every code box is visible`, async () => {
    const page = await env.newPage(SMALLEST);
    const email = uniqueEmail("narrow");
    await page.goto("/");
    await page.getByText(/Use \d+ to \d+ characters/).waitFor();
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);

    await createAccount(page, email);
    await codeField(page).waitFor();
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
    // Every segment is on screen, wide enough to read and to aim at; the input lies over them all.
    const segments = page.locator(".code-input__cell");
    expect(await segments.count()).toBe(env.codeLength);
    for (const segment of await segments.all()) {
      const bounds = await segment.boundingBox();
      expect(bounds).not.toBeNull();
      expect(bounds?.x ?? -1).toBeGreaterThanOrEqual(0);
      expect((bounds?.x ?? 0) + (bounds?.width ?? 0)).toBeLessThanOrEqual(SMALLEST.width);
      expect(bounds?.width ?? 0).toBeGreaterThanOrEqual(24);
    }
    const field = await codeField(page).boundingBox();
    const first = await segments.first().boundingBox();
    const last = await segments.last().boundingBox();
    expect(field?.x).toBeLessThanOrEqual(first?.x ?? 0);
    expect((field?.x ?? 0) + (field?.width ?? 0)).toBeGreaterThanOrEqual(
      (last?.x ?? 0) + (last?.width ?? 0),
    );

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
