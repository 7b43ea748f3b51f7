import type { PowerState } from "@ferry/protocol";
import { describe, expect, it } from "vitest";
import { HostPower } from "./host-power";

describe("HostPower", () => {
  // Each row: the answers the controller gives at the given times, and what the host reports after each.
  it.each<{ name: string; steps: [atMs: number, desired: PowerState, change: string | null, reports: PowerState][] }>([
    { name: "stays on while the controller wants it on", steps: [[0, "on", null, "on"], [100, "on", null, "on"]] },
    { name: "switches off at once", steps: [[0, "off", "switched-off", "off"], [100, "off", null, "off"]] },
    {
      name: "boots for its delay before it reports on",
      steps: [[0, "off", "switched-off", "off"], [100, "on", "booting", "off"], [1099, "on", null, "off"], [1100, "on", null, "on"]],
    },
    { name: "a second power-on while booting does not restart the boot", steps: [[0, "off", "switched-off", "off"], [100, "on", "booting", "off"], [600, "on", null, "off"], [1100, "on", null, "on"]] },
    { name: "switched off while booting, it stays off", steps: [[0, "off", "switched-off", "off"], [100, "on", "booting", "off"], [200, "off", "switched-off", "off"], [2000, "off", null, "off"]] },
  ])("$name", ({ steps }) => {
    const power = new HostPower(1000);
    for (const [at, desired, change, reports] of steps) {
      expect(power.want(desired, at)).toBe(change);
      expect(power.reported(at)).toBe(reports);
    }
  });
});
