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
import { type Catalogue, rich, useT } from "../i18n/index.js";
import { WithRules } from "../layout/gates.js";
import { PageHeading, usePageTitle } from "../layout/page.js";
import { paths, type ResetNotice } from "../routing/paths.js";
import { Link, navigate, type PageState, useLocation } from "../routing/router.js";
import { useTRPC } from "../trpc.js";

const NOTICES: Record<ResetNotice, (t: Catalogue) => string> = {
  "email-verified-no-password": (t) => t.reset.notices.emailVerifiedNoPassword,
};

/**
 * Forgot password: an address, then the code emailed to it with a new
 * password. The step and the address live in the history entry: a reload or
 * Back shows the code step again once a code was sent.
 */
export function ResetPasswordPage() {
  const t = useT();
  const { query, state } = useLocation();
  const notice = query.get("notice");
  const shown =
    notice !== null && Object.hasOwn(NOTICES, notice)
      ? NOTICES[notice as ResetNotice](t)
      : undefined;
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
    <WithRules heading={t.reset.chooseTitle}>
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
  const t = useT();
  usePageTitle(t.reset.title);
  const trpc = useTRPC();
  const request = useMutation(
    trpc.auth.requestPasswordReset.mutationOptions({ onSuccess: ({ email }) => onSent(email) }),
  );
  return (
    <section className="card">
      <PageHeading takeFocus={false}>{t.reset.title}</PageHeading>
      <div role="status" className="alert-slot">
        {notice !== undefined && <p className="notice notice--success">{notice}</p>}
      </div>
      <p className="lead">{t.reset.lead}</p>
      <EmailForm
        label={t.fields.email}
        name="email"
        initialEmail={initialEmail}
        submitLabel={t.reset.emailMe}
        pendingLabel={t.code.sending}
        pending={request.isPending}
        error={request.error}
        onEmail={(email) => request.mutate({ email })}
      />
      <p className="aside">
        {rich(t.reset.remembered, {
          link: (
            <Link
              to={paths.signIn()}
              state={initialEmail === undefined ? {} : { email: initialEmail }}
            >
              {t.reset.signIn}
            </Link>
          ),
        })}
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
  const t = useT();
  usePageTitle(t.reset.chooseTitle);
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
      <PageHeading takeFocus={false}>{t.reset.chooseTitle}</PageHeading>
      <p className="lead">
        {rich(t.reset.chooseLead(aCodeOfLength(codeLength)), {
          email: <strong className="address">{email}</strong>,
        })}
      </p>
      <CodeStep
        codeLength={codeLength}
        cooldownSeconds={rules.sendCooldownSeconds}
        state={state}
        label={t.reset.label(codeLength)}
        submitLabel={t.reset.submit}
        pendingLabel={t.reset.pending}
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
          label={t.fields.newPassword}
          name="newPassword"
          autoComplete="new-password"
          value={password}
          onChange={setPassword}
          error={passwordProblem}
          hint={passwordRulesText(rules)}
        />
      </CodeStep>
      <p className="aside">
        {rich(t.code.wrongAddress, {
          button: (
            <button type="button" className="link-button" onClick={onChangeAddress}>
              {t.code.useDifferent}
            </button>
          ),
        })}
      </p>
      <DevMailboxNote />
    </section>
  );
}
