import { getConnInfo } from "@hono/node-server/conninfo";
import { createMemoryTransport } from "@otp/email";
import { createOtp } from "@otp/server";
import { type Context, Hono } from "hono";

export async function createApp(env: Record<string, string | undefined> = process.env) {
  const mail = createMemoryTransport(); // in production: createSmtpTransport (@otp/email)
  const otp = await createOtp({
    database: env.DATABASE_URL ? { url: env.DATABASE_URL } : { dataDir: env.DATA_DIR ?? ".data" },
    secret: env.APP_SECRET ?? "",
    appUrl: env.APP_URL ?? "http://localhost:3000",
    mail,
  });
  const app = new Hono();
  // The product's REST routes and tRPC procedures, answered by the embedded edge.
  const product = (c: Context) =>
    otp.handler(c.req.raw, { clientAddress: getConnInfo(c).remote.address });
  app.all("/api/v1/*", product);
  app.all("/trpc/*", product);
  // A route of the app's own: signed-in accounts only.
  app.get("/hello", async (c) => {
    const session = await otp.getSession(c.req.raw.headers);
    if (session === null) return c.json({ error: "Sign in first." }, 401);
    return c.json({ email: session.email });
  });
  return { app, otp, mail };
}
