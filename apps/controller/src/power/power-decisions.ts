import type { NodeState, PowerState } from "@ferry/protocol";

/** Node states a host may be switched off from: it takes no part in a drain or a failure then. */
const MAY_SWITCH_OFF: readonly NodeState[] = ["active", "cordoned", "maintenance"];

/**
 * Why this node may not be switched off now, or null when it may: only a node that hosts no VM and has no
 * migration under way (in or out) goes off, so nothing can be lost with its power.
 */
export function powerOffRefusal(node: { name: string; state: NodeState }, vms: number, activeMigrations: number): string | null {
  if (!MAY_SWITCH_OFF.includes(node.state)) return `node ${node.name} is ${node.state}; only an ${MAY_SWITCH_OFF.join(", ")} node can be switched off`;
  if (vms > 0) return `node ${node.name} still hosts ${vms} VM(s); drain it first`;
  if (activeMigrations > 0) return `node ${node.name} has ${activeMigrations} migration(s) under way`;
  return null;
}

/** The power state the controller asks a node's agent for: off while the node is off, on in every other state. */
export function desiredPower(state: NodeState): PowerState {
  return state === "off" ? "off" : "on";
}

export interface WakeCandidate {
  id: string;
  name: string;
  state: NodeState;
  cpu: number;
  memMiB: number;
  idleWatts: number;
}

export type WakeChoice = { nodeId: string; name: string } | { none: string };

/**
 * Which switched-off node to power on for capacity that no running node has: one that can hold `demand` on
 * its own, the cheapest to keep running (lowest idle watts), then the largest, then by name. Nothing is woken
 * while another node is already waking: its capacity is on the way, and waking one node per need keeps a
 * burst of demand from powering on the whole cluster.
 */
export function nodeToWake(nodes: readonly WakeCandidate[], demand: { cpu: number; memMiB: number }): WakeChoice {
  const waking = nodes.find((n) => n.state === "waking");
  if (waking) return { none: `node ${waking.name} is already waking` };
  const off = nodes.filter((n) => n.state === "off");
  if (!off.length) return { none: "no node is switched off" };
  const fits = off.filter((n) => n.cpu >= demand.cpu && n.memMiB >= demand.memMiB);
  if (!fits.length) return { none: `no switched-off node has ${demand.cpu} cpu and ${demand.memMiB} MiB` };
  const [best] = [...fits].sort((a, b) => a.idleWatts - b.idleWatts || b.cpu - a.cpu || b.memMiB - a.memMiB || a.name.localeCompare(b.name));
  return { nodeId: best!.id, name: best!.name };
}
