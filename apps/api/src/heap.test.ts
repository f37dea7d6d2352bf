import { describe, expect, it } from "vitest";
import { boundHeapGrowth } from "./heap.js";

describe("boundHeapGrowth", () => {
  it("sets V8's heap growing factor unless the command line or NODE_OPTIONS gives one", () => {
    expect(boundHeapGrowth([], undefined)).toBe(true);
    expect(boundHeapGrowth(["--enable-source-maps"], "--max-old-space-size=512")).toBe(true);
    expect(boundHeapGrowth(["--heap-growing-percent=0"], undefined)).toBe(false);
    expect(boundHeapGrowth([], "--enable-source-maps --heap-growing-percent=20")).toBe(false);
  });
});
