/**
 * The bench's API process (src/server.ts) as compiled JavaScript, dist/server.js, built as the
 * product's own start is (scripts/build-node-app.mjs): the bench measures what production runs,
 * not the same code through tsx (which holds some 70 MB of its own in the process). Run by
 * src/api-process.ts before it starts the server.
 */
import { buildNodeApp } from "../../scripts/build-node-app.mjs";

await buildNodeApp(new URL("./", import.meta.url), { entry: "src/server.ts", splitting: true });
