import { useMutation } from "@tanstack/react-query";
import { useRef, useState } from "react";
import { passwordRulesText, type Rules } from "../api/rules.js";
import { useRefreshSession } from "../api/session.js";
import { aCodeOfLength } from "../code-input/code-digits.js";
import { CodeStep } from "../code-input/code-step.js";
import { formFailure, readApiFailure } from "../errors/api-errors.js";
import { DevMailboxNote } from "../forms/dev-mailbox-note.js";
import { EmailForm } from "../forms/email-form.js";
import { PasswordField, useFocusOnFailure } from "../forms/fields.js";
import { WithRules } from "../layout/gates.js";
import { PageHeading, usePageTitle } from "../layout/page.js";
import { paths, type ResetNotice } from "../routing/paths.js";
import { Link, navigate, type PageState, useLocation } from "../routing/router.js";
import { useTRPC } from "../trpc.js";

const NOTICES: Record<ResetNotice, string> = {
  "email-verified-no-password":
    "Your email is verified. The password chosen when the account was created was not confirmed in this browser, so it does not work: ask for a code below to choose a password.",
};

/**
 * Forgot password: an address, then the code emailed to it with a new
 * password. The step and the address live in the history entry: a reload or
 * Back shows the code step again once a code was sent.
 */
export function ResetPasswordPage() {
  const { query, state } = useLocation();
  const notice = query.get("notice");
  const shown =
    notice !== null && Object.hasOwn(NOTICES, notice) ? NOTICES[notice as ResetNotice] : undefined;
  if (state.codeSentAt === undefined || state.email === undefined) {
    return (
      <AskForEmail
        initialEmail={state.email}
        notice={shown}
        onSent={(email) =>
          navigate(paths.resetPassword(), { state: { email, codeSentAt: Date.now() } })
        }
      />
    );
  }
  const email = state.email;
  return (
    <WithRules heading="Choose a new password">
      {(rules) => (
        <ChooseNewPassword
          email={email}
          rules={rules}
          state={state}
          onChangeAddress={() => navigate(paths.resetPassword(), { state: { email } })}
        />
      )}
    </WithRules>
  );
}

function AskForEmail({
  initialEmail,
  notice,
  onSent,
}: {
  initialEmail: string | undefined;
  notice: string | undefined;
  onSent(email: string): void;
}) {
  usePageTitle("Reset your password");
  const trpc = useTRPC();
  const request = useMutation(
    trpc.auth.requestPasswordReset.mutationOptions({ onSuccess: ({ email }) => onSent(email) }),
  );
  return (
    <section className="card">
      <PageHeading takeFocus={false}>Reset your password</PageHeading>
      <div role="status" className="alert-slot">
        {notice !== undefined && <p className="notice notice--success">{notice}</p>}
      </div>
      <p className="lead">
        Enter the email address of your account. We will send it a code to choose a new password.
      </p>
      <EmailForm
        label="Email address"
        name="email"
        initialEmail={initialEmail}
        submitLabel="Email me a code"
        pendingLabel="Sending…"
        pending={request.isPending}
        error={request.error}
        onEmail={(email) => request.mutate({ email })}
      />
      <p className="aside">
        Remembered it?{" "}
        <Link to={paths.signIn()} state={initialEmail === undefined ? {} : { email: initialEmail }}>
          Sign in
        </Link>
        .
      </p>
    </section>
  );
}

function ChooseNewPassword({
  email,
  rules,
  state,
  onChangeAddress,
}: {
  email: string;
  rules: Rules;
  state: PageState;
  onChangeAddress(): void;
}) {
  usePageTitle("Choose a new password");
  const trpc = useTRPC();
  const refreshSession = useRefreshSession();
  const passwordInput = useRef<HTMLInputElement>(null);
  const [password, setPassword] = useState("");
  const reset = useMutation(
    trpc.auth.resetPassword.mutationOptions({
      // Every session was revoked, this browser's included.
      onSuccess: async () => {
        await refreshSession();
        navigate(paths.signIn({ notice: "password-reset" }), { state: { email } });
      },
    }),
  );
  const resend = useMutation(trpc.auth.requestPasswordReset.mutationOptions());

  const failure = reset.error ? readApiFailure(reset.error) : undefined;
  // A password the rules refuse is shown beside it; anything else is about the code.
  const passwordProblem = formFailure(failure, ["newPassword"]).fields.newPassword;
  useFocusOnFailure(
    passwordProblem === undefined ? undefined : reset.error,
    "newPassword",
    { newPassword: passwordInput },
    passwordInput,
  );

  const { codeLength } = rules;
  return (
    <section className="card">
      <PageHeading takeFocus={false}>Choose a new password</PageHeading>
      <p className="lead">
        If <strong className="address">{email}</strong> has an account, we sent it{" "}
        {aCodeOfLength(codeLength)}. Enter it with your new password. Every session of the account
        will be signed out.
      </p>
      <CodeStep
        codeLength={codeLength}
        cooldownSeconds={rules.sendCooldownSeconds}
        state={state}
        label={`Reset code (${codeLength} digits)`}
        submitLabel="Change password"
        pendingLabel="Changing password…"
        check={reset}
        codeError={passwordProblem === undefined ? reset.error : null}
        onCode={(code) => reset.mutate({ email, code, newPassword: password })}
        resend={resend}
        onResend={() => resend.mutate({ email })}
        autoSubmit={false}
        onFilled={() => {
          if (password === "") passwordInput.current?.focus();
        }}
      >
        {/* Tells a password manager whose password this is. */}
        <input type="email" name="username" autoComplete="username" value={email} readOnly hidden />
        <PasswordField
          ref={passwordInput}
          label="New password"
          name="newPassword"
          autoComplete="new-password"
          value={password}
          onChange={setPassword}
          error={passwordProblem}
          hint={passwordRulesText(rules)}
        />
      </CodeStep>
      <p className="aside">
        Wrong address?{" "}
        <button type="button" className="link-button" onClick={onChangeAddress}>
          Use a different one
        </button>
        .
      </p>
      <DevMailboxNote />
    </section>
  );
}
