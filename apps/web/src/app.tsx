import { lazy, Suspense } from "react";
import { PRODUCT_NAME } from "./layout/page.js";
import { CreateAccountPage } from "./pages/create-account-page.js";
import { NotFoundPage } from "./pages/not-found-page.js";
import { VerifiedPage } from "./pages/verified-page.js";
import { VerifyEmailPage } from "./pages/verify-email-page.js";
import { paths } from "./routing/paths.js";
import { type AppLocation, Link, useLocation } from "./routing/router.js";

// A development tool: kept out of the bundle a visitor downloads first.
const MailboxPage = lazy(() => import("./pages/mailbox-page.js"));

function CurrentPage({ location }: { location: AppLocation }) {
  const email = location.query.get("email");
  switch (location.path.replace(/\/+$/, "") || "/") {
    case paths.createAccount:
      return <CreateAccountPage />;
    case "/verify":
      return <VerifyEmailPage email={email} />;
    case "/verified":
      return <VerifiedPage email={email} />;
    case paths.mailbox:
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
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="site-header">
        <Link to={paths.createAccount} className="brand">
          <span className="brand__mark" aria-hidden="true">
            ••
          </span>
          {PRODUCT_NAME}
        </Link>
      </header>
      <main id="main" className="site-main" tabIndex={-1}>
        <CurrentPage key={location.path} location={location} />
      </main>
    </>
  );
}
