/** The README's error table is a contract: every code it lists answers its status on both surfaces. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  API_ERROR_CODES,
  type ApiErrorCode,
  httpStatusOf,
  jsonRpcCodeOf,
} from "@otp/server/internal";
import { describe, expect, it } from "vitest";

const readme = readFileSync(join(import.meta.dirname, "..", "..", "..", "README.md"), "utf8");
const rows = [...readme.matchAll(/^\| `([A-Z_]+)` +\| (\d{3}) +\|/gm)].map(([, code, status]) => ({
  code: code as string,
  status: Number(status),
}));

describe("error statuses", () => {
  it("the README lists codes", () => {
    expect(rows.length).toBeGreaterThan(10);
  });
  for (const { code, status } of rows) {
    it(`${code} answers ${status}`, () => {
      expect(API_ERROR_CODES).toContain(code);
      expect(httpStatusOf(code as ApiErrorCode)).toBe(status);
    });
  }
  it("a rate-limited tRPC call carries tRPC's TOO_MANY_REQUESTS number", () => {
    expect(jsonRpcCodeOf("RATE_LIMITED")).toBe(-32029);
    expect(jsonRpcCodeOf("INVALID_INPUT")).toBe(-32600);
  });
});
