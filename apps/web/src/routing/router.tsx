/**
 * A small history-based router: the app has a handful of pages and needs no more than
 * the current path, its query string, the entry's `history.state`, client-side
 * navigation and links.
 *
 * An email address never goes in a URL (history, bookmarks and proxy logs keep
 * URLs): pages carry it, and the step a flow is at, in `history.state`, which
 * survives a reload and comes back with Back and Forward.
 */
import { type AnchorHTMLAttributes, type MouseEvent, useMemo, useSyncExternalStore } from "react";

const NAVIGATE_EVENT = "otp:navigate";

/** What a page keeps in its history entry. Every field is optional: a direct load has none. */
export interface PageState {
  /** The address the page is about. */
  email?: string;
  /** When the last code of this flow was sent (ms since the epoch): the page shows its code step. */
  codeSentAt?: number;
  /** The API refused a new code until then (SEND_LIMIT_REACHED's retryAt), in ms. */
  resendBlockedUntil?: number;
  /** Codes are refused until then (the attempt budget is spent), in ms. */
  codeLockedUntil?: number;
  /**
   * An email certainly went to the address: the API accepted a registration for it
   * (every accepted registration mails the address: a code, or to an existing
   * account a note that it exists), or a sign-in with the right password showed it
   * unverified. The page then says so plainly; the API's answers alone never tell.
   */
  emailSent?: boolean;
}

/** True after the first client-side navigation: pages then move focus to their heading. */
let navigatedInApp = false;

function subscribe(onChange: () => void): () => void {
  window.addEventListener("popstate", onChange);
  window.addEventListener(NAVIGATE_EVENT, onChange);
  return () => {
    window.removeEventListener("popstate", onChange);
    window.removeEventListener(NAVIGATE_EVENT, onChange);
  };
}

function readState(): PageState {
  const state: unknown = window.history.state;
  if (typeof state !== "object" || state === null) return {};
  const { email, codeSentAt, resendBlockedUntil, codeLockedUntil, emailSent } = state as Record<
    string,
    unknown
  >;
  const read: PageState = {};
  if (typeof email === "string" && email !== "") read.email = email;
  if (typeof codeSentAt === "number") read.codeSentAt = codeSentAt;
  if (typeof resendBlockedUntil === "number") read.resendBlockedUntil = resendBlockedUntil;
  if (typeof codeLockedUntil === "number") read.codeLockedUntil = codeLockedUntil;
  if (emailSent === true) read.emailSent = true;
  return read;
}

// The snapshot must be a stable value: the URL and the entry's state, as text.
function currentSnapshot(): string {
  return `${window.location.pathname}${window.location.search}\n${JSON.stringify(readState())}`;
}

export interface AppLocation {
  path: string;
  query: URLSearchParams;
  state: PageState;
}

export function useLocation(): AppLocation {
  const snapshot = useSyncExternalStore(subscribe, currentSnapshot);
  return useMemo(() => {
    const newline = snapshot.indexOf("\n");
    const url = new URL(snapshot.slice(0, newline), window.location.origin);
    const state = JSON.parse(snapshot.slice(newline + 1)) as PageState;
    return { path: url.pathname, query: url.searchParams, state };
  }, [snapshot]);
}

export interface NavigateOptions {
  replace?: boolean;
  state?: PageState;
}

export function navigate(to: string, { replace = false, state = {} }: NavigateOptions = {}): void {
  navigatedInApp = true;
  if (replace) window.history.replaceState(state, "", to);
  else window.history.pushState(state, "", to);
  window.dispatchEvent(new Event(NAVIGATE_EVENT));
  window.scrollTo(0, 0);
}

/** Changes the current entry's state (a resend, a lockout) without a new history entry. */
export function updatePageState(change: PageState): void {
  window.history.replaceState({ ...readState(), ...change }, "");
  window.dispatchEvent(new Event(NAVIGATE_EVENT));
}

/** Whether this page was reached by an in-app navigation (not a load or reload). */
export function cameByNavigation(): boolean {
  return navigatedInApp;
}

window.addEventListener("popstate", () => {
  navigatedInApp = true;
});

/**
 * An address that arrives in a URL (an old link, a bookmark) moves into the
 * entry's state at once, so it stays out of history from here on.
 */
function moveAddressOutOfUrl(): void {
  const url = new URL(window.location.href);
  const email = url.searchParams.get("email");
  if (email === null) return;
  url.searchParams.delete("email");
  const state = email.trim() === "" ? readState() : { ...readState(), email: email.trim() };
  window.history.replaceState(state, "", url.pathname + url.search + url.hash);
}
moveAddressOutOfUrl();

export interface LinkProps extends AnchorHTMLAttributes<HTMLAnchorElement> {
  to: string;
  /** Carried into the new entry's `history.state` (an address typed on this page, say). */
  state?: PageState;
}

/** An ordinary link that navigates without a page load (unless a modifier key asks for a new tab). */
export function Link({ to, state, onClick, target, ...props }: LinkProps) {
  const handleClick = (event: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(event);
    if (
      event.defaultPrevented ||
      event.button !== 0 ||
      event.metaKey ||
      event.ctrlKey ||
      event.shiftKey ||
      event.altKey ||
      (target !== undefined && target !== "_self")
    ) {
      return;
    }
    event.preventDefault();
    navigate(to, state === undefined ? {} : { state });
  };
  return <a href={to} target={target} onClick={handleClick} {...props} />;
}
