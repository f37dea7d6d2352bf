import { useMutation } from "@tanstack/react-query";
import { type FormEvent, useRef, useState } from "react";
import { useRefreshSession } from "../api/session.js";
import { describeFailure, formFailure, readApiFailure } from "../errors/api-errors.js";
import { EmailField, FormAlert, PasswordField, useFocusOnFailure } from "../forms/fields.js";
import { type Catalogue, rich, useT } from "../i18n/index.js";
import { useLeaveWhenSignedIn } from "../layout/gates.js";
import { PageHeading, usePageTitle } from "../layout/page.js";
import { paths, type SignInNotice, safeDestination } from "../routing/paths.js";
import { Link, navigate, useLocation } from "../routing/router.js";
import { useTRPC } from "../trpc.js";

/** Why another page sent the person here. */
const NOTICES: Record<SignInNotice, { text: (t: Catalogue) => string; tone: "success" | "info" }> =
  {
    "signed-out": { text: (t) => t.signIn.notices.signedOut, tone: "success" },
    "signed-out-everywhere": { text: (t) => t.signIn.notices.signedOutEverywhere, tone: "success" },
    "password-reset": { text: (t) => t.signIn.notices.passwordReset, tone: "success" },
    "sign-in-needed": {
      text: () => describeFailure({ code: "UNAUTHORIZED", fieldErrors: {} }).text,
      tone: "info",
    },
    "email-verified": { text: (t) => t.signIn.notices.emailVerified, tone: "success" },
    unlocked: { text: (t) => t.signIn.notices.unlocked, tone: "success" },
    "email-change-undone": { text: (t) => t.link.changeUndone, tone: "success" },
  };

function isNotice(value: string | null): value is SignInNotice {
  return value !== null && Object.hasOwn(NOTICES, value);
}

export function SignInPage() {
  const t = useT();
  usePageTitle(t.signIn.title);
  const { query, state } = useLocation();
  const notice = query.get("notice");
  const next = safeDestination(query.get("next"));
  const destination = next ?? paths.account();
  useLeaveWhenSignedIn(destination);

  const trpc = useTRPC();
  const refreshSession = useRefreshSession();
  const signIn = useMutation(
    // Once `auth.me` knows the new session, useLeaveWhenSignedIn goes on to the destination.
    trpc.auth.signIn.mutationOptions({ onSuccess: () => refreshSession() }),
  );
  // EMAIL_NOT_VERIFIED: the way on is a verification code, then the Verify page.
  const sendVerification = useMutation(
    trpc.auth.resendCode.mutationOptions({
      onSuccess: ({ email }) =>
        navigate(paths.verify, { state: { email, codeSentAt: Date.now(), emailSent: true } }),
    }),
  );

  const [email, setEmail] = useState(state.email ?? "");
  const [password, setPassword] = useState("");
  const emailInput = useRef<HTMLInputElement>(null);
  const passwordInput = useRef<HTMLInputElement>(null);
  const formAlert = useRef<HTMLDivElement>(null);

  const apiFailure = signIn.error ? readApiFailure(signIn.error) : undefined;
  // TOO_MANY_ATTEMPTS here is the account's password budget.
  const failure = formFailure(apiFailure, ["email", "password"], "password");
  const notVerified = apiFailure?.code === "EMAIL_NOT_VERIFIED";
  useFocusOnFailure(
    signIn.error,
    failure.firstField,
    { email: emailInput, password: passwordInput },
    formAlert,
  );

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (signIn.isPending) return;
    sendVerification.reset();
    signIn.mutate({ email: email.trim(), password });
  };

  const shown = signIn.isIdle && isNotice(notice) ? NOTICES[notice] : undefined;
  const typed = email.trim();
  const carried = typed === "" ? {} : { email: typed };

  return (
    <section className="card">
      <PageHeading>{t.signIn.heading}</PageHeading>
      <p className="lead">{t.signIn.lead}</p>
      <div role="status" className="alert-slot">
        {shown !== undefined && <p className={`notice notice--${shown.tone}`}>{shown.text(t)}</p>}
      </div>

      {notVerified ? (
        <div className="notice notice--warning offer">
          <div ref={formAlert} tabIndex={-1} role="alert">
            {failure.message}
          </div>
          <button
            type="button"
            className="button"
            aria-disabled={sendVerification.isPending}
            onClick={() => {
              const address = signIn.variables?.email;
              if (!sendVerification.isPending && address !== undefined) {
                sendVerification.mutate({ email: address });
              }
            }}
          >
            {sendVerification.isPending ? t.code.sending : t.signIn.sendVerification}
          </button>
          <div role="alert" className="alert-slot">
            {sendVerification.error && (
              <p className="notice notice--error">
                {describeFailure(readApiFailure(sendVerification.error)).text}
              </p>
            )}
          </div>
        </div>
      ) : (
        <FormAlert ref={formAlert} message={failure.message} />
      )}

      <form onSubmit={submit} noValidate aria-busy={signIn.isPending}>
        <EmailField
          ref={emailInput}
          label={t.fields.email}
          name="email"
          value={email}
          onChange={setEmail}
          error={failure.fields.email}
        />
        <PasswordField
          ref={passwordInput}
          label={t.fields.password}
          name="password"
          autoComplete="current-password"
          value={password}
          onChange={setPassword}
          error={failure.fields.password}
        />
        <button type="submit" className="button button--primary" aria-disabled={signIn.isPending}>
          {signIn.isPending ? t.signIn.pending : t.signIn.submit}
        </button>
      </form>

      <ul className="links">
        <li>
          <Link to={paths.signInWithCode({ next })} state={carried}>
            {t.signIn.withCode}
          </Link>
        </li>
        <li>
          <Link to={paths.resetPassword()} state={carried}>
            {t.signIn.forgot}
          </Link>
        </li>
      </ul>
      <p className="aside">
        {rich(t.signIn.noAccount, {
          link: <Link to={paths.createAccount}>{t.signIn.createAccount}</Link>,
        })}
      </p>
    </section>
  );
}
