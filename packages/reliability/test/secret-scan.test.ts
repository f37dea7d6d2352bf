/** The leak scan's matching rules (src/secrets.ts), on text made up for the purpose. */
import { describe, expect, it } from "vitest";
import { SecretLedger } from "../src/secrets.js";

const CODE = "70812345";

function leaksIn(text: string) {
  const ledger = new SecretLedger();
  ledger.add("code", CODE);
  return ledger.scan([{ name: "made up", text: () => text }]).leaks.map((leak) => leak.kind);
}

describe("the leak scan", () => {
  it("finds a code as a whole digit run, also percent-encoded", () => {
    expect(leaksIn(`{"msg":"code ${CODE} sent"}`)).toEqual(["code"]);
    expect(leaksIn(`GET /verify?otp=%22${CODE}%22`)).toEqual(["code"]);
  });

  it("does not take a code's digits inside a longer number, a decimal or a UUID for it", () => {
    expect(leaksIn(`{"time":17${CODE}9}`)).toEqual([]);
    expect(leaksIn(`{"responseTime":12.${CODE}}`)).toEqual([]);
    expect(leaksIn(`{"reqId":"bfcaafa5-2342-4600-8410-dee${CODE}f"}`)).toEqual([]);
  });
});
