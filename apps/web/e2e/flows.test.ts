import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from "@otp/core";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  type BrowserTestEnv,
  describeInBrowser,
  eventually,
  startBrowserTestEnv,
  uniqueEmail,
} from "./harness.js";
import {
  alertText,
  createAccount,
  digitBox,
  expectVerified,
  focusedName,
  PASSWORD,
  readCodesFromMailbox,
  readLatestCode,
  typeCode,
  waitForAlert,
  wrongCodeFor,
} from "./user.js";

const RESENT_FEEDBACK = "A new code was sent. Earlier codes no longer work.";

describeInBrowser("the sign-up flow in Chromium, against the real API", () => {
  let env: BrowserTestEnv;
  let mailbox: Page;

  beforeAll(async () => {
    env = await startBrowserTestEnv();
    mailbox = await env.newPage();
  });
  afterAll(async () => {
    await env?.close();
  });

  it("register, read the code in the dev mailbox, enter it: verified", async () => {
    const page = await env.newPage();
    const email = uniqueEmail("happy");
    await createAccount(page, email);
    expect(new URL(page.url()).searchParams.get("email")).toBe(email);
    await page.getByText(`Enter the ${env.codeLength}-digit code we sent to`).waitFor();
    expect(await page.getByRole("textbox", { name: /^Digit \d+ of \d+$/ }).count()).toBe(
      env.codeLength,
    );
    // The Verify page links to the mailbox in development.
    await page.getByRole("link", { name: "dev mailbox" }).waitFor();

    const code = await readLatestCode(env, mailbox, email);
    await typeCode(env, page, code);
    await expectVerified(page, email);
  });

  it("a wrong code shows its error with the attempts left, then the right code works", async () => {
    const page = await env.newPage();
    const email = uniqueEmail("wrong");
    await createAccount(page, email);
    const code = await readLatestCode(env, mailbox, email);

    await typeCode(env, page, wrongCodeFor(code));
    const maxAttempts = env.app.config.policy.maxFailedAttempts;
    expect(await waitForAlert(page, /not correct/)).toBe(
      `That code is not correct. You have ${maxAttempts - 1} attempts left.`,
    );
    // The boxes are cleared, marked invalid, and focus is back in the first one.
    expect(await focusedName(page)).toBe(`Digit 1 of ${env.codeLength}`);
    expect(await digitBox(page, 1, env.codeLength).inputValue()).toBe("");
    expect(await digitBox(page, 1, env.codeLength).getAttribute("aria-invalid")).toBe("true");

    await page.keyboard.type(code);
    await expectVerified(page, email);
  });

  it("resend: pending state and feedback, then the old code is refused and the new one accepted", async () => {
    const page = await env.newPage();
    const email = uniqueEmail("resend");
    await createAccount(page, email);
    const [oldCode] = await readCodesFromMailbox(env, mailbox, email, 1);

    // Hold the request a moment so the pending state can be seen.
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    await page.route("**/trpc/auth.resendCode*", async (route) => {
      await held;
      await route.continue();
    });
    const resend = page.getByRole("button", { name: /Send a new code|Sending/ });
    await resend.click();
    await page.getByRole("button", { name: "Sending…" }).waitFor();
    expect(await resend.getAttribute("aria-disabled")).toBe("true");
    release();
    await page.getByRole("status").filter({ hasText: RESENT_FEEDBACK }).waitFor();
    expect(await resend.textContent()).toBe("Send a new code");

    const [newCode, previous] = await readCodesFromMailbox(env, mailbox, email, 2);
    expect(previous).toBe(oldCode);
    if (oldCode === undefined || newCode === undefined) throw new Error("codes missing");
    expect(newCode).not.toBe(oldCode);

    await typeCode(env, page, oldCode);
    await waitForAlert(page, /That code is not correct/);
    await page.keyboard.type(newCode);
    await expectVerified(page, email);
  });

  it("pasting the whole code (with a space and a dash) into the first box fills every box and submits", async () => {
    const page = await env.newPage();
    await page.context().grantPermissions(["clipboard-read", "clipboard-write"]);
    const email = uniqueEmail("paste");
    await createAccount(page, email);
    const code = await readLatestCode(env, mailbox, email);
    const half = Math.floor(code.length / 2);
    const formatted = `${code.slice(0, half)} - ${code.slice(half)}`;

    await digitBox(page, 1, env.codeLength).click();
    await page.evaluate((text) => navigator.clipboard.writeText(text), formatted);
    await page.keyboard.press("ControlOrMeta+V");
    await expectVerified(page, email);
  });

  it("keyboard only: Tab, typing and Enter carry the whole flow", async () => {
    const page = await env.newPage();
    const email = uniqueEmail("keyboard");
    await page.goto("/");

    // Tab from the top of the page to the email field.
    for (let presses = 0; (await focusedName(page)) !== "Email address"; presses++) {
      if (presses > 10) throw new Error("Tab never reached the email field");
      await page.keyboard.press("Tab");
    }
    await page.keyboard.type(email);
    await page.keyboard.press("Tab");
    expect(await focusedName(page)).toBe("Password");
    await page.keyboard.type(PASSWORD);
    await page.keyboard.press("Enter");
    await page.waitForURL((url) => url.pathname === "/verify");

    // The Verify page puts focus in the first box by itself.
    await eventually("focus in the first box", async () =>
      (await focusedName(page)) === `Digit 1 of ${env.codeLength}` ? true : undefined,
    );
    const code = await readLatestCode(env, mailbox, email);

    // Type three digits, take the last back with Backspace, look around with the arrows.
    await page.keyboard.type(code.slice(0, 3));
    expect(await focusedName(page)).toBe(`Digit 4 of ${env.codeLength}`);
    await page.keyboard.press("Backspace");
    expect(await focusedName(page)).toBe(`Digit 3 of ${env.codeLength}`);
    expect(await digitBox(page, 3, env.codeLength).inputValue()).toBe("");
    await page.keyboard.press("ArrowLeft");
    expect(await focusedName(page)).toBe(`Digit 2 of ${env.codeLength}`);
    await page.keyboard.press("ArrowRight");
    expect(await focusedName(page)).toBe(`Digit 3 of ${env.codeLength}`);

    await page.keyboard.type(code.slice(2));
    await expectVerified(page, email);
    expect(await alertText(page)).toBe("");
  });

  it("shows the password rules from the API, and the API's field errors beside their fields", async () => {
    const page = await env.newPage();
    await page.goto("/");
    await page
      .getByText(`Use ${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters`)
      .waitFor();
    const password = page.getByLabel("Password", { exact: true });
    expect(await password.getAttribute("autocomplete")).toBe("new-password");
    expect(await page.getByLabel("Email address").getAttribute("autocomplete")).toBe("email");

    await page.getByLabel("Email address").fill(uniqueEmail("short"));
    await password.fill("short");
    await page.getByRole("button", { name: "Create account" }).click();
    await waitForAlert(page, new RegExp(`at least ${PASSWORD_MIN_LENGTH} characters`));
    expect(await password.getAttribute("aria-invalid")).toBe("true");
    expect(await focusedName(page)).toBe("Password");
    expect(new URL(page.url()).pathname).toBe("/");
  });
});
