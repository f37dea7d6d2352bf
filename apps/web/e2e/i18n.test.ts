/**
 * German end to end in Chromium, against the real API: with no account the page
 * speaks the language of the request's Accept-Language header (the browser's own
 * language stays English, so only the header can make it German), the emails of an
 * account registered so are German, and the account page switches the language,
 * which then holds for the pages and the emails. axe-core on each German state; a
 * screenshot of a German email for the README.
 */
import type { Page } from "playwright-core";
import { expect, it } from "vitest";
import { expectAccessible } from "./axe.js";
import {
  type BrowserTestEnv,
  DESKTOP,
  describeInBrowser,
  eventually,
  uniqueEmail,
  useBrowserTestEnv,
} from "./harness.js";
import { shoot, shootEmail } from "./screenshot.js";
import { createSignedInAccount, PASSWORD } from "./user.js";

describeInBrowser("German, chosen by Accept-Language or by the account, in Chromium", () => {
  let env: BrowserTestEnv;
  let mailbox: Page;
  useBrowserTestEnv({}, (opened, page) => {
    env = opened;
    mailbox = page;
  });

  /** A browser whose own language is English but whose requests ask for German first. */
  async function germanHeaderPage(): Promise<Page> {
    const context = await env.browser.newContext({
      viewport: DESKTOP,
      baseURL: env.baseUrl,
      locale: "en-GB",
      timezoneId: "UTC",
      extraHTTPHeaders: { "accept-language": "de-DE,de;q=0.9,en;q=0.5" },
    });
    context.setDefaultTimeout(15_000);
    return context.newPage();
  }

  const mailTo = (email: string) => (env.app.mailbox?.list() ?? []).filter((m) => m.to === email);

  it("a page without an account is German with Accept-Language: de, declares it, and passes axe-core", async () => {
    const page = await germanHeaderPage();
    expect(await page.evaluate(() => navigator.language)).toBe("en-GB");
    await page.goto("/");
    await page.getByRole("heading", { name: "Erstelle dein Konto" }).waitFor();
    expect(await page.locator("html").getAttribute("lang")).toBe("de");
    await page.getByLabel("E-Mail-Adresse").waitFor();
    await page.getByRole("button", { name: "Konto erstellen" }).waitFor();
    expect(await page.title()).toMatch(/^Konto erstellen/);
    await expectAccessible(page, "create account in German");
    // A field the API refuses (its words are English) is explained in German beside it.
    await page.getByLabel("E-Mail-Adresse").fill("kurz@example.com");
    await page.getByLabel("Passwort", { exact: true }).fill("zu kurz");
    await page.getByRole("button", { name: "Konto erstellen" }).click();
    await page
      .getByText(
        "Dieses Passwort kann nicht verwendet werden. Halte dich an die Regel unter dem Feld.",
      )
      .waitFor();
    await expectAccessible(page, "create account with a refused password, in German");

    await page.goto("/sign-in");
    await page.getByRole("heading", { name: "Anmelden" }).waitFor();
    await page.getByLabel("E-Mail-Adresse").fill("nobody@example.com");
    await page.getByLabel("Passwort", { exact: true }).fill("not the password at all");
    await page.getByRole("button", { name: "Anmelden", exact: true }).click();
    await page
      .getByRole("alert")
      .filter({ hasText: "Diese E-Mail-Adresse und dieses Passwort passen zu keinem Konto." })
      .waitFor();
    await expectAccessible(page, "sign in with an error, in German");
  });

  it("registering from that browser stores German: the verification email and the code page are German", async () => {
    const page = await germanHeaderPage();
    const email = uniqueEmail("deutsch");
    await page.goto("/");
    await page.getByLabel("E-Mail-Adresse").fill(email);
    await page.getByLabel("Passwort", { exact: true }).fill(PASSWORD);
    await page.getByRole("button", { name: "Konto erstellen" }).click();
    await page.getByRole("heading", { name: "Sieh in deinen E-Mails nach" }).waitFor();
    await expectAccessible(page, "verify in German");

    const message = await eventually("the German verification email", async () =>
      mailTo(email).find((m) => m.subject.startsWith("Bestätige deine E-Mail-Adresse")),
    );
    expect(message.html).toContain('lang="de"');
    expect(message.text).toContain("Dieser Code ist 10 Minuten lang gültig.");

    // The German email, as its recipient sees it, for the README.
    const viewer = await env.newPage({ width: 640, height: 900 });
    await viewer.setContent(message.html);
    await shootEmail(viewer, "email-verification-de");

    await page
      .getByRole("textbox", { name: /^Bestätigungscode \(\d+ Ziffern\)$/ })
      .fill(message.meta?.code ?? "");
    await page.getByRole("heading", { name: "Dein Konto" }).waitFor();
  });

  it("the account page switches the language: the page, later visits and the emails follow", async () => {
    const page = await env.newPage();
    const email = uniqueEmail("switch");
    await createSignedInAccount(env, page, mailbox, email);
    expect(await page.locator("html").getAttribute("lang")).toBe("en");

    await page.getByRole("combobox", { name: "Choose your language" }).selectOption("de");
    await page.getByRole("button", { name: "Save language" }).click();
    await page.getByRole("heading", { name: "Dein Konto" }).waitFor();
    await page
      .getByRole("status")
      .filter({ hasText: "Deine Sprache wurde gespeichert." })
      .waitFor();
    expect(await page.locator("html").getAttribute("lang")).toBe("de");
    await page.getByRole("heading", { name: "Wo du angemeldet bist" }).waitFor();
    await shoot(page, "account-de-desktop");

    // Stored: a reload (English browser, English header) is still German.
    await page.reload();
    await page.getByRole("heading", { name: "Dein Konto" }).waitFor();
    expect(await page.getByRole("combobox", { name: "Wähle deine Sprache" }).inputValue()).toBe(
      "de",
    );

    // The next email to the account is German too.
    await page.goto("/account/email");
    const newEmail = uniqueEmail("switch-new");
    await page.getByLabel("Neue E-Mail-Adresse").fill(newEmail);
    await page.getByRole("button", { name: "Code senden" }).click();
    await page.getByRole("heading", { name: "Sieh in deinem neuen Postfach nach" }).waitFor();
    await expectAccessible(page, "change email in German");
    const changeCode = await eventually("the German email-change code", async () =>
      mailTo(newEmail).find((m) => m.subject.startsWith("Bestätige deine neue E-Mail-Adresse")),
    );
    expect(changeCode.html).toContain('lang="de"');

    // And back to English.
    await page.goto("/account");
    await page.getByRole("combobox", { name: "Wähle deine Sprache" }).selectOption("en");
    await page.getByRole("button", { name: "Sprache speichern" }).click();
    await page.getByRole("heading", { name: "Your account" }).waitFor();
    expect(await page.locator("html").getAttribute("lang")).toBe("en");
  });
});
