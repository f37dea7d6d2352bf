import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);
const repoRoot = join(import.meta.dirname, "../../..");
const readme = await readFile(join(import.meta.dirname, "../README.md"), "utf8");

/** The README's first TypeScript block, exactly as a reader copies it. */
const example = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];

describe("the core README's example", () => {
  it("type-checks and runs as a script at the repository root: register, the code read from the in-memory transport, verified with the binding token (password active), then a password sign-in", async () => {
    expect(example).toMatch(/import \{[^}]*createOtpService[^}]*\} from "@otp\/core"/);
    // A directory at the root, so the script resolves packages as any root script does.
    const dir = await mkdtemp(join(repoRoot, ".readme-example-"));
    try {
      await writeFile(join(dir, "example.ts"), example as string);
      await writeFile(
        join(dir, "tsconfig.json"),
        JSON.stringify({
          extends: "../tsconfig.base.json",
          compilerOptions: { lib: ["ES2024", "ES2024.String"] },
          files: ["example.ts"],
        }),
      );
      await run(join(repoRoot, "node_modules/.bin/tsc"), ["-p", join(dir, "tsconfig.json")], {
        cwd: repoRoot,
      });

      const env: NodeJS.ProcessEnv = { ...process.env };
      delete env.APP_SECRET;
      const { stdout } = await run(process.execPath, ["--import", "tsx", join(dir, "example.ts")], {
        cwd: repoRoot,
        env,
      });
      // The service's and delivery's JSON log lines aside, what the example prints.
      const printed = stdout.split("\n").filter((line) => line !== "" && !line.startsWith("{"));
      expect(printed).toEqual(["true", "ada@example.com"]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 240_000);
});
