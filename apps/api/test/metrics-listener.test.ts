/**
 * The metrics listener binds to 127.0.0.1 unless METRICS_HOST says otherwise
 * (issue 23, finding 10): with the API on every interface, the metrics are
 * still reachable only from the machine itself.
 */
import { networkInterfaces } from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "./harness.js";

/** An address of this machine that is not loopback, if it has one. */
const external = Object.values(networkInterfaces())
  .flat()
  .find((i) => i !== undefined && i.family === "IPv4" && !i.internal)?.address;

describe("the metrics listener", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp("pglite", {
      HOST: "0.0.0.0",
      // Not the dev mailbox (which listens on loopback only); nothing is sent here.
      SMTP_URL: "smtp://127.0.0.1:1",
      DELIVERY: "off",
      METRICS_PORT: "0",
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  it("listens on 127.0.0.1 while the API listens on every interface", async () => {
    const metricsUrl = t.app.metricsUrl as string;
    expect(new URL(metricsUrl).hostname).toBe("127.0.0.1");
    expect((await fetch(`${metricsUrl}/metrics`)).status).toBe(200);
    if (external === undefined) return;
    const port = new URL(metricsUrl).port;
    const apiPort = new URL(t.url).port;
    expect((await fetch(`http://${external}:${apiPort}/healthz`)).status).toBe(200);
    await expect(fetch(`http://${external}:${port}/metrics`)).rejects.toThrow();
  });
});
