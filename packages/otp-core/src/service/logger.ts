import { pino } from "pino";

/** The subset of pino's interface the service uses; pass the application's logger. */
export interface Logger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

export function createDefaultLogger(): Logger {
  return pino({ name: "otp-core" });
}
