/**
 * What every scenario file starts with and ends with: a fresh database, a real
 * SMTP server, API child processes wired to both, a ledger of the secrets it
 * used, and the closing checks (invariants, no plaintext code stored, no secret
 * in any log or answer). `close()` runs in afterAll, whatever happened.
 */
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { deriveKeys, hashCode } from "@otp/core/internal";
import {
  type ApiProcess,
  childLogSources,
  killAllApiProcesses,
  startApiProcess,
} from "./api-process.js";
import {
  checkInvariants,
  createScenarioDatabase,
  type InvariantReport,
  type PlaintextScan,
  type ScenarioDatabase,
  scanForPlaintextCodes,
} from "./database.js";
import { RUN_SECRETS } from "./environment.js";
import { answersSource, requestsSent, sessionTokensSeen, waitFor } from "./http.js";
import { createMailSink, type MailSink } from "./mail-sink.js";
import { RESULTS_DIR } from "./paths.js";
import { type LeakScan, SecretLedger } from "./secrets.js";

export interface Scenario {
  readonly name: string;
  readonly db: ScenarioDatabase;
  readonly sink: MailSink;
  readonly ledger: SecretLedger;
  /** Figures this scenario measured; written to .test-results/figures/<name>.json. */
  readonly figures: Record<string, unknown>;
  /** An API child on this scenario's database and SMTP server, plus `env`. */
  startApi(label: string, env?: Record<string, string>): Promise<ApiProcess>;
  /** A unique address on the reserved `.test` domain. */
  address(label: string): string;
  /** A unique password, recorded in the ledger. */
  password(): string;
  /**
   * The live code of `email`, read the way its owner would: from the messages
   * the SMTP server received, picking the one whose HMAC matches the unused
   * code in the database. Waits for delivery.
   */
  liveCode(email: string, options?: { codeType?: string; timeoutMs?: number }): Promise<string>;
  /** Leaves `value` out of the closing scans (a test that leaks it on purpose reports it itself). */
  exempt(value: string): void;
  /** Invariants, plaintext scan and log scan, recorded as figures. */
  closingChecks(): Promise<{
    invariants: InvariantReport;
    plaintext: PlaintextScan;
    leaks: LeakScan;
  }>;
  close(): Promise<void>;
}

export async function createScenario(
  name: string,
  options: {
    /** Where the scenario's database is (default: a fresh one on the test server). */
    database?: () => Promise<ScenarioDatabase>;
  } = {},
): Promise<Scenario> {
  const db = await (options.database ?? createScenarioDatabase)();
  const sink = await createMailSink();
  const ledger = new SecretLedger();
  const figures: Record<string, unknown> = {};
  const codeKey = deriveKeys(RUN_SECRETS.appSecret).codeHmac;
  const run = randomBytes(3).toString("hex");
  let addresses = 0;
  const exempted = new Set<string>();

  const recordCodes = () => {
    for (const arrival of sink.arrivals)
      if (arrival.code !== null) ledger.add("code", arrival.code);
  };

  const scenario: Scenario = {
    name,
    db,
    sink,
    ledger,
    figures,
    startApi(label, env = {}) {
      return startApiProcess(`${name}/${label}`, {
        DATABASE_URL: db.url,
        SMTP_URL: sink.url,
        SMTP_FROM: "Reliability <no-reply@reliability.test>",
        ...env,
      });
    },
    address(label) {
      addresses += 1;
      return `${label}-${run}-${addresses}@reliability.test`;
    },
    password() {
      const value = `pw-${randomBytes(9).toString("base64url")}`;
      ledger.add("password", value);
      return value;
    },
    async liveCode(email, { codeType = "VERIFICATION", timeoutMs = 20_000 } = {}) {
      const wanted = email.toLowerCase();
      return waitFor(
        `a delivered ${codeType} code for ${email}`,
        async () => {
          const [live] = await db.sql<Array<{ user_id: string; code_hash: string }>>`
            SELECT p.user_id, p.code_hash FROM passcodes p JOIN users u ON u.id = p.user_id
            WHERE u.email = ${wanted} AND p.code_type = ${codeType}::code_type AND NOT p.is_used`;
          if (live === undefined) return null;
          for (const code of sink.codesFor(wanted)) {
            const hash = hashCode(codeKey, {
              userId: live.user_id,
              codeType: codeType as "VERIFICATION",
              code,
            });
            if (hash === live.code_hash) return code;
          }
          return null;
        },
        { timeoutMs },
      );
    },
    exempt(value) {
      exempted.add(value);
    },
    async closingChecks() {
      recordCodes();
      for (const token of sessionTokensSeen()) ledger.add("session-token", token);
      for (const value of exempted) ledger.remove(value);
      const invariants = await checkInvariants(db.sql);
      const plaintext = await scanForPlaintextCodes(
        db.sql,
        ledger.codes(),
        ledger.ofKind("session-token"),
      );
      for (const source of childLogSources()) ledger.addSource(source);
      ledger.addSource(answersSource);
      const leaks = ledger.scan();
      figures.closing = {
        invariants,
        plaintextScan: {
          columns: plaintext.columnsScanned.length,
          rows: plaintext.rowsScanned,
          codes: plaintext.needles,
          sessionTokens: plaintext.tokens,
          hits: plaintext.hits.length,
        },
        logScan: {
          sources: leaks.sources,
          bytes: leaks.bytesScanned,
          needles: leaks.needles,
          leaks: leaks.leaks.length,
        },
        requestsSent: requestsSent(),
        emailsReceived: sink.arrivals.length,
        exemptedFromScan: exempted.size,
      };
      return { invariants, plaintext, leaks };
    },
    async close() {
      figures.requestsSent = requestsSent();
      writeFileSync(
        join(RESULTS_DIR, `figures-${name}.json`),
        `${JSON.stringify(figures, null, 2)}\n`,
      );
      await killAllApiProcesses();
      await sink.stop();
      await db.close();
    },
  };
  return scenario;
}
