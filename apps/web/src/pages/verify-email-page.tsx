import { useMutation } from "@tanstack/react-query";
import type { Rules } from "../api/rules.js";
import { useRefreshSession } from "../api/session.js";
import { aCodeOfLength } from "../code-input/code-digits.js";
import { CodeStep } from "../code-input/code-step.js";
import { DevMailboxNote } from "../forms/dev-mailbox-note.js";
import { EmailForm, isWellFormedAddress } from "../forms/email-form.js";
import { rich, useT } from "../i18n/index.js";
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
  return <VerifyWithRules email={email} state={state} />;
}

function VerifyWithRules({ email, state }: { email: string; state: PageState }) {
  const t = useT();
  return (
    <WithRules heading={t.verify.checkEmail}>
      {(rules) => <VerifyForm key={email} email={email} rules={rules} state={state} />}
    </WithRules>
  );
}

function VerifyForm({ email, rules, state }: { email: string; rules: Rules; state: PageState }) {
  const t = useT();
  usePageTitle(t.verify.title);
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
      <PageHeading takeFocus={false}>{t.verify.checkEmail}</PageHeading>
      <p className="lead">
        {rich(state.emailSent ? t.verify.sentLead : t.verify.lead(aCodeOfLength(codeLength)), {
          email: <strong className="address">{email}</strong>,
        })}
      </p>

      <CodeStep
        codeLength={codeLength}
        cooldownSeconds={rules.sendCooldownSeconds}
        state={state}
        label={t.verify.label(codeLength)}
        submitLabel={t.verify.submit}
        pendingLabel={t.code.checking}
        check={verify}
        onCode={(code) => verify.mutate({ email, code })}
        resend={resend}
        onResend={() => resend.mutate({ email })}
      />

      <p className="aside">
        {rich(t.verify.wrongAddress, {
          link: <Link to={paths.createAccount}>{t.verify.createAgain}</Link>,
        })}
      </p>
      <DevMailboxNote />
    </section>
  );
}

/** Opened without an address (a new tab, a bookmark): ask which one, and check it before any code box shows. */
function AskForEmail({ initialEmail }: { initialEmail: string | undefined }) {
  const t = useT();
  usePageTitle(t.verify.askTitle);
  return (
    <section className="card">
      <PageHeading takeFocus={false}>{t.verify.askTitle}</PageHeading>
      <EmailForm
        label={t.verify.askLabel}
        name="email"
        initialEmail={initialEmail}
        refuseAtOnce={initialEmail !== undefined}
        submitLabel={t.verify.continue}
        pendingLabel={t.verify.continuing}
        pending={false}
        error={undefined}
        onEmail={(email) => navigate(paths.verify, { replace: true, state: { email } })}
      />
      <p className="aside">
        {rich(t.verify.noAccount, {
          link: <Link to={paths.createAccount}>{t.verify.createOne}</Link>,
        })}
      </p>
    </section>
  );
}
