import { useMutation } from "@tanstack/react-query";
import type { Rules } from "../api/rules.js";
import { type SignedInUser, useRefreshSession } from "../api/session.js";
import { aCodeOfLength } from "../code-input/code-digits.js";
import { CodeStep } from "../code-input/code-step.js";
import { FORM_MESSAGES } from "../errors/api-errors.js";
import { DevMailboxNote } from "../forms/dev-mailbox-note.js";
import { EmailForm } from "../forms/email-form.js";
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
