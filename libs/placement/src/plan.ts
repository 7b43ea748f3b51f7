import { PlacementError } from "./errors";
import { FILTER_NAMES } from "./filters/filter";
import { Assignment } from "./model/assignment";
import type { PlacementProblem } from "./model/problem";
import { setUp, trafficCost } from "./solve";

/**
 * A re-placement plan is data: computed by pure code, shown to an operator, stored, then applied step by step
 * (the controller queues one migration per move, in order). Nothing here acts.
 */
export interface PlanMove {
  /** 1-based position in the plan; moves run in this order. */
  readonly step: number;
  readonly vmId: string;
  readonly fromHostId: string;
  readonly toHostId: string;
  readonly memMiB: number;
  /** Objective decrease of this move given the moves before it (positive = better). */
  readonly gain: number;
  /** Traffic cost once this move is done. */
  readonly costAfter: number;
  /**
   * Moves with the same action number belong together: the VMs of an affinity group (moved one after the other),
   * or a VM evicted from a full host and the VM that takes its place.
   */
  readonly action: number;
}

export interface Plan {
  /** The caller's version of the cluster state this plan was computed against (ReplanOptions.baseVersion). */
  readonly baseVersion?: string;
  readonly moves: readonly PlanMove[];
  /** Traffic cost (sum of rate x distance) before the first and after the last move. */
  readonly costBefore: number;
  readonly costAfter: number;
  /** Weighted objective before and after. */
  readonly objectiveBefore: number;
  readonly objectiveAfter: number;
  readonly migrations: number;
  readonly memoryMovedMiB: number;
  /** VMs that had no host (new VMs) and where the plan puts them before the first move; not migrations. */
  readonly newVms: Readonly<Record<string, string>>;
  /** vmId -> hostId after the last move. */
  readonly placement: Readonly<Record<string, string>>;
  readonly budget: { readonly maxMigrations?: number; readonly maxMemoryMovedMiB?: number };
  readonly stoppedBecause: "budget" | "no-improving-action" | "time";
  readonly seed: number;
  readonly elapsedMs: number;
}

export type PlanCheck = { readonly ok: true } | { readonly ok: false; readonly step: number; readonly reason: string };

/**
 * Replays a plan from the problem's current placement and checks that every move is feasible when it runs:
 * the VM is where the move says, and the target passes every filter (host state, hypervisor, capacity,
 * anti-affinity) in the state the earlier moves left. Affinity is checked at the end only, since a group moves
 * one VM at a time. Also checks the recorded costs. Step 0 means the new-VM placements or the final state.
 */
export function validatePlan(problem: PlacementProblem, plan: Plan): PlanCheck {
  const setup = setUp(problem, {}, undefined, { contractAffinity: false });
  const { cluster: c, framework } = setup;
  const a = Assignment.current(c);
  const hostOf = (id: string): number => c.hostIndex.get(id) ?? -1;
  const stepFilters = framework.filters.filter((f) => f.name !== FILTER_NAMES.affinity);
  const close = (x: number, y: number): boolean => Math.abs(x - y) <= 1e-6 * Math.max(1, Math.abs(x), Math.abs(y));
  for (const [vmId, hostId] of Object.entries(plan.newVms)) {
    const v = c.vmIndex.get(vmId);
    const h = hostOf(hostId);
    if (v === undefined || h < 0) return { ok: false, step: 0, reason: `new vm "${vmId}" or host "${hostId}" is unknown` };
    const u = c.vmUnit[v];
    if (a.hostOf[u] >= 0) return { ok: false, step: 0, reason: `vm "${vmId}" already runs on "${c.hostIds[a.hostOf[u]]}"` };
    for (const f of stepFilters) if (!f.admits(a, u, h)) return { ok: false, step: 0, reason: `new vm "${vmId}" on "${hostId}": ${f.reason(a, u, h)}` };
    a.move(u, h);
  }
  if (!close(trafficCost(setup, a), plan.costBefore)) {
    return { ok: false, step: 0, reason: `costBefore is ${plan.costBefore} but the current placement costs ${trafficCost(setup, a)}` };
  }
  for (const m of plan.moves) {
    const v = c.vmIndex.get(m.vmId);
    if (v === undefined) return { ok: false, step: m.step, reason: `unknown vm "${m.vmId}"` };
    const u = c.vmUnit[v];
    const from = hostOf(m.fromHostId);
    const to = hostOf(m.toHostId);
    if (to < 0) return { ok: false, step: m.step, reason: `unknown host "${m.toHostId}"` };
    if (a.hostOf[u] !== from) {
      return { ok: false, step: m.step, reason: `vm "${m.vmId}" is on "${c.hostIds[a.hostOf[u]] ?? "no host"}", not "${m.fromHostId}"` };
    }
    for (const f of stepFilters) {
      if (!f.admits(a, u, to)) return { ok: false, step: m.step, reason: `vm "${m.vmId}" to "${m.toHostId}": ${f.reason(a, u, to)}` };
    }
    a.move(u, to);
    if (!close(trafficCost(setup, a), m.costAfter)) {
      return { ok: false, step: m.step, reason: `costAfter is ${m.costAfter} but the placement then costs ${trafficCost(setup, a)}` };
    }
  }
  for (let u = 0; u < c.unitCount; u++) {
    const h = a.hostOf[u];
    if (h < 0) continue;
    const affinity = framework.filters.find((f) => f.name === FILTER_NAMES.affinity)!;
    if (!affinity.admits(a, u, h)) return { ok: false, step: 0, reason: `after the plan, vm "${c.vmIds[u]}": ${affinity.reason(a, u, h)}` };
  }
  if (!close(trafficCost(setup, a), plan.costAfter)) {
    return { ok: false, step: 0, reason: `costAfter is ${plan.costAfter} but the final placement costs ${trafficCost(setup, a)}` };
  }
  return { ok: true };
}

export interface PlacementChange {
  readonly vmId: string;
  /** Undefined when the VM is new. */
  readonly fromHostId?: string;
  /** Undefined when the VM is gone. */
  readonly toHostId?: string;
}

/** VMs whose host differs between two placements, sorted by VM id. */
export function diffPlacements(before: Readonly<Record<string, string>>, after: Readonly<Record<string, string>>): PlacementChange[] {
  const ids = new Set([...Object.keys(before), ...Object.keys(after)]);
  const out: PlacementChange[] = [];
  for (const vmId of [...ids].sort()) {
    if (before[vmId] !== after[vmId]) out.push({ vmId, fromHostId: before[vmId], toHostId: after[vmId] });
  }
  return out;
}

/** One line per move plus a summary, for operators and the API. */
export function explainPlan(plan: Plan): string[] {
  const pct = plan.costBefore > 0 ? ((plan.costBefore - plan.costAfter) / plan.costBefore) * 100 : 0;
  const lines = [
    `${plan.migrations} migration(s), ${plan.memoryMovedMiB} MiB moved; traffic cost ${fmt(plan.costBefore)} -> ${fmt(plan.costAfter)} (${fmt(pct)}% lower); stopped: ${plan.stoppedBecause}`,
  ];
  for (const [vmId, hostId] of Object.entries(plan.newVms)) lines.push(`new vm ${vmId} starts on ${hostId}`);
  for (const m of plan.moves) {
    lines.push(`${m.step}. move ${m.vmId} (${m.memMiB} MiB) ${m.fromHostId} -> ${m.toHostId}: gain ${fmt(m.gain)}, traffic cost then ${fmt(m.costAfter)}`);
  }
  return lines;
}

function fmt(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toFixed(3);
}

/** Throws unless the plan checks out; for callers that want an exception. */
export function assertValidPlan(problem: PlacementProblem, plan: Plan): void {
  const check = validatePlan(problem, plan);
  if (!check.ok) throw new PlacementError("Infeasible", `plan step ${check.step}: ${check.reason}`);
}
