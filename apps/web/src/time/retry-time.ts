/**
 * Words for "when", for messages such as "You can try again in 12 minutes (at 14:32).",
 * in the page's language (`activeCatalogue()`).
 */
import { activeCatalogue } from "../i18n/catalogues.js";

export interface TimeFormatOptions {
  /** Locale for the clock time; by default the page language's (`dateLocale`: for English the visitor's own). */
  locale?: string | undefined;
  /** Time zone for the clock time; the visitor's own by default. */
  timeZone?: string | undefined;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

// One formatter per language, built when first needed.
const relativeFormats = new Map<string, Intl.RelativeTimeFormat>();
function relative(): Intl.RelativeTimeFormat {
  const lang = activeCatalogue().lang;
  let format = relativeFormats.get(lang);
  if (format === undefined) {
    format = new Intl.RelativeTimeFormat(lang, { numeric: "always" });
    relativeFormats.set(lang, format);
  }
  return format;
}

function dateLocale(options: TimeFormatOptions): string | undefined {
  return options.locale ?? activeCatalogue().dateLocale;
}

/** "in 27 seconds", "in 12 minutes", "in 2 hours"; rounded up, never "0 minutes". */
export function formatDuration(untilMs: number): string {
  if (untilMs < MINUTE) return relative().format(Math.max(1, Math.ceil(untilMs / 1000)), "second");
  if (untilMs < 90 * MINUTE) return relative().format(Math.ceil(untilMs / MINUTE), "minute");
  return relative().format(Math.round(untilMs / HOUR), "hour");
}

/** "14:32" or "2:32 PM", by locale. */
export function formatClockTime(at: Date, options: TimeFormatOptions = {}): string {
  return at.toLocaleTimeString(dateLocale(options), {
    hour: "numeric",
    minute: "2-digit",
    timeZone: options.timeZone,
  });
}

/** "12 March 2030 at 14:32" (or the locale's way of saying it): for a session's end. */
export function formatDateTime(at: Date, options: TimeFormatOptions = {}): string {
  return at.toLocaleString(dateLocale(options), {
    dateStyle: "long",
    timeStyle: "short",
    timeZone: options.timeZone,
  });
}

/** "in 12 minutes (at 14:32)", "in 27 seconds", or "now" once the moment has passed. */
export function formatRetryAt(retryAt: Date, now: Date, options: TimeFormatOptions = {}): string {
  const untilMs = retryAt.getTime() - now.getTime();
  if (untilMs <= 0) return activeCatalogue().time.now;
  if (untilMs < MINUTE) return formatDuration(untilMs);
  return activeCatalogue().time.inWithClock(
    formatDuration(untilMs),
    formatClockTime(retryAt, options),
  );
}

/** The short wait on a button: "27 s" under two minutes, else "41 min". Rounded up. */
export function formatCountdown(untilMs: number): string {
  const words = activeCatalogue().time;
  if (untilMs < 2 * MINUTE) return words.seconds(Math.max(1, Math.ceil(untilMs / 1000)));
  return words.minutes(Math.ceil(untilMs / MINUTE));
}

/** "just now", "12 seconds ago", "5 minutes ago": for the mailbox's list. */
export function formatAgo(at: Date, now: Date): string {
  const seconds = Math.max(0, Math.round((now.getTime() - at.getTime()) / 1000));
  if (seconds < 5) return activeCatalogue().time.justNow;
  if (seconds < 60) return relative().format(-seconds, "second");
  if (seconds < 3600) return relative().format(-Math.floor(seconds / 60), "minute");
  return relative().format(-Math.floor(seconds / 3600), "hour");
}
