import { useMutation, useQuery } from "@tanstack/react-query";
import { type FormEvent, useEffect, useRef, useState } from "react";
import { passwordRulesText } from "../api/rules.js";
import { useRefreshSession, useSession } from "../api/session.js";
import {
  type ApiFailure,
  describeFailure,
  formFailure,
  readApiFailure,
} from "../errors/api-errors.js";
import { FormAlert, PasswordField, useFocusOnFailure } from "../forms/fields.js";
import { rich, useT } from "../i18n/index.js";
import { WithRules } from "../layout/gates.js";
import { PageHeading, usePageTitle } from "../layout/page.js";
import { tokenFromUrl } from "../routing/link-token.js";
import { paths, routes } from "../routing/paths.js";
import { Link, navigate } from "../routing/router.js";
import { useTRPC, useTRPCClient } from "../trpc.js";

type Step =
  | "VERIFICATION"
  | "SIGN_IN"
  | "PASSWORD_RESET"
  | "EMAIL_CHANGE"
  | "REAUTHENTICATION"
  | "EMAIL_CHANGE_UNDO";

/** Where a link's token waits while its owner signs in first (this tab only, never in a URL). */
const PENDING_LINK = "otp.pending-link";

/** The link's token: from the URL (routing/link-token.ts), or, back from signing in first, from this tab's storage. */
function linkToken(): string {
  return tokenFromUrl() ?? window.sessionStorage.getItem(PENDING_LINK) ?? "";
}

/**
 * The page of the link beside every code (`/link#token=…`). Opening it changes
 * nothing (mail scanners open links too): it asks the API what the link stands
 * for (`auth.describeLink`, which changes nothing) and says so; only the button
 * uses it (`auth.useLink`). Both send the token in a POST body, never in a URL.
 */
export function LinkPage() {
  const t = useT();
  usePageTitle(t.link.title);
  const [token, setToken] = useState(linkToken);
  // Another link opened in this tab changes only the fragment: no new page load.
  useEffect(() => {
    const follow = () => setToken(linkToken());
    window.addEventListener("hashchange", follow);
    return () => window.removeEventListener("hashchange", follow);
  }, []);
  const client = useTRPCClient();
  const described = useQuery({
    queryKey: ["auth.describeLink", token],
    queryFn: () => client.auth.describeLink.mutate({ token }),
    // A read that spends the per-IP guess budget: once per page, never again on focus.
    enabled: token !== "",
    retry: false,
    staleTime: Number.POSITIVE_INFINITY,
    refetchOnWindowFocus: false,
    refetchOnReconnect: false,
  });

  if (token === "" || described.isError) {
    const failure: ApiFailure =
      token === "" ? { code: "LINK_INVALID", fieldErrors: {} } : readApiFailure(described.error);
    return <LinkRefused failure={failure} />;
  }
  if (described.isPending) {
    return (
      <section className="card" aria-busy="true">
        <PageHeading>{t.link.title}</PageHeading>
        <p>{t.link.checking}</p>
      </section>
    );
  }
  const { step, email } = described.data;
  if (step === "PASSWORD_RESET") {
    return (
      <WithRules heading={t.link.steps.PASSWORD_RESET.heading}>
        {(rules) => (
          <ConfirmLink
            token={token}
            step={step}
            email={email}
            passwordHint={passwordRulesText(rules)}
          />
        )}
      </WithRules>
    );
  }
  return <ConfirmLink token={token} step={step} email={email} />;
}

/** A link that cannot be used: why, in the page's terms (a malformed token is an unusable link). */
function LinkRefused({ failure }: { failure: ApiFailure }) {
  const t = useT();
  const shown: ApiFailure =
    failure.code === "INVALID_INPUT" ? { code: "LINK_INVALID", fieldErrors: {} } : failure;
  return (
    <section className="card">
      <PageHeading>{t.link.title}</PageHeading>
      <div className="notice notice--error" role="alert">
        {describeFailure(shown, new Date(), { checked: "link" }).text}
      </div>
      <p className="aside">
        <Link to={paths.signIn()}>{t.link.goToSignIn}</Link>
      </p>
    </section>
  );
}

function ConfirmLink({
  token,
  step,
  email,
  passwordHint,
}: {
  token: string;
  step: Step;
  email: string;
  passwordHint?: string;
}) {
  const t = useT();
  const words = t.link.steps[step];
  const trpc = useTRPC();
  const session = useSession();
  const refreshSession = useRefreshSession();
  const [password, setPassword] = useState("");
  const passwordInput = useRef<HTMLInputElement>(null);
  const alert = useRef<HTMLDivElement>(null);
  const use = useMutation(
    trpc.auth.useLink.mutationOptions({
      // Where each step's code page goes once its code was accepted.
      onSuccess: async (outcome) => {
        window.sessionStorage.removeItem(PENDING_LINK);
        switch (outcome.step) {
          case "VERIFICATION":
            if (outcome.signedIn === true) {
              await refreshSession();
              navigate(paths.account("email-verified"), { replace: true });
            } else if (outcome.passwordActive !== true) {
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
            return;
          case "SIGN_IN":
            await refreshSession();
            navigate(paths.account(), { replace: true });
            return;
          case "PASSWORD_RESET":
            // Every session was revoked, this browser's included.
            await refreshSession();
            navigate(paths.signIn({ notice: "password-reset" }), {
              replace: true,
              state: { email: outcome.email },
            });
            return;
          case "EMAIL_CHANGE":
            await refreshSession();
            navigate(paths.account("email-changed"), { replace: true });
            return;
          case "REAUTHENTICATION":
            // Back to the step that asked for it.
            navigate(paths.changeEmail, { replace: true });
            return;
          case "EMAIL_CHANGE_UNDO":
            // Every session was ended, this browser's included.
            await refreshSession();
            navigate(paths.signIn({ notice: "email-change-undone" }), {
              replace: true,
              state: { email: outcome.email },
            });
            return;
        }
      },
    }),
  );
  const failure = use.error === null ? undefined : readApiFailure(use.error);
  const passwordProblem = formFailure(failure, ["newPassword"]).fields.newPassword;
  useFocusOnFailure(
    use.error,
    passwordProblem === undefined ? undefined : "newPassword",
    { newPassword: passwordInput },
    alert,
  );

  // An email-change or re-authentication link needs the account's session, as its code does.
  if ((step === "EMAIL_CHANGE" || step === "REAUTHENTICATION") && session.state === "signed-out") {
    return (
      <section className="card">
        <PageHeading>{words.heading}</PageHeading>
        <p className="lead">
          {rich(words.lead, { email: <strong className="address">{email}</strong> })}
        </p>
        <div className="notice notice--info">{t.link.signInFirst}</div>
        <p>
          <Link
            className="button button--primary"
            to={paths.signIn({ notice: "sign-in-needed", next: routes.link })}
            onClick={() => window.sessionStorage.setItem(PENDING_LINK, token)}
          >
            {t.link.goToSignIn}
          </Link>
        </p>
      </section>
    );
  }

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (use.isPending) return;
    use.mutate(step === "PASSWORD_RESET" ? { token, newPassword: password } : { token });
  };

  return (
    <section className="card">
      <PageHeading>{words.heading}</PageHeading>
      <p className="lead">
        {rich(words.lead, { email: <strong className="address">{email}</strong> })}
      </p>
      <p className="aside">{t.link.notYet}</p>
      <form onSubmit={submit} noValidate>
        <FormAlert
          ref={alert}
          message={
            failure === undefined || passwordProblem !== undefined
              ? undefined
              : describeFailure(failure, new Date(), { checked: "link" }).text
          }
        />
        {step === "PASSWORD_RESET" && (
          <>
            {/* Tells a password manager whose password this is. */}
            <input
              type="email"
              name="username"
              autoComplete="username"
              value={email}
              readOnly
              hidden
            />
            <PasswordField
              ref={passwordInput}
              label={t.fields.newPassword}
              name="newPassword"
              autoComplete="new-password"
              value={password}
              onChange={setPassword}
              error={passwordProblem}
              hint={passwordHint}
            />
          </>
        )}
        <button type="submit" className="button button--primary" aria-disabled={use.isPending}>
          {use.isPending ? words.pending : words.button}
        </button>
      </form>
      <p className="aside">
        <Link to={paths.signIn()}>{t.link.notNow}</Link>
      </p>
    </section>
  );
}
