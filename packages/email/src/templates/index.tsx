/** @jsxRuntime automatic */
/** @jsxImportSource react */
import type { ReactElement } from "react";
import type { ResolvedEmailConfig } from "../config.js";
import type { Messages } from "../i18n/messages.js";
import {
  type CodeEmailKind,
  type EmailKind,
  type EmailMessage,
  UNKNOWN_BROWSER,
  UNKNOWN_SYSTEM,
} from "../kinds.js";
import { linkPath, unlockPath } from "../links.js";
import { AccountLockedEmail, PasswordLimitEmail } from "./account-notices.js";
import { AlreadyRegisteredEmail } from "./already-registered.js";
import { CodeEmail } from "./code-email.js";
import { EmailChangedEmail } from "./email-changed.js";
import { NewSignInEmail } from "./new-sign-in.js";
import { PasswordChangedEmail } from "./password-changed.js";

/**
 * How one kind becomes an email. `slots` names the per-message strings; the element is
 * built from slot values only, so the fast renderer can build it once with placeholders
 * in their place. Everything else (product name, links, words) is fixed per renderer
 * and locale.
 */
interface TemplateDefinition<K extends EmailKind, Slot extends string> {
  slots: readonly Slot[];
  /**
   * The per-message strings, already in words (durations, dates), not yet escaped.
   * Throws a RangeError for data no email should be sent with.
   */
  slotValues(message: EmailMessage<K>, messages: Messages, now: () => Date): Record<Slot, string>;
  subject(messages: Messages, config: ResolvedEmailConfig): string;
  element(
    messages: Messages,
    config: ResolvedEmailConfig,
    values: Record<Slot, string>,
  ): ReactElement;
}

/** The kind-erased view the renderer works with. */
export interface EmailTemplate {
  slots: readonly string[];
  slotValues(message: EmailMessage, messages: Messages, now: () => Date): Record<string, string>;
  subject(messages: Messages, config: ResolvedEmailConfig): string;
  element(
    messages: Messages,
    config: ResolvedEmailConfig,
    values: Record<string, string>,
  ): ReactElement;
}

function defineTemplate<K extends EmailKind, Slot extends string>(
  definition: TemplateDefinition<K, Slot>,
): EmailTemplate {
  // Safe because TEMPLATES is keyed by kind: a definition only ever sees messages of
  // its own kind, and its element only the slot values its own slotValues produced.
  return definition as unknown as EmailTemplate;
}

/** A link token as the core makes it (`<uuid>.<base64url secret>`): URL-safe as it is. */
const LINK_TOKEN = /^[0-9a-f-]{36}\.[A-Za-z0-9_-]{20,200}$/;

function codeTemplate(kind: CodeEmailKind): EmailTemplate {
  return defineTemplate<CodeEmailKind, "to" | "code" | "duration" | "link">({
    slots: ["to", "code", "duration", "link"],
    slotValues(message, messages) {
      if (message.code === "") throw new RangeError("code must not be empty");
      if (!Number.isInteger(message.expiresInSeconds) || message.expiresInSeconds <= 0) {
        throw new RangeError(
          `expiresInSeconds must be a positive whole number, got ${message.expiresInSeconds}`,
        );
      }
      if (!LINK_TOKEN.test(message.linkToken)) throw new RangeError("linkToken is not a token");
      return {
        to: message.to,
        code: message.code,
        duration: messages.formatDuration(message.expiresInSeconds),
        link: message.linkToken,
      };
    },
    subject: (messages, config) => messages.kinds[kind].subject(config.productName),
    element: (messages, config, values) => (
      <CodeEmail
        kind={kind}
        messages={messages}
        config={config}
        to={values.to}
        code={values.code}
        duration={values.duration}
        link={`${config.baseUrl}${linkPath(values.link)}`}
      />
    ),
  });
}

export const TEMPLATES: Readonly<Record<EmailKind, EmailTemplate>> = {
  VERIFICATION_CODE: codeTemplate("VERIFICATION_CODE"),
  PASSWORD_RESET_CODE: codeTemplate("PASSWORD_RESET_CODE"),
  SIGN_IN_CODE: codeTemplate("SIGN_IN_CODE"),
  EMAIL_CHANGE_CODE: codeTemplate("EMAIL_CHANGE_CODE"),
  REAUTHENTICATION_CODE: codeTemplate("REAUTHENTICATION_CODE"),
  PASSWORD_CHANGED: defineTemplate<"PASSWORD_CHANGED", "to" | "when">({
    slots: ["to", "when"],
    slotValues(message, messages, now) {
      const changedAt = message.changedAt ?? now();
      if (Number.isNaN(changedAt.getTime())) throw new RangeError("changedAt is an invalid Date");
      return { to: message.to, when: messages.formatDateTime(changedAt) };
    },
    subject: (messages, config) => messages.kinds.PASSWORD_CHANGED.subject(config.productName),
    element: (messages, config, values) => (
      <PasswordChangedEmail messages={messages} config={config} {...values} />
    ),
  }),
  ALREADY_REGISTERED: defineTemplate<"ALREADY_REGISTERED", "to">({
    slots: ["to"],
    slotValues: (message) => ({ to: message.to }),
    subject: (messages, config) => messages.kinds.ALREADY_REGISTERED.subject(config.productName),
    element: (messages, config, values) => (
      <AlreadyRegisteredEmail messages={messages} config={config} {...values} />
    ),
  }),
  EMAIL_CHANGED: defineTemplate<"EMAIL_CHANGED", "to" | "newEmail" | "link" | "when">({
    slots: ["to", "newEmail", "link", "when"],
    slotValues(message, messages) {
      if (message.newEmail === "") throw new RangeError("newEmail must not be empty");
      if (!/^[0-9a-f-]{36}\.[A-Za-z0-9_-]{20,200}$/.test(message.undoToken)) {
        throw new RangeError("undoToken is not a link token");
      }
      if (Number.isNaN(message.undoExpiresAt.getTime())) {
        throw new RangeError("undoExpiresAt is an invalid Date");
      }
      return {
        to: message.to,
        newEmail: message.newEmail,
        link: message.undoToken,
        when: messages.formatDateTime(message.undoExpiresAt),
      };
    },
    subject: (messages, config) => messages.kinds.EMAIL_CHANGED.subject(config.productName),
    element: (messages, config, values) => (
      <EmailChangedEmail
        messages={messages}
        config={config}
        to={values.to}
        newEmail={values.newEmail}
        link={`${config.baseUrl}${linkPath(values.link)}`}
        when={values.when}
      />
    ),
  }),
  PASSWORD_LIMIT_REACHED: defineTemplate<
    "PASSWORD_LIMIT_REACHED",
    "to" | "when" | "ip" | "browser" | "os"
  >({
    slots: ["to", "when", "ip", "browser", "os"],
    slotValues(message, messages) {
      if (Number.isNaN(message.at.getTime())) throw new RangeError("at is an invalid Date");
      return {
        to: message.to,
        when: messages.formatDateTime(message.at),
        ip: message.ip,
        browser:
          message.browser === UNKNOWN_BROWSER
            ? messages.kinds.PASSWORD_LIMIT_REACHED.unknownBrowser
            : message.browser,
        os:
          message.os === UNKNOWN_SYSTEM
            ? messages.kinds.PASSWORD_LIMIT_REACHED.unknownSystem
            : message.os,
      };
    },
    subject: (messages, config) =>
      messages.kinds.PASSWORD_LIMIT_REACHED.subject(config.productName),
    element: (messages, config, values) => (
      <PasswordLimitEmail messages={messages} config={config} {...values} />
    ),
  }),
  ACCOUNT_LOCKED: defineTemplate<"ACCOUNT_LOCKED", "to" | "link" | "when">({
    slots: ["to", "link", "when"],
    slotValues(message, messages, _now) {
      if (!/^[A-Za-z0-9_-]{20,200}$/.test(message.unlockToken)) {
        throw new RangeError("unlockToken is not a token");
      }
      if (Number.isNaN(message.expiresAt.getTime())) {
        throw new RangeError("expiresAt is an invalid Date");
      }
      return {
        to: message.to,
        link: message.unlockToken,
        when: messages.formatDateTime(message.expiresAt),
      };
    },
    subject: (messages, config) => messages.kinds.ACCOUNT_LOCKED.subject(config.productName),
    element: (messages, config, values) => (
      <AccountLockedEmail
        messages={messages}
        config={config}
        to={values.to}
        link={`${config.baseUrl}${unlockPath(values.link)}`}
        when={values.when}
      />
    ),
  }),
  NEW_SIGN_IN: defineTemplate<"NEW_SIGN_IN", "to" | "when" | "device" | "ip">({
    slots: ["to", "when", "device", "ip"],
    slotValues(message, messages) {
      if (Number.isNaN(message.signedInAt.getTime())) {
        throw new RangeError("signedInAt is an invalid Date");
      }
      return {
        to: message.to,
        when: messages.formatDateTime(message.signedInAt),
        device: message.device,
        ip: message.ip,
      };
    },
    subject: (messages, config) => messages.kinds.NEW_SIGN_IN.subject(config.productName),
    element: (messages, config, values) => (
      <NewSignInEmail messages={messages} config={config} {...values} />
    ),
  }),
};
