/**
 * The secrets a scenario used (every code delivered, every password, every
 * session token handed out, the server secret, the SMTP and database
 * passwords) and the places they must
 * never appear: the API processes' stdout and stderr (their whole log), and
 * the HTTP answers the scenario received.
 */
import { RUN_SECRETS } from "./environment.js";

export interface LogSource {
  name: string;
  text(): string;
}

export type SecretKind =
  | "code"
  | "password"
  | "session-token"
  | "app-secret"
  | "smtp-password"
  | "database-password";

export interface Leak {
  source: string;
  kind: SecretKind;
  /** The secret, shortened so the report itself does not spread it. */
  excerpt: string;
  /** The text around it, with the secret masked. */
  context: string;
}

export interface LeakScan {
  sources: number;
  bytesScanned: number;
  needles: Record<SecretKind, number>;
  leaks: Leak[];
}

export class SecretLedger {
  private readonly needles = new Map<string, SecretKind>();
  private readonly sources: LogSource[] = [];

  constructor() {
    this.add("app-secret", RUN_SECRETS.appSecret);
    this.add("smtp-password", RUN_SECRETS.smtpPassword);
    this.add("database-password", RUN_SECRETS.databasePassword);
  }

  add(kind: SecretKind, value: string): void {
    if (value.length >= 6) this.needles.set(value, kind);
  }

  remove(value: string): void {
    this.needles.delete(value);
  }

  addSource(source: LogSource): void {
    this.sources.push(source);
  }

  codes(): string[] {
    return this.ofKind("code");
  }

  ofKind(kind: SecretKind): string[] {
    return [...this.needles].filter(([, k]) => k === kind).map(([value]) => value);
  }

  scan(extraSources: readonly LogSource[] = []): LeakScan {
    const leaks: Leak[] = [];
    const counts: Record<SecretKind, number> = {
      code: 0,
      password: 0,
      "session-token": 0,
      "app-secret": 0,
      "smtp-password": 0,
      "database-password": 0,
    };
    for (const kind of this.needles.values()) counts[kind] += 1;
    let bytesScanned = 0;
    const all = [...this.sources, ...extraSources];
    for (const source of all) {
      const raw = source.text();
      bytesScanned += raw.length;
      // Percent-decoded too: a code in a logged URL arrives as %22<code>%22.
      const text = `${raw}\n${percentDecode(raw)}`;
      const digitRuns = wholeDigitRuns(text);
      for (const [needle, kind] of this.needles) {
        const found = kind === "code" ? digitRuns.has(needle) : text.includes(needle);
        if (!found) continue;
        const at = kind === "code" ? findDigitRun(text, needle) : text.indexOf(needle);
        leaks.push({
          source: source.name,
          kind,
          excerpt: `${needle.slice(0, 3)}…`,
          context: text
            .slice(Math.max(0, at - 120), at + needle.length + 120)
            .replaceAll(needle, "<SECRET>"),
        });
      }
    }
    return { sources: all.length, bytesScanned, needles: counts, leaks };
  }
}

/**
 * Codes are digit strings: they are matched as whole digit runs, so that a
 * code that happens to be part of a longer number (a timestamp, a port) is not
 * a false alarm, while "code 12345678" still is a leak. The fractional digits
 * of a decimal number (a logged response time) are not runs of their own, nor
 * are the digits of a UUID (a request id, a row id): a random one held an
 * 8-digit run equal to a code of its file once in a run of 4 000 codes.
 */
function wholeDigitRuns(text: string): Set<string> {
  const runs = new Set<string>();
  for (const match of withoutUuids(text).matchAll(/(?<!\d\.)\d+/g)) runs.add(match[0]);
  return runs;
}

function findDigitRun(text: string, run: string): number {
  for (const match of withoutUuids(text).matchAll(/(?<!\d\.)\d+/g)) {
    if (match[0] === run) return match.index ?? 0;
  }
  return 0;
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/** The text with every UUID blanked out, keeping each character's position. */
function withoutUuids(text: string): string {
  return text.replace(UUID, (uuid) => "-".repeat(uuid.length));
}

function percentDecode(text: string): string {
  return text.replace(/(%[0-9a-fA-F]{2})+/g, (sequence) => {
    try {
      return decodeURIComponent(sequence);
    } catch {
      return sequence;
    }
  });
}
