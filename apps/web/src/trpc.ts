import type { AppRouter } from "@otp/api/router";
import { QueryClient } from "@tanstack/react-query";
import { createTRPCClient, httpBatchLink } from "@trpc/client";
import { createTRPCContext } from "@trpc/tanstack-react-query";
import { isTransient, readApiFailure } from "./errors/api-errors.js";

/** Typed by the API's router, imported as a type only: no request or response type is written by hand. */
export const { TRPCProvider, useTRPC } = createTRPCContext<AppRouter>();

export function createApiClient() {
  return createTRPCClient<AppRouter>({ links: [httpBatchLink({ url: "/trpc" })] });
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
