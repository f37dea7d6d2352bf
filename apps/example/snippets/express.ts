import { Readable } from "node:stream";
import { createSmtpTransport } from "@otp/email";
import { createOtp } from "@otp/server";
import express from "express";

const otp = await createOtp({
  database: { dataDir: ".data" },
  secret: process.env.APP_SECRET ?? "",
  appUrl: "http://localhost:3000",
  mail: createSmtpTransport({
    url: process.env.SMTP_URL ?? "",
    from: "App <no-reply@example.com>",
  }),
});
const app = express();
// Express speaks node's request and response: hand the edge a Fetch Request, copy its answer back.
app.use(["/api/v1", "/trpc"], async (req, res) => {
  const hasBody = req.method !== "GET" && req.method !== "HEAD";
  const request = new Request(new URL(req.originalUrl, "http://localhost:3000"), {
    method: req.method,
    headers: req.headers as Record<string, string>,
    body: hasBody ? (Readable.toWeb(req) as ReadableStream) : undefined,
    duplex: "half",
  } as RequestInit);
  const answer = await otp.handler(request, { clientAddress: req.socket.remoteAddress });
  for (const [name, value] of answer.headers) if (name !== "set-cookie") res.setHeader(name, value);
  res.setHeader("set-cookie", answer.headers.getSetCookie());
  res.status(answer.status).send(Buffer.from(await answer.arrayBuffer()));
});
app.get("/hello", async (req, res) => {
  const session = await otp.getSession(new Headers(req.headers as Record<string, string>));
  if (session === null) return res.status(401).json({ error: "Sign in first." });
  return res.json({ email: session.email });
});
app.listen(3000);
