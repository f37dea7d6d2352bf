import { describe, expect, it } from "vitest";
import { ResponseTimeFloor } from "./response-time.js";

describe("ResponseTimeFloor", () => {
  it("has no floor until it has seen a few slow-path samples", () => {
    const floor = new ResponseTimeFloor(8, 3);
    floor.record(10);
    floor.record(12);
    expect(floor.target()).toBe(0);
    floor.record(11);
    expect(floor.target()).toBe(11);
  });

  it("follows the median of the most recent samples", () => {
    const floor = new ResponseTimeFloor(4, 1);
    for (const ms of [100, 100, 100, 100]) floor.record(ms);
    for (const ms of [5, 5, 6]) floor.record(ms);
    expect(floor.target()).toBe(6);
  });

  it("makes a fast path last about as long as the slow path", async () => {
    const floor = new ResponseTimeFloor(8, 1);
    floor.record(30);
    const started = performance.now();
    await floor.pad(started);
    // Timers may fire up to a millisecond early against performance.now().
    expect(performance.now() - started).toBeGreaterThanOrEqual(28);
  });
});
