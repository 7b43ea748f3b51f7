import { z } from "zod";
import { FerryError } from "../../common/errors";
import { admitTechnique } from "../../migrations/technique-choice";
import { moveTargets } from "../../placement/move-targets";
import type { DraftMove } from "../../plans/plan-draft";
import type { LivePolicy, PolicyRunInput } from "../live-policy";
import type { PolicyVm } from "../policy-input";

const params = z
  .object({
    /** Each point of the window averages this many seconds of heartbeats. */
    sampleS: z.number().int().min(1).max(3600).default(60),
    /** The demand must exceed the node's cores at every one of these points: a sustained shortage, not a burst. */
    windowPoints: z.number().int().min(1).max(120).default(5),
    /** A node is starving when its VMs ask for more than this share of its cores, at every point of the window. */
    starvingAbove: z.number().min(0.5).max(2).default(1),
    /** Relief stops once the node's demand is back under this share (hysteresis), and targets must stay under it. */
    relievedBelow: z.number().min(0.1).max(2).default(0.9),
    maxMoves: z.number().int().min(1).max(100).default(10),
    holdS: z.number().int().min(0).max(7 * 86_400).default(1800),
    reversalS: z.number().int().min(0).max(7 * 86_400).default(6 * 3600),
  })
  .strict()
  .refine((p) => p.relievedBelow <= p.starvingAbove, { message: "relievedBelow must be <= starvingAbove", path: ["relievedBelow"] });
type StarvationParams = z.infer<typeof params>;

/** Cores a VM asked for at each point of the window, newest last. */
function demand(vm: PolicyVm, points: number): number[] {
  return vm.cpuHistory.slice(-points).map((u) => u * vm.cpu);
}

/**
 * Relieves VMs whose node cannot give them the CPU they ask for. A node is starving when, at every point of the
 * window, its VMs' demand (their reported CPU use x vCPUs) is above `starvingAbove` x its cores. For each
 * starving node the options are: move its noisiest VM (the largest average demand), or move one of the VMs it
 * starves, when that alone brings the node back under `relievedBelow`; of the options that relieve the node,
 * the one whose migration the predictor prices cheapest wins. Repeated until the node is relieved or no
 * target can take a VM without starving in turn. Targets are placed by the engine among nodes whose demand
 * stays under `relievedBelow` with the VM.
 */
export const starvation: LivePolicy<StarvationParams> = {
  name: "starvation",
  description: "moves a starved VM or its noisiest neighbour, whichever migration is cheaper, off a node that cannot serve its VMs' CPU demand",
  defaults: { mode: "auto", intervalS: 120 },
  params,
  window: (p) => ({ intervalS: p.sampleS, points: p.windowPoints }),
  propose(input, p) {
    const active = input.nodes.filter((n) => n.state === "active");
    const load = new Map<string, number>();
    const starving: { id: string; name: string; cpu: number; lowest: number }[] = [];
    for (const n of active) {
      const vms = input.vms.filter((v) => v.nodeId === n.id && v.state === "running");
      if (vms.some((v) => v.cpuHistory.length < p.windowPoints)) continue;
      const perPoint = Array.from({ length: p.windowPoints }, (_, k) => vms.reduce((sum, v) => sum + demand(v, p.windowPoints)[k]!, 0));
      load.set(n.id, perPoint.reduce((a, b) => a + b, 0) / p.windowPoints);
      const lowest = Math.min(...perPoint);
      if (lowest > p.starvingAbove * n.cpu) starving.push({ id: n.id, name: n.name, cpu: n.cpu, lowest });
    }
    if (!starving.length) return { none: `no node's CPU demand stayed above ${p.starvingAbove * 100} % of its cores for the window` };

    const moves: DraftMove[] = [];
    const cpuOf = new Map(active.map((n) => [n.id, n.cpu]));
    let current = { ...input.placement.current };
    for (const node of starving) {
      let vms = input.vms.filter((v) => v.nodeId === node.id && v.state === "running");
      while (moves.length < p.maxMoves && load.get(node.id)! > p.relievedBelow * node.cpu) {
        const avg = (v: PolicyVm) => demand(v, p.windowPoints).reduce((a, b) => a + b, 0) / p.windowPoints;
        const noisiest = [...vms].sort((a, b) => avg(b) - avg(a) || a.id.localeCompare(b.id))[0];
        if (!noisiest || vms.length < 2) break;
        const excess = load.get(node.id)! - p.relievedBelow * node.cpu;
        const options = vms.filter((v) => v === noisiest || avg(v) >= excess);
        const priced = options
          .map((v) => ({ vm: v, ms: migrationMs(v, input), to: target(v, avg(v), input, current, load, cpuOf, p.relievedBelow) }))
          .filter((o) => o.to !== null)
          .sort((a, b) => a.ms - b.ms || a.vm.id.localeCompare(b.vm.id));
        const best = priced[0];
        if (!best) break;
        const share = (x: number) => `${Math.round((100 * x) / node.cpu)} %`;
        moves.push({
          vmId: best.vm.id,
          fromNodeId: node.id,
          toNodeId: best.to!,
          reason: `node ${node.name} asked for ${share(node.lowest)} of its cores or more over the whole window; ${best.vm === noisiest ? "its noisiest VM" : "a starved VM"} (${avg(best.vm).toFixed(2)} cores) is the cheapest move (${Math.round(best.ms)} ms predicted)`,
          gain: 0,
        });
        load.set(node.id, load.get(node.id)! - avg(best.vm));
        load.set(best.to!, (load.get(best.to!) ?? 0) + avg(best.vm));
        current = { ...current, [best.vm.id]: best.to! };
        vms = vms.filter((v) => v !== best.vm);
      }
    }
    if (!moves.length) return { none: `${starving.length} node(s) starving, but no node can take a VM without starving in turn` };
    return {
      draft: {
        kind: "starvation",
        reason: {
          summary: `${starving.length} node(s) could not serve their VMs' CPU demand over the last ${p.sampleS * p.windowPoints} s: ${starving.map((n) => n.name).join(", ")}`,
          metric: "cpu-demand",
          threshold: p.starvingAbove,
          windowS: p.sampleS * p.windowPoints,
          nodes: starving.map((n) => ({ nodeId: n.id, lowestDemandShare: n.lowest / n.cpu })),
        },
        moves,
        costBefore: 0,
        costAfter: 0,
        params: p,
      },
    };
  },
};

/** The migration's predicted total time with the technique the controller would choose; SLA breaches priced too. */
function migrationMs(vm: PolicyVm, input: PolicyRunInput): number {
  try {
    return admitTechnique(
      { ...vm, slaMaxDowntimeMs: vm.slaMaxDowntimeMs ?? null, slaMaxTotalMs: vm.slaMaxTotalMs ?? null, allowPostCopy: vm.allowPostCopy ?? false },
      input.link,
      { acceptSlaBreach: true },
    ).prediction.totalMs;
  } catch (e) {
    if (e instanceof FerryError) return Infinity;
    throw e;
  }
}

/** The engine's best node for the VM among those that stay under `relievedBelow` of their cores with it. */
function target(
  vm: PolicyVm,
  cores: number,
  input: PolicyRunInput,
  current: Record<string, string>,
  load: ReadonlyMap<string, number>,
  cpuOf: ReadonlyMap<string, number>,
  relievedBelow: number,
): string | null {
  const fit = moveTargets(input.placement, current, vm).find(
    (h) => cpuOf.has(h.hostId) && (load.get(h.hostId) ?? 0) + cores <= relievedBelow * cpuOf.get(h.hostId)!,
  );
  return fit?.hostId ?? null;
}
