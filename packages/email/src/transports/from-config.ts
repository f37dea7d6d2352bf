import { createDevMailbox, type DevMailbox, type DevMailboxOptions } from "./dev-mailbox.js";
import { createSmtpTransport, type SmtpTransport } from "./smtp.js";

export interface TransportConfig {
  /** `smtp://user:pass@host:port` or `smtps://…`; without it, mail goes to the dev mailbox. */
  smtpUrl?: string;
  /** The From header; required with `smtpUrl`. */
  smtpFrom?: string;
  /** Settings for the dev mailbox, when it is the one chosen. */
  devMailbox?: DevMailboxOptions;
}

/**
 * SMTP when `smtpUrl` is set, otherwise the in-memory dev mailbox (development only:
 * it prints one-time codes). The result's `kind` tells which, so a dev server can
 * expose the mailbox's `list()`. Reads nothing from the environment: pass the values in.
 */
export function createTransportFromConfig(config: TransportConfig): SmtpTransport | DevMailbox {
  const smtpUrl = config.smtpUrl?.trim();
  if (smtpUrl === undefined || smtpUrl === "") {
    const log = config.devMailbox?.log ?? console.log;
    // Said once, at startup: a production deployment that forgot its SMTP URL would
    // otherwise deliver nothing and print every code without anyone noticing why.
    log("[dev-mailbox] no SMTP URL configured: mail stays in memory and codes are printed here");
    return createDevMailbox({ ...config.devMailbox, log });
  }
  const from = config.smtpFrom?.trim();
  if (from === undefined || from === "") {
    throw new Error("smtpFrom is required when smtpUrl is set");
  }
  return createSmtpTransport({ url: smtpUrl, from });
}
