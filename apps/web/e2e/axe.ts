/** axe-core in the page under test: every page and state the browser tests visit is checked with it. */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { Page } from "playwright-core";
import { expect } from "vitest";

const AXE_SOURCE = readFileSync(
  createRequire(import.meta.url).resolve("axe-core/axe.min.js"),
  "utf8",
);

/** WCAG 2.0, 2.1 and 2.2, levels A and AA: the rules axe tags with these. */
export const WCAG_AA_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"];

export interface AxeViolation {
  id: string;
  help: string;
  targets: string[];
}

/** Runs axe-core on the page as it is now (the API's CSP allows no inline script: it goes in by evaluation). */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  const loaded = await page.evaluate(() => "axe" in window);
  if (!loaded) await page.evaluate(AXE_SOURCE);
  return page.evaluate(async (tags) => {
    // biome-ignore lint/suspicious/noExplicitAny: axe's global, loaded above
    const axe = (window as any).axe;
    const result = await axe.run(document, {
      runOnly: { type: "tag", values: tags },
      resultTypes: ["violations"],
    });
    return result.violations.map(
      (violation: { id: string; help: string; nodes: { target: string[] }[] }) => ({
        id: violation.id,
        help: violation.help,
        targets: violation.nodes.map((node) => node.target.join(" ")),
      }),
    );
  }, WCAG_AA_TAGS);
}

/** No WCAG 2.2 AA violation on the page in its current state; `where` names it in a failure. */
export async function expectAccessible(page: Page, where: string): Promise<void> {
  expect(await axeViolations(page), `axe-core on ${where}`).toEqual([]);
}
