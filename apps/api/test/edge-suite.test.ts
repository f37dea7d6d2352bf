import { defineEdgeSuite } from "@otp/server/testing";
import { BACKENDS, startTestApp } from "./harness.js";

// The same suite as packages/server/test/handler.test.ts, against the standalone server over HTTP.
defineEdgeSuite("the standalone server (HTTP)", BACKENDS, async (backend, settings) => {
  const t = await startTestApp(backend, settings);
  let broken = false;
  return {
    request: (path, init) => fetch(`${t.url}${path}`, init),
    codeFor: (email, codeType) => t.codeFor(email, codeType),
    async breakDatabase() {
      broken = true;
      await t.database.close();
    },
    async close() {
      if (!broken) return t.close();
      await t.app.close();
    },
  };
});
