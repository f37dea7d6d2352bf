import { expect, it } from "vitest";
import {
  type BrowserTestEnv,
  describeInBrowser,
  uniqueEmail,
  useBrowserTestEnv,
} from "./harness.js";
import { codeField } from "./user.js";

describeInBrowser("with SMTP configured (no dev mailbox)", () => {
  let env: BrowserTestEnv;
  // An SMTP URL makes the API mount its production router; delivery is off so nothing is sent.
  useBrowserTestEnv(
    { SMTP_URL: "smtp://127.0.0.1:9", DELIVERY: "off", APP_NAME: "Acme Mail" },
    (opened) => {
      env = opened;
    },
  );

  it("the mailbox page says it exists only in development", async () => {
    const page = await env.newPage();
    await page.goto("/mailbox");
    await page.getByText("The mailbox exists only in development.").waitFor();
    expect(await page.getByRole("article").count()).toBe(0);
  });

  it("the header and the title carry the product name from auth.rules", async () => {
    const page = await env.newPage();
    await page.goto("/sign-in");
    await page.getByRole("link", { name: "Acme Mail" }).waitFor();
    await page.waitForFunction(() => document.title === "Sign in · Acme Mail");
    // Nobody is signed in: the header offers Sign in.
    await page
      .getByRole("navigation", { name: "Account" })
      .getByRole("link", { name: "Sign in" })
      .waitFor();
  });

  it("auth.rules says there is no mailbox: the Verify page neither links to it nor asks for it", async () => {
    const page = await env.newPage();
    const asked: string[] = [];
    page.on("request", (request) => {
      const url = new URL(request.url());
      if (url.pathname.startsWith("/trpc/")) asked.push(decodeURIComponent(url.pathname));
    });
    // An address in an old link moves into the history entry; the code step shows.
    await page.goto(`/verify?email=${encodeURIComponent(uniqueEmail("prod"))}`);
    // The code input shows once the rules (devMailbox among them) have arrived.
    await codeField(page).waitFor();
    expect(new URL(page.url()).search).toBe("");
    expect(asked.some((path) => path.includes("auth.rules"))).toBe(true);
    expect(asked.some((path) => path.includes("dev.mailbox"))).toBe(false);
    expect(await page.getByRole("link", { name: "dev mailbox" }).count()).toBe(0);
  });
});
