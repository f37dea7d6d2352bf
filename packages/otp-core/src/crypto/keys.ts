import { hkdfSync } from "node:crypto";

/** A server secret shorter than this is refused: keys derived from it would be guessable. */
export const MIN_SECRET_LENGTH = 32;

/**
 * Independent keys for each use of the one server secret, so a key used for one
 * purpose can never stand in for another (HKDF-SHA256, RFC 5869).
 */
export interface DerivedKeys {
  /** Keys the HMAC of stored codes. */
  codeHmac: Uint8Array;
  /** Keys the HMAC of the secret of the link mailed beside each code. */
  linkHmac: Uint8Array;
  /** Encrypts outbox payloads (AES-256-GCM). */
  outboxEncryption: Uint8Array;
  /** Keys the HMAC that names a recipient in the send-limit table without storing the address. */
  recipientHmac: Uint8Array;
  /** Signs the device cookie (`otp_device`), so a value the server did not issue is no device. */
  deviceCookieHmac: Uint8Array;
}

function derive(secret: string, purpose: string): Uint8Array {
  return new Uint8Array(hkdfSync("sha256", secret, "otp-server-secret", purpose, 32));
}

export function deriveKeys(secret: string): DerivedKeys {
  if (typeof secret !== "string" || secret.length < MIN_SECRET_LENGTH) {
    throw new Error(`the server secret must be at least ${MIN_SECRET_LENGTH} characters long`);
  }
  return {
    codeHmac: derive(secret, "passcode-hmac/v1"),
    linkHmac: derive(secret, "passcode-link-hmac/v1"),
    outboxEncryption: derive(secret, "outbox-aes-256-gcm/v1"),
    recipientHmac: derive(secret, "recipient-hmac/v1"),
    deviceCookieHmac: derive(secret, "device-cookie-hmac/v1"),
  };
}
