/**
 * Every page's address, built in one place. No address carries an email:
 * that goes in the history entry's state (router.tsx).
 */

/** The path of each page, as the router matches it. The emails link to `/sign-in`, `/reset-password`, `/unlock` and `/link`. */
export const routes = {
  createAccount: "/",
  verify: "/verify",
  signIn: "/sign-in",
  signInWithCode: "/sign-in/code",
  resetPassword: "/reset-password",
  unlock: "/unlock",
  /** The link beside every code (`/link#token=…`: the token in the fragment, never sent to a server). */
  link: "/link",
  account: "/account",
  changeEmail: "/account/email",
  mailbox: "/mailbox",
} as const;

/** Why the Sign in page was opened, when another page sent the person there. */
export type SignInNotice =
  | "signed-out"
  | "signed-out-everywhere"
  | "password-reset"
  | "sign-in-needed"
  | "email-verified"
  | "unlocked"
  | "email-change-undone";

/** Why the Reset password page was opened, when another page sent the person there. */
export type ResetNotice = "email-verified-no-password";

/** Why the Account page was opened, when another page sent the person there. */
export type AccountNotice = "email-changed" | "email-verified";

function withQuery(path: string, query: Record<string, string | null | undefined>): string {
  const defined = Object.entries(query).filter(
    (entry): entry is [string, string] =>
      entry[1] !== undefined && entry[1] !== null && entry[1] !== "",
  );
  return defined.length === 0 ? path : `${path}?${new URLSearchParams(defined)}`;
}

/**
 * A destination to return to after signing in: only a path of this app
 * (never another origin, never the sign-in pages themselves).
 */
export function safeDestination(next: string | null | undefined): string | undefined {
  if (next === null || next === undefined) return undefined;
  if (!next.startsWith("/") || next.startsWith("//") || next.includes("\\")) return undefined;
  const path = next.split(/[?#]/)[0] ?? "";
  if (path === routes.signIn || path === routes.signInWithCode) return undefined;
  return next;
}

export const paths = {
  createAccount: routes.createAccount,
  verify: routes.verify,
  signIn: ({ notice, next }: { notice?: SignInNotice; next?: string | undefined } = {}) =>
    withQuery(routes.signIn, { notice, next: safeDestination(next) }),
  signInWithCode: ({ next }: { next?: string | undefined } = {}) =>
    withQuery(routes.signInWithCode, { next: safeDestination(next) }),
  resetPassword: (notice?: ResetNotice) => withQuery(routes.resetPassword, { notice }),
  account: (notice?: AccountNotice) => withQuery(routes.account, { notice }),
  changeEmail: routes.changeEmail,
  mailbox: routes.mailbox,
} as const;
