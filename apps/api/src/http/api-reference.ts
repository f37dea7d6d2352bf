/**
 * The API reference page (GET /api/docs): a small page of our own that loads
 * Scalar's standalone script, served from disk as a hashed, immutable file,
 * precompressed (brotli and gzip).
 *
 * The script (4.9 MB) lives inside @scalar/fastify-api-reference's module as
 * one string. Loading that module in the server held about 90 MB for the rest
 * of the process; so the server never loads it: on the first request, a short
 * child process imports it, takes the script out through the plugin's own
 * route, and writes `scalar.<hash>.js` with its `.br` and `.gz` beside it into
 * the cache directory (DATA_DIR/api-reference). Later starts find it there.
 */
import { execFile } from "node:child_process";
import { createReadStream } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";

/** What the page asks of Scalar: no fonts fetched, no telemetry, no upsell buttons. */
export const SCALAR_CONFIGURATION = {
  withDefaultFonts: false,
  telemetry: false,
  // The developer tools bar carries "Deploy", "Generate SDK" and the like.
  showDeveloperTools: "never",
  // "Ask AI".
  agent: { disabled: true },
  mcp: { disabled: true },
} as const;

/** The script's file name: its content's hash, so it can be cached for good. */
export const SCRIPT_NAME = /^scalar\.[0-9a-f]{16}\.js$/;
const MANIFEST = "manifest.json";

export interface ReferenceScript {
  /** `scalar.<hash>.js`. */
  name: string;
  dir: string;
}

/**
 * Runs in the child process: argv = plugin URL, fastify URL, output dir.
 * Writes the files under temporary names, then renames them, the manifest last.
 */
const EXTRACT = `
import { createHash } from "node:crypto";
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
const [pluginUrl, fastifyUrl, dir] = process.argv.slice(1);
const { default: plugin } = await import(pluginUrl);
const { default: Fastify } = await import(fastifyUrl);
const app = Fastify();
await app.register(plugin, { routePrefix: "/reference", configuration: { url: "/openapi.json" } });
const answer = await app.inject({ url: "/reference/js/scalar.js" });
if (answer.statusCode !== 200) throw new Error("the plugin answered " + answer.statusCode);
const body = answer.rawPayload;
const name = "scalar." + createHash("sha256").update(body).digest("hex").slice(0, 16) + ".js";
mkdirSync(dir, { recursive: true });
const put = (file, data) => {
  writeFileSync(join(dir, file + ".tmp-" + process.pid), data);
  renameSync(join(dir, file + ".tmp-" + process.pid), join(dir, file));
};
put(name, body);
put(name + ".br", brotliCompressSync(body, {
  params: { [constants.BROTLI_PARAM_QUALITY]: 5, [constants.BROTLI_PARAM_SIZE_HINT]: body.length },
}));
put(name + ".gz", gzipSync(body, { level: 9 }));
put("${MANIFEST}", JSON.stringify({ name, bytes: body.length }));
`;

/** The plugin and Fastify as the child imports them, and the plugin's version. */
async function pluginEntry(): Promise<{ plugin: string; fastify: string; version: string }> {
  const require = createRequire(import.meta.url);
  const entry = require.resolve("@scalar/fastify-api-reference");
  // dist/index.js: its package.json is one directory up (the package exports no other path).
  const manifest = JSON.parse(await readFile(join(dirname(entry), "..", "package.json"), "utf8"));
  return {
    plugin: pathToFileURL(entry).href,
    fastify: pathToFileURL(require.resolve("fastify")).href,
    version: String((manifest as { version?: unknown }).version ?? "current"),
  };
}

/** The script in the cache directory, written first (in a child process) when absent. */
export async function referenceScript(cacheDir: string): Promise<ReferenceScript> {
  const { plugin, fastify, version } = await pluginEntry();
  // One directory per plugin version: a new version writes its own script.
  const dir = join(cacheDir, version.replace(/[^0-9A-Za-z.+_-]/g, "_"));
  const read = async () => {
    const manifest = JSON.parse(await readFile(join(dir, MANIFEST), "utf8")) as { name: string };
    if (!SCRIPT_NAME.test(manifest.name)) throw new Error("bad manifest");
    await stat(join(dir, manifest.name));
    return { name: manifest.name, dir };
  };
  try {
    return await read();
  } catch {
    await promisify(execFile)(
      process.execPath,
      ["--input-type=module", "-e", EXTRACT, plugin, fastify, dir],
      { timeout: 120_000 },
    );
    return await read();
  }
}

/** The encoding to send: brotli, else gzip, else none, as the client accepts. */
export function chooseEncoding(acceptEncoding: string | undefined): "br" | "gzip" | undefined {
  const accepted = new Map<string, number>();
  for (const part of (acceptEncoding ?? "").split(",")) {
    const [coding = "", ...parameters] = part.split(";").map((piece) => piece.trim().toLowerCase());
    const q = parameters.find((parameter) => parameter.startsWith("q="));
    accepted.set(coding, q === undefined ? 1 : Number(q.slice(2)));
  }
  const allows = (coding: string) => (accepted.get(coding) ?? accepted.get("*") ?? 0) > 0;
  if (allows("br")) return "br";
  if (allows("gzip")) return "gzip";
  return undefined;
}

/** A read stream of the script in an encoding, and its length. */
export async function openScript(script: ReferenceScript, encoding: "br" | "gzip" | undefined) {
  const file = join(
    script.dir,
    script.name + (encoding === "br" ? ".br" : encoding === "gzip" ? ".gz" : ""),
  );
  const { size } = await stat(file);
  return { stream: createReadStream(file), size };
}
