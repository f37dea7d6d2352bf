import { useRules } from "../api/rules.js";
import { rich, useT } from "../i18n/index.js";
import { paths } from "../routing/paths.js";

/** In development (`auth.rules.devMailbox`), where the codes can be read. Nothing otherwise. */
export function DevMailboxNote() {
  const t = useT();
  const rules = useRules();
  if (rules.data?.devMailbox !== true) return null;
  return (
    <p className="dev-note">
      {rich(t.code.devMailbox, {
        link: (
          <a href={paths.mailbox} target="_blank" rel="noopener">
            {t.code.devMailboxLink}
          </a>
        ),
      })}
    </p>
  );
}
