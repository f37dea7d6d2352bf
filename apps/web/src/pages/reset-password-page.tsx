import { useMutation } from "@tanstack/react-query";
import { useRef, useState } from "react";
import { passwordRulesText, type Rules } from "../api/rules.js";
import { useRefreshSession } from "../api/session.js";
import { aCodeOfLength } from "../code-input/code-digits.js";
import { CodeForm, type CodeFormHandle } from "../code-input/code-form.js";
import { codeMessage, formFailure, readApiFailure } from "../errors/api-errors.js";
import { DevMailboxNote } from "../forms/dev-mailbox-note.js";
import { EmailForm } from "../forms/email-form.js";
import { PasswordField, useFocusOnFailure } from "../forms/fields.js";
import { Resend } from "../forms/resend.js";
import { WithRules } from "../layout/gates.js";
import { PageHeading, usePageTitle } from "../layout/page.js";
import { paths } from "../routing/paths.js";
import { Link, navigate } from "../routing/router.js";
import { useTRPC } from "../trpc.js";

/** Forgot password: an address, then the code emailed to it with a new password. */
export function ResetPasswordPage({ email: initialEmail }: { email: string | null }) {
  usePageTitle("Reset your password");
  const [step, setStep] = useState({ email: initialEmail, sent: false });
  if (!step.sent) {
    return (
      <AskForEmail initialEmail={step.email} onSent={(email) => setStep({ email, sent: true })} />
    );
  }
  const email = step.email ?? "";
  return (
    <WithRules heading="Choose a new password">
      {(rules) => (
        <ChooseNewPassword
          email={email}
          rules={rules}
          onChangeAddress={() => setStep({ email, sent: false })}
        />
      )}
    </WithRules>
  );
}

function AskForEmail({
  initialEmail,
  onSent,
}: {
  initialEmail: string | null;
  onSent(email: string): void;
}) {
  const trpc = useTRPC();
  const request = useMutation(
    trpc.auth.requestPasswordReset.mutationOptions({ onSuccess: ({ email }) => onSent(email) }),
  );
  return (
    <section className="card">
      <PageHeading>Reset your password</PageHeading>
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
        Remembered it? <Link to={paths.signIn({ email: initialEmail })}>Sign in</Link>.
      </p>
    </section>
  );
}

function ChooseNewPassword({
  email,
  rules,
  onChangeAddress,
}: {
  email: string;
  rules: Rules;
  onChangeAddress(): void;
}) {
  const trpc = useTRPC();
  const refreshSession = useRefreshSession();
  const codeForm = useRef<CodeFormHandle>(null);
  const passwordInput = useRef<HTMLInputElement>(null);
  const [password, setPassword] = useState("");
  const reset = useMutation(
    trpc.auth.resetPassword.mutationOptions({
      // Every session was revoked, this browser's included.
      onSuccess: async () => {
        await refreshSession();
        navigate(paths.signIn({ email, notice: "password-reset" }));
      },
    }),
  );
  const resend = useMutation(
    trpc.auth.requestPasswordReset.mutationOptions({
      onSuccess: () => {
        reset.reset();
        codeForm.current?.clear();
      },
    }),
  );

  const failure = reset.error ? readApiFailure(reset.error) : undefined;
  // A password the rules refuse is shown beside it; anything else is about the code.
  const passwordProblem = formFailure(failure, ["newPassword"]).fields.newPassword;
  const codeProblem =
    failure !== undefined && passwordProblem === undefined ? codeMessage(failure) : undefined;
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
      <CodeForm
        ref={codeForm}
        codeLength={codeLength}
        legend={`Reset code (${codeLength} digits)`}
        submitLabel="Change password"
        pendingLabel="Changing password…"
        pending={reset.isPending}
        message={codeProblem?.text}
        rejection={codeProblem === undefined ? undefined : reset.error}
        autoSubmit={false}
        onFilled={() => {
          if (password === "") passwordInput.current?.focus();
        }}
        onCode={(code) => reset.mutate({ email, code, newPassword: password })}
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
      </CodeForm>
      <Resend
        onResend={() => resend.mutate({ email })}
        pending={resend.isPending}
        sent={resend.isSuccess}
        error={resend.error}
        emphasised={codeProblem?.offerResend}
      />
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
