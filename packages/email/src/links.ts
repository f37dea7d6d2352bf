/**
 * Where the link beside every code points, declared once: the emails, the dev
 * mailbox and its procedure build it here. The token goes in the URL fragment
 * (`/link#token=...`): a browser never sends a fragment to a server, so the
 * secret stays out of request lines, access logs, proxies and `Referer`; the
 * page reads it and sends it in a POST body (issue 23).
 */
export const LINK_PATH = "/link";

/** The link's path and fragment for a token (prefix `APP_URL` for a whole URL). */
export function linkPath(token: string): string {
  return `${LINK_PATH}#token=${encodeURIComponent(token)}`;
}
