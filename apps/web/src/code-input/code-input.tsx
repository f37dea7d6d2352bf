import {
  type ClipboardEvent,
  type CSSProperties,
  type Ref,
  type SyntheticEvent,
  useId,
  useImperativeHandle,
  useRef,
  useState,
} from "react";
import { normaliseCode, pasteIntoCode } from "./code-digits.js";

export interface CodeInputHandle {
  focus(): void;
}

export interface CodeInputProps {
  /** The digits typed so far (never more than `length`). */
  value: string;
  onChange(value: string): void;
  /** `auth.rules.codeLength`: the input's maxlength and the number of segments shown. */
  length: number;
  label: string;
  /** Ids of the elements that explain the input (hint, current error). */
  describedBy?: string | undefined;
  invalid?: boolean;
  /** While a check is in flight, or while codes are refused, the input takes no typing. */
  readOnly?: boolean;
  /**
   * The digits of the last try, refused: shown struck through in the empty
   * segments, so the person sees what was sent, until typing starts over them.
   */
  previous?: string | undefined;
  ref?: Ref<CodeInputHandle>;
}

/**
 * A code as ONE real input (one tab stop, one autofill target for
 * `one-time-code`, one field for a screen reader), drawn as a row of
 * segments. The segments only show the input's value: typing, paste and
 * autofill all go to the input, so it makes no difference where the person
 * clicks or which way focus arrives. The caret stays at the end, as in a row
 * of boxes filled left to right.
 */
export function CodeInput({
  value,
  onChange,
  length,
  label,
  describedBy,
  invalid = false,
  readOnly = false,
  previous,
  ref,
}: CodeInputProps) {
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  const [focused, setFocused] = useState(false);

  useImperativeHandle(ref, () => ({ focus: () => input.current?.focus() }), []);

  // A caret (not a selection: select-all then typing replaces the code) goes back to the end.
  const keepCaretAtEnd = (event: SyntheticEvent<HTMLInputElement>) => {
    const field = event.currentTarget;
    const end = field.value.length;
    if (field.selectionStart === field.selectionEnd && field.selectionStart !== end) {
      field.setSelectionRange(end, end);
    }
  };

  const onPaste = (event: ClipboardEvent<HTMLInputElement>) => {
    event.preventDefault();
    if (readOnly) return;
    onChange(pasteIntoCode(value, event.clipboardData.getData("text"), length));
  };

  const active = Math.min(value.length, length - 1);
  const ghost = value === "" && previous !== undefined ? previous.slice(0, length) : "";
  return (
    <div className="code-input">
      <label htmlFor={id} className="code-input__label">
        {label}
      </label>
      <div className="code-input__frame" style={{ "--cells": length } as CSSProperties}>
        <input
          ref={input}
          id={id}
          className="code-input__field"
          type="text"
          inputMode="numeric"
          pattern="[0-9]*"
          autoComplete="one-time-code"
          autoCapitalize="off"
          autoCorrect="off"
          spellCheck={false}
          maxLength={length}
          aria-invalid={invalid || undefined}
          aria-describedby={describedBy}
          readOnly={readOnly}
          value={value}
          // Autofill, IME and mobile keyboards may give full-width digits or spaces.
          onChange={(event) => onChange(normaliseCode(event.target.value, length))}
          onPaste={onPaste}
          onSelect={keepCaretAtEnd}
          onFocus={() => setFocused(true)}
          onBlur={() => setFocused(false)}
        />
        <div className="code-input__cells" aria-hidden="true">
          {Array.from({ length }, (_, index) => (
            <span
              // The cells never reorder; the position is the identity.
              // biome-ignore lint/suspicious/noArrayIndexKey: fixed-length list
              key={index}
              className="code-input__cell"
              data-active={focused && !readOnly && index === active ? "" : undefined}
              data-filled={index < value.length ? "" : undefined}
              data-previous={ghost[index] !== undefined ? "" : undefined}
            >
              {value[index] ?? ghost[index] ?? ""}
            </span>
          ))}
        </div>
      </div>
    </div>
  );
}
