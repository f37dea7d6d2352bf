/**
 * A typed client of the product, as a separate app writes it: only
 * `@trpc/client` and `@otp/server` are dependencies. If OtpRouter needed a
 * framework's types, or a procedure changed its input or output, this file
 * would stop compiling.
 */
import type { OtpError, OtpRouter } from "@otp/server";
import { createTRPCClient, httpBatchLink, TRPCClientError } from "@trpc/client";

const client = createTRPCClient<OtpRouter>({
  links: [httpBatchLink({ url: "http://localhost:3000/trpc" })],
});

export async function signUp(email: string, password: string): Promise<string> {
  const registered = await client.auth.register.mutate({ email, password });
  return registered.message;
}

export async function verify(email: string, code: string): Promise<boolean> {
  const verified = await client.auth.verifyEmail.mutate({ email, code });
  return verified.signedIn && verified.passwordActive;
}

export async function whoAmI(): Promise<string | null> {
  try {
    const me = await client.auth.me.query();
    return me.email;
  } catch (error) {
    if (error instanceof TRPCClientError) {
      const data = error.data as OtpError | undefined;
      if (data?.code === "UNAUTHORIZED") return null;
    }
    throw error;
  }
}

export async function codeLength(): Promise<number> {
  return (await client.auth.rules.query()).codeLength;
}

// The router's types are real, not `any`: a REST field name is not the procedure's.
export const wrongField = () =>
  // @ts-expect-error verifyEmail takes `code` (REST's body calls it `otp`)
  client.auth.verifyEmail.mutate({ email: "a@example.com", otp: "12345678" });
