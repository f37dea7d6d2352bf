/**
 * The web side of account-takeover resistance: the sign-in page's words for
 * the account's password budget (TOO_MANY_ATTEMPTS) and for a locked account
 * (ACCOUNT_LOCKED), and the unlock page. The answers follow the shared
 * contract (PROTOCOL.md); where the API does not give them yet, the test
 * answers the call in the browser with the contract's error shape.
 */
import type { Page, Route } from "playwright-core";
import { expect, it } from "vitest";
import { expectAccessible } from "./axe.js";
import {
  type BrowserTestEnv,
  describeInBrowser,
  uniqueEmail,
  useBrowserTestEnv,
} from "./harness.js";
import { codeField, focusedName, PASSWORD, typeCode, waitForAlert } from "./user.js";

/** A tRPC batch answer carrying one error in the API's shape (`error.data` = the wire error). */
function answerWithError(route: Route, status: number, data: Record<string, unknown>) {
  const path = new URL(route.request().url()).pathname.replace("/trpc/", "");
  return route.fulfill({
    status,
    contentType: "application/json",
    body: JSON.stringify([
      {
        error: {
          message: "x",
          code: -32600,
          data: { ...data, message: "x", httpStatus: status, path },
        },
      },
    ]),
  });
}

function answerWithData(route: Route, data: unknown) {
  return route.fulfill({
    status: 200,
    contentType: "application/json",
    body: JSON.stringify([{ result: { data } }]),
  });
}

async function submitSignIn(page: Page, email: string) {
  await page.goto("/sign-in");
  await page.getByLabel("Email address").fill(email);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
}

describeInBrowser("sign-in lockout messages and the unlock page in Chromium", () => {
  let env: BrowserTestEnv;
  useBrowserTestEnv({}, (opened) => {
    env = opened;
  });

  it("the account's password budget: when to try again, and the way round by code", async () => {
    const page = await env.newPage();
    const retryAt = new Date(Date.now() + 12.5 * 60_000);
    await page.route("**/trpc/auth.signIn*", (route) =>
      answerWithError(route, 429, { code: "TOO_MANY_ATTEMPTS", retryAt: retryAt.toISOString() }),
    );
    await submitSignIn(page, uniqueEmail("budget"));
    const clock = retryAt.toLocaleTimeString("en-GB", {
      hour: "numeric",
      minute: "2-digit",
      timeZone: "UTC",
    });
    expect(await waitForAlert(page, /Too many incorrect passwords/)).toBe(
      `Too many incorrect passwords for this account. You can try again in 13 minutes (at ${clock}). Or sign in with a code instead.`,
    );
    // Focus went to the message, so it is read at once.
    expect(await page.evaluate(() => document.activeElement?.getAttribute("role"))).toBe("alert");
    await expectAccessible(page, "sign in: the password budget spent");
  });

  it("a locked account: look for the unlock email", async () => {
    const page = await env.newPage();
    await page.route("**/trpc/auth.signIn*", (route) =>
      answerWithError(route, 403, { code: "ACCOUNT_LOCKED" }),
    );
    await submitSignIn(page, uniqueEmail("locked"));
    expect(await waitForAlert(page, /locked/)).toBe(
      "This account is locked after too many failed attempts. We emailed its address a link to unlock it: open the latest unlock email, then try again.",
    );
    await expectAccessible(page, "sign in: account locked");
  });

  it("a locked account on a code step: the message, and the input read-only", async () => {
    const page = await env.newPage();
    await page.route("**/trpc/auth.signInWithCode*", (route) =>
      answerWithError(route, 403, { code: "ACCOUNT_LOCKED" }),
    );
    await page.goto("/sign-in/code");
    await page.getByLabel("Email address").fill(uniqueEmail("locked-code"));
    await page.getByRole("button", { name: "Email me a code" }).click();
    await typeCode(page, "1".repeat(env.codeLength));
    await waitForAlert(page, /This account is locked/);
    expect(await codeField(page).getAttribute("readonly")).not.toBeNull();
    await expectAccessible(page, "sign in with a code: account locked");
  });

  it("the unlock page: opening it sends nothing; the button unlocks, then Sign in says so", async () => {
    const page = await env.newPage();
    const token = "t".repeat(43);
    const unlockCalls: unknown[] = [];
    await page.route("**/trpc/auth.unlock*", (route) => {
      unlockCalls.push(route.request().postDataJSON());
      return answerWithData(route, { message: "Your account is unlocked." });
    });
    await page.goto(`/unlock?token=${token}`);
    await page.getByRole("heading", { name: "Unlock your account" }).waitFor();
    await page.waitForFunction(() => document.title === "Unlock your account · OTP");
    await expectAccessible(page, "unlock: as opened");
    expect(unlockCalls).toEqual([]);

    await page.getByRole("button", { name: "Unlock my account" }).click();
    await page.waitForURL((url) => url.pathname === "/sign-in");
    expect(unlockCalls).toEqual([{ 0: { token } }]);
    // The token is gone from the address bar.
    expect(page.url()).not.toContain(token);
    await page.getByRole("status").filter({ hasText: "Your account is unlocked." }).waitFor();
    await expectAccessible(page, "sign in: unlocked");
  });

  it("the unlock page: a used or expired link says so, focused", async () => {
    const page = await env.newPage();
    await page.route("**/trpc/auth.unlock*", (route) =>
      answerWithError(route, 400, { code: "TOKEN_INVALID" }),
    );
    await page.goto(`/unlock?token=${"u".repeat(43)}`);
    await page.getByRole("button", { name: "Unlock my account" }).click();
    expect(await waitForAlert(page, /unlock link/)).toMatch(/^This unlock link does not work/);
    expect(await focusedName(page)).toMatch(/^This unlock link does not work/);
    await expectAccessible(page, "unlock: an invalid link");

    // Without a token at all, the page says the same and offers Sign in.
    await page.goto("/unlock");
    await waitForAlert(page, /unlock link does not work/);
    expect(await page.getByRole("button", { name: "Unlock my account" }).count()).toBe(0);
  });
});
