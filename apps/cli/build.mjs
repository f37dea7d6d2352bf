/**
 * `pnpm --filter @otp/cli build`: the operations CLI as compiled JavaScript,
 * dist/main.js, which `pnpm otp` runs with `node` (scripts/build-node-app.mjs
 * says what is bundled and what stays in node_modules).
 */
import { buildNodeApp } from "../../scripts/build-node-app.mjs";

await buildNodeApp(new URL("./", import.meta.url));
