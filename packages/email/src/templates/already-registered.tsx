/** @jsxRuntime automatic */
/** @jsxImportSource react */
import { Heading, Link, Text } from "@react-email/components";
import type { ResolvedEmailConfig } from "../config.js";
import type { Messages } from "../i18n/messages.js";
import { ActionButton, Layout, Paragraph, styles } from "./layout.js";

export interface AlreadyRegisteredEmailProps {
  messages: Messages;
  config: ResolvedEmailConfig;
  to: string;
}

/**
 * Sent instead of a verification code when someone registers with an address that
 * already has an account, so the sign-up form never reveals which addresses exist.
 */
export function AlreadyRegisteredEmail({ messages, config, to }: AlreadyRegisteredEmailProps) {
  const words = messages.kinds.ALREADY_REGISTERED;
  return (
    <Layout
      messages={messages}
      config={config}
      preview={words.preview(config.productName)}
      to={to}
      notRequested={words.notRequested}
    >
      <Heading as="h1" style={styles.heading}>
        {words.heading}
      </Heading>
      <Paragraph>{words.attempt(config.productName, to)}</Paragraph>
      <Paragraph>{words.advice}</Paragraph>
      <ActionButton href={config.signInUrl}>{words.signInButton}</ActionButton>
      <Text style={styles.paragraph}>
        {words.forgotPassword}{" "}
        <Link href={config.resetPasswordUrl} style={styles.inlineLink}>
          {words.resetPasswordLink}
        </Link>
      </Text>
    </Layout>
  );
}
