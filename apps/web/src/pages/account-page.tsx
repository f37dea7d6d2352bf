import { useMutation } from "@tanstack/react-query";
import { useId } from "react";
import { type SignedInUser, useRefreshSession } from "../api/session.js";
import { describeFailure, readApiFailure } from "../errors/api-errors.js";
import { RequireSession } from "../layout/gates.js";
import { PageHeading, usePageTitle } from "../layout/page.js";
import { type AccountNotice, paths } from "../routing/paths.js";
import { Link, navigate } from "../routing/router.js";
import { formatDateTime } from "../time/retry-time.js";
import { useTRPC } from "../trpc.js";
import { ActivitySection } from "./account/activity-section.js";
import { SessionsSection } from "./account/sessions-section.js";

const NOTICES: Record<AccountNotice, string> = {
  "email-changed": "Your email address was changed. We told your old address.",
  "email-verified": "Your email is verified, and you are signed in.",
};

export function AccountPage({ notice }: { notice: string | null }) {
  usePageTitle("Your account");
  return (
    <RequireSession heading="Your account">
      {(user) => <Account user={user} notice={notice} />}
    </RequireSession>
  );
}

function Account({ user, notice }: { user: SignedInUser; notice: string | null }) {
  const trpc = useTRPC();
  const refreshSession = useRefreshSession();
  const ids = { email: useId(), sessions: useId(), everywhere: useId() };
  // Leave first, then ask who is signed in: this page must not see itself signed out.
  const signOut = useMutation(
    trpc.auth.signOut.mutationOptions({
      onSuccess: () => {
        navigate(paths.signIn({ notice: "signed-out" }));
        void refreshSession();
      },
    }),
  );
  const signOutEverywhere = useMutation(
    trpc.account.signOutEverywhere.mutationOptions({
      onSuccess: () => {
        navigate(paths.signIn({ notice: "signed-out-everywhere" }));
        void refreshSession();
      },
    }),
  );
  const busy = signOut.isPending || signOutEverywhere.isPending;
  const error = signOut.error ?? signOutEverywhere.error;
  const shown =
    notice !== null && Object.hasOwn(NOTICES, notice)
      ? NOTICES[notice as AccountNotice]
      : undefined;

  return (
    <section className="card">
      <PageHeading>Your account</PageHeading>
      <div role="status" className="alert-slot">
        {shown !== undefined && <p className="notice notice--success">{shown}</p>}
      </div>

      <section className="account-section" aria-labelledby={ids.email}>
        <h2 id={ids.email}>Email address</h2>
        <p>
          <strong className="address">{user.email}</strong>
        </p>
        <Link to={paths.changeEmail} className="button button--secondary">
          Change email
        </Link>
      </section>

      <section className="account-section" aria-labelledby={ids.sessions}>
        <h2 id={ids.sessions}>Sessions</h2>
        <p className="aside">
          You are signed in on this device until{" "}
          <time dateTime={user.sessionExpiresAt}>
            {formatDateTime(new Date(user.sessionExpiresAt))}
          </time>
          .
        </p>
        <div className="button-row">
          <button
            type="button"
            className="button button--secondary"
            aria-disabled={busy}
            onClick={() => {
              if (!busy) signOut.mutate();
            }}
          >
            {signOut.isPending ? "Signing out…" : "Sign out"}
          </button>
          <button
            type="button"
            className="button button--secondary"
            aria-disabled={busy}
            aria-describedby={ids.everywhere}
            onClick={() => {
              if (!busy) signOutEverywhere.mutate();
            }}
          >
            {signOutEverywhere.isPending ? "Signing out…" : "Sign out everywhere"}
          </button>
        </div>
        <p id={ids.everywhere} className="field__hint">
          Sign out everywhere ends every session of your account, on every device, this one
          included.
        </p>
        <div role="alert" className="alert-slot">
          {error !== null && (
            <p className="notice notice--error">{describeFailure(readApiFailure(error)).text}</p>
          )}
        </div>
      </section>
      <SessionsSection />
      <ActivitySection />
    </section>
  );
}
