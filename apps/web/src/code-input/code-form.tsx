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
import { useT } from "../i18n/index.js";
import { isComplete } from "./code-digits.js";
import { CodeInput, type CodeInputHandle } from "./code-input.js";

export interface CodeFormHandle {
  /** Empties the input and forgets the refused try (after a new code was sent). */
  clear(): void;
}

export interface CodeFormProps {
  /** `auth.rules.codeLength`. */
  codeLength: number;
  label: string;
  submitLabel: string;
  /** The button's words while the code is checked. */
  pendingLabel: string;
  pending: boolean;
  /** Codes are refused for now (lockout): the input is read-only and nothing is sent. */
  locked?: boolean;
  /** What went wrong, worded by the error module; shown under the input in `role="alert"`. */
  message?: string | undefined;
  /** What is true now, e.g. that codes can be entered again; shown in `role="status"`. */
  status?: string | undefined;
  /**
   * Changes each time the code is refused: the input empties and takes focus,
   * and the refused digits stay in view (struck through) until typing starts.
   */
  rejection?: unknown;
  onCode(code: string): void;
  /**
   * Check the code as soon as it is complete (the default). Forms with more
   * to fill in (a new password) get `onFilled` instead, to move on.
   */
  autoSubmit?: boolean;
  onFilled?(): void;
  /** More fields, between the code and the button. */
  children?: ReactNode;
  ref?: Ref<CodeFormHandle>;
}

/**
 * A form around the code input: focus in it on arrival, a check when it is
 * complete, the message for an incomplete code, and the input emptied and
 * focused after a refusal.
 */
export function CodeForm({
  codeLength,
  label,
  submitLabel,
  pendingLabel,
  pending,
  locked = false,
  message,
  status,
  rejection,
  onCode,
  autoSubmit = true,
  onFilled,
  children,
  ref,
}: CodeFormProps) {
  useT(); // its words (FORM_MESSAGES) follow the page's language
  const [code, setCode] = useState("");
  const [incomplete, setIncomplete] = useState(false);
  const [refused, setRefused] = useState<string | undefined>();
  const lastChecked = useRef<string | undefined>(undefined);
  const codeInput = useRef<CodeInputHandle>(null);
  const errorId = useId();

  useImperativeHandle(
    ref,
    () => ({
      clear: () => {
        setCode("");
        setIncomplete(false);
        setRefused(undefined);
      },
    }),
    [],
  );

  useEffect(() => {
    codeInput.current?.focus();
  }, []);

  useEffect(() => {
    if (rejection === null || rejection === undefined) return;
    // Start again, with the refused digits in view; the message is announced
    // (role="alert") and describes the input.
    setRefused(lastChecked.current);
    setCode("");
    codeInput.current?.focus();
  }, [rejection]);

  const check = (value: string) => {
    if (pending || locked) return;
    setIncomplete(false);
    lastChecked.current = value;
    onCode(value);
  };

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (locked) return;
    if (isComplete(code, codeLength)) {
      check(code);
    } else {
      setIncomplete(true);
      codeInput.current?.focus();
    }
  };

  // A refusal's words (the attempts left) stay when the hint for an incomplete code joins them.
  const hint = incomplete ? FORM_MESSAGES.codeIncomplete(codeLength) : undefined;
  const hasError = message !== undefined || hint !== undefined;

  return (
    <form onSubmit={submit} noValidate aria-busy={pending}>
      <CodeInput
        ref={codeInput}
        value={code}
        length={codeLength}
        label={label}
        onChange={(next) => {
          const completed = next !== code && isComplete(next, codeLength);
          setCode(next);
          if (incomplete) setIncomplete(false);
          if (!completed) return;
          if (autoSubmit) check(next);
          else onFilled?.();
        }}
        describedBy={hasError ? errorId : undefined}
        invalid={hasError}
        readOnly={pending || locked}
        previous={refused}
      />
      {/* Always present, so a new message in it is announced. */}
      <div id={errorId} role="alert" className="alert-slot">
        {hasError && (
          <div className="notice notice--error">
            {message !== undefined && <p>{message}</p>}
            {hint !== undefined && <p>{hint}</p>}
          </div>
        )}
      </div>
      <div role="status" className="alert-slot">
        {status !== undefined && <p className="notice notice--info">{status}</p>}
      </div>
      {children}
      <button type="submit" className="button button--primary" aria-disabled={pending || locked}>
        {pending ? pendingLabel : submitLabel}
      </button>
    </form>
  );
}
