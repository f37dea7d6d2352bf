import type { OtpService } from "@otp/core";
import type { DevMailbox } from "@otp/email";
import type { FastifyBaseLogger } from "fastify";

/** What every procedure can use; built once per request from the app's services. */
export interface Context {
  service: OtpService;
  /** Present only when the dev mailbox is the transport (never in production). */
  mailbox: DevMailbox | undefined;
  /** The checks the readiness probe runs. */
  log: FastifyBaseLogger;
}
