import "./security-center.css";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type ReactNode, useId, useState } from "react";
import { describeFailure, readApiFailure } from "../../errors/api-errors.js";
import { formatDateTime } from "../../time/retry-time.js";
import { useTRPC } from "../../trpc.js";

/** "Where you're signed in": each live session, this device first marked, with a way to end the others. */
export function SessionsSection() {
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
            ? "The session was signed out."
            : `${session.device} was signed out.`,
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
        ? "That session had already ended."
        : describeFailure(readApiFailure(revoke.error)).text;

  return (
    <section className="account-section" aria-labelledby={heading}>
      <h2 id={heading}>Where you’re signed in</h2>
      <p className="aside">
        Each device and browser signed in to your account. If you do not recognise one, sign it out
        and change your password.
      </p>
      {sessions.isPending && <p className="aside">Loading your sessions…</p>}
      {sessions.isError && (
        <p className="notice notice--error">
          {describeFailure(readApiFailure(sessions.error)).text}
        </p>
      )}
      {sessions.data !== undefined && (
        <ul className="security-list" aria-label="Sessions">
          {sessions.data.sessions.map((session) => (
            <li key={session.id} className="security-list__item">
              <div className="security-list__what">
                <strong>{session.device}</strong>
                {session.current && <span className="security-list__badge">This device</span>}
              </div>
              <dl className="security-list__facts">
                <Fact term="IP address">{session.ip ?? "unknown"}</Fact>
                <Fact term="Last seen">
                  <When at={session.lastSeenAt} />
                </Fact>
                <Fact term="Signed in">
                  <When at={session.createdAt} />
                </Fact>
              </dl>
              {!session.current && (
                <button
                  type="button"
                  className="button button--secondary"
                  aria-label={`Sign out this session: ${session.device}, last seen ${formatDateTime(new Date(session.lastSeenAt))}`}
                  aria-disabled={revoke.isPending}
                  onClick={() => {
                    if (revoke.isPending) return;
                    setEnded(null);
                    revoke.mutate({ sessionId: session.id });
                  }}
                >
                  Sign out this session
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
