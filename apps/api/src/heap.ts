import { setFlagsFromString } from "node:v8";

/** How far past what survived the last full collection V8 lets the heap grow before the next. */
export const HEAP_GROWING_PERCENT = 50;

/**
 * Bounds the API process's heap growth. V8 grows the old generation to about
 * 3x what survived its last full collection before collecting again, and keeps
 * what it grew to: under load (30 s of resends at 32 clients) some 110 MB of
 * heap around 34 MB of live objects. 1.5x holds the resident memory to about
 * 160 MB at the same throughput (README, "Production build and memory"). V8
 * reads the factor at each collection, so setting it at start takes effect. A
 * factor given on the command line or in NODE_OPTIONS
 * (`--heap-growing-percent=0`: V8's own) wins.
 */
export function boundHeapGrowth(
  execArgv: readonly string[] = process.execArgv,
  nodeOptions: string | undefined = process.env.NODE_OPTIONS,
): boolean {
  const given = [...execArgv, ...(nodeOptions ?? "").split(/\s+/)];
  if (given.some((option) => option.startsWith("--heap-growing-percent"))) return false;
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  return true;
}
