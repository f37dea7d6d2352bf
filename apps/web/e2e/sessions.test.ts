import type { Page } from "playwright-core";
import { expect, it } from "vitest";
import {
  type BrowserTestEnv,
  describeInBrowser,
  eventually,
  uniqueEmail,
  useBrowserTestEnv,
} from "./harness.js";
import {
  createAccount,
  createSignedInAccount,
  createVerifiedAccount,
  expectAccount,
  expectVerified,
  focusedName,
  headerLink,
  PASSWORD,
  readCodesFromMailbox,
  readLatestCode,
  SUBJECTS,
  signIn,
  typeCode,
  waitForAlert,
  wrongCodeFor,
} from "./user.js";

const NEW_PASSWORD = "a brand new passphrase for the reset";

async function expectSignInPage(page: Page, notice?: RegExp) {
  await page.waitForURL((url) => url.pathname === "/sign-in");
  await page.getByRole("heading", { name: "Sign in", exact: true }).waitFor();
  if (notice !== undefined) await page.getByRole("status").filter({ hasText: notice }).waitFor();
}

async function submitSignIn(page: Page, email: string, password: string) {
  await page.getByLabel("Email address").fill(email);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
}

describeInBrowser("sessions in Chromium, against the real API", () => {
  let env: BrowserTestEnv;
  let mailbox: Page;
  useBrowserTestEnv({}, (opened, page) => {
    env = opened;
    mailbox = page;
  });

  it("sign in with a password: Account shows the address; after Sign out, /account leads to Sign in", async () => {
    const page = await env.newPage();
    const email = uniqueEmail("sign-in");
    await createVerifiedAccount(env, page, mailbox, email);

    // Verified: Sign in, with the address filled in.
    await expectSignInPage(page);
    const emailField = page.getByLabel("Email address");
    const passwordField = page.getByLabel("Password", { exact: true });
    expect(await emailField.inputValue()).toBe(email);
    expect(await emailField.getAttribute("autocomplete")).toBe("email");
    expect(await passwordField.getAttribute("autocomplete")).toBe("current-password");
    for (const name of [
      "Sign in with a code instead",
      "Forgot your password?",
      "Create an account",
    ]) {
      await page.getByRole("link", { name }).waitFor();
    }
    expect(await headerLink(page, "Sign in").getAttribute("aria-current")).toBe("page");

    // A wrong password: the message, announced and focused; still on Sign in.
    await passwordField.fill("not the password");
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    expect(await waitForAlert(page, /do not match/)).toMatch(
      /^That email and password do not match an account/,
    );
    expect(await page.evaluate(() => document.activeElement?.getAttribute("role"))).toBe("alert");

    await passwordField.fill(PASSWORD);
    await page.keyboard.press("Enter");
    await expectAccount(page, email);
    await headerLink(page, "Account").waitFor();
    expect(await headerLink(page, "Sign in").count()).toBe(0);

    await page.getByRole("button", { name: "Sign out", exact: true }).click();
    await expectSignInPage(page, /You are signed out/);
    await headerLink(page, "Sign in").waitFor();

    await page.goto("/account");
    await expectSignInPage(page, /Sign in to continue/);
    expect(await headerLink(page, "Account").count()).toBe(0);
  });

  it("unverified: sign-in offers a verification code, then Verify, verified, and sign-in works", async () => {
    const page = await env.newPage();
    const email = uniqueEmail("unverified");
    await createAccount(page, email);
    const [firstCode] = await readCodesFromMailbox(env, mailbox, email, 1, SUBJECTS.verification);

    // Leave the Verify page without verifying, and try to sign in.
    await page.goto("/sign-in");
    await submitSignIn(page, email, PASSWORD);
    expect(await waitForAlert(page, /not verified/)).toMatch(/Send a verification code/);
    expect(await focusedName(page)).toMatch(/not verified yet/);
    await page.getByRole("button", { name: "Send a verification code" }).click();

    await page.waitForURL((url) => url.pathname === "/verify");
    expect(page.url()).not.toContain(encodeURIComponent(email));
    const [code, previous] = await readCodesFromMailbox(
      env,
      mailbox,
      email,
      2,
      SUBJECTS.verification,
    );
    expect(previous).toBe(firstCode);
    if (code === undefined) throw new Error("no new code");
    await typeCode(page, code);
    // This verification was asked for from Sign in, so no password was bound to this browser's
    // registration code: it signs in only where the API says so; otherwise Sign in follows.
    if ((await expectVerified(page, email)) === "sign-in") {
      await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
      await page.getByRole("button", { name: "Sign in", exact: true }).click();
    }
    await expectAccount(page, email);
  });

  it("sign in with a code: the address, then the code read from the mailbox, then Account", async () => {
    const page = await env.newPage();
    const email = uniqueEmail("by-code");
    await createVerifiedAccount(env, page, mailbox, email);

    await page.getByLabel("Email address").fill(email);
    await page.getByRole("link", { name: "Sign in with a code instead" }).click();
    await page.waitForURL((url) => url.pathname === "/sign-in/code");
    await page.getByRole("heading", { name: "Sign in with a code" }).waitFor();
    // The address typed on Sign in came along.
    expect(await page.getByLabel("Email address").inputValue()).toBe(email);
    await page.getByRole("button", { name: "Email me a code" }).click();

    await page.getByText(new RegExp(`we sent it an? ${env.codeLength}-digit code`)).waitFor();
    await eventually("focus in the code input", async () =>
      (await focusedName(page)) === `Sign-in code (${env.codeLength} digits)` ? true : undefined,
    );
    await page.getByRole("link", { name: "dev mailbox" }).waitFor();
    const code = await readLatestCode(env, mailbox, email, SUBJECTS.signIn);

    // A wrong code first: its message, with the attempts left.
    await typeCode(page, wrongCodeFor(code));
    await waitForAlert(page, /That code is not correct. You have \d+ attempts left/);
    await page.keyboard.type(code);
    await expectAccount(page, email);
    await headerLink(page, "Account").waitFor();
  });

  it("password reset: every session ends, the old password is refused, the new one works", async () => {
    const email = uniqueEmail("reset");
    const elsewhere = await env.newPage();
    await createSignedInAccount(env, elsewhere, mailbox, email);

    const page = await env.newPage();
    await page.goto("/sign-in");
    await page.getByRole("link", { name: "Forgot your password?" }).click();
    await page.waitForURL((url) => url.pathname === "/reset-password");
    await page.getByRole("heading", { name: "Reset your password" }).waitFor();
    await page.getByLabel("Email address").fill(email);
    await page.getByRole("button", { name: "Email me a code" }).click();

    await page.getByRole("heading", { name: "Choose a new password" }).waitFor();
    const newPassword = page.getByLabel("New password", { exact: true });
    expect(await newPassword.getAttribute("autocomplete")).toBe("new-password");
    await page.getByText(/Use \d+ to \d+ characters/).waitFor();
    const code = await readLatestCode(env, mailbox, email, SUBJECTS.passwordReset);

    // The full code does not submit on its own here: focus moves on to the new password.
    await typeCode(page, code);
    expect(await focusedName(page)).toBe("New password");
    await newPassword.fill("short");
    await page.keyboard.press("Enter");
    await waitForAlert(page, /at least \d+ characters/);
    expect(await newPassword.getAttribute("aria-invalid")).toBe("true");
    expect(await focusedName(page)).toBe("New password");

    await newPassword.fill(NEW_PASSWORD);
    await page.getByRole("button", { name: "Change password" }).click();
    await expectSignInPage(page, /every session of your account was signed out/);
    expect(await page.getByLabel("Email address").inputValue()).toBe(email);

    // The session in the other browser ended too.
    await elsewhere.goto("/account");
    await expectSignInPage(elsewhere, /Sign in to continue/);

    await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await waitForAlert(page, /do not match/);
    await page.getByLabel("Password", { exact: true }).fill(NEW_PASSWORD);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await expectAccount(page, email);
  });

  it("email change: the code sent to the new address; Account then shows it; sign out everywhere", async () => {
    const page = await env.newPage();
    const email = uniqueEmail("old-address");
    const newEmail = uniqueEmail("new-address");
    await createSignedInAccount(env, page, mailbox, email);

    await page.getByRole("link", { name: "Change email" }).click();
    await page.waitForURL((url) => url.pathname === "/account/email");
    const field = page.getByLabel("New email address");
    // The same address is refused before anything is sent.
    await field.fill(email);
    await page.getByRole("button", { name: "Send a code" }).click();
    await waitForAlert(page, /already the address of your account/);
    expect(await focusedName(page)).toBe("New email address");

    await field.fill(newEmail);
    await page.getByRole("button", { name: "Send a code" }).click();
    await page.getByRole("heading", { name: "Check your new inbox" }).waitFor();
    const code = await readLatestCode(env, mailbox, newEmail, SUBJECTS.emailChange);
    await typeCode(page, code);

    await expectAccount(page, newEmail);
    await page.getByRole("status").filter({ hasText: "Your email address was changed" }).waitFor();
    expect(await page.getByText(email, { exact: true }).count()).toBe(0);

    // Another browser signed in with the new address; Sign out everywhere ends both sessions.
    const elsewhere = await env.newPage();
    await signIn(elsewhere, newEmail);
    await page.getByRole("button", { name: "Sign out everywhere" }).click();
    await expectSignInPage(page, /signed out everywhere/);
    await elsewhere.goto("/account");
    await expectSignInPage(elsewhere, /Sign in to continue/);
  });
});
