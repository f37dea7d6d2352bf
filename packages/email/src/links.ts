/**
 * Where the emailed links point, declared once: the link beside every code
 * and the unlock link. The emails, the dev mailbox and its procedure build
 * them here. The token goes in the URL fragment (`/link#token=...`): a browser
 * never sends a fragment to a server, so the secret stays out of request
 * lines, access logs, proxies and `Referer`; the page reads it and sends it in
 * a POST body (ADR 23).
 */
export const LINK_PATH = "/link";
export const UNLOCK_PATH = "/unlock";

/** The link beside a code: path and fragment (prefix `APP_URL` for a whole URL). */
export function linkPath(token: string): string {
  return `${LINK_PATH}#token=${encodeURIComponent(token)}`;
}

/** The unlock link of a locked account: path and fragment. */
export function unlockPath(token: string): string {
  return `${UNLOCK_PATH}#token=${encodeURIComponent(token)}`;
}
