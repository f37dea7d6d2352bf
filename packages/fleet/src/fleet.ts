/**
 * The fleet's processes on the reliability harness: API processes (`DELIVERY=off`) and
 * outbox dispatcher processes (`packages/delivery/src/main.ts`), each its own process
 * group, killed with the suite whatever happens.
 */
import { join } from "node:path";
import { type ApiProcess, startApiProcess } from "@otp/reliability/api-process";
import { REPO_DIR } from "@otp/reliability/paths";
import type { Scenario } from "@otp/reliability/scenario";

const DELIVERY_DIR = join(REPO_DIR, "packages", "delivery");

/** The dispatcher's own start-up line (pino JSON on stdout). */
const DISPATCHER_READY = /"msg":"outbox: dispatcher started"/;

export type FleetProcess = ApiProcess;

/** An API process that leaves delivery to the dispatchers. */
export function startFleetApi(
  s: Scenario,
  label: string,
  env: Record<string, string> = {},
): Promise<FleetProcess> {
  return s.startApi(label, { DELIVERY: "off", ...env });
}

/** An outbox dispatcher process on the scenario's database and SMTP sink. */
export function startDispatcher(
  s: Scenario,
  label: string,
  env: Record<string, string> = {},
): Promise<FleetProcess> {
  return startApiProcess(
    `${s.name}/${label}`,
    {
      DATABASE_URL: s.db.url,
      SMTP_URL: s.sink.url,
      SMTP_FROM: "Fleet <no-reply@reliability.test>",
      ...env,
    },
    {
      entry: { main: join(DELIVERY_DIR, "src", "main.ts"), dir: DELIVERY_DIR },
      ready: DISPATCHER_READY,
    },
  );
}

/** Prometheus text of an API process's metrics listener. */
export async function scrape(metricsUrl: string): Promise<string> {
  const response = await fetch(`${metricsUrl}/metrics`, { signal: AbortSignal.timeout(5_000) });
  return response.text();
}

/** The value of one series in Prometheus text (`name{labels} value`), 0 when absent. */
export function metricValue(text: string, series: string): number {
  for (const line of text.split("\n")) {
    if (line.startsWith(`${series} `)) return Number(line.slice(series.length + 1));
  }
  return 0;
}

/**
 * `work` over `items`, at most `concurrency` at a time, results in order. Registrations
 * hash a password (argon2id, tens of ms of CPU): all at once on two cores, they would
 * wait past the API's deadline and measure the machine, not the fleet.
 */
export async function mapLimited<T, R>(
  items: readonly T[],
  concurrency: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, lane));
  return results;
}
