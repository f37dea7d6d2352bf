import { sql } from "drizzle-orm";
import {
  boolean,
  customType,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { CODE_TYPES } from "../rules/code-types.js";

const bytea = customType<{ data: Uint8Array; driverData: Uint8Array }>({
  dataType: () => "bytea",
});

const timestamptz = (name: string) => timestamp(name, { withTimezone: true, mode: "date" });

export const codeTypeEnum = pgEnum("code_type", CODE_TYPES);

/**
 * PENDING: waiting or being retried. SENT: delivered. FAILED: gave up after the
 * last attempt. EXPIRED: its code expired before it could be delivered.
 * SUPERSEDED: its code was replaced or used before delivery, so it was not sent.
 */
export const OUTBOX_STATUSES = ["PENDING", "SENT", "FAILED", "EXPIRED", "SUPERSEDED"] as const;
export type OutboxStatus = (typeof OUTBOX_STATUSES)[number];
export const outboxStatusEnum = pgEnum("outbox_status", OUTBOX_STATUSES);

/**
 * The language an account has until it chooses one (the column's default). The product's
 * list of languages is the email package's catalogues (`SUPPORTED_LOCALES`), whose default
 * the API checks against this one at start-up (ADR 15).
 */
export const ACCOUNT_DEFAULT_LOCALE = "en";

export const users = pgTable(
  "users",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    /** Stored lower-cased; the unique index on lower(email) makes that a guarantee. */
    email: text("email").notNull(),
    /**
     * The active password: argon2id, PHC string format. Null until one is
     * activated (a registration's password by its own code from its own client,
     * or a reset): see ADR 10.
     */
    passwordHash: text("password_hash"),
    isVerified: boolean("is_verified").notNull().default(false),
    createdAt: timestamptz("created_at").notNull().defaultNow(),
    updatedAt: timestamptz("updated_at").notNull().defaultNow(),
    verifiedAt: timestamptz("verified_at"),
    /**
     * The language of every email and page for this account (a BCP 47 tag the
     * product ships a catalogue for): set at registration from an explicit
     * choice or Accept-Language, changeable on the account page.
     */
    locale: text("locale").notNull().default(ACCOUNT_DEFAULT_LOCALE),
  },
  (t) => [uniqueIndex("users_email_lower_key").on(sql`lower(${t.email})`)],
);

export const passcodes = pgTable(
  "passcodes",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    codeType: codeTypeEnum("code_type").notNull(),
    /** HMAC-SHA256 (hex) of the code bound to user and code type; never the code itself. */
    codeHash: text("code_hash").notNull(),
    isUsed: boolean("is_used").notNull().default(false),
    expiresAt: timestamptz("expires_at").notNull(),
    createdAt: timestamptz("created_at").notNull().defaultNow(),
    usedAt: timestamptz("used_at"),
    /** EMAIL_CHANGE only: the address the code was sent to, which confirming switches to. */
    newEmail: text("new_email"),
    /**
     * VERIFICATION only: the password the registration chose (argon2id), activated
     * only when this code is used from the client that registered (ADR 10).
     */
    pendingPasswordHash: text("pending_password_hash"),
    /** SHA-256 of the registering client's binding token (the cookie holds the token). */
    bindingHash: text("binding_hash"),
    /**
     * The `code_hash` (a keyed HMAC, never the code) of the unused code this
     * one replaced: entering that code answers OTP_REPLACED, not a wrong guess.
     * The replaced row itself is deleted, as the seed's issuing rule requires.
     */
    replacedCodeHash: text("replaced_code_hash"),
    /**
     * HMAC-SHA256 (hex) of the secret half of the link mailed beside the code:
     * link and code are one credential on one row (used, replaced and expired
     * together). Never the secret itself.
     */
    linkHash: text("link_hash"),
  },
  (t) => [
    // The seed's guarantee 4 in the schema: at most one unused code per (user, code type).
    uniqueIndex("passcodes_one_unused_per_user_and_type")
      .on(t.userId, t.codeType)
      .where(sql`${t.isUsed} = false`),
    index("passcodes_user_and_type_idx").on(t.userId, t.codeType),
    index("passcodes_expires_at_idx").on(t.expiresAt),
  ],
);

/**
 * Signed-in sessions. The token itself is only ever in the client's cookie;
 * the table keeps its SHA-256, so a database leak yields no usable session.
 */
export const sessions = pgTable(
  "sessions",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    tokenHash: text("token_hash").notNull(),
    createdAt: timestamptz("created_at").notNull().defaultNow(),
    expiresAt: timestamptz("expires_at").notNull(),
    /** Moved forward at most once per SESSION_LAST_SEEN_INTERVAL_SECONDS, never on every request. */
    lastSeenAt: timestamptz("last_seen_at").notNull().defaultNow(),
    /** The client's address when the session was created (X-Forwarded-For only with TRUST_PROXY). */
    ip: text("ip"),
    /** The client's User-Agent header, cut to 512 characters; the device label is read from it. */
    userAgent: text("user_agent"),
    /**
     * When the person at this session last proved who they are, by a password
     * or a code (ADR 20): a step that changes how the account is reached needs
     * it within REAUTH_MAX_AGE_SECONDS. Null: at the sign-in (`created_at`).
     */
    authenticatedAt: timestamptz("authenticated_at"),
  },
  (t) => [
    uniqueIndex("sessions_token_hash_key").on(t.tokenHash),
    index("sessions_user_idx").on(t.userId),
    index("sessions_expires_at_idx").on(t.expiresAt),
  ],
);

/** The failed-attempt budget per (user, code type); see rules/attempt-budget.ts. */
export const otpAttempts = pgTable(
  "otp_attempts",
  {
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    codeType: codeTypeEnum("code_type").notNull(),
    windowStartedAt: timestamptz("window_started_at").notNull(),
    failures: integer("failures").notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.codeType] })],
);

/**
 * The same budget for an address without an account, keyed like the send cap
 * by an HMAC of the address: a guess at an unknown address spends and answers
 * exactly as one at an account without a live code (`attemptsLeft`, then
 * TOO_MANY_ATTEMPTS), so the answers do not tell the two apart (ADR 5).
 */
export const addressAttempts = pgTable(
  "address_attempts",
  {
    recipientKey: text("recipient_key").notNull(),
    codeType: codeTypeEnum("code_type").notNull(),
    windowStartedAt: timestamptz("window_started_at").notNull(),
    failures: integer("failures").notNull(),
  },
  (t) => [primaryKey({ columns: [t.recipientKey, t.codeType] })],
);

/**
 * The same budget for a device an account has signed in from (issue 23,
 * ADR 20): keyed by `device:` and the device's hash in `known_devices`, so
 * a client presenting that device cookie spends its own units, and guesses
 * from every other client never spend them.
 */
export const deviceAttempts = pgTable(
  "device_attempts",
  {
    deviceKey: text("device_key").notNull(),
    codeType: codeTypeEnum("code_type").notNull(),
    windowStartedAt: timestamptz("window_started_at").notNull(),
    failures: integer("failures").notNull(),
  },
  (t) => [primaryKey({ columns: [t.deviceKey, t.codeType] })],
);

/** The per-recipient send cap; see rules/send-limit.ts. Keyed by an HMAC of the address. */
export const sendLimits = pgTable("send_limits", {
  recipientKey: text("recipient_key").primaryKey(),
  windowStartedAt: timestamptz("window_started_at").notNull(),
  sentCount: integer("sent_count").notNull(),
  lastSentAt: timestamptz("last_sent_at").notNull(),
});

/**
 * Emails waiting to be delivered, written in the same transaction as the code
 * they carry. `payload` is AES-256-GCM ciphertext (recipient, code, message
 * data) and is set to null once the row is delivered or given up.
 */
export const emailOutbox = pgTable(
  "email_outbox",
  {
    id: uuid("id").primaryKey(),
    kind: text("kind").notNull(),
    payload: bytea("payload"),
    /** The code this email carries, if any; lets delivery skip codes already replaced. */
    passcodeId: uuid("passcode_id"),
    status: outboxStatusEnum("status").notNull().default("PENDING"),
    attempts: integer("attempts").notNull().default(0),
    availableAt: timestamptz("available_at").notNull().defaultNow(),
    /** Never send after this instant (the code's expiry). */
    expiresAt: timestamptz("expires_at"),
    createdAt: timestamptz("created_at").notNull().defaultNow(),
    sentAt: timestamptz("sent_at"),
    lastError: text("last_error"),
    /**
     * The W3C trace context (`traceparent`) of the request that queued the
     * email, so the delivery attempt's span links back to it. Null when
     * tracing is off.
     */
    traceContext: text("trace_context"),
  },
  (t) => [index("email_outbox_pending_idx").on(t.availableAt).where(sql`${t.status} = 'PENDING'`)],
);

/**
 * Failures per address, keyed like the send cap by an HMAC of the address, so
 * addresses without an account are counted alike and not stored in the clear
 * (and per device an account has signed in from, keyed `device:` and its hash,
 * ADR 20):
 * the password budget (a fixed window, rules/password-budget.ts), the cap on
 * consecutive failures across every code type and passwords, and the unlock
 * token (SHA-256 only) that lifts the cap (rules/consecutive-failures.ts).
 */
export const accountFailures = pgTable(
  "account_failures",
  {
    recipientKey: text("recipient_key").primaryKey(),
    passwordWindowStartedAt: timestamptz("password_window_started_at"),
    passwordFailures: integer("password_failures").notNull().default(0),
    /** The password window for which the "too many wrong passwords" notice was queued. */
    passwordNoticeWindow: timestamptz("password_notice_window"),
    consecutiveFailures: integer("consecutive_failures").notNull().default(0),
    unlockTokenHash: text("unlock_token_hash"),
    unlockExpiresAt: timestamptz("unlock_expires_at"),
    /** The account the live unlock link was mailed to, so using it records ACCOUNT_UNLOCKED. */
    unlockUserId: uuid("unlock_user_id").references(() => users.id, { onDelete: "set null" }),
  },
  (t) => [uniqueIndex("account_failures_unlock_token_hash_key").on(t.unlockTokenHash)],
);

/**
 * What happened to an account, for its owner (the account page's "Recent
 * activity"): each row written in the same statement as the change it
 * records. `type` is one of SECURITY_EVENT_TYPES; `detail` holds the few
 * facts a type adds (the sign-in method, how many sessions ended). Removed by
 * cleanup after SECURITY_EVENT_RETENTION_DAYS.
 */
export const securityEvents = pgTable(
  "security_events",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    type: text("type").notNull(),
    detail: jsonb("detail"),
    createdAt: timestamptz("created_at").notNull().defaultNow(),
    ip: text("ip"),
    userAgent: text("user_agent"),
  },
  (t) => [
    // The account's page, newest first.
    index("security_events_user_created_idx").on(t.userId, t.createdAt.desc(), t.id.desc()),
  ],
);

/**
 * The clients an account has signed in from: the SHA-256 of the long-lived
 * device cookie (never the cookie), per account. A sign-in from a device not
 * listed here emails the owner a "new sign-in" notice.
 */
export const knownDevices = pgTable(
  "known_devices",
  {
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    deviceHash: text("device_hash").notNull(),
    firstSeenAt: timestamptz("first_seen_at").notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.deviceHash] })],
);

export const schema = {
  users,
  passcodes,
  sessions,
  otpAttempts,
  addressAttempts,
  deviceAttempts,
  sendLimits,
  emailOutbox,
  accountFailures,
  securityEvents,
  knownDevices,
};
