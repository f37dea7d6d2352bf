import { useMutation } from "@tanstack/react-query";
import type { Rules } from "../api/rules.js";
import { useRefreshSession } from "../api/session.js";
import { aCodeOfLength } from "../code-input/code-digits.js";
import { CodeStep } from "../code-input/code-step.js";
import { DevMailboxNote } from "../forms/dev-mailbox-note.js";
import { EmailForm } from "../forms/email-form.js";
import { rich, useT } from "../i18n/index.js";
import { useLeaveWhenSignedIn, WithRules } from "../layout/gates.js";
import { PageHeading, usePageTitle } from "../layout/page.js";
import { paths, safeDestination } from "../routing/paths.js";
import { Link, navigate, type PageState, useLocation } from "../routing/router.js";
import { useTRPC } from "../trpc.js";

/**
 * Sign in without a password: an address, then the code emailed to it. The
 * step and the address live in the history entry: a reload or Back shows the
 * code step again once a code was sent.
 */
export function SignInWithCodePage() {
  const t = useT();
  const { path, query, state } = useLocation();
  const next = safeDestination(query.get("next"));
  useLeaveWhenSignedIn(next ?? paths.account());
  const here = `${path}${query.size > 0 ? `?${query}` : ""}`;
  if (state.codeSentAt === undefined || state.email === undefined) {
    return (
      <AskForEmail
        initialEmail={state.email}
        next={next}
        onSent={(email) => navigate(here, { state: { email, codeSentAt: Date.now() } })}
      />
    );
  }
  const email = state.email;
  return (
    <WithRules heading={t.verify.checkEmail}>
      {(rules) => (
        <EnterCode
          email={email}
          rules={rules}
          state={state}
          onChangeAddress={() => navigate(here, { state: { email } })}
        />
      )}
    </WithRules>
  );
}

function AskForEmail({
  initialEmail,
  next,
  onSent,
}: {
  initialEmail: string | undefined;
  next: string | undefined;
  onSent(email: string): void;
}) {
  const t = useT();
  usePageTitle(t.signInWithCode.title);
  const trpc = useTRPC();
  const request = useMutation(
    trpc.auth.requestSignInCode.mutationOptions({ onSuccess: ({ email }) => onSent(email) }),
  );
  return (
    <section className="card">
      <PageHeading takeFocus={false}>{t.signInWithCode.title}</PageHeading>
      <p className="lead">{t.signInWithCode.lead}</p>
      <EmailForm
        label={t.fields.email}
        name="email"
        initialEmail={initialEmail}
        submitLabel={t.signInWithCode.emailMe}
        pendingLabel={t.code.sending}
        pending={request.isPending}
        error={request.error}
        onEmail={(email) => request.mutate({ email })}
      />
      <p className="aside">
        <Link
          to={paths.signIn({ next })}
          state={initialEmail === undefined ? {} : { email: initialEmail }}
        >
          {t.signInWithCode.withPassword}
        </Link>
      </p>
    </section>
  );
}

function EnterCode({
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
  usePageTitle(t.signInWithCode.enterTitle);
  const trpc = useTRPC();
  const refreshSession = useRefreshSession();
  const signIn = useMutation(
    // Once `auth.me` knows the session, useLeaveWhenSignedIn goes on to the destination.
    trpc.auth.signInWithCode.mutationOptions({ onSuccess: () => refreshSession() }),
  );
  const resend = useMutation(trpc.auth.requestSignInCode.mutationOptions());
  const { codeLength } = rules;

  return (
    <section className="card">
      <PageHeading takeFocus={false}>{t.verify.checkEmail}</PageHeading>
      <p className="lead">
        {rich(t.signInWithCode.enterLead(aCodeOfLength(codeLength)), {
          email: <strong className="address">{email}</strong>,
        })}
      </p>
      <CodeStep
        codeLength={codeLength}
        cooldownSeconds={rules.sendCooldownSeconds}
        state={state}
        label={t.signInWithCode.label(codeLength)}
        submitLabel={t.signIn.submit}
        pendingLabel={t.signIn.pending}
        check={signIn}
        onCode={(code) => signIn.mutate({ email, code })}
        resend={resend}
        onResend={() => resend.mutate({ email })}
      />
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
