import { Suspense, useEffect, useState } from "react";
import { useSessionEndWatch } from "./api/session.js";
import { useAppReady, useT } from "./i18n/index.js";
import { LoadingText } from "./layout/loading.js";
import { SiteHeader } from "./layout/site-header.js";
import { CreateAccountPage } from "./pages/create-account-page.js";
import { NotFoundPage } from "./pages/not-found-page.js";
import { SignInPage } from "./pages/sign-in-page.js";
import { lazyPage, OnDemandPage } from "./routing/lazy-page.js";
import { routes } from "./routing/paths.js";
import { type AppLocation, useLocation } from "./routing/router.js";

// The first download holds what a first visit shows (Create account, Sign in) and the app's
// frame; every other page is a chunk of its own. The pages of the signed-out flows (and the
// code step they share) follow once the first page shows, so going on to them does not wait.
const verify = lazyPage(() =>
  import("./pages/verify-email-page.js").then((module) => module.VerifyEmailPage),
);
const resetPassword = lazyPage(() =>
  import("./pages/reset-password-page.js").then((module) => module.ResetPasswordPage),
);
const signInWithCode = lazyPage(() =>
  import("./pages/sign-in-with-code-page.js").then((module) => module.SignInWithCodePage),
);
const signedOutFlows = [verify, resetPassword, signInWithCode];
const mailbox = lazyPage(() => import("./pages/mailbox-page.js").then((module) => module.default));
const account = lazyPage(() =>
  import("./pages/account-page.js").then((module) => module.AccountPage),
);
const link = lazyPage(() => import("./pages/link-page.js").then((module) => module.LinkPage));
const unlock = lazyPage(() => import("./pages/unlock-page.js").then((module) => module.UnlockPage));
const changeEmail = lazyPage(() =>
  import("./pages/change-email-page.js").then((module) => module.ChangeEmailPage),
);
const onDemand: Record<string, { preload(): Promise<void> }> = {
  [routes.verify]: verify,
  [routes.resetPassword]: resetPassword,
  [routes.signInWithCode]: signInWithCode,
  [routes.mailbox]: mailbox,
  [routes.account]: account,
  [routes.link]: link,
  [routes.unlock]: unlock,
  [routes.changeEmail]: changeEmail,
};

let firstPage: Promise<void> = Promise.resolve();

/**
 * Starts downloading the page at `path` when it is one loaded on demand, so it
 * arrives while the first answers are on their way (called before the first
 * render); the app shows no page until it is here.
 */
export function preloadPage(path: string): void {
  const page = onDemand[normalisePath(path)];
  // A failed download shows as the page's own fallback later, not here.
  if (page !== undefined) firstPage = page.preload().catch(() => undefined);
}

/** Whether the page asked for at the first load has arrived. */
function useFirstPageHere(): boolean {
  const [here, setHere] = useState(false);
  useEffect(() => {
    let live = true;
    void firstPage.then(() => {
      if (live) setHere(true);
    });
    return () => {
      live = false;
    };
  }, []);
  return here;
}

function normalisePath(path: string): string {
  return path.replace(/\/+$/, "") || "/";
}

function CurrentPage({ location }: { location: AppLocation }) {
  const t = useT();
  const loading = <LoadingText className="lead">{t.app.loading}</LoadingText>;
  const notice = location.query.get("notice");
  switch (normalisePath(location.path)) {
    case routes.createAccount:
      return <CreateAccountPage />;
    case routes.verify:
      return (
        <Suspense fallback={loading}>
          <OnDemandPage page={verify} props={{}} />
        </Suspense>
      );
    case routes.signIn:
      return <SignInPage />;
    case routes.signInWithCode:
      return (
        <Suspense fallback={loading}>
          <OnDemandPage page={signInWithCode} props={{}} />
        </Suspense>
      );
    case routes.resetPassword:
      return (
        <Suspense fallback={loading}>
          <OnDemandPage page={resetPassword} props={{}} />
        </Suspense>
      );
    case routes.unlock:
      return (
        <Suspense fallback={loading}>
          <OnDemandPage page={unlock} props={{}} />
        </Suspense>
      );
    case routes.link:
      return (
        <Suspense fallback={loading}>
          <OnDemandPage page={link} props={{}} />
        </Suspense>
      );
    case routes.account:
      return (
        <Suspense fallback={loading}>
          <OnDemandPage page={account} props={{ notice }} />
        </Suspense>
      );
    case routes.changeEmail:
      return (
        <Suspense fallback={loading}>
          <OnDemandPage page={changeEmail} props={{}} />
        </Suspense>
      );
    case routes.mailbox:
      return (
        <Suspense fallback={loading}>
          <OnDemandPage page={mailbox} props={{}} />
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
  const pageHere = useFirstPageHere();
  const ready = useAppReady() && pageHere;
  useEffect(() => {
    if (!ready) return;
    for (const page of signedOutFlows) void page.preload().catch(() => undefined);
  }, [ready]);
  // No page before the first answers: a signed-in page never shows the signed-out state,
  // "Loading…", or English first for a German account (a slow answer: "Loading…" after a while).
  if (!ready) {
    return (
      <main id="main" className="site-main" tabIndex={-1}>
        <LoadingText className="lead">{t.app.loading}</LoadingText>
      </main>
    );
  }
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
