import { describe, expect, it } from "vitest";
import { admissionProblem, type AdmissionInput } from "./admission";

const base: AdmissionInput = {
  vm: { name: "web", state: "running", nodeId: "a", cpu: 2, memMiB: 2048, node: { name: "a", state: "active" } },
  target: { id: "b", name: "b", state: "active", cpu: 8, memMiB: 16_384 },
  active: null,
  used: { cpu: 0, memMiB: 0 },
};

describe("admissionProblem", () => {
  it.each<{ name: string; change: Partial<AdmissionInput>; want: string | null }>([
    { name: "a running VM to an active node with room", change: {}, want: null },
    { name: "a VM with a migration under way", change: { active: { id: "m1" } }, want: "MigrationInProgress" },
    { name: "a stopped VM", change: { vm: { ...base.vm, state: "stopped" } }, want: "VmNotMigratable" },
    { name: "a VM whose node failed", change: { vm: { ...base.vm, node: { name: "a", state: "failed" } } }, want: "VmNotMigratable" },
    { name: "a VM already on the target", change: { vm: { ...base.vm, nodeId: "b" } }, want: "VmNotMigratable" },
    { name: "a cordoned target", change: { target: { ...base.target, state: "cordoned" } }, want: "NodeNotSchedulable" },
    { name: "a draining target", change: { target: { ...base.target, state: "draining" } }, want: "NodeNotSchedulable" },
    // 8 cpu, 7 promised: 1 free against 2 needed.
    { name: "a target without room", change: { used: { cpu: 7, memMiB: 0 } }, want: "CapacityExceeded" },
    // Both wrong: the active migration is named first, whatever else is wrong.
    { name: "the first reason wins", change: { active: { id: "m1" }, target: { ...base.target, state: "failed" } }, want: "MigrationInProgress" },
  ])("$name", ({ change, want }) => {
    expect(admissionProblem({ ...base, ...change })?.code ?? null).toBe(want);
  });
});
