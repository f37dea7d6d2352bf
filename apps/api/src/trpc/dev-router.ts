import { apiError } from "../errors.js";
import { publicProcedure, router } from "./init.js";

/** Development only: mounted when the dev mailbox is the transport, absent otherwise. */
export const devRouter = router({
  mailbox: publicProcedure.query(({ ctx }) => {
    if (ctx.mailbox === undefined) throw apiError("NOT_FOUND");
    return ctx.mailbox.list().map((message) => ({
      id: message.id,
      to: message.to,
      subject: message.subject,
      html: message.html,
      text: message.text,
      sentAt: message.sentAt.toISOString(),
    }));
  }),
});
