/** Signing in with a password or an emailed code (flows/sign-in.ts). */
import { clientOf } from "../../trpc/context.js";
import { defineOperation } from "../define.js";
import {
  acceptedAnswer,
  codeCheck,
  codeCheckRoute,
  codeRequest,
  EXAMPLE_CODE,
  EXAMPLE_EMAIL,
  EXAMPLE_PASSWORD,
  MESSAGES,
  signedIn,
} from "../presets.js";

export const signIn = defineOperation({
  kind: "mutation",
  summary: "Sign in with email and password; sets the session cookie.",
  input: (s) => s.signIn,
  output: acceptedAnswer,
  failures: ["INVALID_CREDENTIALS", "EMAIL_NOT_VERIFIED", "TOO_MANY_ATTEMPTS", "ACCOUNT_LOCKED"],
  limit: "guess",
  session: false,
  rest: {
    method: "POST",
    path: "/api/v1/auth/sign-in/",
    example: { email: EXAMPLE_EMAIL, password: EXAMPLE_PASSWORD },
  },
  run: async (ctx, input) => signedIn(ctx, await ctx.service.signIn(input, clientOf(ctx))),
});

export const requestSignInCode = codeRequest({
  summary: "Email a sign-in code; the answer is the same for every address.",
  path: "/api/v1/auth/sign-in-code/",
  message: MESSAGES.signInCodeSent,
  send: (service, input) => service.requestSignInCode(input),
});

export const signInWithCode = defineOperation({
  ...codeCheck,
  summary: "Sign in with the code from a sign-in email; sets the session cookie.",
  input: (s) => s.signInWithCode,
  output: acceptedAnswer,
  rest: codeCheckRoute("/api/v1/auth/sign-in-code/verify/", {
    email: EXAMPLE_EMAIL,
    otp: EXAMPLE_CODE,
  }),
  run: async (ctx, input) => signedIn(ctx, await ctx.service.signInWithCode(input, clientOf(ctx))),
});
