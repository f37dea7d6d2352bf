/** @jsxRuntime automatic */
/** @jsxImportSource react */
import { Heading, Section, Text } from "@react-email/components";
import type { ResolvedEmailConfig } from "../config.js";
import type { Messages } from "../i18n/messages.js";
import type { CodeEmailKind } from "../kinds.js";
import { ActionButton, Layout, Paragraph, styles } from "./layout.js";

export interface CodeEmailProps {
  kind: CodeEmailKind;
  messages: Messages;
  config: ResolvedEmailConfig;
  to: string;
  code: string;
  /** The lifetime in words, already formatted ("15 minutes"). */
  duration: string;
  /** The link beside the code (`<baseUrl>/link#token=...`): the button's target, and as text. */
  link: string;
}

/** One layout for the four code emails; only the words differ. */
export function CodeEmail({ kind, messages, config, to, code, duration, link }: CodeEmailProps) {
  const words = messages.kinds[kind];
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
      <Paragraph>{words.intro(config.productName, to)}</Paragraph>
      <Section style={codeBox}>
        <Text style={codeText}>{code}</Text>
      </Section>
      <Paragraph>{messages.linkIntro}</Paragraph>
      <ActionButton href={link}>{words.linkButton}</ActionButton>
      <Paragraph>{messages.linkAsText(link)}</Paragraph>
      <Paragraph>{`${messages.codeExpiresIn(duration)} ${messages.earlierCodesNoLongerWork}`}</Paragraph>
    </Layout>
  );
}

const codeBox = {
  backgroundColor: "#f3f4f6",
  borderRadius: "8px",
  margin: "8px 0 24px",
  padding: "16px 8px",
  textAlign: "center",
} as const;

const codeText = {
  color: "#111827",
  fontFamily: "ui-monospace, SFMono-Regular, Menlo, Consolas, 'Liberation Mono', monospace",
  fontSize: "32px",
  fontWeight: 700,
  // Letter spacing is CSS, so a copied code has no spaces in it; the left padding
  // balances the space the last letter adds on the right.
  letterSpacing: "8px",
  lineHeight: "40px",
  margin: 0,
  paddingLeft: "8px",
  // One click (or tap) selects the whole code.
  userSelect: "all",
  WebkitUserSelect: "all",
} as const;
