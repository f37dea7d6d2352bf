/**
 * The dispatcher as its own process, built (`pnpm build`: dist/main.js) and
 * started as the package's start script does: configuration errors, the
 * PGlite refusal, a real run against PostgreSQL and SMTP ending with a
 * graceful SIGTERM, and its traces received by an OTLP/HTTP endpoint.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import {
  createTestDatabase,
  createTestService,
  readOutbox,
  resolveTestPostgres,
  sql,
  TEST_SECRET,
  type TestDatabase,
} from "@otp/core/testing";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { DELIVERY_VARIABLES } from "../src/config.js";
import { createSmtpServer, type TestSmtpServer, waitFor } from "./support.js";

const packageDir = fileURLToPath(new URL("..", import.meta.url));
const server = await resolveTestPostgres();
if (!server.available) console.warn(`[delivery] PostgreSQL tests skipped: ${server.reason}`);

beforeAll(async () => {
  await promisify(execFile)(process.execPath, ["build.mjs"], { cwd: packageDir });
}, 120_000);

interface Running {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

const children: ChildProcess[] = [];
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.exitCode === null) child.kill("SIGKILL");
  }
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** The package's `start` script ("exec node dist/main.js"), run as the deployment would run it. */
const startScript = (
  JSON.parse(readFileSync(join(packageDir, "package.json"), "utf8")) as {
    scripts: { start: string };
  }
).scripts.start.split(" ");

/** Runs the start script with exactly these delivery variables set. */
function runMain(variables: Record<string, string>): Running {
  const env = { ...process.env };
  for (const name of DELIVERY_VARIABLES) delete env[name];
  const [exec, bin, ...args] = startScript;
  expect([exec, bin]).toEqual(["exec", "node"]);
  const child = spawn(process.execPath, args, {
    cwd: packageDir,
    env: { ...env, ...variables },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

describe("src/main.ts", () => {
  it("refuses to start on a bad environment, naming each bad variable", async () => {
    const run = runMain({
      DATABASE_URL: "postgres://postgres@127.0.0.1:5432/postgres",
      APP_SECRET: "short",
      SMTP_URL: "http://mailer:smtp-password@smtp.internal",
      APP_URL: "https://acme.example",
    });
    expect(await run.exited).toBe(1);
    const stderr = run.stderr();
    expect(stderr).toMatch(/invalid environment/);
    expect(stderr).toMatch(/APP_SECRET: must be at least 32 characters/);
    expect(stderr).toMatch(/SMTP_URL: must start with smtp:\/\//);
    expect(stderr).toMatch(/SMTP_FROM: is not set/);
    expect(stderr).toMatch(/APP_NAME: is not set/);
    expect(stderr).not.toMatch(/DATABASE_URL|APP_URL/);
    expect(stderr).not.toContain("smtp-password");
  });

  it("refuses to run on PGlite and says why", async () => {
    const run = runMain({
      APP_SECRET: TEST_SECRET,
      SMTP_URL: "smtp://127.0.0.1:2525",
      SMTP_FROM: "Acme <no-reply@acme.example>",
      APP_URL: "https://acme.example",
      APP_NAME: "Acme",
    });
    expect(await run.exited).toBe(1);
    expect(run.stderr()).toMatch(/DATABASE_URL: is not set/);
    expect(run.stderr()).toMatch(/PGlite.*cannot be shared/s);
  });

  describe.skipIf(!server.available)("against PostgreSQL and a real SMTP server", () => {
    let database: TestDatabase;
    let smtp: TestSmtpServer;
    /** A complete environment for this test's database and SMTP server. */
    const realRun = () => ({
      DATABASE_URL: database.url ?? "",
      APP_SECRET: TEST_SECRET,
      SMTP_URL: smtp.url,
      SMTP_FROM: "Acme <no-reply@acme.example>",
      APP_URL: "https://acme.example",
      APP_NAME: "Acme",
    });

    it("delivers what the service queues and stops gracefully on SIGTERM", async () => {
      database = await createTestDatabase("postgres", server.available ? server.url : undefined);
      cleanups.push(() => database.close());
      smtp = await createSmtpServer();
      cleanups.push(() => smtp.stop());

      const run = runMain(realRun());
      await waitFor("the dispatcher to start", () => run.stdout().includes("dispatcher started"), {
        timeoutMs: 30_000,
      });

      await createTestService(database).register({
        email: "process@example.com",
        password: "a long enough password",
      });
      await waitFor("the email", () => smtp.countFor("process@example.com") === 1, {
        timeoutMs: 10_000,
      });
      const [row] = await waitFor("the row to settle", async () => {
        const rows = await readOutbox(database, TEST_SECRET);
        return rows[0]?.status === "SENT" && rows;
      });
      expect(row?.payload).toBeNull();
      expect(smtp.received[0]?.subject).toBe("Verify your email for Acme");

      run.child.kill("SIGTERM");
      expect(await run.exited).toBe(0);
      expect(run.stdout()).toMatch(/stopping/);
      expect(run.stdout()).toMatch(/dispatcher stopped/);
    });

    it("with OTEL_EXPORTER_OTLP_ENDPOINT, exports each attempt's span, linked to the queuing request", async () => {
      database = await createTestDatabase("postgres", server.available ? server.url : undefined);
      cleanups.push(() => database.close());
      smtp = await createSmtpServer();
      cleanups.push(() => smtp.stop());
      const collector = await startOtlpCollector();
      cleanups.push(() => collector.stop());

      // Queued before the dispatcher starts, by a request whose trace context the row keeps.
      const email = "traced-process@example.com";
      await createTestService(database).register({ email, password: "a long enough password" });
      const queuedBy = { traceId: "4bf92f3577b34da6a3ce929d0e0e4736", spanId: "00f067aa0ba902b7" };
      await database.db.execute(
        sql`UPDATE email_outbox SET trace_context = ${`00-${queuedBy.traceId}-${queuedBy.spanId}-01`}`,
      );

      const run = runMain({ ...realRun(), OTEL_EXPORTER_OTLP_ENDPOINT: collector.url });
      await waitFor("the email", () => smtp.countFor(email) === 1, { timeoutMs: 30_000 });
      await waitFor("the row to settle", async () => {
        const rows = await readOutbox(database, TEST_SECRET);
        return rows[0]?.status === "SENT";
      });
      run.child.kill("SIGTERM"); // a graceful stop exports what is still buffered
      expect(await run.exited).toBe(0);

      const spans = collector.spans();
      const delivery = spans.filter((span) => span.name === "email delivery");
      expect(delivery).toHaveLength(1);
      const [attempt] = delivery;
      expect(attempt?.service).toBe("otp-delivery");
      expect(attempt?.attributes["otp.email.outcome"]).toBe("sent");
      expect(attempt?.attributes["otp.email.kind"]).toBe("VERIFICATION_CODE");
      expect(attempt?.links).toEqual([queuedBy]);
      const statements = spans.filter(
        (span) => span.name === "sql" && span.parentSpanId === attempt?.spanId,
      );
      expect(statements.length).toBeGreaterThanOrEqual(1); // settling the row, inside the attempt
      for (const statement of statements) {
        expect(String(statement.attributes["db.query.text"])).toMatch(/email_outbox/);
      }
      expect(JSON.stringify(spans)).not.toContain(email);
    });
  });
});

interface ReceivedSpan {
  service: string | undefined;
  name: string;
  spanId: string;
  parentSpanId: string;
  attributes: Record<string, unknown>;
  links: { traceId: string; spanId: string }[];
}

interface OtlpValue {
  stringValue?: string;
  intValue?: string | number;
  boolValue?: boolean;
}
interface OtlpAttribute {
  key: string;
  value: OtlpValue;
}
interface OtlpExport {
  resourceSpans: {
    resource?: { attributes?: OtlpAttribute[] };
    scopeSpans: {
      spans: {
        name: string;
        spanId: string;
        parentSpanId?: string;
        attributes?: OtlpAttribute[];
        links?: { traceId: string; spanId: string }[];
      }[];
    }[];
  }[];
}

const plainValue = (value: OtlpValue) => value.stringValue ?? value.intValue ?? value.boolValue;
const attributesOf = (list: OtlpAttribute[] = []) =>
  Object.fromEntries(list.map((attribute) => [attribute.key, plainValue(attribute.value)]));

/** An OTLP/HTTP trace endpoint on loopback: what the exporter posts to `/v1/traces` (JSON). */
async function startOtlpCollector(): Promise<{
  url: string;
  spans: () => ReceivedSpan[];
  stop: () => Promise<void>;
}> {
  const received: ReceivedSpan[] = [];
  const httpServer: Server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => {
      body += chunk.toString();
    });
    request.on("end", () => {
      if (request.url !== "/v1/traces" || request.headers["content-type"] !== "application/json") {
        response.writeHead(415).end();
        return;
      }
      for (const resourceSpans of (JSON.parse(body) as OtlpExport).resourceSpans) {
        const service = attributesOf(resourceSpans.resource?.attributes)["service.name"];
        for (const scope of resourceSpans.scopeSpans) {
          for (const span of scope.spans) {
            received.push({
              service: typeof service === "string" ? service : undefined,
              name: span.name,
              spanId: span.spanId,
              parentSpanId: span.parentSpanId ?? "",
              attributes: attributesOf(span.attributes),
              links: (span.links ?? []).map(({ traceId, spanId }) => ({ traceId, spanId })),
            });
          }
        }
      }
      response.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((resolve) => httpServer.listen(0, "127.0.0.1", resolve));
  const { port } = httpServer.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    spans: () => received,
    stop: () => new Promise((resolve) => httpServer.close(() => resolve())),
  };
}
