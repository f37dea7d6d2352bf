import { describe, expect, it } from "vitest";
import { createTransportFromConfig } from "./from-config.js";

describe("createTransportFromConfig", () => {
  it("uses the dev mailbox when no SMTP URL is given, and says so once", async () => {
    const lines: string[] = [];
    const transport = createTransportFromConfig({
      smtpUrl: "  ",
      devMailbox: { log: (line) => lines.push(line) },
    });
    expect(transport.kind).toBe("dev-mailbox");
    expect(lines).toEqual([expect.stringMatching(/^\[dev-mailbox\] no SMTP URL configured/)]);
    await transport.send({ to: "a@example.com", subject: "s", html: "h", text: "t" });
    expect(lines).toHaveLength(2);
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
