/** @jsxRuntime automatic */
/** @jsxImportSource react */
import { Heading } from "@react-email/components";
import type { ResolvedEmailConfig } from "../config.js";
import type { Messages } from "../i18n/messages.js";
import { ActionButton, Layout, Paragraph, styles } from "./layout.js";

export interface NoticeEmailProps {
  messages: Messages;
  config: ResolvedEmailConfig;
  to: string;
  preview: string;
  heading: string;
  paragraphs: readonly string[];
  action: { href: string; label: string };
  /** The footer line that says why this notice was sent (never "ignore this email"). */
  whyYouGetThis: string;
}

/** A notice about the account (no code): a heading, a few paragraphs and one action. */
export function NoticeEmail({
  messages,
  config,
  to,
  preview,
  heading,
  paragraphs,
  action,
  whyYouGetThis,
}: NoticeEmailProps) {
  return (
    <Layout
      messages={messages}
      config={config}
      preview={preview}
      to={to}
      notRequested={whyYouGetThis}
    >
      <Heading as="h1" style={styles.heading}>
        {heading}
      </Heading>
      {paragraphs.map((paragraph) => (
        <Paragraph key={paragraph}>{paragraph}</Paragraph>
      ))}
      <ActionButton href={action.href}>{action.label}</ActionButton>
    </Layout>
  );
}
