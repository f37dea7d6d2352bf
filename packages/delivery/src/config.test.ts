import { describe, expect, it } from "vitest";
import { parseDeliveryEnv } from "./config.js";

const valid = {
  DATABASE_URL: "postgres://otp:db-password@db.internal:5432/otp",
  APP_SECRET: "s".repeat(40),
  SMTP_URL: "smtp://mailer:smtp-password@smtp.internal:587",
  SMTP_FROM: "Acme <no-reply@acme.example>",
  APP_URL: "https://acme.example",
  APP_NAME: "Acme",
};

describe("parseDeliveryEnv", () => {
  it("accepts a complete environment", () => {
    expect(parseDeliveryEnv(valid)).toEqual({
      ok: true,
      config: {
        databaseUrl: valid.DATABASE_URL,
        databaseDirectUrl: undefined,
        databasePreparedStatements: true,
        appSecret: valid.APP_SECRET,
        smtpUrl: valid.SMTP_URL,
        smtpFrom: valid.SMTP_FROM,
        appUrl: valid.APP_URL,
        appName: valid.APP_NAME,
        otlpEndpoint: undefined,
      },
    });
  });

  it("turns tracing on with an OTLP endpoint, and refuses one that is not a URL", () => {
    const on = parseDeliveryEnv({ ...valid, OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318" });
    expect(on.ok && on.config.otlpEndpoint).toBe("http://collector:4318");
    const bad = parseDeliveryEnv({ ...valid, OTEL_EXPORTER_OTLP_ENDPOINT: "collector" });
    expect(bad.ok ? [] : bad.errors).toEqual([
      "OTEL_EXPORTER_OTLP_ENDPOINT: must be a URL like http://collector:4318",
    ]);
  });

  it("reads the direct URL and the prepared-statements switch (for PgBouncer in transaction mode)", () => {
    const parsed = parseDeliveryEnv({
      ...valid,
      DATABASE_DIRECT_URL: "postgres://otp@db.internal:5432/otp",
      DATABASE_PREPARED_STATEMENTS: "false",
    });
    expect(parsed.ok && parsed.config.databaseDirectUrl).toBe(
      "postgres://otp@db.internal:5432/otp",
    );
    expect(parsed.ok && parsed.config.databasePreparedStatements).toBe(false);
    const bad = parseDeliveryEnv({
      ...valid,
      DATABASE_DIRECT_URL: "mysql://x",
      DATABASE_PREPARED_STATEMENTS: "no",
    });
    expect(bad.ok ? [] : bad.errors).toEqual([
      "DATABASE_DIRECT_URL: must start with postgres:// or postgresql://",
      "DATABASE_PREPARED_STATEMENTS: must be true or false",
    ]);
  });

  it("names every missing variable", () => {
    const parsed = parseDeliveryEnv({});
    expect(parsed.ok).toBe(false);
    const errors = parsed.ok ? [] : parsed.errors;
    expect(errors.map((line) => line.split(":")[0])).toEqual([
      "DATABASE_URL",
      "APP_SECRET",
      "SMTP_URL",
      "SMTP_FROM",
      "APP_URL",
      "APP_NAME",
    ]);
    expect(errors.every((line) => /is not set/.test(line))).toBe(true);
  });

  it("treats empty variables as unset", () => {
    const parsed = parseDeliveryEnv({ ...valid, SMTP_FROM: "", APP_NAME: "" });
    expect(parsed.ok ? [] : parsed.errors.map((line) => line.split(":")[0])).toEqual([
      "SMTP_FROM",
      "APP_NAME",
    ]);
  });

  it("refuses PGlite (no DATABASE_URL, or a directory) and says why", () => {
    for (const DATABASE_URL of [undefined, "./.data/pglite", "memory://"]) {
      const parsed = parseDeliveryEnv({ ...valid, DATABASE_URL });
      expect(parsed.ok).toBe(false);
      const line = parsed.ok ? "" : (parsed.errors[0] ?? "");
      expect(line).toMatch(/^DATABASE_URL: /);
      expect(line).toMatch(/PGlite/);
      expect(line).toMatch(/cannot be shared/);
    }
  });

  it("explains each bad value without echoing secrets", () => {
    const parsed = parseDeliveryEnv({
      DATABASE_URL: "mysql://root:db-password@db",
      APP_SECRET: "too-short",
      SMTP_URL: "http://mailer:smtp-password@smtp.internal",
      SMTP_FROM: "   ",
      APP_URL: "acme.example",
      APP_NAME: "Acme",
    });
    expect(parsed.ok).toBe(false);
    const errors = parsed.ok ? [] : parsed.errors;
    expect(errors).toHaveLength(5);
    expect(errors[0]).toMatch(/^DATABASE_URL: must be a postgres:\/\//);
    expect(errors[1]).toMatch(/^APP_SECRET: must be at least 32 characters/);
    expect(errors[2]).toMatch(/^SMTP_URL: must start with smtp:\/\/ or smtps:\/\//);
    expect(errors[3]).toMatch(/^SMTP_FROM: must not be empty/);
    expect(errors[4]).toMatch(/^APP_URL: must be an absolute/);
    const text = errors.join("\n");
    for (const secret of ["db-password", "smtp-password", "too-short"]) {
      expect(text).not.toContain(secret);
    }
  });
});
