/** Where things are (no side effects: the global setup imports this). */
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const PACKAGE_DIR = fileURLToPath(new URL("..", import.meta.url));
export const REPO_DIR = join(PACKAGE_DIR, "..", "..");
export const API_DIR = join(REPO_DIR, "apps", "api");
/** The API's real entry point, run the way `pnpm --filter @otp/api start` runs it. */
export const API_MAIN = join(API_DIR, "src", "main.ts");
export const TSX_BIN = join(PACKAGE_DIR, "node_modules", ".bin", "tsx");
/** Another suite built on this harness (the fleet's) sets its own, so neither clears the other's files. */
export const RESULTS_DIR =
  process.env.OTP_HARNESS_RESULTS_DIR || join(PACKAGE_DIR, ".test-results");
/** One line per API child ever started, "<pid (= process group id)> <marker>", for the global teardown. */
export const CHILD_PIDS_FILE = join(RESULTS_DIR, "child-pids.txt");
/** Environment variable carrying each child's own random marker. */
export const CHILD_MARKER_VARIABLE = "OTP_RELIABILITY_CHILD";
/** One line per database a scenario created, for the global setup and teardown to drop leftovers. */
export const DATABASES_FILE = join(RESULTS_DIR, "databases.txt");
