import { useMutation } from "@tanstack/react-query";
import { useTRPC } from "../trpc.js";

/** `auth.unlock { token }`: the unlock link's button. */
export function useUnlockAccount() {
  const trpc = useTRPC();
  return useMutation(trpc.auth.unlock.mutationOptions());
}
