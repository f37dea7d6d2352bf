/** What a person does in the app, written once for every browser test. */
import type { Page } from "playwright-core";
import { expect } from "vitest";
import { type BrowserTestEnv, eventually, visitedUrls } from "./harness.js";

export const PASSWORD = "correct horse battery staple";

export async function createAccount(page: Page, email: string, password = PASSWORD) {
  await page.goto("/");
  await page.getByLabel("Email address").fill(email);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Create account" }).click();
  await page.waitForURL((url) => url.pathname === "/verify");
}

/** Subjects of the emails that carry a code, by kind (as `@otp/email` words them for "OTP"). */
export const SUBJECTS = {
  verification: /^Verify your email/,
  signIn: /^Sign in to/,
  passwordReset: /^Reset your .* password$/,
  emailChange: /^Confirm your new email address/,
} as const;

/**
 * The codes in the emails to `email`, newest first, read as their recipient
 * would: from the messages rendered on the /mailbox page. Waits until at least
 * `count` have arrived (delivery goes through the outbox, so it takes a moment).
 * With `subject`, only the emails of that kind count.
 */
export async function readCodesFromMailbox(
  env: BrowserTestEnv,
  mailbox: Page,
  email: string,
  count = 1,
  subject?: RegExp,
): Promise<string[]> {
  if (new URL(mailbox.url(), env.baseUrl).pathname !== "/mailbox") await mailbox.goto("/mailbox");
  let messages = mailbox
    .getByRole("article")
    .filter({ has: mailbox.getByText(email, { exact: true }) });
  if (subject !== undefined) {
    messages = messages.filter({ has: mailbox.getByRole("heading", { name: subject }) });
  }
  const codePattern = new RegExp(`(?<![0-9])[0-9]{${env.codeLength}}(?![0-9])`);
  return eventually(`${count} email(s) to ${email} in the mailbox`, async () => {
    if ((await messages.count()) < count) return undefined;
    const codes: string[] = [];
    for (let index = 0; index < count; index++) {
      const body = messages.nth(index).locator("iframe").contentFrame().locator("body");
      // The text as rendered (what a person reads), not the DOM's raw text.
      // biome-ignore lint/performance/useDomNodeTextContent: Playwright's innerText, not the DOM property
      const match = codePattern.exec(await body.innerText());
      if (match === null) return undefined;
      codes.push(match[0]);
    }
    return codes;
  });
}

export async function readLatestCode(
  env: BrowserTestEnv,
  mailbox: Page,
  email: string,
  subject?: RegExp,
) {
  const [code] = await readCodesFromMailbox(env, mailbox, email, 1, subject);
  if (code === undefined) throw new Error(`no code for ${email}`);
  return code;
}

/** A code of the same length that is certainly not `code`. */
export function wrongCodeFor(code: string): string {
  return code
    .split("")
    .map((digit) => String((Number(digit) + 1) % 10))
    .join("");
}

/** The one code input, by its label ("Verification code (8 digits)", "Sign-in code (8 digits)", …). */
export function codeField(page: Page) {
  return page.getByRole("textbox", { name: /code \(\d+ digits\)$/ });
}

/** Clicks the code input and types the code; the page submits by itself when it is complete. */
export async function typeCode(page: Page, code: string) {
  await codeField(page).click();
  await page.keyboard.type(code);
}

/**
 * After a verification: signed in (the code came to the browser that
 * registered, and the API says `signedIn`); Sign in with the address filled
 * in; or, when no password works for the account (`passwordActive: false`),
 * Reset password with the address filled in. Returns which.
 */
export async function expectVerified(
  page: Page,
  email: string,
): Promise<"signed-in" | "sign-in" | "set-password"> {
  const pages = ["/account", "/sign-in", "/reset-password"];
  await page.waitForURL((url) => pages.includes(url.pathname));
  const path = new URL(page.url()).pathname;
  if (path === "/account") {
    await page
      .getByRole("status")
      .filter({ hasText: "Your email is verified, and you are signed in." })
      .waitFor();
    await page.getByText(email, { exact: true }).waitFor();
    return "signed-in";
  }
  await page.getByRole("status").filter({ hasText: "Your email is verified." }).waitFor();
  expect(await page.getByLabel("Email address").inputValue()).toBe(email);
  return path === "/sign-in" ? "sign-in" : "set-password";
}

/** The text of the page's visible alerts (empty live regions excluded). */
export async function alertText(page: Page): Promise<string> {
  const texts = await page.getByRole("alert").allInnerTexts();
  return texts
    .map((text) => text.trim())
    .filter((text) => text !== "")
    .join("\n");
}

export async function waitForAlert(page: Page, pattern: RegExp): Promise<string> {
  return eventually(`an alert matching ${pattern}`, async () => {
    const text = await alertText(page);
    return pattern.test(text) ? text : undefined;
  });
}

/** The accessible name of the focused element (aria-label, else its label's text). */
export async function focusedName(page: Page): Promise<string> {
  return page.evaluate(() => {
    const element = document.activeElement as HTMLElement | null;
    if (element === null) return "";
    const labelled = element.getAttribute("aria-label");
    if (labelled !== null) return labelled;
    const input = element as HTMLInputElement;
    return input.labels?.[0]?.textContent?.trim() ?? element.textContent?.trim() ?? "";
  });
}

/**
 * Create account, read the code, verify: an account that can sign in. Ends
 * signed out on Sign in with the address filled in (a verification that
 * signed in is followed by Sign out).
 */
export async function createVerifiedAccount(
  env: BrowserTestEnv,
  page: Page,
  mailbox: Page,
  email: string,
  password = PASSWORD,
) {
  await createAccount(page, email, password);
  await typeCode(page, await readLatestCode(env, mailbox, email, SUBJECTS.verification));
  if ((await expectVerified(page, email)) === "signed-in") {
    await page.getByRole("button", { name: "Sign out", exact: true }).click();
    await page.getByRole("status").filter({ hasText: "You are signed out." }).waitFor();
    await page.getByLabel("Email address").fill(email);
  }
}

/** Create account and verify it, ending signed in on Account (signing in with the password if the verification did not). */
export async function createSignedInAccount(
  env: BrowserTestEnv,
  page: Page,
  mailbox: Page,
  email: string,
) {
  await createVerifiedAccount(env, page, mailbox, email);
  await signIn(page, email);
}

/** Signs in on the Sign in page with a password; the app then shows the Account page. */
export async function signIn(page: Page, email: string, password = PASSWORD) {
  await page.goto("/sign-in");
  await page.getByLabel("Email address").fill(email);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expectAccount(page, email);
}

export async function expectAccount(page: Page, email: string) {
  await page.waitForURL((url) => url.pathname === "/account");
  await page.getByRole("heading", { name: "Your account" }).waitFor();
  await page.getByText(email, { exact: true }).waitFor();
}

/** The header's navigation: "Sign in" or "Account". */
export function headerLink(page: Page, name: "Sign in" | "Account") {
  return page.getByRole("navigation", { name: "Account" }).getByRole("link", { name });
}

/** No URL the page was ever at holds any of the addresses, whole, encoded, or its local part. */
export function expectNoAddressInUrls(page: Page, ...emails: string[]) {
  const forms = emails.flatMap((email) => [email, encodeURIComponent(email), email.split("@")[0]]);
  for (const url of visitedUrls(page)) {
    for (const form of forms) {
      if (form !== undefined) expect(url, `an address in ${url}`).not.toContain(form);
    }
  }
}
