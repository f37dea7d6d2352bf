import "./security-center.css";
import type { AppRouter } from "@otp/api/router";
import { useInfiniteQuery } from "@tanstack/react-query";
import type { inferRouterOutputs } from "@trpc/server";
import { useId } from "react";
import { describeFailure, readApiFailure } from "../../errors/api-errors.js";
import { type Catalogue, useT } from "../../i18n/index.js";
import { LoadingText } from "../../layout/loading.js";
import { formatDateTime } from "../../time/retry-time.js";
import { useTRPC } from "../../trpc.js";
import { deviceName } from "./device-name.js";

type SecurityEvent = inferRouterOutputs<AppRouter>["account"]["securityEvents"]["events"][number];

/** What each event says, in words. */
function describeEvent(event: SecurityEvent, t: Catalogue): string {
  const words = t.activity.events;
  switch (event.type) {
    case "EMAIL_VERIFIED":
      return words.emailVerified;
    case "SIGNED_IN":
      return event.method === "code" ? words.signedInCode : words.signedInPassword;
    case "SIGN_IN_BLOCKED":
      return event.reason === "EMAIL_NOT_VERIFIED"
        ? words.blockedUnverified
        : words.blockedPassword;
    case "PASSWORD_CHANGED":
      return words.passwordChanged;
    case "EMAIL_CHANGED":
      return words.emailChanged;
    case "SESSION_REVOKED":
      return words.sessionRevoked;
    case "ACCOUNT_LOCKED":
      return words.locked;
    case "ACCOUNT_UNLOCKED":
      return words.unlocked;
    case "EMAIL_CHANGE_UNDONE":
      return words.emailChangeUndone;
    case "SIGNED_OUT_EVERYWHERE":
      return event.sessionsRevoked === undefined
        ? words.signedOutEverywhere
        : words.signedOutEverywhereCount(event.sessionsRevoked);
  }
}

/** "Recent activity": the account's security events, newest first, older ones on request. */
export function ActivitySection() {
  const t = useT();
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
      <h2 id={heading}>{t.activity.heading}</h2>
      <p className="aside">{t.activity.intro}</p>
      {events.isPending && <LoadingText className="aside">{t.activity.loading}</LoadingText>}
      {events.isError && (
        <p className="notice notice--error">{describeFailure(readApiFailure(events.error)).text}</p>
      )}
      {events.data !== undefined && shown.length === 0 && (
        <p className="aside">{t.activity.nothing}</p>
      )}
      {shown.length > 0 && (
        <ul className="security-list" aria-label={t.activity.heading}>
          {shown.map((event) => (
            <li key={event.id} className="security-list__item">
              <div className="security-list__what">
                <strong>{describeEvent(event, t)}</strong>
              </div>
              {/* Each part whole on its line: a narrow screen breaks between them, never inside. */}
              <p className="security-list__meta">
                <time dateTime={event.at}>{formatDateTime(new Date(event.at))}</time>
                {" · "}
                <span>{deviceName(event.device, t)}</span>
                {" · "}
                <span>{event.ip === null ? t.activity.ipUnknown : t.activity.ip(event.ip)}</span>
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
          {events.isFetchingNextPage ? t.app.loading : t.activity.older}
        </button>
      )}
    </section>
  );
}
