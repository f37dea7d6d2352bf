/**
 * @otp/server: the product's edge, free of any web framework. `createOtp`
 * embeds it in any app that speaks Fetch; the standalone server (apps/api)
 * hosts the same edge on Fastify.
 */
export type { EdgeSettingOptions, EdgeSettings } from "@otp/env";
export {
  type CallOptions,
  createOtp,
  type DatabaseOption,
  type Otp,
  type OtpCaller,
  type OtpOptions,
  OtpOptionsError,
  type OtpSession,
} from "./create-otp.js";
export type { ApiErrorCode as OtpErrorCode, WireError as OtpError } from "./errors.js";
export type { HandlerContext } from "./fetch-handler.js";
export { SESSION_COOKIE } from "./trpc/context.js";
/** The router's type, for typed clients (`createTRPCClient<OtpRouter>`). */
export type { AppRouter as OtpRouter } from "./trpc/router.js";
