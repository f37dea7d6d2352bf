/**
 * Real 404s: the web app's index.html answers only page routes (a GET that
 * accepts HTML, of a path with no file extension, outside /api/, /trpc/ and
 * /metrics); an unknown file, /metrics and an unknown API path answer 404 with
 * the API's error envelope.
 */
import { rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fakeWebDist, startTestApp, type TestApp } from "./harness.js";

const BROWSER = { accept: "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8" };

describe("not found", () => {
  let t: TestApp;
  let webDist: string;
  beforeAll(async () => {
    webDist = fakeWebDist();
    t = await startTestApp("pglite", { WEB_DIST: webDist });
  });
  afterAll(async () => {
    await t?.close();
    rmSync(webDist, { recursive: true, force: true });
  });

  it("a page route gets the web app's index.html", async () => {
    for (const path of ["/", "/sign-in", "/verify?email=a%40example.com", "/no/such/page/"]) {
      const page = await fetch(`${t.url}${path}`, { headers: BROWSER });
      expect(page.status, path).toBe(200);
      expect(page.headers.get("content-type"), path).toMatch(/^text\/html/);
      expect(await page.text(), path).toContain("<div id=root>");
    }
  });

  it("the web app's files are served, an unknown file is a 404", async () => {
    const asset = await fetch(`${t.url}/assets/index-mf8olmnx.js`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get("cache-control")).toContain("immutable");
    for (const path of ["/assets/index-00000000.js", "/robots.txt", "/favicon.ico", "/a/b.css"]) {
      const answer = await fetch(`${t.url}${path}`, { headers: BROWSER });
      expect(answer.status, path).toBe(404);
      expect(await answer.json(), path).toMatchObject({ error: { code: "NOT_FOUND" } });
    }
  });

  it("/metrics and unknown /api/ and /trpc/ paths are 404s, even asked for HTML", async () => {
    for (const path of [
      "/metrics",
      "/metrics/",
      "/api",
      "/api/v1/nope/",
      "/api/docs/nope",
      "/trpc",
    ]) {
      const answer = await fetch(`${t.url}${path}`, { headers: BROWSER });
      expect(answer.status, path).toBe(404);
      expect(answer.headers.get("content-type"), path).toMatch(/^application\/json/);
      expect(await answer.json(), path).toMatchObject({ error: { code: "NOT_FOUND" } });
    }
  });

  it("a page path not asked for as HTML, or not with GET, is a 404", async () => {
    const cases: [string, RequestInit][] = [
      ["/sign-in", {}],
      ["/sign-in", { headers: { accept: "application/json" } }],
      ["/sign-in", { headers: { accept: "*/*" } }],
      ["/sign-in", { headers: { accept: "text/html;q=0" } }],
      ["/sign-in", { method: "POST", headers: BROWSER }],
      ["/sign-in", { method: "DELETE", headers: BROWSER }],
    ];
    for (const [path, init] of cases) {
      const answer = await fetch(`${t.url}${path}`, init);
      expect(answer.status, JSON.stringify(init)).toBe(404);
    }
  });
});
