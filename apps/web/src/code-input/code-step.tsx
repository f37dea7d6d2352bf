import { type ReactNode, useEffect, useMemo, useRef, useState } from "react";
import {
  type ApiFailure,
  codeMessage,
  codesRefusedUntil,
  describeFailure,
  FORM_MESSAGES,
  readApiFailure,
} from "../errors/api-errors.js";
import { Resend } from "../forms/resend.js";
import { useT } from "../i18n/index.js";
import { type PageState, updatePageState } from "../routing/router.js";
import { useNow } from "../time/use-now.js";
import { CodeForm, type CodeFormHandle } from "./code-form.js";

/** What a code step needs of a call (a react-query mutation fits). */
export interface CallState {
  isPending: boolean;
  isSuccess: boolean;
  error: unknown;
  /** When the last call started (0 before the first): the later of two calls speaks. */
  submittedAt: number;
  reset(): void;
}

export interface CodeStepProps {
  codeLength: number;
  /** `auth.rules.sendCooldownSeconds`: the wait after each send, counted down on the button. */
  cooldownSeconds: number;
  /** The page's history state: when the code was sent, and any wait the API asked for. */
  state: PageState;
  label: string;
  submitLabel: string;
  pendingLabel: string;
  check: CallState;
  onCode(code: string): void;
  /**
   * The check's failure when it is about the code (the default, when left
   * out: every failure); a form with other fields passes only the failures
   * of the code, and null for the others.
   */
  codeError?: unknown;
  resend: CallState;
  onResend(): void;
  autoSubmit?: boolean;
  onFilled?(): void;
  children?: ReactNode;
}

/**
 * The code step every flow shares: the code form and Send a new code, with
 * one rule for what they say. The later of the two calls speaks (a new code
 * sent clears the last refusal; a refusal clears "A new code was sent"); a
 * message goes when the state it describes ends (a countdown reaching zero, a
 * lockout running out); while the attempt budget is spent the input is
 * read-only until the API's `retryAt`, kept in the history entry so a reload
 * keeps it too.
 */
export function CodeStep({
  codeLength,
  cooldownSeconds,
  state,
  check,
  onCode,
  codeError = check.error,
  resend,
  onResend,
  ...form
}: CodeStepProps) {
  useT(); // its messages follow the page's language
  const codeForm = useRef<CodeFormHandle>(null);
  const [accountLocked, setAccountLocked] = useState(false);

  // Worded once per failure, at its time: a message in an alert region must not change every second.
  const codeFailure = useMemo(
    () => (isError(codeError) ? withTime(readApiFailure(codeError)) : undefined),
    [codeError],
  );
  const resendFailure = useMemo(
    () => (isError(resend.error) ? withTime(readApiFailure(resend.error)) : undefined),
    [resend.error],
  );

  // The attempt budget outlives a code (a new code does not reset it), so after a
  // resend the attempts left are still said; a lockout ends the count.
  const [attemptsLeft, setAttemptsLeft] = useState<number | undefined>();

  useEffect(() => {
    if (codeFailure === undefined) return;
    const { failure } = codeFailure;
    const until = codesRefusedUntil(failure);
    if (until !== undefined) updatePageState({ codeLockedUntil: until.getTime() });
    if (failure.code === "ACCOUNT_LOCKED") setAccountLocked(true);
    if (failure.code === "OTP_INVALID" && (failure.attemptsLeft ?? 0) > 0) {
      setAttemptsLeft(failure.attemptsLeft);
    } else if (until !== undefined || failure.code === "ACCOUNT_LOCKED") {
      setAttemptsLeft(undefined);
    }
  }, [codeFailure]);

  useEffect(() => {
    const failure = resendFailure?.failure;
    if (failure?.code === "SEND_LIMIT_REACHED" && failure.retryAt !== undefined) {
      updatePageState({ resendBlockedUntil: failure.retryAt.getTime() });
    }
  }, [resendFailure]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: once per successful send
  useEffect(() => {
    if (!resend.isSuccess) return;
    check.reset();
    codeForm.current?.clear();
    updatePageState({ codeSentAt: Date.now(), resendBlockedUntil: 0 });
  }, [resend.isSuccess, resend.submittedAt]);

  const resendAt = Math.max(
    (state.codeSentAt ?? 0) + cooldownSeconds * 1000,
    state.resendBlockedUntil ?? 0,
  );
  const lockedUntil = state.codeLockedUntil ?? 0;
  const counting = Math.max(resendAt, lockedUntil) > Date.now();
  const now = useNow(counting ? 1000 : null);
  const nowMs = Math.max(now.getTime(), Date.now());
  const codesLocked = lockedUntil > nowMs;

  const codeSpeaks = check.submittedAt >= resend.submittedAt && check.submittedAt > 0;
  let message: string | undefined;
  let status: string | undefined;
  const lockNotice = codesLocked ? FORM_MESSAGES.codesRefused(new Date(lockedUntil)) : undefined;
  if (accountLocked) {
    message = describeFailure({ code: "ACCOUNT_LOCKED", fieldErrors: {} }).text;
  } else if (codeFailure !== undefined && codeSpeaks) {
    const isLockout = codesRefusedUntil(codeFailure.failure) !== undefined;
    if (isLockout && !codesLocked) status = FORM_MESSAGES.codesAllowedAgain;
    else message = codeMessage(codeFailure.failure, codeFailure.at).text;
  } else if (lockNotice !== undefined && !resend.isSuccess) {
    // After a reload, or after a resend failed: the wait is still true, so it is still said.
    status = lockNotice;
  }

  const resendSpeaks = resend.submittedAt > check.submittedAt;
  const resendStatus =
    resendSpeaks && resend.isSuccess
      ? [
          FORM_MESSAGES.codeResent,
          attemptsLeft === undefined || codesLocked
            ? undefined
            : FORM_MESSAGES.attemptsStillLeft(attemptsLeft),
          lockNotice,
        ]
          .filter(Boolean)
          .join(" ")
      : undefined;
  const resendError =
    resendSpeaks &&
    resendFailure !== undefined &&
    // A wait that is over is no longer worth saying.
    !(resendFailure.failure.code === "SEND_LIMIT_REACHED" && resendAt <= nowMs)
      ? describeFailure(resendFailure.failure, resendFailure.at).text
      : undefined;
  const offerResend =
    codeSpeaks && codeFailure !== undefined && codeMessage(codeFailure.failure).offerResend;

  return (
    <>
      <CodeForm
        ref={codeForm}
        codeLength={codeLength}
        pending={check.isPending}
        locked={codesLocked || accountLocked}
        message={message}
        status={status}
        rejection={codeFailure}
        onCode={onCode}
        {...form}
      />
      <Resend
        onResend={onResend}
        pending={resend.isPending}
        waitMs={Math.max(0, resendAt - nowMs)}
        status={resendStatus}
        statusKey={resend.submittedAt}
        error={resendError}
        emphasised={offerResend}
      />
    </>
  );
}

function isError(error: unknown): boolean {
  return error !== null && error !== undefined;
}

function withTime(failure: ApiFailure): { failure: ApiFailure; at: Date } {
  return { failure, at: new Date() };
}
