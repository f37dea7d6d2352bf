import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { resolvePolicy } from "./policy.js";
import { decideSend, type SendWindow } from "./send-limit.js";

const t0 = new Date("2026-01-01T00:00:00Z");
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);

/** Sends at these times (seconds), each of a code type ("V" when not given). */
function run(policy = resolvePolicy(), times: number[], types: string[] = []) {
  let window: SendWindow | null = null;
  const lastOfType = new Map<string, Date>();
  return times.map((t, i) => {
    const type = types[i] ?? "V";
    const decision = decideSend(window, lastOfType.get(type) ?? null, at(t), policy);
    if (decision.allowed) {
      window = decision.next;
      lastOfType.set(type, at(t));
    }
    return decision;
  });
}

describe("decideSend", () => {
  it("has no cooldown by default: an immediate second resend succeeds", () => {
    const [first, second] = run(undefined, [0, 0]);
    expect(first?.allowed).toBe(true);
    expect(second?.allowed).toBe(true);
  });

  it("caps at 10 per hour per recipient by default, then reopens", () => {
    const decisions = run(undefined, [...Array.from({ length: 11 }, (_, i) => i), 3600]);
    expect(decisions.slice(0, 10).every((d) => d.allowed)).toBe(true);
    expect(decisions[10]).toEqual({ allowed: false, retryAt: at(3600), reason: "HOURLY_CAP" });
    expect(decisions[11]?.allowed).toBe(true);
  });

  it("enforces a configured cooldown", () => {
    const policy = resolvePolicy({ sendCooldownSeconds: 30 });
    const decisions = run(policy, [0, 10, 30]);
    expect(decisions[0]?.allowed).toBe(true);
    expect(decisions[1]).toEqual({ allowed: false, retryAt: at(30), reason: "COOLDOWN" });
    expect(decisions[2]?.allowed).toBe(true);
  });

  it("counts the cooldown per code type; the cap stays across types", () => {
    const policy = resolvePolicy({ sendCooldownSeconds: 60, maxSendsPerWindow: 3 });
    // A verification code, then at once a sign-in code, then a reset code, then a fourth type.
    const decisions = run(policy, [0, 1, 2, 3, 61], ["V", "S", "R", "E", "V"]);
    expect(decisions.slice(0, 3).every((d) => d.allowed)).toBe(true);
    expect(decisions[3]).toEqual({ allowed: false, retryAt: at(3600), reason: "HOURLY_CAP" });
    expect(decisions[4]).toEqual({ allowed: false, retryAt: at(3600), reason: "HOURLY_CAP" });
    const same = run(policy, [0, 1], ["S", "S"]);
    expect(same[1]).toEqual({ allowed: false, retryAt: at(60), reason: "COOLDOWN" });
  });

  it("never grants more than the cap within one window (property)", () => {
    const policy = resolvePolicy();
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 4 * 3600 }), { maxLength: 80 }), (offsets) => {
        const times = [...offsets].sort((a, b) => a - b);
        const decisions = run(policy, times);
        let window: SendWindow | null = null;
        for (const decision of decisions) {
          if (decision.allowed) window = decision.next;
          expect(window === null || window.sentCount <= policy.maxSendsPerWindow).toBe(true);
        }
      }),
    );
  });
});
