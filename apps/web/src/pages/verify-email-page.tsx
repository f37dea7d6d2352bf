import { useMutation, useQuery } from "@tanstack/react-query";
import { type FormEvent, useEffect, useId, useRef, useState } from "react";
import { emptyDigits, isComplete, joinDigits } from "../code-input/code-digits.js";
import { CodeInput, type CodeInputHandle } from "../code-input/code-input.js";
import {
  type ApiFailure,
  allFieldErrors,
  describeFailure,
  type FailureMessage,
  readApiFailure,
} from "../errors/api-errors.js";
import { PageHeading, usePageTitle } from "../layout/page.js";
import { paths } from "../routing/paths.js";
import { Link, navigate } from "../routing/router.js";
import { useTRPC } from "../trpc.js";

const RESENT_FEEDBACK = "A new code was sent. Earlier codes no longer work.";

export function VerifyEmailPage({ email }: { email: string | null }) {
  usePageTitle("Verify your email");
  const trpc = useTRPC();
  const rules = useQuery(trpc.auth.rules.queryOptions(undefined, { staleTime: Infinity }));

  if (email === null || email.trim() === "") return <AskForEmail />;
  if (rules.isPending) {
    return (
      <section className="card" aria-busy="true">
        <PageHeading>Check your email</PageHeading>
        <p className="lead">Loading…</p>
      </section>
    );
  }
  if (rules.isError) {
    return (
      <section className="card">
        <PageHeading>Check your email</PageHeading>
        <div className="notice notice--error" role="alert">
          {describeFailure(readApiFailure(rules.error)).text}
        </div>
        <button type="button" className="button" onClick={() => void rules.refetch()}>
          Try again
        </button>
      </section>
    );
  }
  return <VerifyForm key={email} email={email} codeLength={rules.data.codeLength} />;
}

function messageFor(failure: ApiFailure): FailureMessage {
  const described = describeFailure(failure);
  // A malformed code or address: the API's own words for the field say what is wrong.
  if (failure.code === "INVALID_INPUT") {
    const fields = allFieldErrors(failure);
    if (fields.length > 0) return { ...described, text: fields.join(" ") };
  }
  return described;
}

function VerifyForm({ email, codeLength }: { email: string; codeLength: number }) {
  const trpc = useTRPC();
  const [digits, setDigits] = useState(() => emptyDigits(codeLength));
  const [incomplete, setIncomplete] = useState(false);
  const codeInput = useRef<CodeInputHandle>(null);
  const errorId = useId();

  const verify = useMutation(
    trpc.auth.verifyEmail.mutationOptions({
      onSuccess: (result) => navigate(paths.verified(result.email)),
      onError: () => {
        // Start again from the first box; the message is announced (role="alert").
        setDigits(emptyDigits(codeLength));
        codeInput.current?.focus(0);
      },
    }),
  );
  const resend = useMutation(
    trpc.auth.resendCode.mutationOptions({
      onSuccess: () => {
        verify.reset();
        setDigits(emptyDigits(codeLength));
      },
    }),
  );
  // The dev procedure answers only in development; then the page links to the mailbox.
  const devMailbox = useQuery(
    trpc.dev.mailbox.queryOptions(undefined, {
      retry: false,
      staleTime: Infinity,
      select: () => true,
    }),
  );

  useEffect(() => {
    codeInput.current?.focus(0);
  }, []);

  const check = (code: string) => {
    if (verify.isPending) return;
    setIncomplete(false);
    verify.mutate({ email, code });
  };

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (isComplete(digits)) {
      check(joinDigits(digits));
    } else {
      setIncomplete(true);
      codeInput.current?.focus(Math.max(0, digits.indexOf("")));
    }
  };

  const sendNewCode = () => {
    if (resend.isPending) return;
    resend.mutate({ email });
  };

  const verifyMessage = verify.error ? messageFor(readApiFailure(verify.error)) : undefined;
  const resendMessage = resend.error
    ? describeFailure(readApiFailure(resend.error)).text
    : undefined;
  const errorText = incomplete
    ? `Enter all ${codeLength} digits of the code.`
    : verifyMessage?.text;

  return (
    <section className="card">
      <PageHeading takeFocus={false}>Check your email</PageHeading>
      <p className="lead">
        Enter the {codeLength}-digit code we sent to <strong className="address">{email}</strong> to
        verify your address.
      </p>

      <form onSubmit={submit} noValidate aria-busy={verify.isPending}>
        <CodeInput
          ref={codeInput}
          digits={digits}
          onDigitsChange={(next) => {
            setDigits(next);
            if (incomplete) setIncomplete(false);
          }}
          onComplete={check}
          legend={`Verification code (${codeLength} digits)`}
          errorId={errorText !== undefined ? errorId : undefined}
          invalid={errorText !== undefined}
          busy={verify.isPending}
        />
        {/* Always present, so a new message in it is announced. */}
        <div id={errorId} role="alert" className="alert-slot">
          {errorText !== undefined && <p className="notice notice--error">{errorText}</p>}
        </div>
        <button type="submit" className="button button--primary" aria-disabled={verify.isPending}>
          {verify.isPending ? "Checking…" : "Verify email"}
        </button>
      </form>

      <div className="resend">
        <p className="resend__hint">
          No email? Check your spam folder, or ask for a new code. The newest code is the only one
          that works.
        </p>
        <button
          type="button"
          className={`button ${verifyMessage?.offerResend ? "button--primary" : "button--secondary"}`}
          aria-disabled={resend.isPending}
          onClick={sendNewCode}
        >
          {resend.isPending ? "Sending…" : "Send a new code"}
        </button>
        <div role="status" className="alert-slot">
          {resend.isSuccess && <p className="notice notice--success">{RESENT_FEEDBACK}</p>}
        </div>
        <div role="alert" className="alert-slot">
          {resendMessage !== undefined && <p className="notice notice--error">{resendMessage}</p>}
        </div>
      </div>

      <p className="aside">
        Wrong address? <Link to={paths.createAccount}>Create the account again</Link>.
      </p>
      {devMailbox.data === true && (
        <p className="dev-note">
          Development: read the code in the{" "}
          <a href={paths.mailbox} target="_blank" rel="noopener">
            dev mailbox
          </a>{" "}
          (opens in a new tab).
        </p>
      )}
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
