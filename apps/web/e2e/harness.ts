import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig, type RunningApp, startApp } from "@otp/api";
import {
  createTestDatabase,
  resolveTestPostgres,
  TEST_SECRET,
  type TestDatabase,
} from "@otp/core/testing";
import {
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  chromium,
  devices,
  type Page,
} from "playwright-core";
import { afterAll, beforeAll, describe, inject } from "vitest";

/** Flags that work with Debian's Chromium here (docs/toolchain.md). Playwright adds a fresh profile dir. */
export const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** A window size, and for a phone the emulation that makes Chromium lay the page out as one does. */
export interface Screen {
  width: number;
  height: number;
  /** Touch, a mobile viewport (the page's `<meta name="viewport">` applies), pixel density, user agent. */
  mobile?: Pick<BrowserContextOptions, "isMobile" | "hasTouch" | "deviceScaleFactor" | "userAgent">;
}

/** Playwright's own description of a device, less its window (set here) and preferred browser. */
function emulationOf(name: string): NonNullable<Screen["mobile"]> {
  const device = devices[name];
  if (device === undefined) throw new Error(`playwright-core has no device "${name}"`);
  const { isMobile, hasTouch, deviceScaleFactor, userAgent } = device;
  return { isMobile, hasTouch, deviceScaleFactor, userAgent };
}

export const DESKTOP: Screen = { width: 1280, height: 800 };
/** An iPhone 13 held upright: the whole screen, 390x844. */
export const PHONE: Screen = { width: 390, height: 844, mobile: emulationOf("iPhone 13") };
/** The narrowest common phone: a Galaxy S8. */
export const SMALLEST: Screen = { width: 360, height: 740, mobile: emulationOf("Galaxy S8") };

const suite = inject("browserSuite");

/** `describe` for browser tests: skipped, with the reason in its name, when Chromium is missing. */
export function describeInBrowser(name: string, body: () => void): void {
  if (suite.chromium === null) describe.skip(`${name} (skipped: ${suite.skipReason})`, body);
  else describe(name, body);
}

export interface BrowserTestEnv {
  app: RunningApp;
  baseUrl: string;
  /** The code length the API is configured with (what the page shows as boxes). */
  codeLength: number;
  browser: Browser;
  /** A page in a fresh browser context (no shared storage), on `screen` (a phone is emulated). */
  newPage(screen?: Screen, options?: BrowserContextOptions): Promise<Page>;
  close(): Promise<void>;
}

/**
 * The real API on a random port over a fresh database (a new database on the
 * local PostgreSQL server when one answers, else in-memory PGlite), serving the
 * app built by the global setup, and a Chromium to drive it.
 */
export async function startBrowserTestEnv(
  env: Record<string, string> = {},
): Promise<BrowserTestEnv> {
  const { chromium: executablePath, webDist } = suite;
  if (executablePath === null || webDist === null) throw new Error("browser suite is skipped");

  const postgres = await resolveTestPostgres();
  const database: TestDatabase = postgres.available
    ? await createTestDatabase("postgres", postgres.url)
    : await createTestDatabase("pglite");
  const dataDir = mkdtempSync(join(tmpdir(), "otp-web-e2e-"));
  let app: RunningApp | undefined;
  let browser: Browser | undefined;
  try {
    const config = loadConfig({
      NODE_ENV: "test",
      PORT: "0",
      DATA_DIR: dataDir,
      APP_SECRET: TEST_SECRET,
      LOG_LEVEL: "silent",
      WEB_DIST: webDist,
      ...env,
    });
    app = await startApp(config, { database, devMailboxLog: () => {} });
    browser = await chromium.launch({ executablePath, args: CHROMIUM_FLAGS });
  } catch (error) {
    await browser?.close();
    await app?.close();
    await database.close();
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }

  const running = app;
  const openBrowser = browser;
  const contexts: BrowserContext[] = [];
  return {
    app: running,
    baseUrl: running.url,
    codeLength: running.config.policy.codeLength,
    browser: openBrowser,
    async newPage(screen = DESKTOP, options = {}) {
      const { width, height, mobile } = screen;
      const context = await openBrowser.newContext({
        viewport: { width, height },
        ...(mobile === undefined ? {} : { ...mobile, screen: { width, height } }),
        baseURL: running.url,
        locale: "en-GB",
        timezoneId: "UTC",
        ...options,
      });
      context.setDefaultTimeout(15_000);
      contexts.push(context);
      const page = await context.newPage();
      // Every address the page is at, loads and history-API navigations alike.
      const urls: string[] = [];
      visited.set(page, urls);
      page.on("framenavigated", (frame) => {
        if (frame === page.mainFrame()) urls.push(frame.url());
      });
      return page;
    },
    async close() {
      await openBrowser.close();
      await running.close();
      await database.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * For a describe block: a test env started before its tests (with `vars`
 * for the API's configuration) and closed after them, and a page to read
 * the dev mailbox with; `opened` receives both.
 */
export function useBrowserTestEnv(
  vars: Record<string, string>,
  opened: (env: BrowserTestEnv, mailbox: Page) => void,
): void {
  let env: BrowserTestEnv | undefined;
  beforeAll(async () => {
    env = await startBrowserTestEnv(vars);
    opened(env, await env.newPage());
  });
  afterAll(async () => {
    await env?.close();
  });
}

/** Polls `read` until it returns a value (not undefined), or fails after `timeoutMs`. */
export async function eventually<T>(
  what: string,
  read: () => Promise<T | undefined>,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const visited = new WeakMap<Page, string[]>();

/** Every URL the page's main frame has been at (loads, reloads, pushState and replaceState). */
export function visitedUrls(page: Page): string[] {
  return [...(visited.get(page) ?? []), page.url()];
}

let sequence = 0;

/** A fresh address per test, so tests sharing one app never meet each other's codes. */
export function uniqueEmail(label: string): string {
  sequence += 1;
  return `${label}-${Date.now().toString(36)}-${sequence}@example.com`;
}
