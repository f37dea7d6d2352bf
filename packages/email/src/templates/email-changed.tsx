/** @jsxRuntime automatic */
/** @jsxImportSource react */
import { Heading } from "@react-email/components";
import type { ResolvedEmailConfig } from "../config.js";
import type { Messages } from "../i18n/messages.js";
import { ActionButton, Layout, Paragraph, styles } from "./layout.js";

export interface EmailChangedEmailProps {
  messages: Messages;
  config: ResolvedEmailConfig;
  /** The old address, which this notice goes to. */
  to: string;
  newEmail: string;
}

export function EmailChangedEmail({ messages, config, to, newEmail }: EmailChangedEmailProps) {
  const words = messages.kinds.EMAIL_CHANGED;
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
      <Paragraph>{words.changed(config.productName, to, newEmail)}</Paragraph>
      <Paragraph>{words.ifItWasYou}</Paragraph>
      <Paragraph>{words.ifItWasNotYou}</Paragraph>
      <ActionButton href={config.resetPasswordUrl}>
        {messages.kinds.PASSWORD_CHANGED.resetPasswordButton}
      </ActionButton>
    </Layout>
  );
}
