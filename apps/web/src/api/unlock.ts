import type { AppRouter } from "@otp/api/router";
import { useMutation } from "@tanstack/react-query";
import { createTRPCUntypedClient } from "@trpc/client";
import { apiLinks } from "../trpc.js";

/**
 * `auth.unlock { token }` (PROTOCOL.md's shared contract for the unlock link).
 * Called by path, untyped, until the procedure is part of the API's router;
 * then this becomes `trpc.auth.unlock.mutationOptions()`.
 */
let client: ReturnType<typeof createTRPCUntypedClient<AppRouter>> | undefined;

export function useUnlockAccount() {
  return useMutation({
    mutationFn: (token: string) => {
      client ??= createTRPCUntypedClient<AppRouter>({ links: apiLinks() });
      return client.mutation("auth.unlock", { token });
    },
  });
}
