import { useRef, useState } from "react";
import { useUnlockAccount } from "../api/unlock.js";
import { describeFailure, readApiFailure } from "../errors/api-errors.js";
import { FormAlert, useFocusOnFailure } from "../forms/fields.js";
import { useT } from "../i18n/index.js";
import { PageHeading, usePageTitle } from "../layout/page.js";
import { tokenFromUrl } from "../routing/link-token.js";
import { paths } from "../routing/paths.js";
import { Link, navigate } from "../routing/router.js";

/**
 * The unlock link's page (`/unlock#token=…`, from the email sent when an
 * account locks). Opening it changes nothing (mail scanners open links too):
 * only the button unlocks, by POST.
 */
export function UnlockPage() {
  const t = useT();
  usePageTitle(t.unlock.title);
  const [token] = useState(() => tokenFromUrl() ?? "");
  const unlock = useUnlockAccount();
  const alert = useRef<HTMLDivElement>(null);
  const failure = unlock.error === null ? undefined : readApiFailure(unlock.error);
  useFocusOnFailure(unlock.error, undefined, {}, alert);

  if (token === "") {
    return (
      <section className="card">
        <PageHeading>{t.unlock.title}</PageHeading>
        <div className="notice notice--error" role="alert">
          {describeFailure({ code: "TOKEN_INVALID", fieldErrors: {} }).text}
        </div>
        <p className="aside">
          <Link to={paths.signIn()}>{t.unlock.goToSignIn}</Link>
        </p>
      </section>
    );
  }

  return (
    <section className="card">
      <PageHeading>{t.unlock.title}</PageHeading>
      <p className="lead">{t.unlock.lead}</p>
      <p>{t.unlock.advice}</p>
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
        {unlock.isPending ? t.unlock.pending : t.unlock.submit}
      </button>
      <p className="aside">
        <Link to={paths.signIn()}>{t.unlock.notNow}</Link>
      </p>
    </section>
  );
}
