/** Screenshots for the docs, taken by the browser tests. */
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Page } from "playwright-core";
import { expectAccessible } from "./axe.js";

/** Written by every run, so the pictures in the docs show the app as it is. */
export const SCREENSHOTS = resolve(import.meta.dirname, "..", "..", "..", "docs", "screenshots");

/** A screenshot of the page as it is, which must also pass axe-core. */
export async function shoot(page: Page, name: string, fullPage = true) {
  await expectAccessible(page, name);
  // Let fonts and the mailbox's frames settle; no hover colour from the last click.
  await page.mouse.move(0, page.viewportSize()?.height ?? 0);
  await page.evaluate(() => document.fonts.ready);
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({
    path: join(SCREENSHOTS, `${name}.png`),
    fullPage,
    animations: "disabled",
    caret: "hide",
  });
}
