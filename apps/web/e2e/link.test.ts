/**
 * The link beside every code, in Chromium against the real API: opening it
 * shows what it will do and changes nothing (no auth.useLink call, the
 * account still unverified); the button completes the step and lands where
 * the code page would have. Screenshots of the page for the README.
 */
import { queryRows } from "@otp/core/db";
import { sql } from "@otp/core/testing";
import type { Page } from "playwright-core";
import { expect, it } from "vitest";
import { expectAccessible } from "./axe.js";
import {
  type BrowserTestEnv,
  DESKTOP,
  describeInBrowser,
  eventually,
  PHONE,
  uniqueEmail,
  useBrowserTestEnv,
} from "./harness.js";
import { shoot } from "./screenshot.js";
import {
  createAccount,
  createSignedInAccount,
  createVerifiedAccount,
  expectAccount,
  expectVerified,
  PASSWORD,
  SUBJECTS,
  waitForAlert,
} from "./user.js";

/** The link's token, from the newest email of that kind to `email`, as its recipient reads it on /mailbox. */
async function linkTokenFromMailbox(mailbox: Page, email: string, subject: RegExp) {
  await mailbox.goto("/mailbox");
  const message = mailbox
    .getByRole("article")
    .filter({ has: mailbox.getByText(email, { exact: true }) })
    .filter({ has: mailbox.getByRole("heading", { name: subject }) })
    .first();
  return eventually(`the link emailed to ${email}`, async () => {
    if ((await message.count()) === 0) return undefined;
    const body = message.locator("iframe").contentFrame().locator("body");
    // biome-ignore lint/performance/useDomNodeTextContent: Playwright's innerText, the text as rendered
    const text = await body.innerText();
    return /\/link#token=([A-Za-z0-9._-]+)/.exec(text)?.[1];
  });
}

/** Every URL the page requested (documents, scripts, API calls), to look for a token in. */
function requestedUrls(page: Page): string[] {
  const urls: string[] = [];
  page.on("request", (request) => {
    urls.push(request.url());
  });
  return urls;
}

/** Counts the page's calls of a tRPC procedure. */
function countCalls(page: Page, procedure: string): () => number {
  let calls = 0;
  page.on("request", (request) => {
    if (new URL(request.url()).pathname.includes(procedure)) calls += 1;
  });
  return () => calls;
}

describeInBrowser("the link beside the code, in Chromium against the real API", () => {
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
    it(`${label}: open the link, see what it will do (nothing changed), confirm, land verified and signed in`, async () => {
      const page = await env.newPage(viewport);
      const email = uniqueEmail(`link-${label}`);
      await createAccount(page, email);
      const token = await linkTokenFromMailbox(mailbox, email, SUBJECTS.verification);
      // The dev mailbox offers the same link outside the email's sandboxed frame.
      expect(
        await mailbox
          .getByRole("article")
          .filter({ has: mailbox.getByText(email, { exact: true }) })
          .first()
          .getByRole("link", { name: "Open the link beside the code" })
          .getAttribute("href"),
      ).toBe(`/link#token=${token}`);
      const used = countCalls(page, "auth.useLink");
      const urls = requestedUrls(page);

      await page.goto(`/link#token=${token}`);
      await page.getByRole("heading", { name: "Verify your email address" }).waitFor();
      await page.getByText(email, { exact: true }).waitFor();
      await page.waitForFunction(() => document.title === "Your email link · OTP");
      await shoot(page, `link-${label}`);
      // Opening (and reloading) the page spent nothing: the account is not verified yet.
      await page.reload();
      await page.getByRole("button", { name: "Verify my address" }).waitFor();
      expect(used()).toBe(0);
      const [row] = await queryRows<{ is_verified: boolean }>(
        env.app.database.db,
        sql`SELECT is_verified FROM users WHERE email = ${email}`,
      );
      expect(row?.is_verified).toBe(false);

      await page.getByRole("button", { name: "Verify my address" }).click();
      // The browser that registered: verified and signed in, as with the code.
      expect(await expectVerified(page, email)).toBe("signed-in");
      expect(used()).toBe(1);
      expect(page.url()).not.toContain(token);
      // The token went in POST bodies only: no URL the browser requested carried it.
      expect(urls.length).toBeGreaterThan(0);
      expect(urls.filter((url) => url.includes(token))).toEqual([]);
      await expectAccessible(page, `account after the link (${label})`);

      // The link works once: opened again, the page says it was used, and offers no button.
      const again = await env.newPage(viewport);
      await again.goto(`/link#token=${token}`);
      expect(await waitForAlert(again, /already been used/)).toMatch(/^This link/);
      expect(await again.getByRole("button", { name: "Verify my address" }).count()).toBe(0);
      await expectAccessible(again, `a used link (${label})`);
    });
  }

  it("on another device the link proves the address, and the page says to choose a password", async () => {
    const page = await env.newPage();
    const email = uniqueEmail("link-elsewhere");
    await createAccount(page, email);
    const token = await linkTokenFromMailbox(mailbox, email, SUBJECTS.verification);
    const phone = await env.newPage(PHONE);
    await phone.goto(`/link#token=${token}`);
    await phone.getByRole("button", { name: "Verify my address" }).click();
    expect(await expectVerified(phone, email)).toBe("set-password");
  });

  it("a sign-in link signs in; a made-up one says it does not work", async () => {
    const page = await env.newPage();
    const email = uniqueEmail("link-sign-in");
    await createVerifiedAccount(env, page, mailbox, email);
    await page.goto("/sign-in/code");
    await page.getByLabel("Email address").fill(email);
    await page.getByRole("button", { name: "Email me a code" }).click();
    const token = await linkTokenFromMailbox(mailbox, email, SUBJECTS.signIn);
    const phone = await env.newPage(PHONE);
    // A link mailed before the token moved to the fragment still opens; its token moves there.
    await phone.goto(`/link?token=${token}`);
    await phone.getByText(email, { exact: true }).waitFor();
    expect(new URL(phone.url()).search).toBe("");
    expect(new URL(phone.url()).hash).toBe(`#token=${token}`);
    await phone.getByRole("button", { name: "Sign in", exact: true }).click();
    await expectAccount(phone, email);

    await phone.goto("/link#token=not-a-link");
    expect(await waitForAlert(phone, /does not work/)).toMatch(/^This link does not work/);
    await expectAccessible(phone, "a made-up link");
  });

  it("an email-change link opened signed out: sign in first, back to the link, confirm; the token never in a URL", async () => {
    const page = await env.newPage();
    const email = uniqueEmail("link-change");
    const newEmail = uniqueEmail("link-change-new");
    await createSignedInAccount(env, page, mailbox, email);
    await page.goto("/account/email");
    await page.getByLabel("New email address").fill(newEmail);
    await page.getByRole("button", { name: "Send a code" }).click();
    await page.getByRole("heading", { name: "Check your new inbox" }).waitFor();
    const token = await linkTokenFromMailbox(mailbox, newEmail, SUBJECTS.emailChange);

    // Another browser, signed out: the page asks to sign in first.
    const other = await env.newPage();
    const urls = requestedUrls(other);
    await other.goto(`/link#token=${token}`);
    await other.getByText(newEmail, { exact: true }).waitFor();
    await other.getByRole("link", { name: "Go to sign in" }).click();
    await other.waitForURL((url) => url.pathname === "/sign-in");
    // The token waits in this tab's storage, not in the sign-in page's address.
    expect(other.url()).not.toContain(token);
    await other.getByLabel("Email address").fill(email);
    await other.getByLabel("Password", { exact: true }).fill(PASSWORD);
    await other.getByRole("button", { name: "Sign in", exact: true }).click();
    await other.getByRole("button", { name: "Confirm the new address" }).click();
    await expectAccount(other, newEmail);
    expect(urls.filter((url) => url.includes(token))).toEqual([]);
    // Used, the waiting token is gone from the tab's storage.
    const stored = await other.evaluate(() => Object.values(window.sessionStorage));
    expect(stored.filter((value) => value.includes(token))).toEqual([]);
  });
});
