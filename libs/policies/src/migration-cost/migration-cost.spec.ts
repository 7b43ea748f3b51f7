import { describe, expect, it } from "vitest";
import { memoryOverBandwidth } from "./memory-over-bandwidth";

const GBIT = { bandwidthMbps: 1000 };

describe("memory over bandwidth (CloudSim)", () => {
  it.each([
    // CloudSim: ram / (1e6 kbit/s / (2 * 8000)) = ram / 62.5 s
    { name: "1740 MiB", memMiB: 1740, wantMs: 27_840 },
    { name: "870 MiB", memMiB: 870, wantMs: 13_920 },
    { name: "613 MiB", memMiB: 613, wantMs: 9_808 },
  ])("$name over 1 Gbit/s", ({ memMiB, wantMs }) => {
    expect(memoryOverBandwidth().migrationTimeMs({ memMiB, utilization: 0.9 }, GBIT)).toBeCloseTo(wantMs, 6);
  });
});
