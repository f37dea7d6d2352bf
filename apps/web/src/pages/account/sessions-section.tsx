import "./security-center.css";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type ReactNode, useId, useState } from "react";
import { describeFailure, readApiFailure } from "../../errors/api-errors.js";
import { useT } from "../../i18n/index.js";
import { LoadingText } from "../../layout/loading.js";
import { formatDateTime } from "../../time/retry-time.js";
import { useTRPC } from "../../trpc.js";
import { deviceName } from "./device-name.js";

/** "Where you're signed in": each live session, this device first marked, with a way to end the others. */
export function SessionsSection() {
  const t = useT();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const heading = useId();
  const sessions = useQuery(trpc.account.sessions.queryOptions());
  const [ended, setEnded] = useState<string | null>(null);
  const refresh = () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: trpc.account.sessions.queryKey() }),
      queryClient.invalidateQueries({ queryKey: trpc.account.securityEvents.pathKey() }),
    ]);
  const revoke = useMutation(
    trpc.account.revokeSession.mutationOptions({
      onSuccess: (_answer, { sessionId }) => {
        const session = sessions.data?.sessions.find((s) => s.id === sessionId);
        setEnded(
          session === undefined
            ? t.sessions.ended
            : t.sessions.deviceEnded(deviceName(session.device, t)),
        );
        void refresh();
      },
      onError: (error) => {
        // Already ended (here or elsewhere): show the list as it is now.
        if (readApiFailure(error).code === "NOT_FOUND") void refresh();
      },
    }),
  );
  const revokeError =
    revoke.error === null
      ? undefined
      : readApiFailure(revoke.error).code === "NOT_FOUND"
        ? t.sessions.alreadyEnded
        : describeFailure(readApiFailure(revoke.error)).text;

  return (
    <section className="account-section" aria-labelledby={heading}>
      <h2 id={heading}>{t.sessions.heading}</h2>
      <p className="aside">{t.sessions.intro}</p>
      {sessions.isPending && <LoadingText className="aside">{t.sessions.loading}</LoadingText>}
      {sessions.isError && (
        <p className="notice notice--error">
          {describeFailure(readApiFailure(sessions.error)).text}
        </p>
      )}
      {sessions.data !== undefined && (
        <ul className="security-list" aria-label={t.sessions.listLabel}>
          {sessions.data.sessions.map((session) => (
            <li key={session.id} className="security-list__item">
              <div className="security-list__what">
                <strong>{deviceName(session.device, t)}</strong>
                {session.current && (
                  <span className="security-list__badge">{t.sessions.thisDevice}</span>
                )}
              </div>
              <dl className="security-list__facts">
                <Fact term={t.sessions.ip}>{session.ip ?? t.sessions.unknown}</Fact>
                <Fact term={t.sessions.lastSeen}>
                  <When at={session.lastSeenAt} />
                </Fact>
                <Fact term={t.sessions.signedIn}>
                  <When at={session.createdAt} />
                </Fact>
              </dl>
              {!session.current && (
                <button
                  type="button"
                  className="button button--secondary"
                  aria-label={t.sessions.signOutLabel(
                    deviceName(session.device, t),
                    formatDateTime(new Date(session.lastSeenAt)),
                  )}
                  aria-disabled={revoke.isPending}
                  onClick={() => {
                    if (revoke.isPending) return;
                    setEnded(null);
                    revoke.mutate({ sessionId: session.id });
                  }}
                >
                  {t.sessions.signOut}
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      <div role="status" className="alert-slot">
        {ended !== null && <p className="notice notice--success">{ended}</p>}
      </div>
      <div role="alert" className="alert-slot">
        {revokeError !== undefined && <p className="notice notice--error">{revokeError}</p>}
      </div>
    </section>
  );
}

function Fact({ term, children }: { term: string; children: ReactNode }) {
  return (
    <div>
      <dt>{term}</dt>
      <dd>{children}</dd>
    </div>
  );
}

function When({ at }: { at: string }) {
  return <time dateTime={at}>{formatDateTime(new Date(at))}</time>;
}
