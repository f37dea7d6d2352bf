import { lazy, Suspense } from "react";
import { useSessionEndWatch } from "./api/session.js";
import { SiteHeader } from "./layout/site-header.js";
import { AccountPage } from "./pages/account-page.js";
import { ChangeEmailPage } from "./pages/change-email-page.js";
import { CreateAccountPage } from "./pages/create-account-page.js";
import { LinkPage } from "./pages/link-page.js";
import { NotFoundPage } from "./pages/not-found-page.js";
import { ResetPasswordPage } from "./pages/reset-password-page.js";
import { SignInPage } from "./pages/sign-in-page.js";
import { SignInWithCodePage } from "./pages/sign-in-with-code-page.js";
import { UnlockPage } from "./pages/unlock-page.js";
import { VerifyEmailPage } from "./pages/verify-email-page.js";
import { routes } from "./routing/paths.js";
import { type AppLocation, useLocation } from "./routing/router.js";

// A development tool: kept out of the bundle a visitor downloads first.
const MailboxPage = lazy(() => import("./pages/mailbox-page.js"));

function CurrentPage({ location }: { location: AppLocation }) {
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
      return <UnlockPage />;
    case routes.link:
      return <LinkPage />;
    case routes.account:
      return <AccountPage notice={notice} />;
    case routes.changeEmail:
      return <ChangeEmailPage />;
    case routes.mailbox:
      return (
        <Suspense fallback={<p className="lead">Loading…</p>}>
          <MailboxPage />
        </Suspense>
      );
    default:
      return <NotFoundPage />;
  }
}

export function App() {
  const location = useLocation();
  useSessionEndWatch();
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <SiteHeader />
      <main id="main" className="site-main" tabIndex={-1}>
        <CurrentPage key={location.path} location={location} />
      </main>
    </>
  );
}
