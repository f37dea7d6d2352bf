import { describe, expect, it } from "vitest";
import { createTransportFromConfig } from "./from-config.js";

describe("createTransportFromConfig", () => {
  it("uses the dev mailbox when no SMTP URL is given", async () => {
    const transport = createTransportFromConfig({ smtpUrl: "  ", devMailbox: { log: () => {} } });
    expect(transport.kind).toBe("dev-mailbox");
    await transport.close();
  });

  it("uses SMTP when an SMTP URL is given", async () => {
    const transport = createTransportFromConfig({
      smtpUrl: "smtps://user:pass@smtp.example.com",
      smtpFrom: "Acme <no-reply@acme.example>",
    });
    expect(transport.kind).toBe("smtp");
    await transport.close();
  });

  it("requires a From address with SMTP", () => {
    expect(() => createTransportFromConfig({ smtpUrl: "smtp://h:25" })).toThrow(/smtpFrom/);
  });
});
