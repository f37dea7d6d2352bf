import { useMutation } from "@tanstack/react-query";
import type { Rules } from "../api/rules.js";
import { type SignedInUser, useRefreshSession } from "../api/session.js";
import { aCodeOfLength } from "../code-input/code-digits.js";
import { CodeStep } from "../code-input/code-step.js";
import { FORM_MESSAGES } from "../errors/api-errors.js";
import { DevMailboxNote } from "../forms/dev-mailbox-note.js";
import { EmailForm } from "../forms/email-form.js";
import { RequireSession, WithRules } from "../layout/gates.js";
import { PageHeading, usePageTitle } from "../layout/page.js";
import { paths } from "../routing/paths.js";
import { Link, navigate, type PageState, useLocation } from "../routing/router.js";
import { useTRPC } from "../trpc.js";

/** Signed in: a new address, then the code sent to it; the Account page then shows it. */
export function ChangeEmailPage() {
  return (
    <RequireSession heading="Change your email address">
      {(user) => <ChangeEmail user={user} />}
    </RequireSession>
  );
}

function ChangeEmail({ user }: { user: SignedInUser }) {
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
    <WithRules heading="Check your new inbox">
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
  usePageTitle("Change your email address");
  const trpc = useTRPC();
  const request = useMutation(
    trpc.account.requestEmailChange.mutationOptions({
      onSuccess: ({ newEmail }) => onSent(newEmail),
    }),
  );
  return (
    <section className="card">
      <PageHeading takeFocus={false}>Change your email address</PageHeading>
      <p className="lead">
        Your account uses <strong className="address">{currentEmail}</strong>. We will send a code
        to the new address to make sure it is yours; nothing changes until you enter it.
      </p>
      <EmailForm
        label="New email address"
        name="newEmail"
        initialEmail={initialEmail}
        submitLabel="Send a code"
        pendingLabel="Sending…"
        pending={request.isPending}
        error={request.error}
        check={(email) =>
          email.toLowerCase() === currentEmail.toLowerCase() ? FORM_MESSAGES.sameAddress : undefined
        }
        onEmail={(newEmail) => request.mutate({ newEmail })}
      />
      <p className="aside">
        <Link to={paths.account()}>Back to your account</Link>
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
  usePageTitle("Confirm your new email address");
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
      <PageHeading takeFocus={false}>Check your new inbox</PageHeading>
      <p className="lead">
        If <strong className="address">{newEmail}</strong> can be used, we sent it{" "}
        {aCodeOfLength(codeLength)}. Enter it to make this the address of your account.
      </p>
      <CodeStep
        codeLength={codeLength}
        cooldownSeconds={rules.sendCooldownSeconds}
        state={state}
        label={`Confirmation code (${codeLength} digits)`}
        submitLabel="Confirm new address"
        pendingLabel="Confirming…"
        check={confirm}
        onCode={(code) => confirm.mutate({ code })}
        resend={resend}
        onResend={() => resend.mutate({ newEmail })}
      />
      <p className="aside">
        Wrong address?{" "}
        <button type="button" className="link-button" onClick={onChangeAddress}>
          Use a different one
        </button>
        . Or <Link to={paths.account()}>keep the current one</Link>.
      </p>
      <DevMailboxNote />
    </section>
  );
}
