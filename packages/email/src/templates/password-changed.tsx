/** @jsxRuntime automatic */
/** @jsxImportSource react */
import type { ResolvedEmailConfig } from "../config.js";
import type { Messages } from "../i18n/messages.js";
import { NoticeEmail } from "./notice-email.js";

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
    <NoticeEmail
      messages={messages}
      config={config}
      to={to}
      preview={words.preview(config.productName)}
      heading={words.heading}
      paragraphs={[
        words.changedOn(config.productName, to, when),
        words.ifItWasYou,
        words.ifItWasNotYou,
      ]}
      action={{ href: config.resetPasswordUrl, label: words.resetPasswordButton }}
      whyYouGetThis={words.whyYouGetThis}
    />
  );
}
