import { useMutation } from "@tanstack/react-query";
import { useId, useState } from "react";
import { type SignedInUser, useRefreshSession } from "../api/session.js";
import { describeFailure, readApiFailure } from "../errors/api-errors.js";
import {
  type Catalogue,
  isLocale,
  LOCALES,
  type Locale,
  languageName,
  rich,
  useT,
} from "../i18n/index.js";
import { RequireSession } from "../layout/gates.js";
import { PageHeading, usePageTitle } from "../layout/page.js";
import { type AccountNotice, paths } from "../routing/paths.js";
import { Link, navigate } from "../routing/router.js";
import { formatDateTime } from "../time/retry-time.js";
import { useTRPC } from "../trpc.js";
import { ActivitySection } from "./account/activity-section.js";
import { SessionsSection } from "./account/sessions-section.js";

const NOTICES: Record<AccountNotice, (t: Catalogue) => string> = {
  "email-changed": (t) => t.account.notices.emailChanged,
  "email-verified": (t) => t.account.notices.emailVerified,
};

export function AccountPage({ notice }: { notice: string | null }) {
  const t = useT();
  usePageTitle(t.account.title);
  return (
    <RequireSession heading={t.account.title}>
      {(user) => <Account user={user} notice={notice} />}
    </RequireSession>
  );
}

function Account({ user, notice }: { user: SignedInUser; notice: string | null }) {
  const t = useT();
  const trpc = useTRPC();
  const refreshSession = useRefreshSession();
  const ids = { email: useId(), sessions: useId(), everywhere: useId() };
  const signOutEverywhere = useMutation(
    trpc.account.signOutEverywhere.mutationOptions({
      onSuccess: () => {
        navigate(paths.signIn({ notice: "signed-out-everywhere" }));
        void refreshSession();
      },
    }),
  );
  const busy = signOutEverywhere.isPending;
  const error = signOutEverywhere.error;
  const shown =
    notice !== null && Object.hasOwn(NOTICES, notice)
      ? NOTICES[notice as AccountNotice](t)
      : undefined;

  return (
    <section className="card">
      <PageHeading>{t.account.title}</PageHeading>
      <div role="status" className="alert-slot">
        {shown !== undefined && <p className="notice notice--success">{shown}</p>}
      </div>

      <section className="account-section" aria-labelledby={ids.email}>
        <h2 id={ids.email}>{t.account.emailHeading}</h2>
        <p>
          <strong className="address">{user.email}</strong>
        </p>
        <Link to={paths.changeEmail} className="button button--secondary">
          {t.account.changeEmail}
        </Link>
      </section>

      <LanguageSection current={user.locale} />

      <section className="account-section" aria-labelledby={ids.sessions}>
        <h2 id={ids.sessions}>{t.account.sessionsHeading}</h2>
        <p className="aside">
          {rich(t.account.signedInUntil, {
            time: (
              <time dateTime={user.sessionExpiresAt}>
                {formatDateTime(new Date(user.sessionExpiresAt))}
              </time>
            ),
          })}
        </p>
        {/* Sign out (this session) is in the header, on every signed-in page. */}
        <div className="button-row">
          <button
            type="button"
            className="button button--secondary"
            aria-disabled={busy}
            aria-describedby={ids.everywhere}
            onClick={() => {
              if (!busy) signOutEverywhere.mutate();
            }}
          >
            {signOutEverywhere.isPending ? t.account.signingOut : t.account.signOutEverywhere}
          </button>
        </div>
        <p id={ids.everywhere} className="field__hint">
          {t.account.everywhereHint}
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

/** The account's language (`users.locale`): this site's and every email's. */
function LanguageSection({ current }: { current: Locale }) {
  const t = useT();
  const trpc = useTRPC();
  const refreshSession = useRefreshSession();
  const ids = { heading: useId(), select: useId(), hint: useId() };
  const [chosen, setChosen] = useState<Locale>(current);
  const save = useMutation(
    // Once `auth.me` has the new language, the whole page speaks it.
    trpc.account.setLocale.mutationOptions({ onSuccess: () => refreshSession() }),
  );
  return (
    <section className="account-section" aria-labelledby={ids.heading}>
      <h2 id={ids.heading}>{t.account.languageHeading}</h2>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          if (!save.isPending) save.mutate({ locale: chosen });
        }}
        aria-busy={save.isPending}
      >
        <div className="field">
          <label htmlFor={ids.select}>{t.account.languageLabel}</label>
          <select
            id={ids.select}
            name="locale"
            value={chosen}
            aria-describedby={ids.hint}
            onChange={(event) => {
              if (isLocale(event.target.value)) setChosen(event.target.value);
            }}
          >
            {LOCALES.map((tag) => (
              <option key={tag} value={tag} lang={tag}>
                {languageName(tag)}
              </option>
            ))}
          </select>
          <p id={ids.hint} className="field__hint">
            {t.account.languageHint}
          </p>
        </div>
        <button type="submit" className="button button--secondary" aria-disabled={save.isPending}>
          {save.isPending ? t.account.languageSaving : t.account.languageSave}
        </button>
      </form>
      <div role="status" className="alert-slot">
        {save.isSuccess && <p className="notice notice--success">{t.account.languageSaved}</p>}
      </div>
      <div role="alert" className="alert-slot">
        {save.error !== null && (
          <p className="notice notice--error">{describeFailure(readApiFailure(save.error)).text}</p>
        )}
      </div>
    </section>
  );
}
