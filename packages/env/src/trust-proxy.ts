/**
 * Which proxies the client address may come through (`TRUST_PROXY`), declared
 * once for every host of the API: Fastify takes the trust function as its
 * `trustProxy`, and a host without Fastify asks `clientAddress` with the
 * socket's address and the `X-Forwarded-For` header it received.
 *
 * - unset, `false` or `0`: no proxy; the client is the socket's peer.
 * - a hop count (`1`, `2`, ...): that many proxies in front of the API, each
 *   appending the address it received from; the client is the entry that many
 *   hops back from the socket, whatever a client wrote to the left of it.
 * - a comma list of proxy addresses and CIDRs (`10.0.0.0/8, 192.0.2.7`, or
 *   proxy-addr's names `loopback`, `linklocal`, `uniquelocal`): entries are
 *   skipped from the right while they are one of these; the first other one is
 *   the client.
 *
 * `true` (trust every entry) is refused: the leftmost entry is whatever the
 * client wrote, so every per-IP limit could be bypassed.
 */
import proxyAddr from "@fastify/proxy-addr";
import { z } from "zod";

/** Whether the address `hop` steps back from the socket (0: the socket's peer) is a trusted proxy. */
export type ProxyTrust = (address: string, hop: number) => boolean;

export type TrustProxySetting =
  | { kind: "none" }
  | { kind: "hops"; hops: number }
  | { kind: "addresses"; addresses: string[] };

const REFUSE_TRUE =
  "true would trust the client-written leftmost X-Forwarded-For entry; set the number of proxies in front of the API (TRUST_PROXY=1 behind one load balancer) or their addresses and CIDRs (TRUST_PROXY=10.0.0.0/8,192.0.2.7), or false for none";

export const trustProxyVariable = z
  .string()
  .trim()
  .transform((value, ctx): TrustProxySetting => {
    const lower = value.toLowerCase();
    if (lower === "true") {
      ctx.addIssue({ code: "custom", message: REFUSE_TRUE });
      return z.NEVER;
    }
    if (lower === "false" || lower === "0") return { kind: "none" };
    if (/^\d+$/.test(value)) {
      const hops = Number(value);
      if (hops > 100) {
        ctx.addIssue({ code: "custom", message: "a hop count must be at most 100" });
        return z.NEVER;
      }
      return { kind: "hops", hops };
    }
    const addresses = value
      .split(",")
      .map((entry) => entry.trim())
      .filter((entry) => entry !== "");
    try {
      proxyAddr.compile(addresses);
    } catch {
      ctx.addIssue({
        code: "custom",
        message:
          "must be false, a hop count (1) or a comma list of proxy addresses and CIDRs (10.0.0.0/8,192.0.2.7)",
      });
      return z.NEVER;
    }
    return { kind: "addresses", addresses };
  })
  .default({ kind: "none" });

/** The trust function of a setting. */
export function proxyTrust(setting: TrustProxySetting): ProxyTrust {
  switch (setting.kind) {
    case "none":
      return () => false;
    case "hops":
      return (_address, hop) => hop < setting.hops;
    case "addresses":
      return proxyAddr.compile(setting.addresses);
  }
}

/**
 * The client's address: the socket's peer, or, through trusted proxies, the
 * first untrusted `X-Forwarded-For` entry counted from the right.
 */
export function clientAddress(
  trust: ProxyTrust,
  remoteAddress: string,
  forwardedFor: string | undefined,
): string {
  const request = {
    socket: { remoteAddress },
    headers: forwardedFor === undefined ? {} : { "x-forwarded-for": forwardedFor },
  };
  return proxyAddr(request as never, trust);
}
