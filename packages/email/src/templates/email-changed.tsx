/** @jsxRuntime automatic */
/** @jsxImportSource react */
import type { ResolvedEmailConfig } from "../config.js";
import type { Messages } from "../i18n/messages.js";
import { NoticeEmail } from "./notice-email.js";

export interface EmailChangedEmailProps {
  messages: Messages;
  config: ResolvedEmailConfig;
  /** The old address, which this notice goes to. */
  to: string;
  newEmail: string;
  /** The undo link (`<baseUrl>/link#token=...`, links.ts) and until when it works, in words. */
  link: string;
  when: string;
}

export function EmailChangedEmail({
  messages,
  config,
  to,
  newEmail,
  link,
  when,
}: EmailChangedEmailProps) {
  const words = messages.kinds.EMAIL_CHANGED;
  return (
    <NoticeEmail
      messages={messages}
      config={config}
      to={to}
      preview={words.preview(config.productName)}
      heading={words.heading}
      paragraphs={[
        words.changed(config.productName, to, newEmail),
        words.ifItWasYou,
        words.ifItWasNotYou(when),
      ]}
      action={{ href: link, label: words.undoButton }}
      whyYouGetThis={words.whyYouGetThis}
    />
  );
}
