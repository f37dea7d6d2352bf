import { useMutation } from "@tanstack/react-query";
import type { Rules } from "../api/rules.js";
import { useRefreshSession } from "../api/session.js";
import { aCodeOfLength } from "../code-input/code-digits.js";
import { CodeStep } from "../code-input/code-step.js";
import { DevMailboxNote } from "../forms/dev-mailbox-note.js";
import { EmailForm } from "../forms/email-form.js";
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
    <WithRules heading="Check your email">
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
  usePageTitle("Sign in with a code");
  const trpc = useTRPC();
  const request = useMutation(
    trpc.auth.requestSignInCode.mutationOptions({ onSuccess: ({ email }) => onSent(email) }),
  );
  return (
    <section className="card">
      <PageHeading takeFocus={false}>Sign in with a code</PageHeading>
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
        <Link
          to={paths.signIn({ next })}
          state={initialEmail === undefined ? {} : { email: initialEmail }}
        >
          Sign in with your password instead
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
  usePageTitle("Enter your sign-in code");
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
      <PageHeading takeFocus={false}>Check your email</PageHeading>
      <p className="lead">
        If <strong className="address">{email}</strong> has an account, we sent it{" "}
        {aCodeOfLength(codeLength)}. Enter it to sign in.
      </p>
      <CodeStep
        codeLength={codeLength}
        cooldownSeconds={rules.sendCooldownSeconds}
        state={state}
        label={`Sign-in code (${codeLength} digits)`}
        submitLabel="Sign in"
        pendingLabel="Signing in…"
        check={signIn}
        onCode={(code) => signIn.mutate({ email, code })}
        resend={resend}
        onResend={() => resend.mutate({ email })}
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
