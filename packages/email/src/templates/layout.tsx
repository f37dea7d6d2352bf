/** @jsxRuntime automatic */
/** @jsxImportSource react */
import {
  Body,
  Button,
  Container,
  Head,
  Hr,
  Html,
  Link,
  Preview,
  Section,
  Text,
} from "@react-email/components";
import type { CSSProperties, ReactNode } from "react";
import type { ResolvedEmailConfig } from "../config.js";
import type { Messages } from "../i18n/messages.js";

interface LayoutProps {
  messages: Messages;
  config: ResolvedEmailConfig;
  /**
   * Inbox preview line. React Email pads it to a fixed length, so its markup depends on
   * its length: it must not contain per-message values or the fast path would break.
   */
  preview: string;
  /** Recipient address, for the "sent to" footer. */
  to: string;
  /** The line for someone who did not expect this email. */
  notRequested: string;
  children: ReactNode;
}

/** The frame every email shares: product name, a white card, a quiet footer. */
export function Layout({ messages, config, preview, to, notRequested, children }: LayoutProps) {
  return (
    <Html lang={messages.lang} dir={messages.dir}>
      <Head>
        <meta name="color-scheme" content="light" />
        <meta name="supported-color-schemes" content="light" />
      </Head>
      <Preview>{preview}</Preview>
      <Body style={styles.body}>
        <Container style={styles.card}>
          <Text style={styles.productName}>{config.productName}</Text>
          {children}
          <Hr style={styles.rule} />
          <Text style={styles.footer}>{notRequested}</Text>
          <Text style={styles.footer}>
            <Link href={config.baseUrl} style={styles.footerLink}>
              {messages.sentTo(to, config.productName)}
            </Link>
          </Text>
        </Container>
      </Body>
    </Html>
  );
}

/** A paragraph of body copy. */
export function Paragraph({ children }: { children: string }) {
  return <Text style={styles.paragraph}>{children}</Text>;
}

/** A single call to action. */
export function ActionButton({ href, children }: { href: string; children: string }) {
  return (
    <Section style={styles.buttonRow}>
      <Button href={href} style={styles.button}>
        {children}
      </Button>
    </Section>
  );
}

const fontStack =
  "-apple-system, BlinkMacSystemFont, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif";

/**
 * A link or an address longer than a phone's line breaks where it must, instead of
 * widening the card past the screen (a table cell grows to its longest word);
 * `word-break` for the mail clients that predate `overflow-wrap: anywhere`.
 */
const breakLongWords = { overflowWrap: "anywhere", wordBreak: "break-word" } as const;

export const styles = {
  body: {
    backgroundColor: "#f4f5f7",
    fontFamily: fontStack,
    margin: 0,
    padding: "32px 12px",
  },
  card: {
    backgroundColor: "#ffffff",
    border: "1px solid #e6e8eb",
    borderRadius: "12px",
    maxWidth: "480px",
    margin: "0 auto",
    padding: "32px 32px 24px",
  },
  productName: {
    color: "#6b7280",
    fontSize: "14px",
    fontWeight: 600,
    letterSpacing: "0.02em",
    margin: "0 0 24px",
  },
  heading: {
    color: "#111827",
    fontSize: "22px",
    fontWeight: 600,
    lineHeight: "30px",
    margin: "0 0 16px",
  },
  paragraph: {
    color: "#374151",
    fontSize: "15px",
    lineHeight: "24px",
    margin: "0 0 16px",
    ...breakLongWords,
  },
  buttonRow: { margin: "8px 0 24px" },
  button: {
    backgroundColor: "#111827",
    borderRadius: "8px",
    color: "#ffffff",
    display: "inline-block",
    fontSize: "15px",
    fontWeight: 600,
    padding: "12px 20px",
    textDecoration: "none",
  },
  inlineLink: { color: "#111827", textDecoration: "underline" },
  rule: { borderColor: "#e6e8eb", margin: "24px 0 16px" },
  footer: {
    color: "#6b7280",
    fontSize: "13px",
    lineHeight: "20px",
    margin: "0 0 8px",
    ...breakLongWords,
  },
  footerLink: { color: "#6b7280", textDecoration: "none" },
} satisfies Record<string, CSSProperties>;
