import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import {
  createTestDatabase,
  deliveredLiveCode,
  resolveTestPostgres,
  TEST_SECRET,
  type TestBackend,
  type TestDatabase,
} from "@otp/core/testing";
import { createTRPCClient, httpBatchLink } from "@trpc/client";
import { pino } from "pino";
import { type RunningApp, type StartOptions, startApp } from "../src/app.js";
import { loadConfig } from "../src/config.js";
import type { AppRouter } from "../src/router.js";

export const server = await resolveTestPostgres();
export const BACKENDS: TestBackend[] = server.available ? ["pglite", "postgres"] : ["pglite"];
if (!server.available) console.warn(`[api] PostgreSQL variants skipped: ${server.reason}`);

export interface TestApp {
  app: RunningApp;
  url: string;
  database: TestDatabase;
  /** Every structured log line the app wrote, raw JSON text. */
  logs: string[];
  /** The dev mailbox's console lines (development only; they carry codes by design). */
  mailboxLines: string[];
  trpc: ReturnType<typeof createTRPCClient<AppRouter>>;
  codeFor(
    email: string,
    codeType?: "VERIFICATION" | "PASSWORD_RESET" | "SIGN_IN" | "EMAIL_CHANGE" | "REAUTHENTICATION",
  ): Promise<string>;
  /**
   * The token of the link beside the live code, read from the delivered email's
   * text (`APP_URL/link#token=...`), as its owner would follow it.
   */
  linkFor(
    email: string,
    codeType?: "VERIFICATION" | "PASSWORD_RESET" | "SIGN_IN" | "EMAIL_CHANGE" | "REAUTHENTICATION",
  ): Promise<string>;
  post(
    path: string,
    body: unknown,
    init?: { headers?: Record<string, string>; raw?: boolean },
  ): Promise<Response>;
  close(): Promise<void>;
}

/** The real app on a random port, over a fresh database, with its logs captured. */
export async function startTestApp(
  backend: TestBackend,
  env: Record<string, string> = {},
  options: Pick<StartOptions, "traceExporter"> = {},
): Promise<TestApp> {
  const database = await createTestDatabase(backend, server.available ? server.url : undefined);
  const dataDir = mkdtempSync(join(tmpdir(), "otp-api-test-"));
  const config = loadConfig({
    NODE_ENV: "test",
    PORT: "0",
    DATA_DIR: dataDir,
    APP_SECRET: TEST_SECRET,
    LOG_LEVEL: "info",
    ...env,
  });
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logs.push(String(chunk));
      done();
    },
  });
  const mailboxLines: string[] = [];
  const app = await startApp(config, {
    database,
    logger: pino({ level: "info" }, sink),
    devMailboxLog: (line) => mailboxLines.push(line),
    ...options,
  });
  const url = app.url;
  return {
    app,
    url,
    database,
    logs,
    mailboxLines,
    trpc: createTRPCClient<AppRouter>({ links: [httpBatchLink({ url: `${url}/trpc` })] }),
    codeFor: (email, codeType) =>
      deliveredLiveCode(database, TEST_SECRET, () => app.mailbox?.list() ?? [], email, codeType),
    async linkFor(email, codeType) {
      const code = await deliveredLiveCode(
        database,
        TEST_SECRET,
        () => app.mailbox?.list() ?? [],
        email,
        codeType,
      );
      const message = app.mailbox
        ?.list()
        .find((sent) => sent.to === email && sent.meta?.code === code);
      const token = message?.text.match(/\/link#token=([A-Za-z0-9._-]+)/)?.[1];
      if (token === undefined) throw new Error(`no link beside the code emailed to ${email}`);
      return token;
    },
    post: (path, body, init = {}) =>
      fetch(`${url}${path}`, {
        method: "POST",
        headers: { "content-type": "application/json", ...init.headers },
        body: init.raw ? (body as string) : JSON.stringify(body),
      }),
    async close() {
      await app.close();
      await database.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A built web app's shape (index.html and hashed assets, as `vite build` writes them), for WEB_DIST. */
export function fakeWebDist(): string {
  const dir = mkdtempSync(join(tmpdir(), "otp-web-dist-"));
  mkdirSync(join(dir, "assets"));
  writeFileSync(join(dir, "index.html"), "<!doctype html><title>app</title><div id=root></div>");
  writeFileSync(join(dir, "assets", "index-mf8olmnx.js"), "console.log(1);");
  writeFileSync(join(dir, "assets", "de-wYvGWxcE.js"), "export default {};");
  return dir;
}
