import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import * as core from "./index.js";

const source = await readFile(join(import.meta.dirname, "index.ts"), "utf8");

/** Each name `index.ts` exports, with the comment written just above it (or null). */
function exportedNames(): { name: string; doc: string | null }[] {
  const names: { name: string; doc: string | null }[] = [];
  for (const block of source.matchAll(/export (?:type )?\{([\s\S]*?)\} from "/g)) {
    const body = block[1] as string;
    for (const entry of body.matchAll(/(\/\*\*[\s\S]*?\*\/\s*)?(?:type\s+)?([A-Za-z_][\w]*),/g)) {
      names.push({ name: entry[2] as string, doc: entry[1]?.trim() ?? null });
    }
  }
  return names;
}

describe("@otp/core's public API", () => {
  it("names every export explicitly: no `export *`", () => {
    expect(source).not.toMatch(/export \*/);
    expect(source).not.toMatch(/export type \*/);
  });

  it("documents each exported name with a one-line TSDoc comment", () => {
    const names = exportedNames();
    expect(names.length).toBeGreaterThan(60);
    const undocumented = names.filter(({ doc }) => doc === null || !/^\/\*\* .+ \*\/$/.test(doc));
    expect(undocumented.map(({ name }) => name)).toEqual([]);
  });

  it("keeps the product's internals out of the root (they are in @otp/core/internal)", async () => {
    const internal = await import("./internal.js");
    for (const name of [
      "deriveKeys",
      "hashCode",
      "openOutboxPayload",
      "ok",
      "fail",
      "fieldErrorsOf",
    ]) {
      expect(core, name).not.toHaveProperty(name);
      expect(internal, name).toHaveProperty(name);
    }
    expect(core.createOtpService).toBeTypeOf("function");
    expect(core.ERROR_MESSAGES.OTP_INVALID).toBeTypeOf("string");
  });
});
