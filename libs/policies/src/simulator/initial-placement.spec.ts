import { describe, expect, it } from "vitest";
import { planetLabHosts, VM_TYPES } from "./datacenter";
import { initialPlacement } from "./initial-placement";

const [big, , small, micro] = VM_TYPES as [(typeof VM_TYPES)[0], (typeof VM_TYPES)[1], (typeof VM_TYPES)[2], (typeof VM_TYPES)[3]];

describe("initial placement", () => {
  it.each([
    {
      name: "power-aware best fit spreads VMs one per host, G5 first (CloudSim counts VMs placed before)",
      rule: "power-aware-best-fit" as const,
      vms: [micro, micro, micro, micro, micro],
      // hosts alternate G4 (even) and G5 (odd); +3.1 W for a 500-MIPS VM on an empty G5, +4.5 W on an
      // empty G4, +6.8 W on a G5 that already has one
      want: [1, 3, 5, 0, 2],
    },
    {
      name: "first fit packs",
      rule: "first-fit" as const,
      vms: [micro, micro, small, big],
      want: [0, 0, 0, 1],
    },
  ])("$name", ({ rule, vms, want }) => {
    expect([...initialPlacement(rule, planetLabHosts(6), vms)]).toEqual(want);
  });
  it("leaves a VM unplaced (-1) when no host has room (a 2500-MIPS vCPU never fits a 1860-MIPS G4 core)", () => {
    expect([...initialPlacement("power-aware-best-fit", planetLabHosts(2), [big, big, big])]).toEqual([1, 1, -1]);
  });
});
