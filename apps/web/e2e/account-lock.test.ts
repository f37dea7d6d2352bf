/**
 * The web side of account-takeover resistance, against the real API with
 * small limits: the sign-in page's words for the account's password budget
 * (TOO_MANY_ATTEMPTS) and for a locked account (ACCOUNT_LOCKED), a locked
 * account on a code step, and the unlock page with the link of the email.
 */
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { expectAccessible } from "./axe.js";
import {
  type BrowserTestEnv,
  describeInBrowser,
  eventually,
  uniqueEmail,
  useBrowserTestEnv,
} from "./harness.js";
import {
  codeField,
  createVerifiedAccount,
  expectAccount,
  focusedName,
  PASSWORD,
  typeCode,
  waitForAlert,
} from "./user.js";

const WRONG_PASSWORD = "not the password of this account";

async function submitSignIn(page: Page, email: string, password: string) {
  await page.getByLabel("Email address").fill(email);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
}

/** Wrong passwords on Sign in until the answer matches `until`; returns its text. */
async function wrongPasswordsUntil(page: Page, email: string, until: RegExp, most: number) {
  for (let tries = 1; tries <= most; tries++) {
    await page.goto("/sign-in");
    await submitSignIn(page, email, WRONG_PASSWORD);
    const text = await waitForAlert(page, /do not match|Too many|locked/);
    if (until.test(text)) return text;
  }
  throw new Error(`no answer matching ${until} after ${most} wrong passwords`);
}

/** The unlock link's token, from the "account is locked" email as rendered on /mailbox. */
async function unlockTokenFromMailbox(mailbox: Page, email: string): Promise<string> {
  await mailbox.goto("/mailbox");
  const message = mailbox
    .getByRole("article")
    .filter({ has: mailbox.getByText(email, { exact: true }) })
    .filter({ has: mailbox.getByRole("heading", { name: /account is locked$/ }) })
    .first();
  // The link is written out as text (to copy or open), as its recipient reads it.
  return eventually("the unlock email", async () => {
    if ((await message.count()) === 0) return undefined;
    const body = message.locator("iframe").contentFrame().locator("body");
    // biome-ignore lint/performance/useDomNodeTextContent: Playwright's innerText, the text as rendered
    const text = await body.innerText();
    return /\/unlock#token=([A-Za-z0-9_-]+)/.exec(text)?.[1];
  });
}

describeInBrowser("account lockout in Chromium, against the real API", () => {
  describe("with a password budget of 2", () => {
    let env: BrowserTestEnv;
    let mailbox: Page;
    useBrowserTestEnv({ PASSWORD_MAX_FAILURES: "2" }, (opened, page) => {
      env = opened;
      mailbox = page;
    });

    it("past the budget, Sign in says when to try again and offers a code instead", async () => {
      const page = await env.newPage();
      const email = uniqueEmail("budget");
      await createVerifiedAccount(env, page, mailbox, email);
      const text = await wrongPasswordsUntil(page, email, /Too many/, 4);
      expect(text).toMatch(
        /^Too many incorrect passwords for this account\. You can try again in \d+ minutes \(at \d{1,2}:\d{2}\)\. Or sign in with a code instead\.$/,
      );
      // Focus went to the message, so it is read at once.
      expect(await page.evaluate(() => document.activeElement?.getAttribute("role"))).toBe("alert");
      await expectAccessible(page, "sign in: the password budget spent");
    });
  });

  describe("with a cap of 3 failures in a row", () => {
    let env: BrowserTestEnv;
    let mailbox: Page;
    useBrowserTestEnv({ MAX_CONSECUTIVE_FAILURES: "3" }, (opened, page) => {
      env = opened;
      mailbox = page;
    });

    it("locked: Sign in and the code step say to look for the unlock email; the link's page unlocks, once", async () => {
      const page = await env.newPage();
      const email = uniqueEmail("locked");
      await createVerifiedAccount(env, page, mailbox, email);
      expect(await wrongPasswordsUntil(page, email, /locked/, 5)).toBe(
        "This account is locked after too many failed attempts. We emailed its address a link to unlock it: open the latest unlock email, then try again.",
      );
      await expectAccessible(page, "sign in: account locked");

      // A code step says the same, read-only.
      await page.goto("/sign-in/code");
      await page.getByLabel("Email address").fill(email);
      await page.getByRole("button", { name: "Email me a code" }).click();
      await typeCode(page, "1".repeat(env.codeLength));
      await waitForAlert(page, /This account is locked/);
      expect(await codeField(page).getAttribute("readonly")).not.toBeNull();
      await expectAccessible(page, "sign in with a code: account locked");

      // The email's link: opening the page changes nothing; the button unlocks.
      const token = await unlockTokenFromMailbox(mailbox, email);
      const unlockCalls = () => calls;
      let calls = 0;
      page.on("request", (request) => {
        if (request.url().includes("auth.unlock")) calls += 1;
      });
      await page.goto(`/unlock#token=${encodeURIComponent(token)}`);
      await page.getByRole("heading", { name: "Unlock your account" }).waitFor();
      await page.waitForFunction(() => document.title === "Unlock your account · OTP");
      await expectAccessible(page, "unlock: as opened");
      expect(unlockCalls()).toBe(0);
      await page.getByRole("button", { name: "Unlock my account" }).click();
      await page.waitForURL((url) => url.pathname === "/sign-in");
      expect(page.url()).not.toContain(token);
      await page.getByRole("status").filter({ hasText: "Your account is unlocked." }).waitFor();
      await expectAccessible(page, "sign in: unlocked");
      await submitSignIn(page, email, PASSWORD);
      await expectAccount(page, email);

      // The link works once: opened again, its button says so, focused.
      const again = await env.newPage();
      // A link mailed before the token moved to the fragment still opens, rewritten at once.
      await again.goto(`/unlock?token=${encodeURIComponent(token)}`);
      await again.getByRole("button", { name: "Unlock my account" }).waitFor();
      expect(new URL(again.url()).search).toBe("");
      expect(new URL(again.url()).hash).toBe(`#token=${encodeURIComponent(token)}`);
      await again.getByRole("button", { name: "Unlock my account" }).click();
      expect(await waitForAlert(again, /unlock link/)).toMatch(/^This unlock link does not work/);
      expect(await focusedName(again)).toMatch(/^This unlock link does not work/);
      await expectAccessible(again, "unlock: a used link");

      // Without a token at all, the page says so and offers no button.
      await again.goto("/unlock");
      await waitForAlert(again, /unlock link does not work/);
      expect(await again.getByRole("button", { name: "Unlock my account" }).count()).toBe(0);
    });
  });
});
