/**
 * Full React Email render vs the fast path, per kind, on the same messages.
 * Usage: pnpm --filter @otp/email bench
 * Not a test: the numbers depend on the machine. Record them in README.md.
 */
import {
  createRenderer,
  EMAIL_KINDS,
  type EmailMessage,
  type RenderedEmail,
} from "../src/index.js";
import { SAMPLE_CONFIG, sampleMessage } from "./sample-messages.js";

const REPETITIONS = 7;
const FULL = { warmup: 100, iterations: 60 };
const FAST = { warmup: 20_000, iterations: 50_000 };

const renderer = createRenderer(SAMPLE_CONFIG);
const compileStarted = performance.now();
await renderer.warm();
const compileMs = performance.now() - compileStarted;

// Distinct codes, so neither path can profit from a repeated input.
const codes = Array.from({ length: 1000 }, (_, i) => String(10_000_000 + i * 7919));

/** Median over REPETITIONS of the mean time per call, in microseconds. */
async function microsecondsPerMessage(
  render: (message: EmailMessage) => Promise<RenderedEmail>,
  messages: readonly EmailMessage[],
  { warmup, iterations }: { warmup: number; iterations: number },
): Promise<number> {
  let sink = 0; // use every result so none of the work can be skipped
  for (let i = 0; i < warmup; i++)
    sink += (await render(messages[i % messages.length] as EmailMessage)).html.length;
  const samples: number[] = [];
  for (let repetition = 0; repetition < REPETITIONS; repetition++) {
    const started = performance.now();
    for (let i = 0; i < iterations; i++) {
      const email = await render(messages[i % messages.length] as EmailMessage);
      sink += email.html.length + email.text.length;
    }
    samples.push(((performance.now() - started) * 1000) / iterations);
  }
  if (sink === 0) throw new Error("nothing rendered");
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)] as number;
}

const rows: string[][] = [];
for (const kind of EMAIL_KINDS) {
  const messages = codes.map((code) => sampleMessage(kind, { code }));
  const first = messages[0] as EmailMessage;
  const [fast, full] = [await renderer.render(first), await renderer.renderFull(first)];
  if (fast.html !== full.html || fast.text !== full.text) throw new Error(`${kind}: paths differ`);

  const fullUs = await microsecondsPerMessage(renderer.renderFull, messages, FULL);
  const fastUs = await microsecondsPerMessage(renderer.render, messages, FAST);
  rows.push([kind, fullUs.toFixed(0), fastUs.toFixed(2), `${(fullUs / fastUs).toFixed(0)}x`]);
}

const header = ["kind", "full render µs/msg", "fast path µs/msg", "speed-up"];
console.log(`Node ${process.version}; median of ${REPETITIONS} runs; HTML + text per message.`);
console.log(
  `One-off compile of all ${EMAIL_KINDS.length} kinds (warm()): ${compileMs.toFixed(0)} ms\n`,
);
console.log(`| ${header.join(" | ")} |`);
console.log(`| ${header.map((_, i) => (i === 0 ? "---" : "---:")).join(" | ")} |`);
for (const row of rows) console.log(`| ${row.join(" | ")} |`);
