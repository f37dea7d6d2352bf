import { afterAll, beforeAll, expect, it } from "vitest";
import {
  type BrowserTestEnv,
  describeInBrowser,
  startBrowserTestEnv,
  uniqueEmail,
} from "./harness.js";

describeInBrowser("with SMTP configured (no dev mailbox)", () => {
  let env: BrowserTestEnv;

  beforeAll(async () => {
    // An SMTP URL makes the API mount its production router; delivery is off so nothing is sent.
    env = await startBrowserTestEnv({ SMTP_URL: "smtp://127.0.0.1:9", DELIVERY: "off" });
  });
  afterAll(async () => {
    await env?.close();
  });

  it("the mailbox page says it exists only in development", async () => {
    const page = await env.newPage();
    await page.goto("/mailbox");
    await page.getByText("The mailbox exists only in development.").waitFor();
    expect(await page.getByRole("article").count()).toBe(0);
  });

  it("the Verify page does not link to a mailbox", async () => {
    const page = await env.newPage();
    let asked = false;
    page.on("response", (response) => {
      if (response.url().includes("dev.mailbox")) asked = true;
    });
    await page.goto(`/verify?email=${encodeURIComponent(uniqueEmail("prod"))}`);
    await page.getByRole("textbox", { name: /^Digit 1 of \d+$/ }).waitFor();
    // Wait for the probe's answer before looking for the link.
    for (let i = 0; i < 100 && !asked; i++) await page.waitForTimeout(50);
    expect(asked).toBe(true);
    expect(await page.getByRole("link", { name: "dev mailbox" }).count()).toBe(0);
  });
});
