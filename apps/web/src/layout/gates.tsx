/**
 * What a page needs before it can show its form: the API's rules (code and
 * password lengths), or a signed-in session. While either is on its way the
 * page shows its heading (and "Loading…" when the wait lasts); when it cannot be
 * had, why, and a way on.
 */
import { type ReactNode, useEffect } from "react";
import { type Rules, useRules } from "../api/rules.js";
import { type SignedInUser, useSession } from "../api/session.js";
import { type ApiFailure, describeFailure, readApiFailure } from "../errors/api-errors.js";
import { useT } from "../i18n/index.js";
import { paths } from "../routing/paths.js";
import { navigate, useLocation } from "../routing/router.js";
import { LoadingText } from "./loading.js";
import { PageHeading, usePageTitle } from "./page.js";

function Loading({ heading }: { heading: string }) {
  const t = useT();
  usePageTitle(heading);
  return (
    <section className="card" aria-busy="true">
      <PageHeading>{heading}</PageHeading>
      <LoadingText className="lead">{t.app.loading}</LoadingText>
    </section>
  );
}

function Unavailable({
  heading,
  failure,
  retry,
}: {
  heading: string;
  failure: ApiFailure;
  retry(): void;
}) {
  const t = useT();
  usePageTitle(heading);
  return (
    <section className="card">
      <PageHeading>{heading}</PageHeading>
      <div className="notice notice--error" role="alert">
        {describeFailure(failure).text}
      </div>
      <button type="button" className="button" onClick={retry}>
        {t.app.tryAgain}
      </button>
    </section>
  );
}

/** Renders `children` with the API's rules once they are known. */
export function WithRules({
  heading,
  children,
}: {
  heading: string;
  children(rules: Rules): ReactNode;
}) {
  const rules = useRules();
  if (rules.isPending) return <Loading heading={heading} />;
  if (rules.isError) {
    return (
      <Unavailable
        heading={heading}
        failure={readApiFailure(rules.error)}
        retry={() => void rules.refetch()}
      />
    );
  }
  return children(rules.data);
}

/**
 * Renders `children` with the signed-in user. Without a live session
 * (`auth.me` answers UNAUTHORIZED) it goes to Sign in instead.
 */
export function RequireSession({
  heading,
  children,
}: {
  heading: string;
  children(user: SignedInUser): ReactNode;
}) {
  const session = useSession();
  const { path, query } = useLocation();
  // Only on a settled answer: a cached "signed out" may be on its way to being replaced.
  const signedOut = session.state === "signed-out" && !session.refreshing;
  useEffect(() => {
    if (!signedOut) return;
    // Back here after signing in.
    const here = `${path}${query.size > 0 ? `?${query}` : ""}`;
    navigate(paths.signIn({ notice: "sign-in-needed", next: here }), { replace: true });
  }, [signedOut, path, query]);

  switch (session.state) {
    case "signed-in":
      return children(session.user);
    case "unknown":
      return <Unavailable heading={heading} failure={session.failure} retry={session.retry} />;
    default:
      return <Loading heading={heading} />;
  }
}

/**
 * For the pages of a signed-out person (Create account, Sign in): someone
 * signed in is sent on to `destination` (Account, or where Sign in was asked
 * to lead) as soon as `auth.me` says so.
 */
export function useLeaveWhenSignedIn(destination: string): void {
  const session = useSession();
  // A settled answer only: right after a sign-out the cached one is still "signed in".
  const signedIn = session.state === "signed-in" && !session.refreshing;
  useEffect(() => {
    if (signedIn) navigate(destination, { replace: true });
  }, [signedIn, destination]);
}
