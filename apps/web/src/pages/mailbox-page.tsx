import { useQuery } from "@tanstack/react-query";
import { describeFailure, readApiFailure } from "../errors/api-errors.js";
import { PageHeading, usePageTitle } from "../layout/page.js";
import { formatAgo } from "../time/retry-time.js";
import { useNow } from "../time/use-now.js";
import { useTRPC } from "../trpc.js";

const REFRESH_MS = 1000;

function isNotFound(error: unknown): boolean {
  return error !== null && error !== undefined && readApiFailure(error).code === "NOT_FOUND";
}

/** Development only: what the dev mailbox holds, each email shown as its recipient would see it. */
export default function MailboxPage() {
  usePageTitle("Dev mailbox");
  const trpc = useTRPC();
  const mailbox = useQuery(
    trpc.dev.mailbox.queryOptions(undefined, {
      // In production the procedure answers NOT_FOUND; asking again would not change that.
      refetchInterval: (query) => (isNotFound(query.state.error) ? false : REFRESH_MS),
    }),
  );
  const now = useNow(REFRESH_MS * 5);

  if (isNotFound(mailbox.error)) {
    return (
      <section className="card">
        <PageHeading>Dev mailbox</PageHeading>
        <p className="lead">
          The mailbox exists only in development. Here, emails go to real inboxes by SMTP.
        </p>
      </section>
    );
  }

  const messages = [...(mailbox.data ?? [])].sort((a, b) => b.sentAt.localeCompare(a.sentAt));

  return (
    <section className="wide">
      <div className="wide__intro">
        <PageHeading>Dev mailbox</PageHeading>
        <p className="lead">
          Every email the API sent while running without SMTP, newest first. Development only;
          refreshes every second.
        </p>
      </div>

      <div role="alert" className="alert-slot">
        {mailbox.error !== null && (
          <p className="notice notice--error">
            {describeFailure(readApiFailure(mailbox.error)).text}
          </p>
        )}
      </div>

      {mailbox.isPending && <p className="lead">Loading…</p>}
      {mailbox.isSuccess && messages.length === 0 && (
        <p className="empty">
          No emails yet. Create an account and its verification email shows here.
        </p>
      )}

      <ol className="messages" aria-label={`${messages.length} emails`}>
        {messages.map((message) => {
          const sentAt = new Date(message.sentAt);
          return (
            <li key={message.id}>
              <article className="message" aria-labelledby={`subject-${message.id}`}>
                <header className="message__header">
                  <h2 id={`subject-${message.id}`} className="message__subject">
                    {message.subject}
                  </h2>
                  <dl className="message__meta">
                    <div>
                      <dt>To</dt>
                      <dd className="message__to">{message.to}</dd>
                    </div>
                    <div>
                      <dt>Sent</dt>
                      <dd>
                        <time dateTime={message.sentAt}>
                          {sentAt.toLocaleTimeString()} ({formatAgo(sentAt, now)})
                        </time>
                      </dd>
                    </div>
                    {message.link !== null && (
                      <div>
                        <dt>Link</dt>
                        <dd>
                          {/* The email's frame is sandboxed: its button cannot navigate. */}
                          <a href={message.link}>Open the link beside the code</a>
                        </dd>
                      </div>
                    )}
                  </dl>
                </header>
                <iframe
                  className="message__frame"
                  title={`Email to ${message.to}: ${message.subject}`}
                  srcDoc={message.html}
                  sandbox=""
                />
                <details className="message__text">
                  <summary>Plain-text version</summary>
                  <pre>{message.text}</pre>
                </details>
              </article>
            </li>
          );
        })}
      </ol>
    </section>
  );
}
