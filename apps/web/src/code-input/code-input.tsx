import {
  type ClipboardEvent,
  type KeyboardEvent,
  type ReactNode,
  type Ref,
  useImperativeHandle,
  useRef,
} from "react";
import {
  applyText,
  backspace,
  type CodeInputState,
  clearAt,
  isComplete,
  isNavigationKey,
  joinDigits,
  moveFocus,
} from "./code-digits.js";

export interface CodeInputHandle {
  focus(index?: number): void;
}

export interface CodeInputProps {
  /** One entry per box; its length is the code length. */
  digits: string[];
  onDigitsChange(digits: string[]): void;
  /** Called when a change leaves every box filled. */
  onComplete(code: string): void;
  legend: ReactNode;
  /** The id of the element that explains the current error, if any. */
  errorId?: string | undefined;
  invalid?: boolean;
  /** While a check is in flight the boxes keep focus but take no input. */
  busy?: boolean;
  ref?: Ref<CodeInputHandle>;
}

/** Selected, so the next digit typed replaces the one in the box. */
function focusAndSelect(box: HTMLInputElement | null | undefined): void {
  box?.focus();
  box?.select();
}

/**
 * A code as one box per digit. All the editing rules live in code-digits.ts;
 * this component wires them to keys, paste and focus.
 */
export function CodeInput({
  digits,
  onDigitsChange,
  onComplete,
  legend,
  errorId,
  invalid = false,
  busy = false,
  ref,
}: CodeInputProps) {
  const boxes = useRef<(HTMLInputElement | null)[]>([]);
  const length = digits.length;

  const focusBox = (index: number) => focusAndSelect(boxes.current[index]);

  useImperativeHandle(
    ref,
    () => ({ focus: (index = 0) => focusAndSelect(boxes.current[index]) }),
    [],
  );

  const commit = (state: CodeInputState) => {
    const code = joinDigits(state.digits);
    const changed = code !== joinDigits(digits);
    onDigitsChange(state.digits);
    focusBox(state.focusIndex);
    if (changed && isComplete(state.digits)) onComplete(code);
  };

  const onKeyDown = (index: number) => (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.metaKey || event.ctrlKey || event.altKey) return;
    if (isNavigationKey(event.key)) {
      event.preventDefault();
      focusBox(moveFocus(length, index, event.key));
    } else if (busy && event.key !== "Tab" && event.key !== "Enter") {
      event.preventDefault();
    } else if (event.key === "Backspace") {
      event.preventDefault();
      commit(backspace(digits, index));
    } else if (event.key === "Delete") {
      event.preventDefault();
      commit(clearAt(digits, index));
    } else if (/^[0-9]$/.test(event.key)) {
      // Handled here rather than in onChange so a box that already holds the
      // same digit still moves focus on.
      event.preventDefault();
      commit(applyText(digits, index, event.key));
    }
  };

  const onPaste = (index: number) => (event: ClipboardEvent<HTMLInputElement>) => {
    event.preventDefault();
    if (busy) return;
    commit(applyText(digits, index, event.clipboardData.getData("text")));
  };

  return (
    <fieldset className="code-input">
      <legend>{legend}</legend>
      <div className="code-input__boxes">
        {digits.map((digit, index) => (
          <input
            // The boxes never reorder; the position is the identity.
            // biome-ignore lint/suspicious/noArrayIndexKey: fixed-length list
            key={index}
            ref={(element) => {
              boxes.current[index] = element;
            }}
            className="code-input__box"
            type="text"
            inputMode="numeric"
            pattern="[0-9]*"
            autoComplete={index === 0 ? "one-time-code" : "off"}
            aria-label={`Digit ${index + 1} of ${length}`}
            aria-invalid={invalid || undefined}
            aria-describedby={errorId}
            readOnly={busy}
            value={digit}
            onKeyDown={onKeyDown(index)}
            onPaste={onPaste(index)}
            // Autofill (one-time-code), mobile keyboards and IME input arrive here.
            onChange={(event) => commit(applyText(digits, index, event.target.value))}
            onFocus={(event) => event.target.select()}
          />
        ))}
      </div>
    </fieldset>
  );
}
