import { useT } from "../i18n/index.js";
import { formatCountdown } from "../time/retry-time.js";

export interface ResendProps {
  onResend(): void;
  pending: boolean;
  /** How long until a new code can be asked for (a cool-down or the hour's cap); 0 when it can now. */
  waitMs: number;
  /** The outcome of the last request, while it is still true: announced (`role="status"`). */
  status?: string | undefined;
  /** Changes with each request, so the same status is announced again. */
  statusKey?: number;
  /** The last request's error, while it is still true. */
  error?: string | undefined;
  /** The way out of the current error is a new code: the button becomes the primary one. */
  emphasised?: boolean;
}

/**
 * "Send a new code", under every code form: a pending state, a countdown
 * while a new code cannot be had ("Send a new code (27 s)"), then the outcome
 * announced.
 */
export function Resend({
  onResend,
  pending,
  waitMs,
  status,
  statusKey,
  error,
  emphasised = false,
}: ResendProps) {
  const t = useT();
  const waiting = waitMs > 0;
  const unavailable = pending || waiting;
  let label = t.code.sendNewCode;
  if (pending) label = t.code.sending;
  else if (waiting) label = t.code.sendNewCodeIn(formatCountdown(waitMs));
  return (
    <div className="resend">
      <p className="resend__hint">{t.code.noEmail}</p>
      <button
        type="button"
        className={`button ${emphasised && !waiting ? "button--primary" : "button--secondary"}`}
        // Not `disabled`: the button keeps focus and stays in the tab order while it counts down.
        aria-disabled={unavailable}
        onClick={() => {
          if (!unavailable) onResend();
        }}
      >
        {label}
      </button>
      <div role="status" className="alert-slot">
        {status !== undefined && (
          <p key={statusKey} className="notice notice--success">
            {status}
          </p>
        )}
      </div>
      <div role="alert" className="alert-slot">
        {error !== undefined && <p className="notice notice--error">{error}</p>}
      </div>
    </div>
  );
}
