import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

/**
 * Authenticated encryption for outbox payloads: AES-256-GCM with a random
 * 96-bit nonce. The row id is bound as associated data, so a payload copied
 * into another row does not decrypt. Layout: version (1) | nonce (12) |
 * ciphertext | tag (16).
 */
const VERSION = 1;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

export function sealPayload(key: Uint8Array, associatedData: string, plaintext: string): Buffer {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key, nonce);
  cipher.setAAD(Buffer.from(associatedData, "utf8"));
  const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return Buffer.concat([Buffer.from([VERSION]), nonce, body, cipher.getAuthTag()]);
}

/** Throws if the payload was altered, sealed for another row, or sealed with another key. */
export function openPayload(key: Uint8Array, associatedData: string, sealed: Uint8Array): string {
  const data = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength);
  if (data.length < 1 + NONCE_BYTES + TAG_BYTES || data[0] !== VERSION) {
    throw new Error("sealed payload has an unknown format");
  }
  const nonce = data.subarray(1, 1 + NONCE_BYTES);
  const tag = data.subarray(data.length - TAG_BYTES);
  const body = data.subarray(1 + NONCE_BYTES, data.length - TAG_BYTES);
  const decipher = createDecipheriv("aes-256-gcm", key, nonce);
  decipher.setAAD(Buffer.from(associatedData, "utf8"));
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(body), decipher.final()]).toString("utf8");
}
