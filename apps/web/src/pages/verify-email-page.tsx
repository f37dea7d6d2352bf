import { useMutation } from "@tanstack/react-query";
import type { Rules } from "../api/rules.js";
import { useRefreshSession } from "../api/session.js";
import { aCodeOfLength } from "../code-input/code-digits.js";
import { CodeStep } from "../code-input/code-step.js";
import { DevMailboxNote } from "../forms/dev-mailbox-note.js";
import { EmailForm, isWellFormedAddress } from "../forms/email-form.js";
import { WithRules } from "../layout/gates.js";
import { PageHeading, usePageTitle } from "../layout/page.js";
import { paths } from "../routing/paths.js";
import { Link, navigate, type PageState, useLocation } from "../routing/router.js";
import { useTRPC } from "../trpc.js";

/** Verify an address with the code sent to it. The address comes in the history entry, never the URL. */
export function VerifyEmailPage() {
  const { state } = useLocation();
  // No address, or one that cannot be an address (an old link): ask for it before any code input.
  if (state.email === undefined || !isWellFormedAddress(state.email)) {
    return <AskForEmail initialEmail={state.email} />;
  }
  const email = state.email;
  return (
    <WithRules heading="Check your email">
      {(rules) => <VerifyForm key={email} email={email} rules={rules} state={state} />}
    </WithRules>
  );
}

function VerifyForm({ email, rules, state }: { email: string; rules: Rules; state: PageState }) {
  usePageTitle("Enter your verification code");
  const trpc = useTRPC();
  const refreshSession = useRefreshSession();
  const verify = useMutation(
    trpc.auth.verifyEmail.mutationOptions({
      // The answer says whether this browser is signed in now (the code came to the browser that
      // registered) and whether a password works for the account.
      onSuccess: async (outcome) => {
        if (outcome.signedIn) {
          // The code came to the browser that registered: it is signed in now.
          await refreshSession();
          navigate(paths.account("email-verified"), { replace: true });
        } else if (!outcome.passwordActive) {
          navigate(paths.resetPassword("email-verified-no-password"), {
            replace: true,
            state: { email: outcome.email },
          });
        } else {
          navigate(paths.signIn({ notice: "email-verified" }), {
            replace: true,
            state: { email: outcome.email },
          });
        }
      },
    }),
  );
  const resend = useMutation(trpc.auth.resendCode.mutationOptions());
  const { codeLength } = rules;

  return (
    <section className="card">
      <PageHeading takeFocus={false}>Check your email</PageHeading>
      <p className="lead">
        If <strong className="address">{email}</strong> has an account waiting to be verified, we
        sent it {aCodeOfLength(codeLength)}. Enter it to verify the address.
      </p>

      <CodeStep
        codeLength={codeLength}
        cooldownSeconds={rules.sendCooldownSeconds}
        state={state}
        label={`Verification code (${codeLength} digits)`}
        submitLabel="Verify email"
        pendingLabel="Checking…"
        check={verify}
        onCode={(code) => verify.mutate({ email, code })}
        resend={resend}
        onResend={() => resend.mutate({ email })}
      />

      <p className="aside">
        Wrong address? <Link to={paths.createAccount}>Create the account again</Link>.
      </p>
      <DevMailboxNote />
    </section>
  );
}

/** Opened without an address (a new tab, a bookmark): ask which one, and check it before any code box shows. */
function AskForEmail({ initialEmail }: { initialEmail: string | undefined }) {
  usePageTitle("Verify your email");
  return (
    <section className="card">
      <PageHeading takeFocus={false}>Verify your email</PageHeading>
      <EmailForm
        label="Which email address did you register with?"
        name="email"
        initialEmail={initialEmail}
        refuseAtOnce={initialEmail !== undefined}
        submitLabel="Continue"
        pendingLabel="Continuing…"
        pending={false}
        error={undefined}
        onEmail={(email) => navigate(paths.verify, { replace: true, state: { email } })}
      />
      <p className="aside">
        No account yet? <Link to={paths.createAccount}>Create one</Link>.
      </p>
    </section>
  );
}
