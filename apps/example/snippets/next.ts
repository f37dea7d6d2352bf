// app/otp.ts: one instance for the whole app

import { createSmtpTransport } from "@otp/email";
import { createOtp } from "@otp/server";
import { headers } from "next/headers";

export const otp = await createOtp({
  database: { url: process.env.DATABASE_URL ?? "" },
  secret: process.env.APP_SECRET ?? "",
  appUrl: "https://app.example.com",
  mail: createSmtpTransport({
    url: process.env.SMTP_URL ?? "",
    from: "App <no-reply@example.com>",
  }),
});

// app/api/v1/[...path]/route.ts and app/trpc/[...path]/route.ts: the product's routes
const handle = (request: Request) =>
  otp.handler(request, { clientAddress: request.headers.get("x-real-ip") ?? undefined });

export { handle as GET, handle as POST };

// In a server component or route of the app's own: who is signed in
export async function currentEmail(): Promise<string | null> {
  const session = await otp.getSession(await headers());
  return session?.email ?? null;
}
