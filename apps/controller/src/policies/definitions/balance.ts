import { createRng, type HostFinding } from "@ferry/policies";
import type { LivePolicy } from "../live-policy";
import { STRATEGY_NODE_STATES, toClusterSnapshot } from "../policy-snapshot";
import { strategyDraft } from "../strategy-draft";
import { wakeFor } from "../wake-for";
import { hostLoadParams, hostLoadStrategy, hostLoadWindow, type HostLoadParams } from "./host-load";

/**
 * Relieves overloaded nodes. The strategy (Ferry's forecast policy by default, or a CloudSim heuristic)
 * reads each VM's CPU history, every point an average over `sampleS`, finds the nodes at risk and picks the
 * VMs to move and their targets; this policy keeps those moves. A node is judged on its history, never on
 * one heartbeat, and Ferry's policy sheds load down to `fill`, below its `overload` threshold (hysteresis).
 */
export const balance: LivePolicy<HostLoadParams> = {
  name: "balance",
  description: "moves VMs off nodes whose CPU demand, over the window, is at risk of exceeding capacity",
  defaults: { mode: "auto", intervalS: 300 },
  params: hostLoadParams,
  window: hostLoadWindow,
  propose(input, p) {
    return hostLoadPlan(input, p, "balance");
  },
};

/** Shared by balance and consolidate: they run the same strategy and keep their own part of its plan. */
export function hostLoadPlan(input: Parameters<LivePolicy<HostLoadParams>["propose"]>[0], p: HostLoadParams, kind: "balance" | "consolidate") {
  const considered = new Set(input.nodes.filter((n) => STRATEGY_NODE_STATES.has(n.state)).map((n) => n.id));
  const unseen = input.vms.filter((v) => considered.has(v.nodeId) && v.cpuHistory.length === 0);
  if (unseen.length) return { none: `no usage history yet for ${unseen.length} VM(s) (${unseen.slice(0, 3).map((v) => v.name).join(", ")}...); waiting for heartbeats` };
  const snapshot = toClusterSnapshot(input);
  // Seeded by the time of the run, so a run can be replayed from its plan's record.
  const seed = Math.floor(input.now.getTime() / 1000) >>> 0;
  const plan = hostLoadStrategy(p, input.link).plan(snapshot, createRng(seed));
  const windowS = p.sampleS * p.historyPoints;
  const draft = strategyDraft(plan, kind, kind === "balance" ? "host-overloaded" : "host-underloaded", { windowS });
  const stuck = kind === "balance" ? plan.findings.filter((f) => f.kind === "overloaded" && !plan.moves.some((m) => m.fromHostId === f.hostId)) : [];
  const wake = wakeForOverload(input, stuck, windowS);
  if (!draft.moves.length) {
    if (wake) return { none: wake.reason, wake };
    if (stuck.length) return { none: `${stuck.length} node(s) overloaded over the last ${windowS} s, but no running node has room for their VMs and no switched-off node can be woken` };
    return { none: kind === "balance" ? "no node is overloaded over the window" : "no under-loaded node can be emptied" };
  }
  return {
    ...(wake ? { wake } : {}),
    draft: {
      ...draft,
      moves: draft.moves.slice(0, p.maxMoves),
      blocked: draft.moves.slice(p.maxMoves).map((m) => ({ vmId: m.vmId, reason: `over the policy's limit of ${p.maxMoves} moves per plan` })),
      params: { ...p, seed },
    },
  };
}

/**
 * An overloaded node the strategy could move nothing off (`stuck`) has no running node with room for any of
 * its VMs: a switched-off node that can take the smallest of them is woken, and the next run can use it.
 */
function wakeForOverload(input: Parameters<LivePolicy<HostLoadParams>["propose"]>[0], stuck: readonly HostFinding[], windowS: number) {
  for (const finding of stuck) {
    const [smallest] = input.vms.filter((v) => v.nodeId === finding.hostId).sort((a, b) => a.memMiB - b.memMiB || a.cpu - b.cpu);
    if (!smallest) continue;
    const name = input.nodes.find((n) => n.id === finding.hostId)?.name ?? finding.hostId;
    const wake = wakeFor(input.nodes, smallest, `node ${name} is overloaded over the last ${windowS} s (${finding.detail}) and no running node has room for any of its VMs`);
    if (wake) return wake;
  }
  return undefined;
}
