/**
 * The form fields every page shares: a label, the input with its autocomplete
 * token, a hint, and the API's words for the field in `role="alert"`, tied to
 * the input by aria-describedby and aria-invalid.
 */
import { type ReactNode, type Ref, type RefObject, useEffect, useId, useState } from "react";
import { useT } from "../i18n/index.js";

interface FieldProps {
  label: string;
  /** The name the API gives the field (its key in `fieldErrors`). */
  name: string;
  value: string;
  onChange(value: string): void;
  /** The API's words for this field, when it is at fault. */
  error?: string | undefined;
  hint?: ReactNode;
  ref?: Ref<HTMLInputElement>;
}

function describedBy(...ids: (string | false)[]): string | undefined {
  return ids.filter(Boolean).join(" ") || undefined;
}

function FieldMessages({ id, hint, error }: { id: string; hint: ReactNode; error?: string }) {
  return (
    <>
      {hint !== undefined && (
        <p id={`${id}-hint`} className="field__hint">
          {hint}
        </p>
      )}
      {error !== undefined && (
        <p id={`${id}-error`} className="field__error" role="alert">
          {error}
        </p>
      )}
    </>
  );
}

export function EmailField({ label, name, value, onChange, error, hint, ref }: FieldProps) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        ref={ref}
        id={id}
        name={name}
        type="email"
        autoComplete="email"
        autoCapitalize="off"
        spellCheck={false}
        required
        value={value}
        onChange={(event) => onChange(event.target.value)}
        aria-invalid={error !== undefined || undefined}
        aria-describedby={describedBy(
          hint !== undefined && `${id}-hint`,
          error !== undefined && `${id}-error`,
        )}
      />
      <FieldMessages id={id} hint={hint} error={error} />
    </div>
  );
}

export interface PasswordFieldProps extends FieldProps {
  /** `current-password` to sign in, `new-password` to choose one (password managers offer to save it). */
  autoComplete: "current-password" | "new-password";
}

/** A password with a Show/Hide button beside it. */
export function PasswordField({
  label,
  name,
  value,
  onChange,
  error,
  hint,
  ref,
  autoComplete,
}: PasswordFieldProps) {
  const t = useT();
  const id = useId();
  const [shown, setShown] = useState(false);
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <div className="field__row">
        <input
          ref={ref}
          id={id}
          name={name}
          type={shown ? "text" : "password"}
          autoComplete={autoComplete}
          required
          value={value}
          onChange={(event) => onChange(event.target.value)}
          aria-invalid={error !== undefined || undefined}
          aria-describedby={describedBy(
            hint !== undefined && `${id}-hint`,
            error !== undefined && `${id}-error`,
          )}
        />
        <button
          type="button"
          className="button button--quiet"
          aria-controls={id}
          aria-label={shown ? t.fields.hidePassword : t.fields.showPassword}
          onClick={() => setShown((now) => !now)}
        >
          {shown ? t.fields.hide : t.fields.show}
        </button>
      </div>
      <FieldMessages id={id} hint={hint} error={error} />
    </div>
  );
}

/** A form-wide error: focusable, so focus can go to it after a failure. */
export function FormAlert({
  message,
  ref,
}: {
  message: string | undefined;
  ref?: Ref<HTMLDivElement>;
}) {
  if (message === undefined) return null;
  return (
    <div ref={ref} tabIndex={-1} className="notice notice--error" role="alert">
      {message}
    </div>
  );
}

/**
 * After each failure (`error` changes), focus goes to the field to fix, or
 * else to the form's message, which is then read out.
 */
export function useFocusOnFailure<F extends string>(
  error: unknown,
  field: F | undefined,
  fields: Partial<Record<F, RefObject<HTMLElement | null>>>,
  message: RefObject<HTMLElement | null>,
): void {
  // biome-ignore lint/correctness/useExhaustiveDependencies: once per failure, not per render
  useEffect(() => {
    if (error === null || error === undefined) return;
    const target = field === undefined ? undefined : fields[field];
    (target?.current ?? message.current)?.focus();
  }, [error]);
}
