import type { Page } from "playwright-core";
import { expect, it } from "vitest";
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
  expectNoAddressInUrls,
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
  useBrowserTestEnv({}, (opened, page) => {
    env = opened;
    mailbox = page;
  });

  it("register, read the code in the dev mailbox, enter it: verified; no address in any URL", async () => {
    const page = await env.newPage();
    const email = uniqueEmail("happy");
    await page.goto("/");
    await page.getByText(/Use \d+ to \d+ characters/).waitFor();
    await expectAccessible(page, "create account");
    await createAccount(page, email);
    // Registered: the page says plainly that an email went out (true for every address).
    await page
      .getByText(`We sent an email to ${email}. Enter the code from it to verify the address.`)
      .waitFor();
    expect(await page.title()).toBe("Enter your verification code · OTP");
    // One input: one tab stop, one autofill target, as long as the code.
    const field = codeField(page);
    expect(await page.getByRole("textbox").count()).toBe(1);
    expect(await field.getAttribute("autocomplete")).toBe("one-time-code");
    expect(await field.getAttribute("inputmode")).toBe("numeric");
    expect(await field.getAttribute("maxlength")).toBe(String(env.codeLength));
    await page.getByRole("link", { name: "dev mailbox" }).waitFor();
    await expectAccessible(page, "verify: code step");

    const code = await readLatestCode(env, mailbox, email);
    await typeCode(page, code);
    await expectVerified(page, email);
    await expectAccessible(page, "after verification");
    expectNoAddressInUrls(page, email);
  });

  it("a wrong code shows its error with the attempts left, then the right code works", async () => {
    const page = await env.newPage();
    const email = uniqueEmail("wrong");
    await createAccount(page, email);
    const code = await readLatestCode(env, mailbox, email);

    await typeCode(page, wrongCodeFor(code));
    const maxAttempts = env.app.config.policy.maxFailedAttempts;
    expect(await waitForAlert(page, /not correct/)).toBe(
      `That code is not correct. You have ${maxAttempts - 1} attempts left.`,
    );
    // The input is emptied, marked invalid, described by the message, and has focus.
    const field = codeField(page);
    expect(await focusedName(page)).toBe(`Verification code (${env.codeLength} digits)`);
    expect(await field.inputValue()).toBe("");
    expect(await field.getAttribute("aria-invalid")).toBe("true");
    const describedBy = (await field.getAttribute("aria-describedby")) ?? "";
    expect(await page.locator(`[id="${describedBy}"]`).textContent()).toMatch(/not correct/);
    await expectAccessible(page, "verify: a wrong code");

    await page.keyboard.type(code);
    await expectVerified(page, email);
  });

  it("a refused code stays in view, and the attempts left stay: with an incomplete try, and after a new code", async () => {
    const page = await env.newPage();
    const email = uniqueEmail("attempts-stay");
    await createAccount(page, email);
    const code = await readLatestCode(env, mailbox, email);
    const wrong = wrongCodeFor(code);
    const cells = page.locator(".code-input__cell");
    const maxAttempts = env.app.config.policy.maxFailedAttempts;
    const attemptsLine = `That code is not correct. You have ${maxAttempts - 1} attempts left.`;

    await typeCode(page, wrong);
    expect(await waitForAlert(page, /not correct/)).toBe(attemptsLine);
    // The refused digits stay drawn (struck through); the input is empty for the next try.
    expect(await cells.allTextContents()).toEqual(wrong.split(""));
    expect(await page.locator(".code-input__cell[data-previous]").count()).toBe(env.codeLength);
    expect(await codeField(page).inputValue()).toBe("");
    await expectAccessible(page, "verify: the refused code in view");
    // Typing starts over them.
    await page.keyboard.type("12");
    expect(await cells.allTextContents()).toEqual(
      ["1", "2"].concat(Array(env.codeLength - 2).fill("")),
    );
    // An incomplete code sent: the hint joins the attempts left, which stay.
    await page.getByRole("button", { name: "Verify email" }).click();
    const both = await waitForAlert(page, /Enter all/);
    expect(both).toMatch(
      new RegExp(
        `^${attemptsLine.replace(/\./g, "\\.")}\\s+Enter all ${env.codeLength} digits of the code\\.$`,
      ),
    );

    // A new code: the budget is not reset, and the page still says what is left.
    await page.getByRole("button", { name: "Send a new code", exact: true }).click();
    const status = page.getByRole("status").filter({ hasText: "A new code was sent." });
    await status.waitFor();
    expect(await status.textContent()).toBe(
      `A new code was sent. Earlier codes no longer work. You still have ${maxAttempts - 1} attempts left: a new code does not add any.`,
    );
    expect(await cells.allTextContents()).toEqual(Array(env.codeLength).fill(""));
    // And it is true: the next wrong try leaves one less.
    const [newest] = await readCodesFromMailbox(env, mailbox, email, 2);
    await typeCode(page, wrongCodeFor(newest ?? ""));
    await waitForAlert(page, new RegExp(`You have ${maxAttempts - 2} attempts? left`));
    await typeCode(page, newest ?? "");
    await expectVerified(page, email);
  });

  it("typing goes in order wherever the person starts: a click at the right end, or Shift+Tab from Send a new code", async () => {
    const page = await env.newPage();
    const email = uniqueEmail("anywhere");
    await createAccount(page, email);
    const code = await readLatestCode(env, mailbox, email);
    const field = codeField(page);

    // A click where the fifth segment is drawn, then four digits: they are the first four.
    const box = await field.boundingBox();
    if (box === null) throw new Error("no code input");
    await page.mouse.click(box.x + (box.width * 4.5) / env.codeLength, box.y + box.height / 2);
    await page.keyboard.type("1234");
    expect(await field.inputValue()).toBe("1234");
    // A click in the middle of typed digits does not move the insertion point off the end.
    await page.mouse.click(box.x + box.width / (2 * env.codeLength), box.y + box.height / 2);
    await page.keyboard.type("5");
    expect(await field.inputValue()).toBe("12345");
    await page.keyboard.press("Backspace");
    expect(await field.inputValue()).toBe("1234");
    // Select all and type: the new digits replace the old.
    await page.keyboard.press("ControlOrMeta+A");
    await page.keyboard.type("9");
    expect(await field.inputValue()).toBe("9");
    await page.keyboard.press("Backspace");
    expect(await field.inputValue()).toBe("");

    // One tab stop: Tab leaves the code for the button, Shift+Tab from Send a new code comes back to it.
    await field.focus();
    await page.keyboard.press("Tab");
    expect(await focusedName(page)).toBe("Verify email");
    await page.getByRole("button", { name: "Send a new code" }).focus();
    await page.keyboard.press("Shift+Tab");
    await page.keyboard.press("Shift+Tab");
    expect(await focusedName(page)).toBe(`Verification code (${env.codeLength} digits)`);
    await page.keyboard.type(code);
    await expectVerified(page, email);
  });

  it("resend: pending state and feedback, the same status announced again, messages replaced; a replaced code told apart, the new one accepted", async () => {
    const page = await env.newPage();
    const email = uniqueEmail("resend");
    await createAccount(page, email);
    const [firstCode] = await readCodesFromMailbox(env, mailbox, email, 1);
    if (firstCode === undefined) throw new Error("no code");

    // Count every time the status text is inserted into its live region (what a screen reader announces).
    await page.evaluate((text) => {
      const w = window as unknown as { announced: number };
      w.announced = 0;
      new MutationObserver((records) => {
        for (const record of records) {
          for (const node of record.addedNodes) {
            if (node.textContent?.includes(text)) w.announced += 1;
          }
        }
      }).observe(document.body, { childList: true, subtree: true });
    }, RESENT_FEEDBACK);
    const announced = () =>
      page.evaluate(() => (window as unknown as { announced: number }).announced);

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
    const status = page.getByRole("status").filter({ hasText: RESENT_FEEDBACK });
    await status.waitFor();
    expect(await resend.textContent()).toBe("Send a new code");
    expect(await announced()).toBe(1);
    await expectAccessible(page, "verify: a new code sent");

    // A second resend says the same: announced again.
    await resend.click();
    await eventually("the second announcement", async () =>
      (await announced()) >= 2 ? true : undefined,
    );
    expect(await page.getByText(RESENT_FEEDBACK).count()).toBe(1);

    // A refused code replaces "A new code was sent": the code just replaced says so, and costs no try.
    const [newest, replaced, oldest] = await readCodesFromMailbox(env, mailbox, email, 3);
    if (newest === undefined || replaced === undefined || oldest === undefined) {
      throw new Error("codes missing");
    }
    expect(oldest).toBe(firstCode);
    await typeCode(page, replaced);
    expect(await waitForAlert(page, /replaced/)).toBe(
      "That code was replaced by a newer one. Enter the code from the latest email (this try was not counted).",
    );
    expect(await status.count()).toBe(0);
    await expectAccessible(page, "verify: a replaced code");
    await page.keyboard.type(wrongCodeFor(newest));
    const maxAttempts = env.app.config.policy.maxFailedAttempts;
    await waitForAlert(page, new RegExp(`You have ${maxAttempts - 1} attempts left`));
    // A new code sent replaces the refusal.
    await resend.click();
    await status.waitFor();
    expect(await alertText(page)).toBe("");

    const latest = (await readCodesFromMailbox(env, mailbox, email, 4))[0] ?? "";
    expect(latest).not.toBe(newest);
    await typeCode(page, latest);
    await expectVerified(page, email);
  });

  it("a pasted code of any form fills the input and submits: spaces, dashes, full-width digits", async () => {
    const page = await env.newPage();
    await page.context().grantPermissions(["clipboard-read", "clipboard-write"]);
    const email = uniqueEmail("paste");
    await createAccount(page, email);
    const code = await readLatestCode(env, mailbox, email);
    const half = Math.floor(code.length / 2);
    const fullWidth = code
      .slice(half)
      .replace(/[0-9]/g, (digit) => String.fromCharCode(0xff10 + Number(digit)));
    const formatted = `${code.slice(0, half)} - ${fullWidth}\n`;

    await codeField(page).click();
    await page.evaluate((text) => navigator.clipboard.writeText(text), formatted);
    await page.keyboard.press("ControlOrMeta+V");
    await expectVerified(page, email);
  });

  it("keyboard only: Tab, typing, Backspace and Enter carry the whole flow", async () => {
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

    // The code step puts focus in the code input by itself.
    await eventually("focus in the code input", async () =>
      (await focusedName(page)) === `Verification code (${env.codeLength} digits)`
        ? true
        : undefined,
    );
    const code = await readLatestCode(env, mailbox, email);
    await page.keyboard.type(code.slice(0, 3));
    await page.keyboard.press("Backspace");
    expect(await codeField(page).inputValue()).toBe(code.slice(0, 2));
    // Enter with part of the code: what is missing is said, nothing is sent.
    await page.keyboard.press("Enter");
    expect(await waitForAlert(page, /Enter all/)).toBe(
      `Enter all ${env.codeLength} digits of the code.`,
    );
    await page.keyboard.type(code.slice(2));
    await expectVerified(page, email);
  });

  it("an address that cannot be one is refused before any code input shows", async () => {
    const page = await env.newPage();
    await page.goto("/verify?email=garbage");
    // The address left the URL at once, and no code input shows.
    expect(new URL(page.url()).search).toBe("");
    await waitForAlert(page, /Enter an email address like name@example\.com/);
    expect(await codeField(page).count()).toBe(0);
    expect(await focusedName(page)).toBe("Which email address did you register with?");
    await expectAccessible(page, "verify: a malformed address");

    const email = uniqueEmail("later");
    await page.getByLabel("Which email address did you register with?").fill(email);
    await page.getByRole("button", { name: "Continue" }).click();
    await codeField(page).waitFor();
    expectNoAddressInUrls(page, email);
  });

  it("states the password rule from the API before submission, and the API's field errors beside their fields", async () => {
    const page = await env.newPage();
    await page.goto("/");
    const hint = (await page.getByText(/^Use \d+ to \d+ characters\./).textContent()) ?? "";
    const [, min] = /^Use (\d+) to (\d+)/.exec(hint) ?? [];
    const password = page.getByLabel("Password", { exact: true });
    expect(await password.getAttribute("autocomplete")).toBe("new-password");
    expect(await page.getByLabel("Email address").getAttribute("autocomplete")).toBe("email");
    // The hint is the field's description, read with it.
    const describedBy = (await password.getAttribute("aria-describedby")) ?? "";
    expect(await page.locator(`[id="${describedBy.split(" ")[0]}"]`).textContent()).toBe(hint);

    await page.getByLabel("Email address").fill(uniqueEmail("short"));
    await password.fill("short");
    await page.getByRole("button", { name: "Create account" }).click();
    await waitForAlert(page, new RegExp(`at least ${min} characters`));
    expect(await password.getAttribute("aria-invalid")).toBe("true");
    expect(await focusedName(page)).toBe("Password");
    expect(new URL(page.url()).pathname).toBe("/");
    await expectAccessible(page, "create account: a refused password");
  });
});
