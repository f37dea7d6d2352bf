/**
 * A workspace app as compiled JavaScript for `node` (tsx stays a development
 * tool): dist/main.js, with the workspace's TypeScript (@otp/core, @otp/email,
 * @otp/delivery, ...) and the libraries only they use bundled in. The app's own
 * dependencies stay in node_modules, where they resolve from dist/, and so do
 * the ones that load files of their own at run time (PGlite's WebAssembly,
 * argon2's native binding), which each app lists as its dependencies for that.
 * Paths computed from `import.meta` in the sources (the migrations folder, the
 * web build) keep pointing where the source files are: the bundle runs in the
 * checkout it was built in. Used by apps/api and apps/cli (their build.mjs).
 */
import { readFileSync } from "node:fs";
import { dirname } from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";

/** import.meta.url and import.meta.dirname of each workspace source file, as built. */
const sourcePaths = {
  name: "source-paths",
  setup(context) {
    context.onLoad({ filter: /\/(packages|apps)\/[^/]+\/src\/.*\.tsx?$/ }, (args) => {
      const text = readFileSync(args.path, "utf8");
      if (!text.includes("import.meta")) return undefined;
      return {
        contents: text
          .replaceAll("import.meta.url", JSON.stringify(pathToFileURL(args.path).href))
          .replaceAll("import.meta.dirname", JSON.stringify(dirname(args.path))),
        loader: args.path.endsWith(".tsx") ? "tsx" : "ts",
      };
    });
  },
};

/**
 * Builds `<appUrl>/src/main.ts` (or `entry`) into `<appUrl>/dist/`.
 * `splitting`: dynamic imports become chunks of their own, loaded only when
 * reached.
 */
export async function buildNodeApp(appUrl, { splitting = false, entry = "src/main.ts" } = {}) {
  const manifest = JSON.parse(readFileSync(new URL("package.json", appUrl), "utf8"));
  const external = Object.keys(manifest.dependencies).filter((name) => !name.startsWith("@otp/"));
  await build({
    entryPoints: [new URL(entry, appUrl).pathname],
    outdir: new URL("dist", appUrl).pathname,
    splitting,
    entryNames: "[name]",
    bundle: true,
    platform: "node",
    target: "node20",
    format: "esm",
    jsx: "automatic",
    sourcemap: true,
    external: [...external, ...external.map((name) => `${name}/*`)],
    // Bundled CommonJS libraries call require() for Node's built-ins.
    banner: {
      js: 'import { createRequire as __otpCreateRequire } from "node:module"; const require = __otpCreateRequire(import.meta.url);',
    },
    plugins: [sourcePaths],
    logLevel: "warning",
  });
}
