import type { DatabaseHandle } from "@otp/core/db";
import { createDispatcher, type DeliveryObserver } from "@otp/delivery";
import type { EmailRenderer, MailTransport } from "@otp/email";
import type { Logger } from "pino";

export interface Delivery {
  start(): Promise<void>;
  stop(): Promise<void>;
  wake(): void;
}

/** The outbox dispatcher, run in the API process (the default; it can also run on its own). */
export function createDelivery(options: {
  database: DatabaseHandle;
  secret: string;
  renderer: EmailRenderer;
  transport: MailTransport;
  logger: Logger;
  observer?: DeliveryObserver;
}): Delivery {
  return createDispatcher({
    database: options.database,
    secret: options.secret,
    renderer: options.renderer,
    transport: options.transport,
    logger: options.logger.child({ component: "delivery" }),
    ...(options.observer === undefined ? {} : { observer: options.observer }),
  });
}
