import { type FormEvent, useEffect, useRef, useState } from "react";
import { FORM_MESSAGES, formFailure, readApiFailure } from "../errors/api-errors.js";
import { useT } from "../i18n/index.js";
import { EmailField, FormAlert, useFocusOnFailure } from "./fields.js";

export interface EmailFormProps {
  label: string;
  /** The API's name for the field (its key in `fieldErrors`). */
  name: string;
  initialEmail?: string | null | undefined;
  submitLabel: string;
  pendingLabel: string;
  pending: boolean;
  /** The request's error, if it failed. */
  error: unknown;
  onEmail(email: string): void;
  /** A check the browser can make first; its message, or undefined to go ahead. */
  check?(email: string): string | undefined;
  /** The initial address is already known to be malformed: say so on arrival. */
  refuseAtOnce?: boolean;
}

/**
 * Whether the browser's own rule for `type="email"` accepts the address: a
 * first check before anything is shown for it (the API still has the last word).
 */
export function isWellFormedAddress(address: string): boolean {
  const probe = document.createElement("input");
  probe.type = "email";
  probe.value = address;
  return address !== "" && probe.validity.valid;
}

/** One email address, sent to the API: the first step of the verify, sign-in-by-code, reset and change flows. */
export function EmailForm({
  label,
  name,
  initialEmail,
  submitLabel,
  pendingLabel,
  pending,
  error,
  onEmail,
  check,
  refuseAtOnce = false,
}: EmailFormProps) {
  useT(); // its words (FORM_MESSAGES) follow the page's language
  const [email, setEmail] = useState(initialEmail ?? "");
  const [refused, setRefused] = useState<{ text: string } | undefined>(
    refuseAtOnce ? { text: FORM_MESSAGES.addressMalformed } : undefined,
  );
  const input = useRef<HTMLInputElement>(null);
  const alert = useRef<HTMLDivElement>(null);

  // The step's first field: focus goes here whenever the step shows.
  useEffect(() => {
    input.current?.focus();
  }, []);

  const failure = formFailure(
    error === null || error === undefined ? undefined : readApiFailure(error),
    [name],
  );
  const fieldMessage = refused?.text ?? failure.fields[name];
  useFocusOnFailure(error, failure.firstField, { [name]: input }, alert);
  useFocusOnFailure(refused, name, { [name]: input }, alert);

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (pending) return;
    const address = email.trim();
    const problem = isWellFormedAddress(address)
      ? check?.(address)
      : FORM_MESSAGES.addressMalformed;
    setRefused(problem === undefined ? undefined : { text: problem });
    if (problem === undefined) onEmail(address);
  };

  return (
    <>
      <FormAlert ref={alert} message={refused === undefined ? failure.message : undefined} />
      <form onSubmit={submit} noValidate aria-busy={pending}>
        <EmailField
          ref={input}
          label={label}
          name={name}
          value={email}
          onChange={setEmail}
          error={fieldMessage}
        />
        <button type="submit" className="button button--primary" aria-disabled={pending}>
          {pending ? pendingLabel : submitLabel}
        </button>
      </form>
    </>
  );
}
