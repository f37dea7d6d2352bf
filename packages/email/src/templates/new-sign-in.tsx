/** @jsxRuntime automatic */
/** @jsxImportSource react */
import type { ResolvedEmailConfig } from "../config.js";
import type { Messages } from "../i18n/messages.js";
import { NoticeEmail } from "./notice-email.js";

export interface NewSignInEmailProps {
  messages: Messages;
  config: ResolvedEmailConfig;
  to: string;
  /** When the sign-in happened, already in words. */
  when: string;
  /** "Firefox on Windows". */
  device: string;
  ip: string;
}

export function NewSignInEmail({ messages, config, to, when, device, ip }: NewSignInEmailProps) {
  const words = messages.kinds.NEW_SIGN_IN;
  return (
    <NoticeEmail
      messages={messages}
      config={config}
      to={to}
      preview={words.preview(config.productName)}
      heading={words.heading}
      paragraphs={[
        words.signedIn(config.productName, to, when, device, ip),
        words.ifItWasYou,
        words.ifItWasNotYou,
      ]}
      action={{ href: config.accountUrl, label: words.accountButton }}
      whyYouGetThis={words.whyYouGetThis}
    />
  );
}
