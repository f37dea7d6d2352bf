import { useMutation } from "@tanstack/react-query";
import { type FormEvent, useRef, useState } from "react";
import { useRefreshSession } from "../api/session.js";
import { describeFailure, formFailure, readApiFailure } from "../errors/api-errors.js";
import { EmailField, FormAlert, PasswordField, useFocusOnFailure } from "../forms/fields.js";
import { useLeaveWhenSignedIn } from "../layout/gates.js";
import { PageHeading, usePageTitle } from "../layout/page.js";
import { paths, type SignInNotice, safeDestination } from "../routing/paths.js";
import { Link, navigate, useLocation } from "../routing/router.js";
import { useTRPC } from "../trpc.js";

/** Why another page sent the person here. */
const NOTICES: Record<SignInNotice, { text: string; tone: "success" | "info" }> = {
  "signed-out": { text: "You are signed out.", tone: "success" },
  "signed-out-everywhere": {
    text: "You are signed out everywhere: on this device and on every other.",
    tone: "success",
  },
  "password-reset": {
    text: "Your password was changed, and every session of your account was signed out. Sign in with your new password.",
    tone: "success",
  },
  "sign-in-needed": {
    text: describeFailure({ code: "UNAUTHORIZED", fieldErrors: {} }).text,
    tone: "info",
  },
  "email-verified": {
    text: "Your email is verified. Sign in with your password.",
    tone: "success",
  },
  unlocked: { text: "Your account is unlocked. Sign in to continue.", tone: "success" },
};

function isNotice(value: string | null): value is SignInNotice {
  return value !== null && Object.hasOwn(NOTICES, value);
}

export function SignInPage() {
  usePageTitle("Sign in");
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
        navigate(paths.verify, { state: { email, codeSentAt: Date.now() } }),
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
      <PageHeading>Sign in</PageHeading>
      <p className="lead">With the email address and password of your account.</p>
      <div role="status" className="alert-slot">
        {shown !== undefined && <p className={`notice notice--${shown.tone}`}>{shown.text}</p>}
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
            {sendVerification.isPending ? "Sending…" : "Send a verification code"}
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
          label="Email address"
          name="email"
          value={email}
          onChange={setEmail}
          error={failure.fields.email}
        />
        <PasswordField
          ref={passwordInput}
          label="Password"
          name="password"
          autoComplete="current-password"
          value={password}
          onChange={setPassword}
          error={failure.fields.password}
        />
        <button type="submit" className="button button--primary" aria-disabled={signIn.isPending}>
          {signIn.isPending ? "Signing in…" : "Sign in"}
        </button>
      </form>

      <ul className="links">
        <li>
          <Link to={paths.signInWithCode({ next })} state={carried}>
            Sign in with a code instead
          </Link>
        </li>
        <li>
          <Link to={paths.resetPassword()} state={carried}>
            Forgot your password?
          </Link>
        </li>
      </ul>
      <p className="aside">
        No account yet? <Link to={paths.createAccount}>Create an account</Link>.
      </p>
    </section>
  );
}
