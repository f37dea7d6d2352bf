/** Mounted only when the dev mailbox is the transport (development). */
import { ok } from "@otp/core/internal";
import { linkPath } from "@otp/email";
import { z } from "zod";
import { defineOperation } from "../define.js";

export const mailbox = defineOperation({
  kind: "query",
  summary: "The dev mailbox's messages, newest first (development only).",
  input: null,
  output: z.array(
    z.object({
      id: z.string(),
      to: z.string(),
      subject: z.string(),
      html: z.string(),
      text: z.string(),
      /** A code email's link (`/link#token=...`, on this app), to open it from the mailbox. */
      link: z.string().nullable(),
      sentAt: z.string(),
    }),
  ),
  failures: [],
  limit: "none",
  session: false,
  async run(ctx) {
    return ok(
      (ctx.mailbox?.list() ?? []).map((message) => ({
        id: message.id,
        to: message.to,
        subject: message.subject,
        html: message.html,
        text: message.text,
        link: message.meta?.linkToken === undefined ? null : linkPath(message.meta.linkToken),
        sentAt: message.sentAt.toISOString(),
      })),
    );
  },
});
