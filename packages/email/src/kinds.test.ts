import { describe, expect, it } from "vitest";
import {
  CODE_EMAIL_KINDS,
  EMAIL_KINDS,
  EMAILS,
  isCodeEmailKind,
  type StoredEmail,
} from "./kinds.js";
import { linkPath } from "./links.js";
import { createRenderer } from "./render/renderer.js";

const LINK_TOKEN =
  "0b0e4a3c-5d1f-4e2a-9c7b-3f6d8e1a2b4c.q2Vb0x7m1kQe3T9rX8yZp4LwN6uJc5AaHs0dFg2iK1E";

/** One email of each kind exactly as the service stores it in the outbox. */
const STORED: { [K in (typeof EMAIL_KINDS)[number]]: StoredEmail<K> } = {
  VERIFICATION_CODE: {
    kind: "VERIFICATION_CODE",
    to: "ada@example.com",
    locale: "en",
    code: "12345678",
    linkToken: LINK_TOKEN,
    ttlSeconds: 600,
    expiresAt: "2025-12-01T11:40:00.000Z",
  },
  PASSWORD_RESET_CODE: {
    kind: "PASSWORD_RESET_CODE",
    to: "ada@example.com",
    code: "12345678",
    linkToken: LINK_TOKEN,
    ttlSeconds: 600,
  },
  SIGN_IN_CODE: {
    kind: "SIGN_IN_CODE",
    to: "ada@example.com",
    code: "12345678",
    linkToken: LINK_TOKEN,
    ttlSeconds: 600,
  },
  EMAIL_CHANGE_CODE: {
    kind: "EMAIL_CHANGE_CODE",
    to: "new@example.com",
    code: "12345678",
    linkToken: LINK_TOKEN,
    ttlSeconds: 600,
  },
  REAUTHENTICATION_CODE: {
    kind: "REAUTHENTICATION_CODE",
    to: "ada@example.com",
    code: "12345678",
    linkToken: LINK_TOKEN,
    ttlSeconds: 600,
  },
  PASSWORD_CHANGED: {
    kind: "PASSWORD_CHANGED",
    to: "ada@example.com",
    changedAt: "2025-12-01T11:30:00.000Z",
  },
  ALREADY_REGISTERED: { kind: "ALREADY_REGISTERED", to: "ada@example.com", locale: "de" },
  EMAIL_CHANGED: {
    kind: "EMAIL_CHANGED",
    to: "old@example.com",
    newEmail: "new@example.com",
    undoToken: LINK_TOKEN,
    undoExpiresAt: "2025-12-08T11:30:00.000Z",
  },
  PASSWORD_LIMIT_REACHED: {
    kind: "PASSWORD_LIMIT_REACHED",
    to: "ada@example.com",
    attempt: { at: "2025-12-01T11:30:00.000Z", ip: "203.0.113.7", browser: "Firefox", os: "Linux" },
  },
  ACCOUNT_LOCKED: {
    kind: "ACCOUNT_LOCKED",
    to: "ada@example.com",
    unlockToken: "q2Vb0x7m1kQe3T9rX8yZp4LwN6uJc5AaHs0dFg2iK1E",
    expiresAt: "2025-12-02T11:30:00.000Z",
  },
  NEW_SIGN_IN: {
    kind: "NEW_SIGN_IN",
    to: "ada@example.com",
    signedInAt: "2025-12-01T11:30:00.000Z",
    ip: "203.0.113.7",
    device: "Firefox on Linux",
  },
};

describe("the emails, declared once", () => {
  it("lists the kinds in the preview's order, the five code kinds first", () => {
    expect(EMAIL_KINDS).toEqual([
      "VERIFICATION_CODE",
      "PASSWORD_RESET_CODE",
      "SIGN_IN_CODE",
      "EMAIL_CHANGE_CODE",
      "REAUTHENTICATION_CODE",
      "PASSWORD_CHANGED",
      "ALREADY_REGISTERED",
      "EMAIL_CHANGED",
      "PASSWORD_LIMIT_REACHED",
      "ACCOUNT_LOCKED",
      "NEW_SIGN_IN",
    ]);
    expect(CODE_EMAIL_KINDS).toEqual(EMAIL_KINDS.slice(0, 5));
    expect(EMAIL_KINDS.filter(isCodeEmailKind)).toEqual(CODE_EMAIL_KINDS);
  });

  it("reads each stored kind into the message its template renders", async () => {
    const renderer = createRenderer({ productName: "Acme", baseUrl: "https://acme.example" });
    for (const kind of EMAIL_KINDS) {
      const { to, ...stored } = STORED[kind];
      const data = EMAILS[kind].parse(stored);
      const rendered = await renderer.render({ kind, to, ...data } as never);
      expect(rendered.subject, kind).not.toBe("");
    }
    expect(EMAILS.SIGN_IN_CODE.parse(STORED.SIGN_IN_CODE)).toEqual({
      code: "12345678",
      expiresInSeconds: 600,
      linkToken: LINK_TOKEN,
    });
    expect(EMAILS.PASSWORD_LIMIT_REACHED.parse(STORED.PASSWORD_LIMIT_REACHED)).toEqual({
      at: new Date("2025-12-01T11:30:00.000Z"),
      ip: "203.0.113.7",
      browser: "Firefox",
      os: "Linux",
    });
    expect(EMAILS.NEW_SIGN_IN.parse({ signedInAt: "2025-12-01T11:30:00.000Z" })).toEqual({
      signedInAt: new Date("2025-12-01T11:30:00.000Z"),
      ip: "unknown",
      device: "Unknown device",
    });
  });

  it("the notice to the old address links to undoing the change, and no longer says to reset a password", async () => {
    const renderer = createRenderer({ productName: "Acme", baseUrl: "https://acme.example" });
    const { to, ...stored } = STORED.EMAIL_CHANGED;
    const rendered = await renderer.render({
      kind: "EMAIL_CHANGED",
      to,
      ...EMAILS.EMAIL_CHANGED.parse(stored),
    });
    expect(rendered.html).toContain(`https://acme.example${linkPath(LINK_TOKEN)}`);
    expect(rendered.text).toContain(`https://acme.example${linkPath(LINK_TOKEN)}`);
    expect(rendered.text).toContain("Undo the change");
    expect(rendered.text).toContain("8 December 2025");
    expect(rendered.text).not.toMatch(/reset/i);
  });

  it("refuses a stored email missing a field its kind declares, or with a moment that is no date", () => {
    expect(EMAILS.EMAIL_CHANGED.safeParse({}).success).toBe(false);
    // The notice to the old address always carries the link that undoes the change.
    expect(EMAILS.EMAIL_CHANGED.safeParse({ newEmail: "new@example.com" }).success).toBe(false);
    expect(EMAILS.ACCOUNT_LOCKED.safeParse({ unlockToken: "t", expiresAt: "soon" }).success).toBe(
      false,
    );
    expect(EMAILS.VERIFICATION_CODE.safeParse({ code: "1", linkToken: "x" }).success).toBe(false);
  });
});
