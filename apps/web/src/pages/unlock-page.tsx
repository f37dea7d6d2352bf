import { useRef } from "react";
import { useUnlockAccount } from "../api/unlock.js";
import { describeFailure, readApiFailure } from "../errors/api-errors.js";
import { FormAlert, useFocusOnFailure } from "../forms/fields.js";
import { PageHeading, usePageTitle } from "../layout/page.js";
import { paths } from "../routing/paths.js";
import { Link, navigate, useLocation } from "../routing/router.js";

/**
 * The unlock link's page (`/unlock?token=…`, from the email sent when an
 * account locks). Opening it changes nothing (mail scanners open links too):
 * only the button unlocks, by POST.
 */
export function UnlockPage() {
  usePageTitle("Unlock your account");
  const token = useLocation().query.get("token") ?? "";
  const unlock = useUnlockAccount();
  const alert = useRef<HTMLDivElement>(null);
  const failure = unlock.error === null ? undefined : readApiFailure(unlock.error);
  useFocusOnFailure(unlock.error, undefined, {}, alert);

  if (token === "") {
    return (
      <section className="card">
        <PageHeading>Unlock your account</PageHeading>
        <div className="notice notice--error" role="alert">
          {describeFailure({ code: "TOKEN_INVALID", fieldErrors: {} }).text}
        </div>
        <p className="aside">
          <Link to={paths.signIn()}>Go to sign in</Link>
        </p>
      </section>
    );
  }

  return (
    <section className="card">
      <PageHeading>Unlock your account</PageHeading>
      <p className="lead">
        Your account was locked after too many incorrect passwords or codes. Unlock it to sign in
        again.
      </p>
      <p>
        If those attempts were not yours, someone may know or be guessing your password: after
        unlocking, sign in with a code and choose a new password.
      </p>
      <FormAlert
        ref={alert}
        message={failure === undefined ? undefined : describeFailure(failure).text}
      />
      <button
        type="button"
        className="button button--primary"
        aria-disabled={unlock.isPending}
        onClick={() => {
          if (unlock.isPending) return;
          unlock.mutate(
            { token },
            {
              // The token leaves the address bar and the history entry with it.
              onSuccess: () => navigate(paths.signIn({ notice: "unlocked" }), { replace: true }),
            },
          );
        }}
      >
        {unlock.isPending ? "Unlocking…" : "Unlock my account"}
      </button>
      <p className="aside">
        <Link to={paths.signIn()}>Not now</Link>
      </p>
    </section>
  );
}
