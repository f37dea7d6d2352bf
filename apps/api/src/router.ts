/** The router's type, for clients (the web app imports it as a type only); the edge declares it. */
export type { AppRouter, Operations } from "@otp/server/internal";
