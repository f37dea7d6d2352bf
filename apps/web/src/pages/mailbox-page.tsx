import { useQuery } from "@tanstack/react-query";
import { describeFailure, readApiFailure } from "../errors/api-errors.js";
import { useT } from "../i18n/index.js";
import { LoadingText } from "../layout/loading.js";
import { PageHeading, usePageTitle } from "../layout/page.js";
import { formatAgo, formatClockTime } from "../time/retry-time.js";
import { useNow } from "../time/use-now.js";
import { useTRPC } from "../trpc.js";

const REFRESH_MS = 1000;

function isNotFound(error: unknown): boolean {
  return error !== null && error !== undefined && readApiFailure(error).code === "NOT_FOUND";
}

/** Development only: what the dev mailbox holds, each email shown as its recipient would see it. */
export default function MailboxPage() {
  const t = useT();
  usePageTitle(t.mailbox.title);
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
        <PageHeading>{t.mailbox.title}</PageHeading>
        <p className="lead">{t.mailbox.onlyInDevelopment}</p>
      </section>
    );
  }

  const messages = [...(mailbox.data ?? [])].sort((a, b) => b.sentAt.localeCompare(a.sentAt));

  return (
    <section className="wide">
      <div className="wide__intro">
        <PageHeading>{t.mailbox.title}</PageHeading>
        <p className="lead">{t.mailbox.lead}</p>
      </div>

      <div role="alert" className="alert-slot">
        {mailbox.error !== null && (
          <p className="notice notice--error">
            {describeFailure(readApiFailure(mailbox.error)).text}
          </p>
        )}
      </div>

      {mailbox.isPending && <LoadingText className="lead">{t.app.loading}</LoadingText>}
      {mailbox.isSuccess && messages.length === 0 && <p className="empty">{t.mailbox.empty}</p>}

      <ol className="messages" aria-label={t.mailbox.count(messages.length)}>
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
                      <dt>{t.mailbox.to}</dt>
                      <dd className="message__to">{message.to}</dd>
                    </div>
                    <div>
                      <dt>{t.mailbox.sent}</dt>
                      <dd>
                        <time dateTime={message.sentAt}>
                          {formatClockTime(sentAt)} ({formatAgo(sentAt, now)})
                        </time>
                      </dd>
                    </div>
                    {message.link !== null && (
                      <div>
                        <dt>{t.mailbox.link}</dt>
                        <dd>
                          {/* The email's frame is sandboxed: its button cannot navigate. */}
                          <a href={message.link}>{t.mailbox.openLink}</a>
                        </dd>
                      </div>
                    )}
                  </dl>
                </header>
                <iframe
                  className="message__frame"
                  title={t.mailbox.frameTitle(message.to, message.subject)}
                  srcDoc={message.html}
                  sandbox=""
                />
                <details className="message__text">
                  <summary>{t.mailbox.plainText}</summary>
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
