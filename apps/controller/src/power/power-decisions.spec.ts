import type { NodeState } from "@ferry/protocol";
import { describe, expect, it } from "vitest";
import { desiredPower, nodeToWake, powerOffRefusal, type WakeCandidate } from "./power-decisions";

describe("powerOffRefusal", () => {
  it.each<{ name: string; state: NodeState; vms: number; migrations: number; refused: RegExp | null }>([
    { name: "an empty active node", state: "active", vms: 0, migrations: 0, refused: null },
    { name: "an empty cordoned node", state: "cordoned", vms: 0, migrations: 0, refused: null },
    { name: "a drained node in maintenance", state: "maintenance", vms: 0, migrations: 0, refused: null },
    { name: "a node with a VM", state: "active", vms: 1, migrations: 0, refused: /still hosts 1 VM/ },
    { name: "a node with a migration under way", state: "active", vms: 0, migrations: 1, refused: /1 migration\(s\) under way/ },
    { name: "a draining node", state: "draining", vms: 0, migrations: 0, refused: /is draining/ },
    { name: "a failed node", state: "failed", vms: 0, migrations: 0, refused: /is failed/ },
    { name: "a waking node", state: "waking", vms: 0, migrations: 0, refused: /is waking/ },
    { name: "a node already off", state: "off", vms: 0, migrations: 0, refused: /is off/ },
  ])("$name: $refused", ({ state, vms, migrations, refused }) => {
    const reason = powerOffRefusal({ name: "n1", state }, vms, migrations);
    if (refused === null) expect(reason).toBeNull();
    else expect(reason).toMatch(refused);
  });
});

describe("desiredPower", () => {
  it.each<{ state: NodeState; want: "on" | "off" }>([
    { state: "off", want: "off" },
    { state: "waking", want: "on" },
    { state: "active", want: "on" },
    { state: "maintenance", want: "on" },
    { state: "failed", want: "on" },
  ])("$state asks for $want", ({ state, want }) => expect(desiredPower(state)).toBe(want));
});

describe("nodeToWake", () => {
  const n = (name: string, state: NodeState, overrides: Partial<WakeCandidate> = {}): WakeCandidate => ({
    id: `id-${name}`,
    name,
    state,
    cpu: 16,
    memMiB: 65_536,
    idleWatts: 120,
    ...overrides,
  });
  const demand = { cpu: 4, memMiB: 8192 };
  it.each<{ name: string; nodes: WakeCandidate[]; want: string | RegExp }>([
    { name: "the only switched-off node", nodes: [n("a", "active"), n("b", "off")], want: "b" },
    { name: "the lowest idle power", nodes: [n("b", "off", { idleWatts: 150 }), n("c", "off", { idleWatts: 90 })], want: "c" },
    { name: "the larger of two equally frugal nodes", nodes: [n("b", "off", { cpu: 8 }), n("c", "off", { cpu: 32 })], want: "c" },
    { name: "by name when all else is equal", nodes: [n("d", "off"), n("c", "off")], want: "c" },
    { name: "a node big enough, not a cheaper one too small", nodes: [n("b", "off", { cpu: 2, idleWatts: 50 }), n("c", "off")], want: "c" },
    { name: "nothing while a node is waking", nodes: [n("b", "waking"), n("c", "off")], want: /b is already waking/ },
    { name: "nothing when no node is off", nodes: [n("a", "active"), n("b", "maintenance")], want: /no node is switched off/ },
    { name: "nothing when no off node is big enough", nodes: [n("b", "off", { memMiB: 4096 })], want: /no switched-off node has 4 cpu and 8192 MiB/ },
  ])("$name", ({ nodes, want }) => {
    const choice = nodeToWake(nodes, demand);
    if (typeof want === "string") expect(choice).toEqual({ nodeId: `id-${want}`, name: want });
    else expect("none" in choice && choice.none).toMatch(want);
  });
});
