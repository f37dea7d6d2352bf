import { useRules } from "../api/rules.js";
import { paths } from "../routing/paths.js";

/** In development (`auth.rules.devMailbox`), where the codes can be read. Nothing otherwise. */
export function DevMailboxNote() {
  const rules = useRules();
  if (rules.data?.devMailbox !== true) return null;
  return (
    <p className="dev-note">
      Development: read the code in the{" "}
      <a href={paths.mailbox} target="_blank" rel="noopener">
        dev mailbox
      </a>{" "}
      (opens in a new tab).
    </p>
  );
}
