import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useCallback, useEffect } from "react";
import { type ApiFailure, readApiFailure } from "../errors/api-errors.js";
import { paths } from "../routing/paths.js";
import { navigate } from "../routing/router.js";
import { useTRPC } from "../trpc.js";

type MeQuery = ReturnType<typeof useMeQuery>;
export type SignedInUser = NonNullable<MeQuery["data"]>;

/**
 * Who is signed in, from `auth.me`. The session itself is an httpOnly cookie
 * the browser sends; the page never sees it, only this answer.
 */
export type Session =
  | { state: "checking" }
  | { state: "signed-in"; user: SignedInUser }
  | { state: "signed-out" }
  /** The API could not answer (network, service down): neither state is known. */
  | { state: "unknown"; failure: ApiFailure; retry(): void };

function useMeQuery() {
  const trpc = useTRPC();
  return useQuery(trpc.auth.me.queryOptions());
}

export function useSession(): Session & { refreshing: boolean } {
  const me = useMeQuery();
  const refreshing = me.isFetching;
  // After a failed refetch `data` still holds the earlier answer: the error comes first.
  if (me.isError) {
    const failure = readApiFailure(me.error);
    if (failure.code === "UNAUTHORIZED") return { state: "signed-out", refreshing };
    return { state: "unknown", failure, retry: () => void me.refetch(), refreshing };
  }
  if (me.isSuccess) return { state: "signed-in", user: me.data, refreshing };
  return { state: "checking", refreshing };
}

/**
 * Asks `auth.me` again, for after a sign-in, a sign-out or an address change.
 * Resolves once the pages showing the session have the new answer, so a page
 * navigated to afterwards never sees the old one.
 */
export function useRefreshSession(): () => Promise<void> {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  return useCallback(
    () => queryClient.invalidateQueries(trpc.auth.me.queryFilter()),
    [queryClient, trpc],
  );
}

/**
 * Sign out (`auth.signOut`): leave for Sign in first, then ask who is signed in,
 * so the page being left never sees itself signed out.
 */
export function useSignOut() {
  const trpc = useTRPC();
  const refreshSession = useRefreshSession();
  return useMutation(
    trpc.auth.signOut.mutationOptions({
      onSuccess: () => {
        navigate(paths.signIn({ notice: "signed-out" }));
        void refreshSession();
      },
    }),
  );
}

/** Any call answered UNAUTHORIZED means the session ended: ask `auth.me` again, so pages follow. */
export function useSessionEndWatch(): void {
  const queryClient = useQueryClient();
  const refresh = useRefreshSession();
  useEffect(
    () =>
      queryClient.getMutationCache().subscribe((event) => {
        if (event.type !== "updated" || event.action.type !== "error") return;
        if (readApiFailure(event.action.error).code === "UNAUTHORIZED") void refresh();
      }),
    [queryClient, refresh],
  );
}
