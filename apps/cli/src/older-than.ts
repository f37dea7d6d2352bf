/**
 * "30d", "12h", "45m", "90s" before `now`, or an ISO 8601 instant. Null when
 * the text is neither.
 */
export function parseOlderThan(text: string, now: Date): Date | null {
  const relative = /^(\d+)\s*([smhd])$/.exec(text.trim());
  if (relative !== null) {
    const seconds = { s: 1, m: 60, h: 3600, d: 86_400 }[relative[2] as "s" | "m" | "h" | "d"];
    return new Date(now.getTime() - Number(relative[1]) * seconds * 1000);
  }
  if (!/^\d{4}-\d{2}-\d{2}/.test(text.trim())) return null;
  const instant = new Date(text);
  return Number.isNaN(instant.getTime()) ? null : instant;
}
