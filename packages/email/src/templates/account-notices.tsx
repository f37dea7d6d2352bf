/** @jsxRuntime automatic */
/** @jsxImportSource react */
import { Heading } from "@react-email/components";
import type { ResolvedEmailConfig } from "../config.js";
import type { Messages } from "../i18n/messages.js";
import { Layout, Paragraph, styles } from "./layout.js";
import { NoticeEmail } from "./notice-email.js";

export interface PasswordLimitEmailProps {
  messages: Messages;
  config: ResolvedEmailConfig;
  to: string;
  when: string;
  ip: string;
  browser: string;
  os: string;
}

/** The password budget of the account ran out in this window (sent once per window). */
export function PasswordLimitEmail({
  messages,
  config,
  to,
  when,
  ip,
  browser,
  os,
}: PasswordLimitEmailProps) {
  const words = messages.kinds.PASSWORD_LIMIT_REACHED;
  return (
    <NoticeEmail
      messages={messages}
      config={config}
      to={to}
      preview={words.preview(config.productName)}
      heading={words.heading}
      paragraphs={[
        words.attempts(config.productName, to),
        words.details(when, ip, browser, os),
        words.ifItWasYou,
        words.ifItWasNotYou,
      ]}
      action={{ href: config.resetPasswordUrl, label: words.resetPasswordButton }}
      whyYouGetThis={words.whyYouGetThis}
    />
  );
}

export interface AccountLockedEmailProps {
  messages: Messages;
  config: ResolvedEmailConfig;
  to: string;
  /** The unlock link (APP_URL/unlock#token=...), shown as text: opening it changes nothing. */
  link: string;
  when: string;
}

/**
 * The account reached the cap on consecutive failures. The link leads to a page
 * whose button unlocks (a GET, as mail scanners make, changes nothing), so it is
 * shown as text to copy or open rather than as a button.
 */
export function AccountLockedEmail({ messages, config, to, link, when }: AccountLockedEmailProps) {
  const words = messages.kinds.ACCOUNT_LOCKED;
  return (
    <Layout
      messages={messages}
      config={config}
      preview={words.preview(config.productName)}
      to={to}
      notRequested={words.whyYouGetThis}
    >
      <Heading as="h1" style={styles.heading}>
        {words.heading}
      </Heading>
      <Paragraph>{words.locked(config.productName, to)}</Paragraph>
      <Paragraph>{words.unlockWith}</Paragraph>
      <Paragraph>{words.link(link)}</Paragraph>
      <Paragraph>{words.linkExpires(when)}</Paragraph>
      <Paragraph>{words.ifItWasNotYou}</Paragraph>
    </Layout>
  );
}
