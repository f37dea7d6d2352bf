export type { EmailConfig } from "./config.js";
export {
  BUILT_IN_LOCALES,
  DEFAULT_LOCALE,
  type Locale,
  SUPPORTED_LOCALES,
} from "./i18n/index.js";
export type {
  AlreadyRegisteredMessages,
  CodeEmailMessages,
  Messages,
  MessagesByKind,
  PasswordChangedMessages,
} from "./i18n/messages.js";
export {
  CODE_EMAIL_KINDS,
  type CodeEmailData,
  type CodeEmailKind,
  EMAIL_KINDS,
  EMAILS,
  type EmailDataByKind,
  type EmailKind,
  type EmailMessage,
  isCodeEmailKind,
  type StoredEmail,
  type StoredEmailData,
  UNKNOWN_BROWSER,
  UNKNOWN_SYSTEM,
} from "./kinds.js";
export { LINK_PATH, linkPath, UNLOCK_PATH, unlockPath } from "./links.js";
export { escapeHtmlLikeReact } from "./render/html-escape.js";
export {
  createRenderer,
  type EmailRenderer,
  type RenderedEmail,
  type RendererOptions,
} from "./render/renderer.js";
export {
  createDevMailbox,
  type DevMailbox,
  type DevMailboxMessage,
  type DevMailboxOptions,
} from "./transports/dev-mailbox.js";
export { createTransportFromConfig, type TransportConfig } from "./transports/from-config.js";
export {
  type MailTransport,
  type OutgoingMail,
  type SentMail,
  toOutgoingMail,
} from "./transports/mail-transport.js";
export {
  createMemoryTransport,
  type MemoryTransport,
  type MemoryTransportOptions,
  type RecordedMail,
  type WaitForMailOptions,
} from "./transports/memory.js";
export {
  createSmtpTransport,
  isPermanentSmtpError,
  SmtpSendError,
  type SmtpTransport,
  type SmtpTransportOptions,
} from "./transports/smtp.js";
