/**
 * The account page's security center in Chromium, against the real API:
 * "Where you're signed in" (device, IP, last seen, this device, sign out one)
 * and "Recent activity"; axe-core on each state; screenshots for the README.
 */
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
import { createVerifiedAccount, expectAccount, signIn } from "./user.js";

const SAFARI_IPHONE =
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";

function sessionsList(page: Page) {
  return page.getByRole("list", { name: "Sessions" }).getByRole("listitem");
}

function activityList(page: Page) {
  return page.getByRole("list", { name: "Recent activity" }).getByRole("listitem");
}

describeInBrowser("the security center on the account page, in Chromium", () => {
  let env: BrowserTestEnv;
  let mailbox: Page;
  useBrowserTestEnv({}, (opened, page) => {
    env = opened;
    mailbox = page;
  });

  /** A page in a browser of its own that says it is Safari on an iPhone (whatever PHONE emulates). */
  async function phonePage(): Promise<Page> {
    return env.newPage(PHONE, { userAgent: SAFARI_IPHONE });
  }

  it("lists where the account is signed in, marks this device, and signs another one out at once", async () => {
    const laptop = await env.newPage(DESKTOP);
    const email = uniqueEmail("center");
    await createVerifiedAccount(env, laptop, mailbox, email);
    await signIn(laptop, email);
    const phone = await phonePage();
    await signIn(phone, email);

    await laptop.reload();
    await expectAccount(laptop, email);
    await laptop.getByRole("heading", { name: "Where you’re signed in" }).waitFor();
    await eventually("two sessions", async () =>
      (await sessionsList(laptop).count()) === 2 ? true : undefined,
    );
    const [newest, older] = [sessionsList(laptop).nth(0), sessionsList(laptop).nth(1)];
    expect((await newest.textContent()) ?? "").toContain("Safari on iOS");
    expect((await newest.textContent()) ?? "").toContain("127.0.0.1");
    expect((await newest.textContent()) ?? "").not.toContain("This device");
    expect((await older.textContent()) ?? "").toContain("This device");
    // This device has no sign-out-this-session button (Sign out above does that).
    expect(await older.getByRole("button").count()).toBe(0);

    await laptop.getByRole("heading", { name: "Recent activity" }).waitFor();
    await eventually("the activity", async () =>
      (await activityList(laptop).count()) >= 3 ? true : undefined,
    );
    const activity =
      (await laptop.getByRole("list", { name: "Recent activity" }).textContent()) ?? "";
    expect(activity).toContain("Signed in with your password");
    expect(activity).toContain("Email address verified");
    expect(activity).toContain("Safari on iOS");
    await shoot(laptop, "account-security-desktop");

    // The phone is a new device: its owner was emailed.
    const notices = await eventually("the new sign-in email", async () => {
      const found = (env.app.mailbox?.list() ?? []).filter(
        (message) => message.to === email && message.subject.startsWith("New sign-in"),
      );
      return found.length > 0 ? found : undefined;
    });
    expect(notices).toHaveLength(1);
    expect(notices[0]?.text).toContain("Safari on iOS");

    await newest.getByRole("button", { name: /^Sign out this session: Safari on iOS/ }).click();
    await laptop.getByRole("status").filter({ hasText: "Safari on iOS was signed out." }).waitFor();
    await eventually("one session left", async () =>
      (await sessionsList(laptop).count()) === 1 ? true : undefined,
    );
    await eventually("the revocation in the activity", async () =>
      ((await activityList(laptop).first().textContent()) ?? "").includes(
        "A session was signed out",
      )
        ? true
        : undefined,
    );
    await expectAccessible(laptop, "account after signing a session out");

    // The phone's session ended at once: its account page sends it to Sign in.
    await phone.goto("/account");
    await phone.waitForURL((url) => url.pathname === "/sign-in");
    await phone.context().close();
  });

  it("shows the phone layout and pages older activity", async () => {
    const page = await env.newPage(PHONE);
    const email = uniqueEmail("center-phone");
    await createVerifiedAccount(env, page, mailbox, email);
    // Wrong passwords and sign-ins: more events than one page holds.
    for (let i = 0; i < 5; i++) {
      await page.goto("/sign-in");
      await page.getByLabel("Email address").fill(email);
      await page.getByLabel("Password", { exact: true }).fill("not the password at all");
      await page.getByRole("button", { name: "Sign in", exact: true }).click();
      await page
        .getByRole("alert")
        .filter({ hasText: /do not match/ })
        .waitFor();
    }
    for (let i = 0; i < 4; i++) {
      await signIn(page, email);
      if (i < 3) {
        await page.getByRole("button", { name: "Sign out", exact: true }).click();
        await page.waitForURL((url) => url.pathname === "/sign-in");
      }
    }
    await eventually("a first page of activity", async () =>
      (await activityList(page).count()) === 10 ? true : undefined,
    );
    const older = page.getByRole("button", { name: "Show older activity" });
    await older.click();
    await eventually("the older activity", async () =>
      (await activityList(page).count()) > 10 ? true : undefined,
    );
    expect(
      (await page.getByRole("list", { name: "Recent activity" }).textContent()) ?? "",
    ).toContain("Sign-in refused: wrong password");
    await shoot(page, "account-security-phone");
  });

  it("on a phone: Sign out in the header on the first screen, activity lines broken only between their parts, one rule between sections; the device named in German", async () => {
    const page = await env.newPage(PHONE);
    const email = uniqueEmail("center-header");
    await createVerifiedAccount(env, page, mailbox, email);
    await signIn(page, email);
    await activityList(page).first().waitFor();

    // One Sign out, in the header, visible without scrolling.
    const signOut = page.getByRole("button", { name: "Sign out", exact: true });
    expect(await signOut.count()).toBe(1);
    expect(await page.getByRole("banner").getByRole("button", { name: "Sign out" }).count()).toBe(
      1,
    );
    const bounds = await signOut.boundingBox();
    expect((bounds?.y ?? PHONE.height) + (bounds?.height ?? 0)).toBeLessThanOrEqual(PHONE.height);

    // Each part of an activity line (time, device, IP address) is whole on one line.
    const parts = page.locator(".security-list__meta > *");
    expect(await parts.count()).toBeGreaterThan(0);
    for (const lines of await parts.evaluateAll((elements) =>
      elements.map((element) => element.getClientRects().length),
    )) {
      expect(lines).toBe(1);
    }

    // Every horizontal rule in the card has content between it and the next: never two stacked.
    const rules = await page.locator(".card").evaluate((card) => {
      const ys: number[] = [];
      for (const element of card.querySelectorAll("*")) {
        const style = getComputedStyle(element);
        const box = element.getBoundingClientRect();
        if (box.width === 0) continue;
        if (Number.parseFloat(style.borderTopWidth) > 0 && style.borderTopStyle !== "none") {
          if (style.borderBottomWidth === style.borderTopWidth) continue; // a box, not a rule
          ys.push(box.top);
        }
        if (Number.parseFloat(style.borderBottomWidth) > 0 && style.borderBottomStyle !== "none") {
          if (style.borderTopWidth === style.borderBottomWidth) continue;
          ys.push(box.bottom);
        }
      }
      return ys.sort((a, b) => a - b);
    });
    expect(rules.length).toBeGreaterThan(2);
    for (let i = 1; i < rules.length; i++) {
      expect(
        (rules[i] ?? 0) - (rules[i - 1] ?? 0),
        `rules at ${rules[i - 1]} and ${rules[i]}`,
      ).toBeGreaterThan(20);
    }

    // In German, the device's words are German; its names stay.
    await page.getByRole("combobox", { name: "Choose your language" }).selectOption("de");
    await page.getByRole("button", { name: "Save language" }).click();
    await page.getByRole("heading", { name: "Dein Konto" }).waitFor();
    const german = (await page.locator(".security-list li").first().textContent()) ?? "";
    expect(german).toContain("Safari unter iOS");
    expect(await page.locator(".security-list__meta").first().textContent()).toContain(
      "Safari unter iOS",
    );
    expect(german).not.toContain(" on ");
    await page.getByRole("banner").getByRole("button", { name: "Abmelden" }).waitFor();
  });
});
