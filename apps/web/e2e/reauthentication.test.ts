/**
 * Re-authentication before an email change, and the old address's undo link
 * (issue 23, ADR 20), in Chromium against the real API. REAUTH_MAX_AGE_SECONDS
 * is its least (30 s), and the test waits past it once.
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
import { createSignedInAccount, PASSWORD, typeCode } from "./user.js";

describeInBrowser("re-authentication and the undo link, in Chromium", () => {
  let env: BrowserTestEnv;
  let mailbox: Page;
  useBrowserTestEnv({ REAUTH_MAX_AGE_SECONDS: "30" }, (opened, page) => {
    env = opened;
    mailbox = page;
  });
  const mailTo = (email: string) => (env.app.mailbox?.list() ?? []).filter((m) => m.to === email);

  it("an email change after the sign-in's 30 s asks for the password first; the old address's link undoes the change and signs out", async () => {
    const page = await env.newPage();
    const email = uniqueEmail("reauth");
    const newEmail = uniqueEmail("reauth-new");
    await createSignedInAccount(env, page, mailbox, email);
    await new Promise((resolve) => setTimeout(resolve, 31_000));

    await page.goto("/account/email");
    await page.getByLabel("New email address").fill(newEmail);
    await page.getByRole("button", { name: "Send a code" }).click();
    await page.getByRole("heading", { name: "Confirm it is you" }).waitFor();
    await expectAccessible(page, "re-authentication");
    await page.getByLabel("Your password", { exact: true }).fill(PASSWORD);
    await page.getByRole("button", { name: "Confirm", exact: true }).click();
    // Confirmed: the change it asked for goes on by itself.
    await page.getByRole("heading", { name: "Check your new inbox" }).waitFor();
    const change = await eventually("the email-change code", async () =>
      mailTo(newEmail).find((m) => m.meta?.code !== undefined),
    );
    await typeCode(page, change.meta?.code ?? "");
    await page.getByRole("heading", { name: "Your account" }).waitFor();
    await page.getByText(newEmail, { exact: true }).waitFor();

    const notice = await eventually("the notice to the old address", async () =>
      mailTo(email).find((m) => m.text.includes(newEmail)),
    );
    expect(notice.text).not.toMatch(/reset/i);
    const link = notice.text.match(/https?:\/\/\S+\/link#token=\S+/)?.[0] ?? "";
    const other = await env.newPage();
    await other.goto(link.replace(/^https?:\/\/[^/]+/, ""));
    await other.getByRole("heading", { name: "Undo the email change" }).waitFor();
    await expectAccessible(other, "undo link");
    await other.getByRole("button", { name: "Undo the change" }).click();
    await other.getByText("Your account has its old address back").waitFor();
    // Every session ended: the first browser is signed out too.
    await page.goto("/account");
    await page.getByRole("heading", { name: "Sign in" }).first().waitFor();
  }, 150_000);
});
