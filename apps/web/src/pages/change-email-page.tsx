import { useMutation } from "@tanstack/react-query";
import { useRef, useState } from "react";
import { type SignedInUser, useRefreshSession } from "../api/session.js";
import { aCodeOfLength } from "../code-input/code-digits.js";
import { CodeForm, type CodeFormHandle } from "../code-input/code-form.js";
import { codeMessage, FORM_MESSAGES, readApiFailure } from "../errors/api-errors.js";
import { DevMailboxNote } from "../forms/dev-mailbox-note.js";
import { EmailForm } from "../forms/email-form.js";
import { Resend } from "../forms/resend.js";
import { RequireSession, WithRules } from "../layout/gates.js";
import { PageHeading, usePageTitle } from "../layout/page.js";
import { paths } from "../routing/paths.js";
import { Link, navigate } from "../routing/router.js";
import { useTRPC } from "../trpc.js";

/** Signed in: a new address, then the code sent to it; the Account page then shows it. */
export function ChangeEmailPage() {
  usePageTitle("Change your email address");
  return (
    <RequireSession heading="Change your email address">
      {(user) => <ChangeEmail user={user} />}
    </RequireSession>
  );
}

function ChangeEmail({ user }: { user: SignedInUser }) {
  const [step, setStep] = useState<{ newEmail: string | null; sent: boolean }>({
    newEmail: null,
    sent: false,
  });
  if (!step.sent) {
    return (
      <AskForNewEmail
        currentEmail={user.email}
        initialEmail={step.newEmail}
        onSent={(newEmail) => setStep({ newEmail, sent: true })}
      />
    );
  }
  const newEmail = step.newEmail ?? "";
  return (
    <WithRules heading="Check your new inbox">
      {(rules) => (
        <ConfirmNewEmail
          newEmail={newEmail}
          codeLength={rules.codeLength}
          onChangeAddress={() => setStep({ newEmail, sent: false })}
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
  initialEmail: string | null;
  onSent(newEmail: string): void;
}) {
  const trpc = useTRPC();
  const request = useMutation(
    trpc.account.requestEmailChange.mutationOptions({
      onSuccess: ({ newEmail }) => onSent(newEmail),
    }),
  );
  return (
    <section className="card">
      <PageHeading>Change your email address</PageHeading>
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
  codeLength,
  onChangeAddress,
}: {
  newEmail: string;
  codeLength: number;
  onChangeAddress(): void;
}) {
  const trpc = useTRPC();
  const refreshSession = useRefreshSession();
  const codeForm = useRef<CodeFormHandle>(null);
  const confirm = useMutation(
    trpc.account.confirmEmailChange.mutationOptions({
      onSuccess: async () => {
        await refreshSession();
        navigate(paths.account("email-changed"));
      },
    }),
  );
  const resend = useMutation(
    trpc.account.requestEmailChange.mutationOptions({
      onSuccess: () => {
        confirm.reset();
        codeForm.current?.clear();
      },
    }),
  );
  const message = confirm.error ? codeMessage(readApiFailure(confirm.error)) : undefined;

  return (
    <section className="card">
      <PageHeading takeFocus={false}>Check your new inbox</PageHeading>
      <p className="lead">
        If <strong className="address">{newEmail}</strong> can be used, we sent it{" "}
        {aCodeOfLength(codeLength)}. Enter it to make this the address of your account.
      </p>
      <CodeForm
        ref={codeForm}
        codeLength={codeLength}
        legend={`Confirmation code (${codeLength} digits)`}
        submitLabel="Confirm new address"
        pendingLabel="Confirming…"
        pending={confirm.isPending}
        message={message?.text}
        rejection={confirm.error}
        onCode={(code) => confirm.mutate({ code })}
      />
      <Resend
        onResend={() => resend.mutate({ newEmail })}
        pending={resend.isPending}
        sent={resend.isSuccess}
        error={resend.error}
        emphasised={message?.offerResend}
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
