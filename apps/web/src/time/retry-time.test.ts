import { describe, expect, it } from "vitest";
import {
  formatAgo,
  formatCountdown,
  formatDateTime,
  formatDuration,
  formatRetryAt,
} from "./retry-time.js";

const now = new Date("2030-01-01T12:00:00Z");
const after = (ms: number) => new Date(now.getTime() + ms);
const utc = { locale: "en-GB", timeZone: "UTC" };

describe("formatDuration", () => {
  it.each([
    [10_000, "in 10 seconds"],
    [400, "in 1 second"],
    [60_000, "in 1 minute"],
    [61_000, "in 2 minutes"],
    [12 * 60_000, "in 12 minutes"],
    [89 * 60_000, "in 89 minutes"],
    [2 * 3_600_000, "in 2 hours"],
  ])("%i ms is %j (rounded up below 90 minutes)", (ms, words) => {
    expect(formatDuration(ms)).toBe(words);
  });
});

describe("formatRetryAt", () => {
  it("gives the wait and the local clock time", () => {
    expect(formatRetryAt(after(12 * 60_000), now, utc)).toBe("in 12 minutes (at 12:12)");
  });

  it("uses the time zone it is given", () => {
    expect(
      formatRetryAt(after(12 * 60_000), now, { locale: "en-GB", timeZone: "Europe/Paris" }),
    ).toBe("in 12 minutes (at 13:12)");
  });

  it("says now once the moment has passed", () => {
    expect(formatRetryAt(after(-1000), now, utc)).toBe("now");
  });

  it("gives only the seconds for a wait under a minute", () => {
    expect(formatRetryAt(after(27_000), now, utc)).toBe("in 27 seconds");
  });
});

describe("formatCountdown", () => {
  it.each([
    [27_000, "27 s"],
    [26_100, "27 s"],
    [100, "1 s"],
    [119_000, "119 s"],
    [41 * 60_000, "41 min"],
  ])("%i ms is %j", (ms, words) => {
    expect(formatCountdown(ms)).toBe(words);
  });
});

describe("formatAgo", () => {
  it.each([
    [-2_000, "just now"],
    [-30_000, "30 seconds ago"],
    [-5 * 60_000, "5 minutes ago"],
    [-2 * 3_600_000, "2 hours ago"],
    [5_000, "just now"],
  ])("%i ms is %j", (offset, words) => {
    expect(formatAgo(after(offset), now)).toBe(words);
  });
});

describe("formatDateTime", () => {
  it("gives the date and the clock time, in the time zone it is given", () => {
    expect(formatDateTime(new Date("2030-03-12T14:32:00Z"), utc)).toBe("12 March 2030 at 14:32");
    expect(
      formatDateTime(new Date("2030-03-12T23:30:00Z"), {
        locale: "en-GB",
        timeZone: "Europe/Paris",
      }),
    ).toBe("13 March 2030 at 00:30");
  });
});
