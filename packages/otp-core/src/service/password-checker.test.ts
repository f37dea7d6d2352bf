/**
 * New passwords (issue 23, finding 7): zxcvbn's estimate with the address and the service's
 * name as user inputs, and the optional breach lookup against a local server that speaks the
 * Pwned Passwords range protocol.
 */
import { createHash } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  BREACHED_PASSWORD_MESSAGE,
  MIN_PASSWORD_GUESSES_LOG10,
  WEAK_PASSWORD_MESSAGE,
} from "../rules/password-strength.js";
import type { Logger } from "./logger.js";
import { createPasswordChecker, isBreachedPassword } from "./password-checker.js";

const EMAIL = "alice.smith@example.com";
const SERVICE = "Acme Passcodes";

function recordingLogger() {
  const warnings: Array<{ fields: object; message: string }> = [];
  const logger: Logger = {
    info: () => {},
    warn: (fields, message) => warnings.push({ fields, message }),
    error: () => {},
  };
  return { logger, warnings };
}

describe("password strength (zxcvbn, threshold 10^8 guesses)", () => {
  const { logger } = recordingLogger();
  const checker = createPasswordChecker({ serviceName: SERVICE }, logger);

  it.each([
    "password1234567",
    "aaaaaaaaaaaaaaa",
    "123456789012345",
    "qwertyuiopasdfgh",
    EMAIL,
    "Acme PasscodesAcme Passcodes",
    "acmepasscodesacmepasscodes",
  ])(
    "refuses %s with a clear message",
    async (password) => {
      expect(await checker.check(password, EMAIL, "password")).toMatchObject({
        ok: false,
        error: { code: "INVALID_INPUT", fieldErrors: { password: [WEAK_PASSWORD_MESSAGE] } },
      });
    },
    30_000,
  );

  it.each([
    "violet canyon lantern mosaic",
    "correct horse battery staple",
    "Sommer Regen Fenster Brot",
  ])(
    "accepts the four-word passphrase %s",
    async (password) => {
      expect(await checker.check(password, EMAIL, "password")).toBeNull();
    },
    30_000,
  );

  it("the threshold is zxcvbn's score 3", () => {
    expect(MIN_PASSWORD_GUESSES_LOG10).toBe(8);
  });
});

describe("breached passwords by k-anonymity range query", () => {
  const BREACHED = "violet canyon lantern mosaic";
  const sha1 = createHash("sha1").update(BREACHED).digest("hex").toUpperCase();
  let server: Server;
  let url = "";
  const asked: Array<{ path: string; padding: string | undefined }> = [];

  beforeAll(async () => {
    server = createServer((request, response) => {
      asked.push({ path: request.url ?? "", padding: request.headers["add-padding"] as string });
      const prefix = (request.url ?? "").replace("/range/", "");
      // Real answers for the prefix, plus padding lines with a count of 0.
      const lines = [
        "0018A45C4D1DEF81644B54AB7F969B88D65:1",
        "00D4F6E8FA6EECAD2A3AA415EEC418D38EC:0",
      ];
      if (prefix === sha1.slice(0, 5)) lines.push(`${sha1.slice(5)}:42`);
      lines.push(`${"F".repeat(35)}:0`);
      response.writeHead(200, { "content-type": "text/plain" });
      response.end(lines.join("\r\n"));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it("sends only the first five hex characters of the SHA-1, with Add-Padding; finds a breached one", async () => {
    expect(await isBreachedPassword(BREACHED, { url })).toBe(true);
    expect(asked.at(-1)).toEqual({ path: `/range/${sha1.slice(0, 5)}`, padding: "true" });
    expect(await isBreachedPassword("a password nobody has ever used 7", { url })).toBe(false);
    const { logger } = recordingLogger();
    const checker = createPasswordChecker({ breachCheck: { url } }, logger);
    expect(await checker.check(BREACHED, EMAIL, "newPassword")).toMatchObject({
      ok: false,
      error: { code: "INVALID_INPUT", fieldErrors: { newPassword: [BREACHED_PASSWORD_MESSAGE] } },
    });
    expect(await checker.check("tiger river cloud spoon", EMAIL, "newPassword")).toBeNull();
  }, 30_000);

  it("a padding line (count 0) is not a breach", async () => {
    const padded = createHash("sha1").update("x").digest("hex").toUpperCase();
    expect(padded).not.toBe(sha1);
    expect(await isBreachedPassword("x", { url })).toBe(false);
  });

  it("unreachable: a warning in the log, and the offline checks alone decide", async () => {
    const { logger, warnings } = recordingLogger();
    const closed = "http://127.0.0.1:9";
    const checker = createPasswordChecker({ breachCheck: { url: closed, timeoutMs: 500 } }, logger);
    expect(await checker.check(BREACHED, EMAIL, "password")).toBeNull();
    expect(await checker.check("password1234567", EMAIL, "password")).toMatchObject({
      error: { code: "INVALID_INPUT" },
    });
    expect(warnings).toEqual([
      {
        fields: { url: closed },
        message: "password breach check: service unreachable; offline checks only",
      },
    ]);
  }, 30_000);
});

describe("the estimator's worker and the process", () => {
  it("a process with nothing else open waits for the warm-up (the API before it listens), and still ends when idle", async () => {
    const { execFile } = await import("node:child_process");
    const { mkdtempSync, writeFileSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const { fileURLToPath } = await import("node:url");
    const checker = fileURLToPath(new URL("./password-checker.ts", import.meta.url));
    const script = join(mkdtempSync(join(tmpdir(), "otp-estimator-")), "warm.mjs");
    writeFileSync(
      script,
      `const { warmPasswordEstimator } = await import(${JSON.stringify(checker)});
await warmPasswordEstimator();
console.log("warm");
`,
    );
    const result = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
      const child = execFile(
        process.execPath,
        ["--import", "tsx", script],
        { cwd: fileURLToPath(new URL("../..", import.meta.url)), timeout: 60_000 },
        (_error, stdout) => resolve({ code: child.exitCode, stdout }),
      );
    });
    // Before the fix: exit code 13 (an unsettled top-level await), nothing printed. And the
    // process then ends by itself: the idle worker does not keep it alive.
    expect(result).toEqual({ code: 0, stdout: "warm\n" });
  }, 70_000);
});
