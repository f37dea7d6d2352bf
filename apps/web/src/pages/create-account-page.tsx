import { useMutation, useQuery } from "@tanstack/react-query";
import { type FormEvent, useEffect, useId, useRef, useState } from "react";
import {
  type ApiFailure,
  allFieldErrors,
  describeFailure,
  fieldError,
  readApiFailure,
} from "../errors/api-errors.js";
import { PageHeading, usePageTitle } from "../layout/page.js";
import { paths } from "../routing/paths.js";
import { navigate } from "../routing/router.js";
import { useTRPC } from "../trpc.js";

export function CreateAccountPage() {
  usePageTitle("Create account");
  const trpc = useTRPC();
  const rules = useQuery(trpc.auth.rules.queryOptions(undefined, { staleTime: Infinity }));
  const register = useMutation(
    trpc.auth.register.mutationOptions({
      onSuccess: ({ email }) => navigate(paths.verify(email)),
    }),
  );

  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [showPassword, setShowPassword] = useState(false);
  const emailInput = useRef<HTMLInputElement>(null);
  const passwordInput = useRef<HTMLInputElement>(null);
  const formAlert = useRef<HTMLDivElement>(null);
  const ids = { email: useId(), password: useId(), rules: useId() };

  const failure: ApiFailure | undefined = register.error
    ? readApiFailure(register.error)
    : undefined;
  const errors = { email: fieldError(failure, "email"), password: fieldError(failure, "password") };
  const hasFieldErrors = errors.email !== undefined || errors.password !== undefined;
  // Field messages show beside their field; anything else (or a field this form lacks) shows on top.
  const formMessage =
    failure === undefined || hasFieldErrors
      ? undefined
      : allFieldErrors(failure).join(" ") || describeFailure(failure).text;

  // After a failed attempt, focus goes to the first field to fix, or to the message.
  useEffect(() => {
    if (!register.isError) return;
    if (errors.email !== undefined) emailInput.current?.focus();
    else if (errors.password !== undefined) passwordInput.current?.focus();
    else formAlert.current?.focus();
  }, [register.isError, errors.email, errors.password]);

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (register.isPending) return;
    register.mutate({ email: email.trim(), password });
  };

  const passwordRules = rules.data
    ? `Use ${rules.data.passwordMinLength} to ${rules.data.passwordMaxLength} characters. A long passphrase is best.`
    : undefined;

  return (
    <section className="card">
      <PageHeading>Create your account</PageHeading>
      <p className="lead">We will email you a code to confirm the address.</p>

      {formMessage !== undefined && (
        <div ref={formAlert} tabIndex={-1} className="notice notice--error" role="alert">
          {formMessage}
        </div>
      )}

      <form onSubmit={submit} noValidate aria-busy={register.isPending}>
        <div className="field">
          <label htmlFor={ids.email}>Email address</label>
          <input
            ref={emailInput}
            id={ids.email}
            name="email"
            type="email"
            autoComplete="email"
            autoCapitalize="off"
            spellCheck={false}
            required
            value={email}
            onChange={(event) => setEmail(event.target.value)}
            aria-invalid={errors.email !== undefined || undefined}
            aria-describedby={errors.email !== undefined ? `${ids.email}-error` : undefined}
          />
          {errors.email !== undefined && (
            <p id={`${ids.email}-error`} className="field__error" role="alert">
              {errors.email}
            </p>
          )}
        </div>

        <div className="field">
          <label htmlFor={ids.password}>Password</label>
          <div className="field__row">
            <input
              ref={passwordInput}
              id={ids.password}
              name="password"
              type={showPassword ? "text" : "password"}
              autoComplete="new-password"
              required
              value={password}
              onChange={(event) => setPassword(event.target.value)}
              aria-invalid={errors.password !== undefined || undefined}
              aria-describedby={
                [
                  passwordRules !== undefined ? ids.rules : "",
                  errors.password !== undefined ? `${ids.password}-error` : "",
                ]
                  .filter(Boolean)
                  .join(" ") || undefined
              }
            />
            <button
              type="button"
              className="button button--quiet"
              aria-controls={ids.password}
              aria-label={showPassword ? "Hide password" : "Show password"}
              onClick={() => setShowPassword((shown) => !shown)}
            >
              {showPassword ? "Hide" : "Show"}
            </button>
          </div>
          {passwordRules !== undefined && (
            <p id={ids.rules} className="field__hint">
              {passwordRules}
            </p>
          )}
          {errors.password !== undefined && (
            <p id={`${ids.password}-error`} className="field__error" role="alert">
              {errors.password}
            </p>
          )}
        </div>

        <button type="submit" className="button button--primary" aria-disabled={register.isPending}>
          {register.isPending ? "Creating account…" : "Create account"}
        </button>
      </form>
    </section>
  );
}
