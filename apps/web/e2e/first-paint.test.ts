/**
 * What a page shows while it loads, frame by frame: every text the page ever
 * held is recorded from before the app's first line runs (a MutationObserver in
 * an init script), so a state shown for a single frame is caught. A signed-in
 * page shows no "Loading…" before the app's loading delay, never the
 * signed-out header, and a German account's page no English word; signed-out
 * pages print no error in the console (signed out is a normal state).
 */
import type { Page } from "playwright-core";
import { expect, it } from "vitest";
import { LOADING_DELAY_MS } from "../src/layout/loading.js";
import {
  type BrowserTestEnv,
  describeInBrowser,
  uniqueEmail,
  useBrowserTestEnv,
} from "./harness.js";
import { createSignedInAccount } from "./user.js";

interface Seen {
  /** Milliseconds since the document started loading. */
  at: number;
  text: string;
}

/** From the next load on, records the page's text each time it changes. */
async function recordTexts(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const seen: { at: number; text: string }[] = [];
    (window as unknown as { __seen: typeof seen }).__seen = seen;
    let last = "";
    const record = () => {
      // What a person sees, line by line (not the DOM's raw text).
      // biome-ignore lint/performance/useDomNodeTextContent: the rendered text is the point
      const text = document.body?.innerText ?? "";
      if (text === last) return;
      last = text;
      seen.push({ at: performance.now(), text });
    };
    new MutationObserver(record).observe(document, {
      subtree: true,
      childList: true,
      characterData: true,
    });
  });
}

async function seenTexts(page: Page): Promise<Seen[]> {
  return page.evaluate(() => (window as unknown as { __seen: Seen[] }).__seen);
}

/** Each recorded text holding `pattern`, with when it first showed. */
function shown(seen: Seen[], pattern: RegExp): Seen[] {
  return seen.filter((entry) => pattern.test(entry.text));
}

const LOADING = /Loading|Wird geladen|werden geladen/;

describeInBrowser("what a page shows while it loads, in Chromium", () => {
  let env: BrowserTestEnv;
  let mailbox: Page;
  useBrowserTestEnv({}, (opened, page) => {
    env = opened;
    mailbox = page;
  });

  it('a signed-in page shows no "Loading…" and no signed-out header before its content, on a reload and a first visit', async () => {
    const page = await env.newPage();
    await createSignedInAccount(env, page, mailbox, uniqueEmail("no-flash"));
    await recordTexts(page);

    for (const [path, heading] of [
      ["/account", "Your account"],
      ["/account/email", "Change your email address"],
      ["/account", "Your account"],
    ] as const) {
      if (path === new URL(page.url()).pathname) await page.reload();
      else await page.goto(path);
      await page.getByRole("heading", { name: heading, exact: true }).waitFor();
      await page
        .getByRole("list", { name: "Recent activity" })
        .or(page.getByLabel("New email address"))
        .first()
        .waitFor();
      const seen = await seenTexts(page);
      expect(seen.length).toBeGreaterThan(0);
      // Loading may be said only once the wait has lasted the delay (a slow machine).
      for (const entry of shown(seen, LOADING)) {
        expect(
          entry.at,
          `"Loading" at ${Math.round(entry.at)} ms on ${path}`,
        ).toBeGreaterThanOrEqual(LOADING_DELAY_MS);
      }
      // The first text is already the signed-in page: its heading, the Account link, no Sign in.
      const first = seen.find((entry) => entry.text.trim() !== "");
      expect(first?.text).toContain(heading);
      expect(shown(seen, /^Sign in$/m)).toEqual([]);
    }
  });

  it("a German account's page is German from its first frame after a reload", async () => {
    const page = await env.newPage();
    await createSignedInAccount(env, page, mailbox, uniqueEmail("kein-englisch"));
    await page.getByRole("combobox", { name: "Choose your language" }).selectOption("de");
    await page.getByRole("button", { name: "Save language" }).click();
    await page.getByRole("heading", { name: "Dein Konto" }).waitFor();

    await recordTexts(page);
    for (const path of ["/account", "/account/email"]) {
      await page.goto(path);
      await page.getByRole("navigation").getByRole("link", { name: "Konto" }).waitFor();
      await page.locator("h1").waitFor();
      const seen = await seenTexts(page);
      expect(seen.length).toBeGreaterThan(0);
      // English words of the header and of both pages: none, at any moment.
      for (const english of [
        /^Account$/m,
        /Your account/,
        /Skip to/,
        /Sign out/,
        /Change your email/,
        /Email address/,
        /Loading/,
      ]) {
        expect(
          shown(seen, english).map((entry) => entry.text.slice(0, 80)),
          `${english} on ${path}`,
        ).toEqual([]);
      }
      expect(await page.locator("html").getAttribute("lang")).toBe("de");
    }
  });

  it("signed-out pages print nothing in the console: no error for the session check", async () => {
    const page = await env.newPage();
    const errors: string[] = [];
    page.on("console", (message) => {
      if (message.type() === "error" || message.type() === "warning") errors.push(message.text());
    });
    page.on("pageerror", (error) => errors.push(error.message));
    const answers: number[] = [];
    page.on("response", (response) => {
      if (new URL(response.url()).pathname.includes("auth.me")) answers.push(response.status());
    });

    for (const path of [
      "/",
      "/sign-in",
      "/sign-in/code",
      "/reset-password",
      "/verify",
      "/nowhere",
    ]) {
      await page.goto(path);
      await page.getByRole("navigation").getByRole("link", { name: "Sign in" }).waitFor();
      await page.locator("h1").waitFor();
    }
    // Signed out, the page went to Sign in from Account: the session was checked and said so.
    await page.goto("/account");
    await page.waitForURL((url) => url.pathname === "/sign-in");
    await page.getByRole("status").filter({ hasText: "Sign in to continue" }).waitFor();

    // Each check answered 200 (the UNAUTHORIZED is in the body): a 401 would print an error.
    expect(answers.length).toBeGreaterThanOrEqual(7);
    expect(answers.filter((status) => status !== 200)).toEqual([]);
    expect(errors).toEqual([]);
  });
});
