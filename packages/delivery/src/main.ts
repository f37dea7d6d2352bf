/**
 * The outbox dispatcher as its own process:
 *
 *   DATABASE_URL=postgres://... APP_SECRET=... SMTP_URL=smtp://... SMTP_FROM="Acme <no-reply@...>" \
 *   APP_URL=https://acme.example APP_NAME=Acme pnpm --filter @otp/delivery start
 *
 * Several may run at once against the same database. SIGTERM or SIGINT stops
 * it gracefully: no new claims, the claimed rows finished, then exit 0. With
 * OTEL_EXPORTER_OTLP_ENDPOINT set, each delivery attempt is a span (its SQL
 * inside), linked to the request that queued the email, exported over OTLP.
 */
import { LOG_SERIALIZERS } from "@otp/core";
import { createDatabase } from "@otp/core/db";
import { createRenderer, createSmtpTransport } from "@otp/email";
import { pino } from "pino";
import { parseDeliveryEnv } from "./config.js";
import { createDispatcher } from "./dispatcher.js";

/** The process's name in its logs and its traces (service.name and instrumentation scope). */
const SERVICE_NAME = "otp-delivery";

const parsed = parseDeliveryEnv(process.env);
if (!parsed.ok) {
  console.error(
    `otp-delivery: invalid environment, not starting:\n${parsed.errors.map((line) => `  ${line}`).join("\n")}`,
  );
  process.exit(1);
}
const config = parsed.config;
const logger = pino({ name: SERVICE_NAME, serializers: LOG_SERIALIZERS });
// Loaded only when on: the SDK is sizeable, and nothing else needs it.
const tracing =
  config.otlpEndpoint === undefined
    ? undefined
    : (await import("@otp/tracing")).startTracing({
        endpoint: config.otlpEndpoint,
        serviceName: SERVICE_NAME,
        tracerName: SERVICE_NAME,
      });

const database = await createDatabase({
  url: config.databaseUrl,
  directUrl: config.databaseDirectUrl,
  preparedStatements: config.databasePreparedStatements,
  poolSize: 4,
});
if (tracing !== undefined) database.observeStatements?.(tracing.onStatement);
if (database.kind !== "postgres") {
  // parseDeliveryEnv already insists on a postgres:// URL; this guards against future defaults.
  console.error(
    "otp-delivery: refusing to run on PGlite, which cannot be shared between processes",
  );
  await database.close();
  process.exit(1);
}
const transport = createSmtpTransport({ url: config.smtpUrl, from: config.smtpFrom });
const renderer = createRenderer({ productName: config.appName, baseUrl: config.appUrl });
const dispatcher = createDispatcher({
  database,
  secret: config.appSecret,
  renderer,
  transport,
  logger,
  ...(tracing === undefined ? {} : { observer: { aroundAttempt: tracing.aroundDeliveryAttempt } }),
});

let stopping = false;
async function shutdown(signal: NodeJS.Signals): Promise<void> {
  if (stopping) {
    logger.warn({ signal }, "second signal: exiting without waiting for in-flight sends");
    process.exit(1);
  }
  stopping = true;
  logger.info({ signal }, "stopping: finishing claimed emails");
  try {
    await dispatcher.stop();
    await transport.close();
    await database.close();
    // The spans still buffered; a collector that cannot take them does not fail the stop.
    await tracing
      ?.shutdown()
      .catch((error: unknown) => logger.warn({ err: error }, "tracing: last spans not exported"));
    process.exit(0);
  } catch (error) {
    logger.error({ err: error }, "error while stopping");
    process.exit(1);
  }
}
process.on("SIGTERM", (signal) => void shutdown(signal));
process.on("SIGINT", (signal) => void shutdown(signal));

try {
  await renderer.warm();
  await dispatcher.start();
} catch (error) {
  logger.error({ err: error }, "could not start the dispatcher");
  await Promise.allSettled([transport.close(), database.close(), tracing?.shutdown()]);
  process.exit(1);
}
