/**
 * `pnpm build`: the dispatcher process as compiled JavaScript, dist/main.js,
 * and the chunk it loads only when tracing is on (scripts/build-node-app.mjs
 * says what is bundled and what stays in node_modules).
 */
import { buildNodeApp } from "../../scripts/build-node-app.mjs";

await buildNodeApp(new URL("./", import.meta.url), { splitting: true });
