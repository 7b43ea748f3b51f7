import { describe, expect, it } from "vitest";
import { memoryOverBandwidth } from "./memory-over-bandwidth";
import { preCopyStandIn } from "./pre-copy-stand-in";

const GBIT = { bandwidthMbps: 1000 };

describe("memory over bandwidth (CloudSim)", () => {
  it.each([
    // CloudSim: ram / (1e6 kbit/s / (2 * 8000)) = ram / 62.5 s
    { name: "1740 MiB", ramMiB: 1740, wantMs: 27_840 },
    { name: "870 MiB", ramMiB: 870, wantMs: 13_920 },
    { name: "613 MiB", ramMiB: 613, wantMs: 9_808 },
  ])("$name over 1 Gbit/s", ({ ramMiB, wantMs }) => {
    expect(memoryOverBandwidth().migrationTimeMs({ ramMiB, utilization: 0.9 }, GBIT)).toBeCloseTo(wantMs, 6);
  });
});

describe("pre-copy stand-in", () => {
  const model = preCopyStandIn();
  it("equals memory / bandwidth for an idle VM (nothing to re-send)", () => {
    const idle = model.migrationTimeMs({ ramMiB: 1740, utilization: 0 }, GBIT);
    expect(idle).toBeCloseTo(27_840, 6);
  });
  it("grows with CPU utilisation", () => {
    const low = model.migrationTimeMs({ ramMiB: 870, utilization: 0.1 }, GBIT);
    const high = model.migrationTimeMs({ ramMiB: 870, utilization: 0.9 }, GBIT);
    expect(high).toBeGreaterThan(low);
    expect(low).toBeGreaterThan(13_920);
  });
  it("terminates when the dirty rate beats the link", () => {
    const slow = preCopyStandIn({ dirtyRateAtFullLoadMiBps: 500 });
    const ms = slow.migrationTimeMs({ ramMiB: 1000, utilization: 1 }, GBIT);
    expect(Number.isFinite(ms)).toBe(true);
  });
});
