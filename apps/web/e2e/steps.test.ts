/**
 * Steps that survive a reload and Back, a title and focus for every step, and
 * where a signed-in or signed-out person is sent.
 */
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
  codeField,
  createAccount,
  createSignedInAccount,
  createVerifiedAccount,
  expectAccount,
  expectNoAddressInUrls,
  expectVerified,
  focusedName,
  PASSWORD,
  readCodesFromMailbox,
  readLatestCode,
  SUBJECTS,
  typeCode,
} from "./user.js";

async function expectFocus(page: Page, name: string) {
  await eventually(`focus on ${name}`, async () =>
    (await focusedName(page)) === name ? true : undefined,
  );
}

async function expectTitle(page: Page, title: string) {
  await page.waitForFunction((expected) => document.title === expected, `${title} · OTP`);
}

/**
 * On a code step: reload, then leave for another page and come Back: the code
 * step each time, titled, with focus in the code input; a code then works.
 */
async function expectCodeStepSurvives(
  page: Page,
  step: { heading: string; title: string; label: string },
) {
  for (const leave of ["reload", "back"] as const) {
    if (leave === "reload") await page.reload();
    else {
      await page.goto("/mailbox");
      await page.getByRole("heading", { name: "Dev mailbox" }).waitFor();
      await page.goBack();
    }
    await page.getByRole("heading", { name: step.heading }).waitFor();
    await expectTitle(page, step.title);
    await expectFocus(page, step.label);
  }
}

describeInBrowser("steps, titles, focus and redirects in Chromium, against the real API", () => {
  let env: BrowserTestEnv;
  let mailbox: Page;
  useBrowserTestEnv({}, (opened, page) => {
    env = opened;
    mailbox = page;
  });

  const codeLabel = (kind: string) => `${kind} code (${env.codeLength} digits)`;

  it("verify: reload and Back keep the code step", async () => {
    const page = await env.newPage();
    const email = uniqueEmail("verify-steps");
    await createAccount(page, email);
    await expectCodeStepSurvives(page, {
      heading: "Check your email",
      title: "Enter your verification code",
      label: codeLabel("Verification"),
    });
    await page.getByText(email, { exact: true }).waitFor();
    expectNoAddressInUrls(page, email);
  });

  it("sign in with a code: each step titled and focused; reload and Back keep the code step; Use a different one after a reload focuses the address", async () => {
    const page = await env.newPage();
    const email = uniqueEmail("code-steps");
    await createVerifiedAccount(env, page, mailbox, email);
    await page.goto("/sign-in/code");
    await expectTitle(page, "Sign in with a code");
    await expectFocus(page, "Email address");
    await page.getByLabel("Email address").fill(email);
    await page.getByRole("button", { name: "Email me a code" }).click();
    await expectTitle(page, "Enter your sign-in code");
    await expectFocus(page, codeLabel("Sign-in"));

    const step = {
      heading: "Check your email",
      title: "Enter your sign-in code",
      label: codeLabel("Sign-in"),
    };
    await expectCodeStepSurvives(page, step);

    // Back from the code step is the address step; Forward, the code step again.
    await page.goBack();
    await page.getByRole("heading", { name: "Sign in with a code" }).waitFor();
    await expectFocus(page, "Email address");
    await page.goForward();
    await page.getByRole("heading", { name: "Check your email" }).waitFor();

    // After a reload (no in-app navigation yet), "Use a different one" still puts focus on the address.
    await page.reload();
    await codeField(page).waitFor();
    await page.getByRole("button", { name: "Use a different one" }).click();
    await page.getByRole("heading", { name: "Sign in with a code" }).waitFor();
    await expectFocus(page, "Email address");
    expect(await page.getByLabel("Email address").inputValue()).toBe(email);
    await expectAccessible(page, "sign in with a code: back to the address");
    await page.getByRole("button", { name: "Email me a code" }).click();
    const [newest] = await readCodesFromMailbox(env, mailbox, email, 2, SUBJECTS.signIn);
    await typeCode(page, newest ?? "");
    await expectAccount(page, email);
    expectNoAddressInUrls(page, email);
  });

  it("reset password: reload and Back keep the code step and the address", async () => {
    const page = await env.newPage();
    const email = uniqueEmail("reset-steps");
    await createVerifiedAccount(env, page, mailbox, email);
    await page.getByRole("link", { name: "Forgot your password?" }).click();
    await expectTitle(page, "Reset your password");
    // The address typed on Sign in came along, in the history entry.
    expect(await page.getByLabel("Email address").inputValue()).toBe(email);
    await page.getByRole("button", { name: "Email me a code" }).click();
    await expectTitle(page, "Choose a new password");
    await expectCodeStepSurvives(page, {
      heading: "Choose a new password",
      title: "Choose a new password",
      label: codeLabel("Reset"),
    });
    await page.getByText(email, { exact: true }).waitFor();
    expectNoAddressInUrls(page, email);
  });

  it("change email: reload and Back keep the code step and the new address", async () => {
    const page = await env.newPage();
    const email = uniqueEmail("change-steps");
    const newEmail = uniqueEmail("change-steps-new");
    await createSignedInAccount(env, page, mailbox, email);
    await page.getByRole("link", { name: "Change email" }).click();
    await expectTitle(page, "Change your email address");
    await expectFocus(page, "New email address");
    await page.getByLabel("New email address").fill(newEmail);
    await page.getByRole("button", { name: "Send a code" }).click();
    await expectTitle(page, "Confirm your new email address");
    await expectCodeStepSurvives(page, {
      heading: "Check your new inbox",
      title: "Confirm your new email address",
      label: codeLabel("Confirmation"),
    });
    await page.getByText(newEmail, { exact: true }).waitFor();
    await typeCode(page, await readLatestCode(env, mailbox, newEmail, SUBJECTS.emailChange));
    await expectAccount(page, newEmail);
    expectNoAddressInUrls(page, email, newEmail);
  });

  it("verifying in the browser that registered signs in; from another browser, it leads to choosing a password", async () => {
    const page = await env.newPage();
    const email = uniqueEmail("binding");
    await createAccount(page, email);
    await typeCode(page, await readLatestCode(env, mailbox, email, SUBJECTS.verification));
    expect(await expectVerified(page, email)).toBe("signed-in");
    await expectAccessible(page, "account: verified and signed in");

    // The same code step opened in another browser (no registration cookie): verified, no password active.
    const other = uniqueEmail("binding-elsewhere");
    await createAccount(await env.newPage(), other);
    const elsewhere = await env.newPage();
    await elsewhere.goto("/verify");
    await elsewhere.getByLabel("Which email address did you register with?").fill(other);
    await elsewhere.getByRole("button", { name: "Continue" }).click();
    await typeCode(elsewhere, await readLatestCode(env, mailbox, other, SUBJECTS.verification));
    expect(await expectVerified(elsewhere, other)).toBe("set-password");
    await elsewhere
      .getByRole("status")
      .filter({ hasText: "ask for a code below to choose a password" })
      .waitFor();
    await expectAccessible(elsewhere, "reset: verified without a password");
    expectNoAddressInUrls(elsewhere, other);
  });

  it("signed in: Create account and Sign in lead to Account; signed out, a page that needs a session comes back after Sign in", async () => {
    const page = await env.newPage();
    const email = uniqueEmail("redirects");
    await createVerifiedAccount(env, page, mailbox, email);

    // Signed out, Change email asks to sign in first, and leads back there after.
    await page.goto("/account/email");
    await page.waitForURL((url) => url.pathname === "/sign-in");
    await page.getByRole("status").filter({ hasText: "Sign in to continue." }).waitFor();
    await expectAccessible(page, "sign in: sign in to continue");
    await page.getByLabel("Email address").fill(email);
    await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await page.waitForURL((url) => url.pathname === "/account/email");
    await page.getByRole("heading", { name: "Change your email address" }).waitFor();

    for (const path of ["/", "/sign-in", "/sign-in/code"]) {
      await page.goto(path);
      await expectAccount(page, email);
    }
    // A destination elsewhere is ignored.
    await page.goto("/sign-in?next=//evil.example/");
    await expectAccount(page, email);
  });
});
