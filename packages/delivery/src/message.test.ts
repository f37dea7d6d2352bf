import { OUTBOX_KINDS, type OutboxPayload } from "@otp/core/internal";
import { createRenderer, EMAIL_KINDS } from "@otp/email";
import { describe, expect, it } from "vitest";
import { toEmailMessage, UndeliverablePayloadError } from "./message.js";

const LINK_TOKEN =
  "0b0e4a3c-5d1f-4e2a-9c7b-3f6d8e1a2b4c.q2Vb0x7m1kQe3T9rX8yZp4LwN6uJc5AaHs0dFg2iK1E";
const createdAt = new Date("2025-12-01T11:30:00.000Z");

function payload(overrides: Partial<OutboxPayload> = {}): OutboxPayload {
  return {
    v: 1,
    kind: "VERIFICATION_CODE",
    to: "ada@example.com",
    code: "12345678",
    linkToken: LINK_TOKEN,
    ttlSeconds: 900,
    expiresAt: "2025-12-01T11:45:00.000Z",
    ...overrides,
  };
}

describe("toEmailMessage", () => {
  it("has a template for every kind the outbox carries", () => {
    expect([...OUTBOX_KINDS].sort()).toEqual([...EMAIL_KINDS].sort());
  });

  it.each([
    "VERIFICATION_CODE",
    "PASSWORD_RESET_CODE",
    "SIGN_IN_CODE",
    "EMAIL_CHANGE_CODE",
  ] as const)("maps %s to code, expiresInSeconds = ttlSeconds", (kind) => {
    expect(toEmailMessage(payload({ kind }), { kind, createdAt })).toEqual({
      kind,
      to: "ada@example.com",
      code: "12345678",
      expiresInSeconds: 900,
      linkToken: LINK_TOKEN,
    });
  });

  it("a code email carries the link beside the code; without its token it is undeliverable", async () => {
    const renderer = createRenderer({ productName: "OTP", baseUrl: "https://otp.example" });
    const kind = "SIGN_IN_CODE";
    const email = await renderer.render(toEmailMessage(payload({ kind }), { kind, createdAt }));
    expect(email.text).toContain(`https://otp.example/link#token=${LINK_TOKEN}`);
    expect(() =>
      toEmailMessage(payload({ kind, linkToken: undefined }), { kind, createdAt }),
    ).toThrow(UndeliverablePayloadError);
  });

  it("the email states the lifetime the code was issued with (10 minutes by default, or as configured)", async () => {
    const renderer = createRenderer({ productName: "OTP", baseUrl: "https://otp.example" });
    for (const [ttlSeconds, words] of [
      [600, "10 minutes"],
      [300, "5 minutes"],
    ] as const) {
      const kind = "VERIFICATION_CODE";
      const message = toEmailMessage(payload({ ttlSeconds }), { kind, createdAt });
      const email = await renderer.render(message);
      expect(email.text).toContain(`This code expires in ${words}.`);
      expect(email.html).toContain(`This code expires in ${words}.`);
    }
  });

  it("maps the lockout emails: the attempt's details, and the unlock link with its token", async () => {
    const renderer = createRenderer({ productName: "OTP", baseUrl: "https://otp.example" });
    const token = "q2Vb0x7m1kQe3T9rX8yZp4LwN6uJc5AaHs0dFg2iK1E";
    const locked = toEmailMessage(
      payload({
        kind: "ACCOUNT_LOCKED",
        code: undefined,
        unlockToken: token,
        expiresAt: "2025-12-02T11:30:00.000Z",
      }),
      { kind: "ACCOUNT_LOCKED", createdAt },
    );
    expect((await renderer.render(locked)).text).toContain(
      `https://otp.example/unlock#token=${token}`,
    );
    const limit = toEmailMessage(
      payload({
        kind: "PASSWORD_LIMIT_REACHED",
        code: undefined,
        attempt: {
          at: createdAt.toISOString(),
          ip: "203.0.113.7",
          browser: "Firefox 133.0",
          os: "Windows 10",
        },
      }),
      { kind: "PASSWORD_LIMIT_REACHED", createdAt },
    );
    expect((await renderer.render(limit)).text).toContain(
      "from the IP address 203.0.113.7, with Firefox 133.0 on Windows 10",
    );
  });

  it("dates PASSWORD_CHANGED at the moment it was queued", () => {
    const kind = "PASSWORD_CHANGED";
    expect(toEmailMessage({ v: 1, kind, to: "ada@example.com" }, { kind, createdAt })).toEqual({
      kind,
      to: "ada@example.com",
      changedAt: createdAt,
    });
  });

  it("maps ALREADY_REGISTERED to the recipient only", () => {
    const kind = "ALREADY_REGISTERED";
    expect(toEmailMessage({ v: 1, kind, to: "ada@example.com" }, { kind, createdAt })).toEqual({
      kind,
      to: "ada@example.com",
    });
  });

  it("maps NEW_SIGN_IN to when, IP and device; refuses one without a valid time", () => {
    const kind = "NEW_SIGN_IN" as const;
    const notice = {
      v: 1 as const,
      kind,
      to: "ada@example.com",
      signedInAt: "2025-12-01T11:30:00.000Z",
      ip: "203.0.113.7",
      device: "Firefox on Windows",
    };
    expect(toEmailMessage(notice, { kind, createdAt })).toEqual({
      kind,
      to: "ada@example.com",
      signedInAt: createdAt,
      ip: "203.0.113.7",
      device: "Firefox on Windows",
    });
    expect(() =>
      toEmailMessage({ ...notice, signedInAt: "yesterday" }, { kind, createdAt }),
    ).toThrow(UndeliverablePayloadError);
  });

  it.each([
    ["an unknown version", payload({ v: 2 as 1 }), "VERIFICATION_CODE", /version/],
    ["a kind other than the row's", payload(), "SIGN_IN_CODE", /differs/],
    ["an unknown kind", payload({ kind: "POSTCARD" as "SIGN_IN_CODE" }), "POSTCARD", /template/],
    ["no recipient", payload({ to: " " }), "VERIFICATION_CODE", /recipient/],
    ["no code", payload({ code: undefined }), "VERIFICATION_CODE", /no code/],
    ["an empty code", payload({ code: "" }), "VERIFICATION_CODE", /no code/],
    ["no ttl", payload({ ttlSeconds: undefined }), "VERIFICATION_CODE", /ttlSeconds/],
    ["a fractional ttl", payload({ ttlSeconds: 1.5 }), "VERIFICATION_CODE", /ttlSeconds/],
  ])("refuses a payload with %s, without echoing the code", (_case, value, kind, message) => {
    let thrown: unknown;
    try {
      toEmailMessage(value, { kind, createdAt });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(UndeliverablePayloadError);
    expect((thrown as Error).message).toMatch(message);
    expect((thrown as Error).message).not.toContain("12345678");
  });
});
