import { useRules } from "../api/rules.js";
import { useSession, useSignOut } from "../api/session.js";
import { describeFailure, readApiFailure } from "../errors/api-errors.js";
import { useT } from "../i18n/index.js";
import { paths, routes } from "../routing/paths.js";
import { Link, useLocation } from "../routing/router.js";

/**
 * The product name (the API's `appName`), and as `auth.me` says: Sign in, or
 * Account and Sign out (on every signed-in page, always in view).
 */
export function SiteHeader() {
  const t = useT();
  const appName = useRules().data?.appName;
  const session = useSession();
  const signOut = useSignOut();
  const { path } = useLocation();
  const signedIn = session.state === "signed-in";
  const current = (route: string) => (path === route ? "page" : undefined);

  return (
    <header className="site-header">
      <Link
        to={signedIn ? paths.account() : paths.createAccount}
        className="brand"
        aria-label={appName === undefined ? t.app.home : undefined}
      >
        <span className="brand__mark" aria-hidden="true">
          ••
        </span>
        {appName}
      </Link>
      <nav aria-label={t.app.navLabel} className="site-nav">
        {signedIn && (
          <Link to={paths.account()} aria-current={current(routes.account)}>
            {t.app.account}
          </Link>
        )}
        {signedIn && (
          <button
            type="button"
            className="site-nav__button"
            aria-disabled={signOut.isPending}
            onClick={() => {
              if (!signOut.isPending) signOut.mutate();
            }}
          >
            {signOut.isPending ? t.account.signingOut : t.account.signOut}
          </button>
        )}
        {(session.state === "signed-out" || session.state === "unknown") && (
          <Link to={paths.signIn()} aria-current={current(routes.signIn)}>
            {t.app.signIn}
          </Link>
        )}
      </nav>
      <div role="alert" className="alert-slot site-header__alert">
        {signOut.error !== null && (
          <p className="notice notice--error">
            {describeFailure(readApiFailure(signOut.error)).text}
          </p>
        )}
      </div>
    </header>
  );
}
