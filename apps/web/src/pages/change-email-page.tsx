import { useMutation } from "@tanstack/react-query";
import { type FormEvent, useRef, useState } from "react";
import type { Rules } from "../api/rules.js";
import { type SignedInUser, useRefreshSession, useSession } from "../api/session.js";
import { aCodeOfLength } from "../code-input/code-digits.js";
import { CodeStep } from "../code-input/code-step.js";
import { describeFailure, FORM_MESSAGES, readApiFailure } from "../errors/api-errors.js";
import { DevMailboxNote } from "../forms/dev-mailbox-note.js";
import { EmailForm } from "../forms/email-form.js";
import { FormAlert, PasswordField, useFocusOnFailure } from "../forms/fields.js";
import { rich, useT } from "../i18n/index.js";
import { RequireSession, WithRules } from "../layout/gates.js";
import { PageHeading, usePageTitle } from "../layout/page.js";
import { paths } from "../routing/paths.js";
import { Link, navigate, type PageState, useLocation } from "../routing/router.js";
import { useTRPC } from "../trpc.js";

/** Signed in: a new address, then the code sent to it; the Account page then shows it. */
export function ChangeEmailPage() {
  const t = useT();
  return (
    <RequireSession heading={t.changeEmail.title}>
      {(user) => <ChangeEmail user={user} />}
    </RequireSession>
  );
}

function ChangeEmail({ user }: { user: SignedInUser }) {
  const t = useT();
  // The new address and the step live in the history entry: a reload or Back keeps the code step.
  const { state } = useLocation();
  if (state.codeSentAt === undefined || state.email === undefined) {
    return (
      <AskForNewEmail
        currentEmail={user.email}
        initialEmail={state.email}
        onSent={(newEmail) =>
          navigate(paths.changeEmail, { state: { email: newEmail, codeSentAt: Date.now() } })
        }
      />
    );
  }
  const newEmail = state.email;
  return (
    <WithRules heading={t.changeEmail.checkInbox}>
      {(rules) => (
        <ConfirmNewEmail
          newEmail={newEmail}
          rules={rules}
          state={state}
          onChangeAddress={() => navigate(paths.changeEmail, { state: { email: newEmail } })}
        />
      )}
    </WithRules>
  );
}

function AskForNewEmail({
  currentEmail,
  initialEmail,
  onSent,
}: {
  currentEmail: string;
  initialEmail: string | undefined;
  onSent(newEmail: string): void;
}) {
  const t = useT();
  usePageTitle(t.changeEmail.title);
  const trpc = useTRPC();
  const request = useMutation(
    trpc.account.requestEmailChange.mutationOptions({
      onSuccess: ({ newEmail }) => onSent(newEmail),
    }),
  );
  if (needsReauthentication(request.error) && request.variables !== undefined) {
    const asked = request.variables;
    return <Reauthenticate email={currentEmail} onDone={() => request.mutate(asked)} />;
  }
  return (
    <section className="card">
      <PageHeading takeFocus={false}>{t.changeEmail.title}</PageHeading>
      <p className="lead">
        {rich(t.changeEmail.lead, { email: <strong className="address">{currentEmail}</strong> })}
      </p>
      <EmailForm
        label={t.changeEmail.label}
        name="newEmail"
        initialEmail={initialEmail}
        submitLabel={t.changeEmail.submit}
        pendingLabel={t.code.sending}
        pending={request.isPending}
        error={request.error}
        check={(email) =>
          email.toLowerCase() === currentEmail.toLowerCase() ? FORM_MESSAGES.sameAddress : undefined
        }
        onEmail={(newEmail) => request.mutate({ newEmail })}
      />
      <p className="aside">
        <Link to={paths.account()}>{t.changeEmail.back}</Link>
      </p>
    </section>
  );
}

function ConfirmNewEmail({
  newEmail,
  rules,
  state,
  onChangeAddress,
}: {
  newEmail: string;
  rules: Rules;
  state: PageState;
  onChangeAddress(): void;
}) {
  const t = useT();
  usePageTitle(t.changeEmail.confirmTitle);
  const trpc = useTRPC();
  const refreshSession = useRefreshSession();
  const confirm = useMutation(
    trpc.account.confirmEmailChange.mutationOptions({
      onSuccess: async () => {
        await refreshSession();
        navigate(paths.account("email-changed"), { replace: true });
      },
    }),
  );
  const resend = useMutation(trpc.account.requestEmailChange.mutationOptions());
  const { codeLength } = rules;
  if (needsReauthentication(confirm.error) && confirm.variables !== undefined) {
    const typed = confirm.variables;
    return <Reauthenticate email={undefined} onDone={() => confirm.mutate(typed)} />;
  }

  return (
    <section className="card">
      <PageHeading takeFocus={false}>{t.changeEmail.checkInbox}</PageHeading>
      <p className="lead">
        {rich(t.changeEmail.confirmLead(aCodeOfLength(codeLength)), {
          email: <strong className="address">{newEmail}</strong>,
        })}
      </p>
      <CodeStep
        codeLength={codeLength}
        cooldownSeconds={rules.sendCooldownSeconds}
        state={state}
        label={t.changeEmail.codeLabel(codeLength)}
        submitLabel={t.changeEmail.confirm}
        pendingLabel={t.changeEmail.confirming}
        check={confirm}
        onCode={(code) => confirm.mutate({ code })}
        resend={resend}
        onResend={() => resend.mutate({ newEmail })}
      />
      <p className="aside">
        {rich(t.changeEmail.wrongAddress, {
          button: (
            <button type="button" className="link-button" onClick={onChangeAddress}>
              {t.code.useDifferent}
            </button>
          ),
          link: <Link to={paths.account()}>{t.changeEmail.keepCurrent}</Link>,
        })}
      </p>
      <DevMailboxNote />
    </section>
  );
}

/** The session's person must prove who they are again (REAUTHENTICATION_REQUIRED, ADR 20). */
function needsReauthentication(error: unknown): boolean {
  return (
    error !== null &&
    error !== undefined &&
    readApiFailure(error).code === "REAUTHENTICATION_REQUIRED"
  );
}

/**
 * Re-authentication before the email change goes on: the password, or a code
 * emailed to the current address (for an account without a password). Once
 * confirmed, `onDone` repeats the step that asked for it.
 */
function Reauthenticate({ email, onDone }: { email: string | undefined; onDone(): void }) {
  const t = useT();
  usePageTitle(t.changeEmail.reauthTitle);
  const trpc = useTRPC();
  const session = useSession();
  const address = email ?? (session.state === "signed-in" ? session.user.email : "");
  const [password, setPassword] = useState("");
  const [codeSentAt, setCodeSentAt] = useState<number | undefined>(undefined);
  const passwordInput = useRef<HTMLInputElement>(null);
  const alert = useRef<HTMLDivElement>(null);
  const confirm = useMutation(trpc.account.reauthenticate.mutationOptions({ onSuccess: onDone }));
  const sendCode = useMutation(
    trpc.account.requestReauthenticationCode.mutationOptions({
      onSuccess: () => setCodeSentAt(Date.now()),
    }),
  );
  const failure = confirm.error === null ? undefined : readApiFailure(confirm.error);
  useFocusOnFailure(confirm.error, undefined, { password: passwordInput }, alert);

  if (codeSentAt !== undefined) {
    return (
      <WithRules heading={t.changeEmail.reauthTitle}>
        {(rules) => (
          <section className="card">
            <PageHeading>{t.changeEmail.reauthTitle}</PageHeading>
            <p className="lead">
              {rich(t.changeEmail.reauthCodeLead(aCodeOfLength(rules.codeLength)), {
                email: <strong className="address">{address}</strong>,
              })}
            </p>
            <CodeStep
              codeLength={rules.codeLength}
              cooldownSeconds={rules.sendCooldownSeconds}
              state={{ codeSentAt }}
              label={t.changeEmail.reauthCodeLabel(rules.codeLength)}
              submitLabel={t.changeEmail.reauthSubmit}
              pendingLabel={t.changeEmail.reauthPending}
              check={confirm}
              onCode={(otp) => confirm.mutate({ otp })}
              resend={sendCode}
              onResend={() => sendCode.mutate()}
            />
            <DevMailboxNote />
          </section>
        )}
      </WithRules>
    );
  }

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (confirm.isPending) return;
    confirm.mutate({ password });
  };
  return (
    <section className="card">
      <PageHeading>{t.changeEmail.reauthTitle}</PageHeading>
      <p className="lead">{t.changeEmail.reauthLead}</p>
      <form onSubmit={submit} noValidate>
        <FormAlert
          ref={alert}
          message={
            failure === undefined
              ? undefined
              : describeFailure(failure, new Date(), { checked: "password" }).text
          }
        />
        {/* Tells a password manager whose password this is. */}
        <input
          type="email"
          name="username"
          autoComplete="username"
          value={address}
          readOnly
          hidden
        />
        <PasswordField
          ref={passwordInput}
          label={t.changeEmail.reauthPassword}
          name="password"
          autoComplete="current-password"
          value={password}
          onChange={setPassword}
        />
        <button type="submit" className="button button--primary" aria-disabled={confirm.isPending}>
          {confirm.isPending ? t.changeEmail.reauthPending : t.changeEmail.reauthSubmit}
        </button>
      </form>
      <p className="aside">
        <button
          type="button"
          className="link-button"
          aria-disabled={sendCode.isPending}
          onClick={() => {
            if (!sendCode.isPending) sendCode.mutate();
          }}
        >
          {t.changeEmail.reauthByCode}
        </button>
      </p>
      <p className="aside">
        <Link to={paths.account()}>{t.changeEmail.back}</Link>
      </p>
    </section>
  );
}
