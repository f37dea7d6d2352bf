/** Screenshots for the docs, taken by the browser tests. */
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Page } from "playwright-core";
import { expectAccessible } from "./axe.js";

export const SCREENSHOTS = resolve(import.meta.dirname, "..", "..", "..", "docs", "screenshots");

/**
 * Written only when asked (`UPDATE_SCREENSHOTS=1`): a test run leaves the tracked
 * pictures as they are, so `git status` stays clean; asked, they show the app as it is.
 */
export const UPDATE_SCREENSHOTS = process.env.UPDATE_SCREENSHOTS === "1";

/**
 * The page as it is, which must pass axe-core whether or not the picture is
 * written. Taken at CSS pixels: a phone's emulated density would triple the files.
 */
export async function shoot(page: Page, name: string, fullPage = true) {
  await expectAccessible(page, name);
  if (!UPDATE_SCREENSHOTS) return;
  // Let fonts and the mailbox's frames settle; no hover colour from the last click.
  await page.mouse.move(0, page.viewportSize()?.height ?? 0);
  await page.evaluate(() => document.fonts.ready);
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({
    path: join(SCREENSHOTS, `${name}.png`),
    fullPage,
    animations: "disabled",
    caret: "hide",
    scale: "css",
  });
}

/** An email as its recipient sees it (no axe check: emails are not the app's pages). */
export async function shootEmail(page: Page, name: string) {
  if (!UPDATE_SCREENSHOTS) return;
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}
