/** Every page's address, built in one place. */

/** The path of each page, as the router matches it. The emails link to `/sign-in` and `/reset-password`. */
export const routes = {
  createAccount: "/",
  verify: "/verify",
  verified: "/verified",
  signIn: "/sign-in",
  signInWithCode: "/sign-in/code",
  resetPassword: "/reset-password",
  account: "/account",
  changeEmail: "/account/email",
  mailbox: "/mailbox",
} as const;

/** Why the Sign in page was opened, when another page sent the person there. */
export type SignInNotice =
  | "signed-out"
  | "signed-out-everywhere"
  | "password-reset"
  | "sign-in-needed";

/** Why the Account page was opened, when another page sent the person there. */
export type AccountNotice = "email-changed";

function withQuery(path: string, query: Record<string, string | null | undefined>): string {
  const defined = Object.entries(query).filter(
    (entry): entry is [string, string] =>
      entry[1] !== undefined && entry[1] !== null && entry[1] !== "",
  );
  return defined.length === 0 ? path : `${path}?${new URLSearchParams(defined)}`;
}

export const paths = {
  createAccount: routes.createAccount,
  verify: (email: string) => withQuery(routes.verify, { email }),
  verified: (email: string) => withQuery(routes.verified, { email }),
  signIn: ({ email, notice }: { email?: string | null; notice?: SignInNotice } = {}) =>
    withQuery(routes.signIn, { email, notice }),
  signInWithCode: (email?: string | null) => withQuery(routes.signInWithCode, { email }),
  resetPassword: (email?: string | null) => withQuery(routes.resetPassword, { email }),
  account: (notice?: AccountNotice) => withQuery(routes.account, { notice }),
  changeEmail: routes.changeEmail,
  mailbox: routes.mailbox,
} as const;
