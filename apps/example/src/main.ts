/** `pnpm --filter @otp/example dev`: the example on PORT (3000), its data under DATA_DIR. */
import { serve } from "@hono/node-server";
import { createApp } from "./app.js";

const { app, otp } = await createApp();
const server = serve({ fetch: app.fetch, port: Number(process.env.PORT ?? 3000) }, (info) =>
  console.log(`example: http://localhost:${info.port}/hello`),
);
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => server.close(() => void otp.close()));
}
