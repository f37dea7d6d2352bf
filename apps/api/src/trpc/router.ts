import type { PasscodePolicy } from "@otp/core";
import { createAccountRouter } from "./account-router.js";
import { createAuthRouter } from "./auth-router.js";
import { devRouter } from "./dev-router.js";
import { router } from "./init.js";

/** The full router; `dev` is mounted only when the dev mailbox is in use. */
export function createAppRouter(policy: PasscodePolicy) {
  return router({
    auth: createAuthRouter(policy),
    account: createAccountRouter(policy),
    dev: devRouter,
  });
}

/** The same API without the development procedures (production). */
export function createProductionRouter(policy: PasscodePolicy) {
  return router({ auth: createAuthRouter(policy), account: createAccountRouter(policy) });
}

/** The router's type, for clients (the web app imports it as a type only). */
export type AppRouter = ReturnType<typeof createAppRouter>;
