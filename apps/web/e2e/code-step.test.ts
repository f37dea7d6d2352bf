/**
 * The code step's states with short windows so they can be watched end to
 * end: the resend countdown, a cool-down told apart from the hour's cap, and
 * an honest lockout.
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
  alertText,
  codeField,
  createAccount,
  expectVerified,
  readCodesFromMailbox,
  readLatestCode,
  typeCode,
  waitForAlert,
  wrongCodeFor,
} from "./user.js";

const COOLDOWN_SECONDS = 5;
const MAX_ATTEMPTS = 2;
const ATTEMPT_WINDOW_SECONDS = 10;

function resendButton(page: Page) {
  return page.getByRole("button", { name: /^Send a new code/ });
}

/** Counts the calls of a procedure the page makes from now on. */
function countCalls(page: Page, procedure: string): () => number {
  let calls = 0;
  page.on("request", (request) => {
    if (new URL(request.url()).pathname.includes(procedure)) calls += 1;
  });
  return () => calls;
}

describeInBrowser("the code step's waits in Chromium, against the real API", () => {
  describe("with a cool-down and a small attempt budget", () => {
    let env: BrowserTestEnv;
    let mailbox: Page;
    useBrowserTestEnv(
      {
        OTP_SEND_COOLDOWN_SECONDS: String(COOLDOWN_SECONDS),
        OTP_MAX_ATTEMPTS: String(MAX_ATTEMPTS),
        OTP_ATTEMPT_WINDOW_SECONDS: String(ATTEMPT_WINDOW_SECONDS),
      },
      (opened, page) => {
        env = opened;
        mailbox = page;
      },
    );

    it("Send a new code counts down from the send, then works, and counts down again; a reload keeps the countdown", async () => {
      const page = await env.newPage();
      await createAccount(page, uniqueEmail("countdown"));
      const resend = resendButton(page);
      const calls = countCalls(page, "auth.resendCode");
      await page.getByRole("button", { name: /^Send a new code \([3-5] s\)$/ }).waitFor();
      expect(await resend.getAttribute("aria-disabled")).toBe("true");
      // Playwright waits for an aria-disabled button to be enabled; a person can click it at once.
      await resend.click({ force: true });
      expect(calls()).toBe(0);
      await expectAccessible(page, "verify: resend counting down");

      await page.getByRole("button", { name: "Send a new code", exact: true }).waitFor();
      expect(await resend.getAttribute("aria-disabled")).toBe("false");
      await resend.click();
      await page.getByRole("status").filter({ hasText: "A new code was sent." }).waitFor();
      expect(calls()).toBe(1);
      await page.getByRole("button", { name: /^Send a new code \([1-5] s\)$/ }).waitFor();

      await page.reload();
      await codeField(page).waitFor();
      await page.getByRole("button", { name: /^Send a new code \([1-5] s\)$/ }).waitFor();
    });

    it("a send inside the cool-down (another tab) is told apart from the hour's cap, counted down, and its message goes when the wait ends", async () => {
      const email = uniqueEmail("cooldown");
      const first = await env.newPage();
      await createAccount(first, email);

      // Another tab on Verify, opened without the flow's state: it does not know a code was just sent.
      const page = await env.newPage();
      await page.goto("/verify");
      await page.getByLabel("Which email address did you register with?").fill(email);
      await page.getByRole("button", { name: "Continue" }).click();
      await resendButton(page).click();
      expect(await waitForAlert(page, /moment ago/)).toMatch(
        /^A code was sent a moment ago\. You can ask for another in [1-5] seconds?\.$/,
      );
      await page.getByRole("button", { name: /^Send a new code \([1-5] s\)$/ }).waitFor();
      await expectAccessible(page, "verify: a cool-down");
      // When the wait is over, the message goes and the button works.
      await page.getByRole("button", { name: "Send a new code", exact: true }).waitFor();
      await eventually("the cool-down message gone", async () =>
        (await alertText(page)) === "" ? true : undefined,
      );
    });

    it("lockout: the last try states the time and that a new code does not help; the input is read-only until then, across a resend and a reload", async () => {
      const page = await env.newPage();
      const email = uniqueEmail("lockout");
      await createAccount(page, email);
      const code = await readLatestCode(env, mailbox, email);
      const checks = countCalls(page, "auth.verifyEmail");

      await typeCode(page, wrongCodeFor(code));
      await waitForAlert(page, /You have 1 attempt left/);
      await page.keyboard.type(wrongCodeFor(code));
      expect(await waitForAlert(page, /last try/)).toMatch(
        /^That code is not correct, and that was the last try for now\. You can try again in \d+ seconds\. A new code will not help before then\.$/,
      );
      const field = codeField(page);
      expect(await field.getAttribute("readonly")).not.toBeNull();
      await expectAccessible(page, "verify: locked after the last try");
      // Typing and submitting do nothing while locked.
      await page.keyboard.type(code);
      await page.getByRole("button", { name: "Verify email" }).click({ force: true });
      expect(await field.inputValue()).toBe("");
      expect(checks()).toBe(2);

      // A new code is sent, and the page says it cannot be entered yet.
      await page.getByRole("button", { name: "Send a new code", exact: true }).click();
      const sent = page.getByRole("status").filter({ hasText: "A new code was sent." });
      await sent.waitFor();
      expect(await sent.textContent()).toMatch(
        /codes are refused until \d{1,2}:\d{2}\. A new code will not help before then\.$/,
      );
      expect(await field.getAttribute("readonly")).not.toBeNull();
      await page.reload();
      await codeField(page).waitFor();
      expect(await codeField(page).getAttribute("readonly")).not.toBeNull();
      await page.getByRole("status").filter({ hasText: "codes are refused until" }).waitFor();

      // When the window ends the input takes the newest code.
      await eventually(
        "the input writable again",
        async () => ((await codeField(page).getAttribute("readonly")) === null ? true : undefined),
        (ATTEMPT_WINDOW_SECONDS + 5) * 1000,
      );
      const [newest] = await readCodesFromMailbox(env, mailbox, email, 2);
      await typeCode(page, newest ?? "");
      await expectVerified(page, email);
    });
  });

  describe("with a cap of two sends an hour", () => {
    let env: BrowserTestEnv;
    useBrowserTestEnv({ OTP_SEND_LIMIT: "2" }, (opened) => {
      env = opened;
    });

    it("the hour's cap says so, with the time, and the button waits until then", async () => {
      const page = await env.newPage();
      await createAccount(page, uniqueEmail("cap"));
      await resendButton(page).click();
      await page.getByRole("status").filter({ hasText: "A new code was sent." }).waitFor();
      await resendButton(page).click();
      expect(await waitForAlert(page, /most codes/)).toMatch(
        /^The most codes allowed in an hour were sent to this address\. You can ask for another in \d+ minutes \(at \d{1,2}:\d{2}\)\. The latest code still works until it expires\.$/,
      );
      // The earlier "A new code was sent" is gone: the latest outcome speaks.
      expect(
        await page.getByRole("status").filter({ hasText: "A new code was sent." }).count(),
      ).toBe(0);
      await page.getByRole("button", { name: /^Send a new code \(\d+ min\)$/ }).waitFor();
      expect(await resendButton(page).getAttribute("aria-disabled")).toBe("true");
      await expectAccessible(page, "verify: the hour's cap");
    });
  });
});
