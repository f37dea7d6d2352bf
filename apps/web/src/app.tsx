import { lazy, Suspense } from "react";
import { useSessionEndWatch } from "./api/session.js";
import { useT } from "./i18n/index.js";
import { SiteHeader } from "./layout/site-header.js";
import { CreateAccountPage } from "./pages/create-account-page.js";
import { NotFoundPage } from "./pages/not-found-page.js";
import { ResetPasswordPage } from "./pages/reset-password-page.js";
import { SignInPage } from "./pages/sign-in-page.js";
import { SignInWithCodePage } from "./pages/sign-in-with-code-page.js";
import { VerifyEmailPage } from "./pages/verify-email-page.js";
import { routes } from "./routing/paths.js";
import { type AppLocation, useLocation } from "./routing/router.js";

// A development tool, the signed-in pages and the pages of the emails' links: kept out of the
// bundle a visitor downloads first (creating an account or signing in does not need them).
const MailboxPage = lazy(() => import("./pages/mailbox-page.js"));
const AccountPage = lazy(() =>
  import("./pages/account-page.js").then((module) => ({ default: module.AccountPage })),
);
const LinkPage = lazy(() =>
  import("./pages/link-page.js").then((module) => ({ default: module.LinkPage })),
);
const UnlockPage = lazy(() =>
  import("./pages/unlock-page.js").then((module) => ({ default: module.UnlockPage })),
);
const ChangeEmailPage = lazy(() =>
  import("./pages/change-email-page.js").then((module) => ({ default: module.ChangeEmailPage })),
);

function CurrentPage({ location }: { location: AppLocation }) {
  const t = useT();
  const loading = <p className="lead">{t.app.loading}</p>;
  const notice = location.query.get("notice");
  switch (location.path.replace(/\/+$/, "") || "/") {
    case routes.createAccount:
      return <CreateAccountPage />;
    case routes.verify:
      return <VerifyEmailPage />;
    case routes.signIn:
      return <SignInPage />;
    case routes.signInWithCode:
      return <SignInWithCodePage />;
    case routes.resetPassword:
      return <ResetPasswordPage />;
    case routes.unlock:
      return (
        <Suspense fallback={loading}>
          <UnlockPage />
        </Suspense>
      );
    case routes.link:
      return (
        <Suspense fallback={loading}>
          <LinkPage />
        </Suspense>
      );
    case routes.account:
      return (
        <Suspense fallback={loading}>
          <AccountPage notice={notice} />
        </Suspense>
      );
    case routes.changeEmail:
      return (
        <Suspense fallback={loading}>
          <ChangeEmailPage />
        </Suspense>
      );
    case routes.mailbox:
      return (
        <Suspense fallback={loading}>
          <MailboxPage />
        </Suspense>
      );
    default:
      return <NotFoundPage />;
  }
}

export function App() {
  const location = useLocation();
  const t = useT();
  useSessionEndWatch();
  return (
    <>
      <a className="skip-link" href="#main">
        {t.app.skipToContent}
      </a>
      <SiteHeader />
      <main id="main" className="site-main" tabIndex={-1}>
        <CurrentPage key={location.path} location={location} />
      </main>
    </>
  );
}
