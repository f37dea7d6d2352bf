import { useMutation } from "@tanstack/react-query";
import { useId, useRef, useState } from "react";
import { CodeForm, type CodeFormHandle } from "../code-input/code-form.js";
import { codeMessage, readApiFailure } from "../errors/api-errors.js";
import { DevMailboxNote } from "../forms/dev-mailbox-note.js";
import { Resend } from "../forms/resend.js";
import { WithRules } from "../layout/gates.js";
import { PageHeading, usePageTitle } from "../layout/page.js";
import { paths } from "../routing/paths.js";
import { Link, navigate } from "../routing/router.js";
import { useTRPC } from "../trpc.js";

export function VerifyEmailPage({ email }: { email: string | null }) {
  usePageTitle("Verify your email");
  if (email === null || email.trim() === "") return <AskForEmail />;
  return (
    <WithRules heading="Check your email">
      {(rules) => <VerifyForm key={email} email={email} codeLength={rules.codeLength} />}
    </WithRules>
  );
}

function VerifyForm({ email, codeLength }: { email: string; codeLength: number }) {
  const trpc = useTRPC();
  const codeForm = useRef<CodeFormHandle>(null);
  const verify = useMutation(
    trpc.auth.verifyEmail.mutationOptions({
      onSuccess: (result) => navigate(paths.verified(result.email)),
    }),
  );
  const resend = useMutation(
    trpc.auth.resendCode.mutationOptions({
      onSuccess: () => {
        verify.reset();
        codeForm.current?.clear();
      },
    }),
  );

  const verifyMessage = verify.error ? codeMessage(readApiFailure(verify.error)) : undefined;

  return (
    <section className="card">
      <PageHeading takeFocus={false}>Check your email</PageHeading>
      <p className="lead">
        Enter the {codeLength}-digit code we sent to <strong className="address">{email}</strong> to
        verify your address.
      </p>

      <CodeForm
        ref={codeForm}
        codeLength={codeLength}
        legend={`Verification code (${codeLength} digits)`}
        submitLabel="Verify email"
        pendingLabel="Checking…"
        pending={verify.isPending}
        message={verifyMessage?.text}
        rejection={verify.error}
        onCode={(code) => verify.mutate({ email, code })}
      />

      <Resend
        onResend={() => resend.mutate({ email })}
        pending={resend.isPending}
        sent={resend.isSuccess}
        error={resend.error}
        emphasised={verifyMessage?.offerResend}
      />

      <p className="aside">
        Wrong address? <Link to={paths.createAccount}>Create the account again</Link>.
      </p>
      <DevMailboxNote />
    </section>
  );
}

function AskForEmail() {
  const id = useId();
  const [email, setEmail] = useState("");
  return (
    <section className="card">
      <PageHeading>Verify your email</PageHeading>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          if (email.trim() !== "") navigate(paths.verify(email.trim()), { replace: true });
        }}
      >
        <div className="field">
          <label htmlFor={id}>Which email address did you register with?</label>
          <input
            id={id}
            type="email"
            autoComplete="email"
            required
            value={email}
            onChange={(event) => setEmail(event.target.value)}
          />
        </div>
        <button type="submit" className="button button--primary">
          Continue
        </button>
      </form>
      <p className="aside">
        No account yet? <Link to={paths.createAccount}>Create one</Link>.
      </p>
    </section>
  );
}
