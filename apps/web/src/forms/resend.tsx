import { describeFailure, readApiFailure } from "../errors/api-errors.js";

export const RESENT_FEEDBACK = "A new code was sent. Earlier codes no longer work.";

export interface ResendProps {
  onResend(): void;
  pending: boolean;
  /** The last request succeeded: say so (`role="status"`). */
  sent: boolean;
  /** The last request's error, if it failed. */
  error: unknown;
  /** The way out of the current error is a new code: the button becomes the primary one. */
  emphasised?: boolean;
}

/** "Send a new code", under every code form: a pending state, then the outcome announced. */
export function Resend({ onResend, pending, sent, error, emphasised = false }: ResendProps) {
  const message =
    error === null || error === undefined ? undefined : describeFailure(readApiFailure(error)).text;
  return (
    <div className="resend">
      <p className="resend__hint">
        No email? Check your spam folder, or ask for a new code. The newest code is the only one
        that works.
      </p>
      <button
        type="button"
        className={`button ${emphasised ? "button--primary" : "button--secondary"}`}
        aria-disabled={pending}
        onClick={() => {
          if (!pending) onResend();
        }}
      >
        {pending ? "Sending…" : "Send a new code"}
      </button>
      <div role="status" className="alert-slot">
        {sent && <p className="notice notice--success">{RESENT_FEEDBACK}</p>}
      </div>
      <div role="alert" className="alert-slot">
        {message !== undefined && <p className="notice notice--error">{message}</p>}
      </div>
    </div>
  );
}
