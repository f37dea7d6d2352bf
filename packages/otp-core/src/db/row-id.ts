import { v7 } from "uuid";

/**
 * The id of a row the service writes (accounts, codes, emails, sessions): a
 * UUIDv7 (RFC 9562), its first 48 bits the time in milliseconds and the other
 * 74 random. Rows written together sit together in every index keyed by them,
 * so an insert, or the new index entry of an update, lands on an index page
 * the last few writes already changed: with random (v4) ids each one landed
 * on a page of its own, which on a big database was logged in full after each
 * checkpoint (measured: BENCHMARKS.md, "At scale"). No id is a secret: the
 * time it carries is when the row was made, which its owner is shown anyway.
 */
export function newRowId(): string {
  return v7();
}
