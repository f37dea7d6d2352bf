import { useMutation } from "@tanstack/react-query";
import { type FormEvent, useRef, useState } from "react";
import { passwordRulesText, useRules } from "../api/rules.js";
import { formFailure, readApiFailure } from "../errors/api-errors.js";
import { EmailField, FormAlert, PasswordField, useFocusOnFailure } from "../forms/fields.js";
import { rich, useT } from "../i18n/index.js";
import { useLeaveWhenSignedIn } from "../layout/gates.js";
import { PageHeading, usePageTitle } from "../layout/page.js";
import { paths } from "../routing/paths.js";
import { Link, navigate } from "../routing/router.js";
import { useTRPC } from "../trpc.js";

export function CreateAccountPage() {
  const t = useT();
  usePageTitle(t.createAccount.title);
  useLeaveWhenSignedIn(paths.account());
  const trpc = useTRPC();
  const rules = useRules();
  const register = useMutation(
    trpc.auth.register.mutationOptions({
      onSuccess: ({ email }) =>
        navigate(paths.verify, { state: { email, codeSentAt: Date.now(), emailSent: true } }),
    }),
  );

  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const emailInput = useRef<HTMLInputElement>(null);
  const passwordInput = useRef<HTMLInputElement>(null);
  const formAlert = useRef<HTMLDivElement>(null);

  // Field messages show beside their field; anything else (or a field this form lacks) shows on top.
  const failure = formFailure(register.error ? readApiFailure(register.error) : undefined, [
    "email",
    "password",
  ]);
  useFocusOnFailure(
    register.error,
    failure.firstField,
    { email: emailInput, password: passwordInput },
    formAlert,
  );

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (register.isPending) return;
    register.mutate({ email: email.trim(), password });
  };

  return (
    <section className="card">
      <PageHeading>{t.createAccount.heading}</PageHeading>
      <p className="lead">{t.createAccount.lead}</p>

      <FormAlert ref={formAlert} message={failure.message} />

      <form onSubmit={submit} noValidate aria-busy={register.isPending}>
        <EmailField
          ref={emailInput}
          label={t.fields.email}
          name="email"
          value={email}
          onChange={setEmail}
          error={failure.fields.email}
        />
        <PasswordField
          ref={passwordInput}
          label={t.fields.password}
          name="password"
          autoComplete="new-password"
          value={password}
          onChange={setPassword}
          error={failure.fields.password}
          hint={rules.data ? passwordRulesText(rules.data) : undefined}
        />
        <button type="submit" className="button button--primary" aria-disabled={register.isPending}>
          {register.isPending ? t.createAccount.pending : t.createAccount.submit}
        </button>
      </form>

      <p className="aside">
        {rich(t.createAccount.haveAccount, {
          link: <Link to={paths.signIn()}>{t.createAccount.signIn}</Link>,
        })}
      </p>
    </section>
  );
}
