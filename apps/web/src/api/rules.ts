import { useQuery } from "@tanstack/react-query";
import { activeCatalogue } from "../i18n/catalogues.js";
import { useTRPC } from "../trpc.js";

/**
 * The API's `auth.rules`: product name, code and password lengths, whether the
 * dev mailbox exists. Asked once (the header mounts first) and kept: they do
 * not change while the API runs.
 */
export function useRules() {
  const trpc = useTRPC();
  return useQuery(trpc.auth.rules.queryOptions(undefined, { staleTime: Infinity }));
}

export type Rules = NonNullable<ReturnType<typeof useRules>["data"]>;

/** "Use 15 to 64 characters…": the password rule, stated under a new password before it is sent. */
export function passwordRulesText(rules: Pick<Rules, "passwordMinLength" | "passwordMaxLength">) {
  return activeCatalogue().fields.passwordRules(rules.passwordMinLength, rules.passwordMaxLength);
}
