import type { PasscodePolicy } from "./policy.js";

/**
 * The per-recipient send cap: at most `maxSendsPerWindow` emails per fixed
 * window opened by the first send, whatever their code types, and, when a
 * cooldown is configured, a minimum gap between two sends of the same code
 * type (someone who has just verified can ask for a sign-in code at once).
 * With the default cooldown of 0 an immediate second resend succeeds, as the
 * product's rules require. The repository applies this rule in one
 * conditional upsert; this is its model.
 */
export interface SendWindow {
  windowStartedAt: Date;
  sentCount: number;
  lastSentAt: Date;
}

/**
 * Why a send was refused: the minimum gap since the last send has not passed
 * (COOLDOWN), or the window's cap is used up (HOURLY_CAP; the window is an
 * hour by default). Clients word the two differently.
 */
export const SEND_LIMIT_REASONS = ["COOLDOWN", "HOURLY_CAP"] as const;
export type SendLimitReason = (typeof SEND_LIMIT_REASONS)[number];

export type SendDecision =
  | { allowed: true; next: SendWindow }
  | { allowed: false; retryAt: Date; reason: SendLimitReason };

export function sendWindowCutoff(now: Date, policy: PasscodePolicy): Date {
  return new Date(now.getTime() - policy.sendWindowSeconds * 1000);
}

export function sendCooldownCutoff(now: Date, policy: PasscodePolicy): Date {
  return new Date(now.getTime() - policy.sendCooldownSeconds * 1000);
}

/**
 * @param current the recipient's window (every code type)
 * @param lastOfType when the recipient was last sent a code of the requested type, if known
 */
export function decideSend(
  current: SendWindow | null,
  lastOfType: Date | null,
  now: Date,
  policy: PasscodePolicy,
): SendDecision {
  const windowOver =
    current === null ||
    current.windowStartedAt.getTime() <= sendWindowCutoff(now, policy).getTime();
  if (lastOfType !== null && policy.sendCooldownSeconds > 0) {
    const cooldownEnds = lastOfType.getTime() + policy.sendCooldownSeconds * 1000;
    if (now.getTime() < cooldownEnds) {
      return { allowed: false, retryAt: new Date(cooldownEnds), reason: "COOLDOWN" };
    }
  }
  if (windowOver) {
    return { allowed: true, next: { windowStartedAt: now, sentCount: 1, lastSentAt: now } };
  }
  if (current.sentCount >= policy.maxSendsPerWindow) {
    return {
      allowed: false,
      retryAt: new Date(current.windowStartedAt.getTime() + policy.sendWindowSeconds * 1000),
      reason: "HOURLY_CAP",
    };
  }
  return {
    allowed: true,
    next: {
      windowStartedAt: current.windowStartedAt,
      sentCount: current.sentCount + 1,
      lastSentAt: now,
    },
  };
}
