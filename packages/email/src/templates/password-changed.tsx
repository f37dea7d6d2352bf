/** @jsxRuntime automatic */
/** @jsxImportSource react */
import { Heading } from "@react-email/components";
import type { ResolvedEmailConfig } from "../config.js";
import type { Messages } from "../i18n/messages.js";
import { ActionButton, Layout, Paragraph, styles } from "./layout.js";

export interface PasswordChangedEmailProps {
  messages: Messages;
  config: ResolvedEmailConfig;
  to: string;
  /** When the change happened, already in words. */
  when: string;
}

export function PasswordChangedEmail({ messages, config, to, when }: PasswordChangedEmailProps) {
  const words = messages.kinds.PASSWORD_CHANGED;
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
      <Paragraph>{words.changedOn(config.productName, to, when)}</Paragraph>
      <Paragraph>{words.ifItWasYou}</Paragraph>
      <Paragraph>{words.ifItWasNotYou}</Paragraph>
      <ActionButton href={config.resetPasswordUrl}>{words.resetPasswordButton}</ActionButton>
    </Layout>
  );
}
