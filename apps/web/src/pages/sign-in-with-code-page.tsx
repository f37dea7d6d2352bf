import { useMutation } from "@tanstack/react-query";
import { useRef, useState } from "react";
import { useRefreshSession } from "../api/session.js";
import { aCodeOfLength } from "../code-input/code-digits.js";
import { CodeForm, type CodeFormHandle } from "../code-input/code-form.js";
import { codeMessage, readApiFailure } from "../errors/api-errors.js";
import { DevMailboxNote } from "../forms/dev-mailbox-note.js";
import { EmailForm } from "../forms/email-form.js";
import { Resend } from "../forms/resend.js";
import { WithRules } from "../layout/gates.js";
import { PageHeading, usePageTitle } from "../layout/page.js";
import { paths } from "../routing/paths.js";
import { Link, navigate } from "../routing/router.js";
import { useTRPC } from "../trpc.js";

/** Sign in without a password: an address, then the code emailed to it. */
export function SignInWithCodePage({ email: initialEmail }: { email: string | null }) {
  usePageTitle("Sign in with a code");
  const [step, setStep] = useState({ email: initialEmail, sent: false });
  if (!step.sent) {
    return (
      <AskForEmail initialEmail={step.email} onSent={(email) => setStep({ email, sent: true })} />
    );
  }
  const email = step.email ?? "";
  return (
    <WithRules heading="Check your email">
      {(rules) => (
        <EnterCode
          email={email}
          codeLength={rules.codeLength}
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
    trpc.auth.requestSignInCode.mutationOptions({ onSuccess: ({ email }) => onSent(email) }),
  );
  return (
    <section className="card">
      <PageHeading>Sign in with a code</PageHeading>
      <p className="lead">We will email you a code to sign in with. No password needed.</p>
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
        <Link to={paths.signIn({ email: initialEmail })}>Sign in with your password instead</Link>
      </p>
    </section>
  );
}

function EnterCode({
  email,
  codeLength,
  onChangeAddress,
}: {
  email: string;
  codeLength: number;
  onChangeAddress(): void;
}) {
  const trpc = useTRPC();
  const refreshSession = useRefreshSession();
  const codeForm = useRef<CodeFormHandle>(null);
  const signIn = useMutation(
    trpc.auth.signInWithCode.mutationOptions({
      onSuccess: async () => {
        await refreshSession();
        navigate(paths.account());
      },
    }),
  );
  const resend = useMutation(
    trpc.auth.requestSignInCode.mutationOptions({
      onSuccess: () => {
        signIn.reset();
        codeForm.current?.clear();
      },
    }),
  );
  const message = signIn.error ? codeMessage(readApiFailure(signIn.error)) : undefined;

  return (
    <section className="card">
      <PageHeading takeFocus={false}>Check your email</PageHeading>
      <p className="lead">
        If <strong className="address">{email}</strong> has an account, we sent it{" "}
        {aCodeOfLength(codeLength)}. Enter it to sign in.
      </p>
      <CodeForm
        ref={codeForm}
        codeLength={codeLength}
        legend={`Sign-in code (${codeLength} digits)`}
        submitLabel="Sign in"
        pendingLabel="Signing in…"
        pending={signIn.isPending}
        message={message?.text}
        rejection={signIn.error}
        onCode={(code) => signIn.mutate({ email, code })}
      />
      <Resend
        onResend={() => resend.mutate({ email })}
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
        .
      </p>
      <DevMailboxNote />
    </section>
  );
}
