/** TRUST_PROXY (issue 23, finding 4): a hop count or proxy addresses; `true` refused at start. */
import { describe, expect, it } from "vitest";
import { clientAddress, parseEnv, proxyTrust, trustProxyVariable } from "../src/index.js";

const shape = { TRUST_PROXY: trustProxyVariable };

function trustOf(value: string | undefined) {
  const parsed = parseEnv(shape, { TRUST_PROXY: value });
  if (!parsed.ok) throw new Error(parsed.problems.join("\n"));
  return proxyTrust(parsed.env.TRUST_PROXY);
}

describe("TRUST_PROXY", () => {
  it("unset, false or 0: the socket's peer, whatever X-Forwarded-For says", () => {
    for (const value of [undefined, "false", "0"]) {
      expect(clientAddress(trustOf(value), "10.0.0.5", "203.0.113.66")).toBe("10.0.0.5");
    }
  });

  it("a hop count: the entry that many hops back; a client-written leftmost entry is ignored", () => {
    const oneHop = trustOf("1");
    // The client wrote 203.0.113.66; the load balancer (10.0.0.5) appended 198.51.100.9.
    expect(clientAddress(oneHop, "10.0.0.5", "203.0.113.66, 198.51.100.9")).toBe("198.51.100.9");
    expect(clientAddress(oneHop, "10.0.0.5", "198.51.100.9")).toBe("198.51.100.9");
    expect(clientAddress(oneHop, "10.0.0.5", undefined)).toBe("10.0.0.5");
    const twoHops = trustOf("2");
    expect(clientAddress(twoHops, "10.0.0.5", "203.0.113.66, 198.51.100.9, 10.1.1.1")).toBe(
      "198.51.100.9",
    );
  });

  it("a comma list of addresses and CIDRs: entries skipped from the right while they are proxies", () => {
    const trust = trustOf("10.0.0.0/8, 192.0.2.7,fd00::/8");
    expect(clientAddress(trust, "10.0.0.5", "203.0.113.66, 198.51.100.9, 192.0.2.7")).toBe(
      "198.51.100.9",
    );
    // A peer that is not a listed proxy is the client itself: its header is not believed.
    expect(clientAddress(trust, "198.51.100.200", "203.0.113.66")).toBe("198.51.100.200");
    expect(clientAddress(trust, "fd00::1", "2001:db8::7")).toBe("2001:db8::7");
    // proxy-addr's names are accepted.
    expect(clientAddress(trustOf("loopback"), "127.0.0.1", "198.51.100.9")).toBe("198.51.100.9");
  });

  it("true is refused with a message saying what to set instead", () => {
    for (const value of ["true", "TRUE"]) {
      const parsed = parseEnv(shape, { TRUST_PROXY: value });
      expect(parsed.ok).toBe(false);
      if (!parsed.ok) {
        expect(parsed.problems.join("\n")).toMatch(/^TRUST_PROXY: true would trust/);
        expect(parsed.problems.join("\n")).toContain("TRUST_PROXY=1");
      }
    }
  });

  it("anything else is refused: not an address, a CIDR or a count", () => {
    for (const value of ["yes", "10.0.0.0/33", "proxy.example.com", "-1", "101"]) {
      expect(parseEnv(shape, { TRUST_PROXY: value }).ok).toBe(false);
    }
  });
});
