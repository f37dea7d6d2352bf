import "./security-center.css";
import type { AppRouter } from "@otp/api/router";
import { useInfiniteQuery } from "@tanstack/react-query";
import type { inferRouterOutputs } from "@trpc/server";
import { useId } from "react";
import { describeFailure, readApiFailure } from "../../errors/api-errors.js";
import { formatDateTime } from "../../time/retry-time.js";
import { useTRPC } from "../../trpc.js";

type SecurityEvent = inferRouterOutputs<AppRouter>["account"]["securityEvents"]["events"][number];

/** What each event says, in words. */
function describeEvent(event: SecurityEvent): string {
  switch (event.type) {
    case "EMAIL_VERIFIED":
      return "Email address verified";
    case "SIGNED_IN":
      return event.method === "code"
        ? "Signed in with an email code"
        : "Signed in with your password";
    case "SIGN_IN_BLOCKED":
      return event.reason === "EMAIL_NOT_VERIFIED"
        ? "Sign-in refused: the address was not verified yet"
        : "Sign-in refused: wrong password";
    case "PASSWORD_CHANGED":
      return "Password changed";
    case "EMAIL_CHANGED":
      return "Email address changed";
    case "SESSION_REVOKED":
      return "A session was signed out";
    case "ACCOUNT_LOCKED":
      return "Account locked after too many failed attempts";
    case "ACCOUNT_UNLOCKED":
      return "Account unlocked";
    case "SIGNED_OUT_EVERYWHERE":
      return event.sessionsRevoked === undefined
        ? "Signed out everywhere"
        : `Signed out everywhere (${event.sessionsRevoked} ${event.sessionsRevoked === 1 ? "session" : "sessions"})`;
  }
}

/** "Recent activity": the account's security events, newest first, older ones on request. */
export function ActivitySection() {
  const trpc = useTRPC();
  const heading = useId();
  const events = useInfiniteQuery(
    trpc.account.securityEvents.infiniteQueryOptions(
      { limit: 10 },
      { getNextPageParam: (page) => page.nextCursor },
    ),
  );
  const shown = events.data?.pages.flatMap((page) => page.events) ?? [];

  return (
    <section className="account-section" aria-labelledby={heading}>
      <h2 id={heading}>Recent activity</h2>
      <p className="aside">Sign-ins and changes to your account over the last 90 days.</p>
      {events.isPending && <p className="aside">Loading your activity…</p>}
      {events.isError && (
        <p className="notice notice--error">{describeFailure(readApiFailure(events.error)).text}</p>
      )}
      {events.data !== undefined && shown.length === 0 && <p className="aside">Nothing yet.</p>}
      {shown.length > 0 && (
        <ul className="security-list" aria-label="Recent activity">
          {shown.map((event) => (
            <li key={event.id} className="security-list__item">
              <div className="security-list__what">
                <strong>{describeEvent(event)}</strong>
              </div>
              <p className="security-list__meta">
                <time dateTime={event.at}>{formatDateTime(new Date(event.at))}</time>
                {" · "}
                {event.device}
                {" · "}
                {event.ip === null ? "IP address unknown" : `IP address ${event.ip}`}
              </p>
            </li>
          ))}
        </ul>
      )}
      {events.hasNextPage && (
        <button
          type="button"
          className="button button--secondary"
          aria-disabled={events.isFetchingNextPage}
          onClick={() => {
            if (!events.isFetchingNextPage) void events.fetchNextPage();
          }}
        >
          {events.isFetchingNextPage ? "Loading…" : "Show older activity"}
        </button>
      )}
    </section>
  );
}
