import {
  type FormEvent,
  type ReactNode,
  type Ref,
  useEffect,
  useId,
  useImperativeHandle,
  useRef,
  useState,
} from "react";
import { FORM_MESSAGES } from "../errors/api-errors.js";
import { emptyDigits, isComplete, joinDigits } from "./code-digits.js";
import { CodeInput, type CodeInputHandle } from "./code-input.js";

export interface CodeFormHandle {
  /** Empties the boxes (after a new code was sent). */
  clear(): void;
}

export interface CodeFormProps {
  /** `auth.rules.codeLength`: one box per digit. */
  codeLength: number;
  legend: string;
  submitLabel: string;
  /** The button's words while the code is checked. */
  pendingLabel: string;
  pending: boolean;
  /** What went wrong, worded by the error module; shown under the boxes in `role="alert"`. */
  message?: string | undefined;
  /** Changes each time the code is refused: the boxes empty and focus returns to the first. */
  rejection?: unknown;
  onCode(code: string): void;
  /**
   * Check the code as soon as the last box fills (the default). Forms with
   * more to fill in (a new password) get `onFilled` instead, to move on.
   */
  autoSubmit?: boolean;
  onFilled?(): void;
  /** More fields, between the code and the button. */
  children?: ReactNode;
  ref?: Ref<CodeFormHandle>;
}

/**
 * A form around the code input: focus in the first box on arrival, a check
 * when the boxes fill, the message for an incomplete code, and the boxes
 * emptied with focus back in the first after a refusal.
 */
export function CodeForm({
  codeLength,
  legend,
  submitLabel,
  pendingLabel,
  pending,
  message,
  rejection,
  onCode,
  autoSubmit = true,
  onFilled,
  children,
  ref,
}: CodeFormProps) {
  const [digits, setDigits] = useState(() => emptyDigits(codeLength));
  const [incomplete, setIncomplete] = useState(false);
  const codeInput = useRef<CodeInputHandle>(null);
  const errorId = useId();

  useImperativeHandle(
    ref,
    () => ({
      clear: () => {
        setDigits(emptyDigits(codeLength));
        setIncomplete(false);
      },
    }),
    [codeLength],
  );

  useEffect(() => {
    codeInput.current?.focus(0);
  }, []);

  useEffect(() => {
    if (rejection === null || rejection === undefined) return;
    // Start again from the first box; the message is announced (role="alert").
    setDigits(emptyDigits(codeLength));
    codeInput.current?.focus(0);
  }, [rejection, codeLength]);

  const check = (code: string) => {
    if (pending) return;
    setIncomplete(false);
    onCode(code);
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

  const errorText = incomplete ? FORM_MESSAGES.codeIncomplete(codeLength) : message;

  return (
    <form onSubmit={submit} noValidate aria-busy={pending}>
      <CodeInput
        ref={codeInput}
        digits={digits}
        onDigitsChange={(next) => {
          setDigits(next);
          if (incomplete) setIncomplete(false);
        }}
        onComplete={autoSubmit ? check : () => onFilled?.()}
        legend={legend}
        errorId={errorText !== undefined ? errorId : undefined}
        invalid={errorText !== undefined}
        busy={pending}
      />
      {/* Always present, so a new message in it is announced. */}
      <div id={errorId} role="alert" className="alert-slot">
        {errorText !== undefined && <p className="notice notice--error">{errorText}</p>}
      </div>
      {children}
      <button type="submit" className="button button--primary" aria-disabled={pending}>
        {pending ? pendingLabel : submitLabel}
      </button>
    </form>
  );
}
