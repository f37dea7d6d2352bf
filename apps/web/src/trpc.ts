import type { AppRouter } from "@otp/api/router";
import { QueryClient } from "@tanstack/react-query";
import { createTRPCClient, httpBatchLink, httpBatchStreamLink, splitLink } from "@trpc/client";
import { createTRPCContext } from "@trpc/tanstack-react-query";
import { isTransient, readApiFailure } from "./errors/api-errors.js";

/** Typed by the API's router, imported as a type only: no request or response type is written by hand. */
export const { TRPCProvider, useTRPC, useTRPCClient } = createTRPCContext<AppRouter>();

/**
 * Calls are batched (`httpBatchLink`), except `auth.me`, which goes as a streamed
 * batch: its answer always arrives with HTTP 200 and the UNAUTHORIZED of a signed-out
 * visitor in the body. Signed out is a normal state, and a 401 status would make the
 * browser print an error in the console on every signed-out page.
 */
export function createApiClient() {
  const url = "/trpc";
  return createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.path === "auth.me",
        true: httpBatchStreamLink({ url }),
        false: httpBatchLink({ url }),
      }),
    ],
  });
}

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        // Only a failure that may pass unchanged is retried; an answer such as NOT_FOUND is final.
        retry: (failureCount, error) => failureCount < 2 && isTransient(readApiFailure(error)),
        refetchOnWindowFocus: false,
      },
    },
  });
}
