import { describe, expect, it } from "vitest";
import { clientKeyOf } from "./rate-limit.js";

describe("the key a client's per-IP budget is counted under", () => {
  it("an IPv4 address is its own key, also when mapped into IPv6", () => {
    expect(clientKeyOf("203.0.113.7")).toBe("203.0.113.7");
    expect(clientKeyOf("::ffff:203.0.113.7")).toBe("203.0.113.7");
  });

  it("IPv6 addresses of one /56 share a key, whatever their spelling", () => {
    const key = clientKeyOf("2001:db8:aa:bb00::1");
    expect(clientKeyOf("2001:0db8:00aa:bbff:ffff:ffff:ffff:ffff")).toBe(key);
    expect(clientKeyOf("2001:db8:aa:bb12:1:2:3:4")).toBe(key);
    expect(clientKeyOf("2001:db8:aa:bc00::1")).not.toBe(key);
    expect(clientKeyOf("2001:db8:ab:bb00::1")).not.toBe(key);
    expect(clientKeyOf("::1")).toBe(clientKeyOf("0:0:0:0:0:0:0:1"));
  });
});
