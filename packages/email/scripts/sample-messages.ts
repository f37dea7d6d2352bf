import type { EmailKind, EmailMessage } from "../src/index.js";

/** Realistic sample data for each kind, shared by the preview, the benchmark and the renderer's tests. */
export function sampleMessage(
  kind: EmailKind,
  { to = "alice@example.com", code = "48213907" }: { to?: string | undefined; code?: string } = {},
): EmailMessage {
  switch (kind) {
    case "PASSWORD_CHANGED":
      return { kind, to, changedAt: new Date("2025-11-25T07:53:00Z") };
    case "ALREADY_REGISTERED":
      return { kind, to };
    case "EMAIL_CHANGED":
      return {
        kind,
        to,
        newEmail: "alice.new@example.com",
        undoToken: SAMPLE_LINK_TOKEN,
        undoExpiresAt: new Date("2025-12-02T07:53:00Z"),
      };
    case "PASSWORD_LIMIT_REACHED":
      return {
        kind,
        to,
        at: new Date("2025-11-25T07:53:00Z"),
        ip: "203.0.113.7",
        browser: "Firefox 133.0",
        os: "Windows 10",
      };
    case "ACCOUNT_LOCKED":
      return {
        kind,
        to,
        unlockToken: "q2Vb0x7m1kQe3T9rX8yZp4LwN6uJc5AaHs0dFg2iK1E",
        expiresAt: new Date("2025-11-26T07:53:00Z"),
      };
    case "NEW_SIGN_IN":
      return {
        kind,
        to,
        signedInAt: new Date("2025-11-25T07:53:00Z"),
        ip: "203.0.113.7",
        device: "Firefox on Windows",
      };
    default:
      return { kind, to, code, expiresInSeconds: 900, linkToken: SAMPLE_LINK_TOKEN };
  }
}

/** A link token of the core's shape (`<passcode id>.<secret>`). */
export const SAMPLE_LINK_TOKEN =
  "0b0e4a3c-5d1f-4e2a-9c7b-3f6d8e1a2b4c.q2Vb0x7m1kQe3T9rX8yZp4LwN6uJc5AaHs0dFg2iK1E";

export const SAMPLE_CONFIG = { productName: "Acme", baseUrl: "https://acme.example" };
