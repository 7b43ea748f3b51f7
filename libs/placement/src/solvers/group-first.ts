import type { Assignment } from "../model/assignment";
import type { Cluster } from "../model/cluster";
import { MaxHeap } from "./heap";
import type { IncrementalBudget, IncrementalResult, IncrementalStep } from "./incremental";
import type { SearchContext } from "./solver";

/**
 * Group-first re-placement towards a target assignment (a whole solve's answer): the moves that take the
 * current assignment to the target are grouped by the traffic cluster they complete, and the budget goes to whole
 * groups, best gain per unit of budget first.
 *
 * Why groups: an application split across two racks gains nothing from moving one VM to the other half (it
 * leaves as many peers as it joins); it gains once the whole half has moved. A planner that prices moves one at
 * a time never starts such a group, or spends its budget on halves of several.
 *
 * Groups (groupTargetMoves): two moved units belong together when moving both gains more than moving each alone
 * by a large share of either one's strongest such interaction (JOIN_SHARE), i.e. heavy traffic that the target
 * brings together; light background links do not chain groups into one.
 *
 * Selection (lazy greedy over groups): the candidates are every group whole and, for groups of two or more, each
 * of its moves alone (a group's moves not yet taken). A candidate's key is its gain per share of the budget, its
 * gain counted with all of its moves in. The top group is re-priced in the current state, its moves applied in an order in which each is
 * admitted by every filter (a move that waits for another of the group to free room goes later); it is taken if
 * its key is still the best, else pushed back. A group that cannot be ordered (it waits for room that another
 * group frees) is set aside until a group is taken. A unit moves at most once.
 */
export interface GroupFirstResult extends IncrementalResult {
  /** moved[u] = 1 for every unit the plan moves. */
  readonly moved: Uint8Array;
}

/** An interaction joins two moved units when it is at least this share of the strongest of either unit. */
const JOIN_SHARE = 0.2;

/** Units whose target host differs from their host now, grouped (see the header); each group sorted, groups by first unit. */
export function groupTargetMoves(c: Cluster, a: Assignment, target: Int32Array): number[][] {
  const moving = (u: number): boolean => a.hostOf[u] >= 0 && target[u] >= 0 && target[u] !== a.hostOf[u];
  const d = (x: number, y: number): number => c.topology.distance(x, y);
  const together = (u: number, e: number): number => {
    const v = c.adjTo[e];
    const [cu, tu, cv, tv] = [a.hostOf[u], target[u], a.hostOf[v], target[v]];
    const out = c.adjW[e] * (d(tu, tv) - d(tu, cv) - d(cu, tv) + d(cu, cv));
    const back = c.adjWIn ? c.adjWIn[e] * (d(tv, tu) - d(cv, tu) - d(tv, cu) + d(cv, cu)) : 0;
    return -(out + back);
  };
  const strongest = new Float64Array(c.unitCount);
  for (let u = 0; u < c.unitCount; u++) {
    if (!moving(u)) continue;
    for (let e = c.adjStart[u]; e < c.adjStart[u + 1]; e++) if (moving(c.adjTo[e])) strongest[u] = Math.max(strongest[u], together(u, e));
  }
  const root = Int32Array.from({ length: c.unitCount }, (_, u) => u);
  const find = (u: number): number => {
    while (root[u] !== u) u = root[u] = root[root[u]];
    return u;
  };
  for (let u = 0; u < c.unitCount; u++) {
    if (!moving(u)) continue;
    for (let e = c.adjStart[u]; e < c.adjStart[u + 1]; e++) {
      const v = c.adjTo[e];
      if (!moving(v)) continue;
      const gain = together(u, e);
      if (gain > 0 && gain >= JOIN_SHARE * Math.max(strongest[u], strongest[v])) {
        const [x, y] = [find(u), find(v)];
        if (x !== y) root[Math.max(x, y)] = Math.min(x, y);
      }
    }
  }
  const byRoot = new Map<number, number[]>();
  for (let u = 0; u < c.unitCount; u++) if (moving(u)) (byRoot.get(find(u)) ?? byRoot.set(find(u), []).get(find(u))!).push(u);
  return [...byRoot.values()];
}

export function planGroupFirst(ctx: SearchContext, a: Assignment, target: Int32Array, budget: IncrementalBudget): GroupFirstResult {
  const c = ctx.cluster;
  const fw = ctx.framework;
  const minGain = budget.minGain ?? 1e-6;
  const maxMig = budget.maxMigrations ?? Infinity;
  const maxMem = budget.maxMemoryMovedMiB ?? Infinity;
  let migrationsLeft = maxMig;
  let memoryLeft = maxMem;
  const whole = groupTargetMoves(c, a, target);
  const groups = [...whole, ...whole.filter((g) => g.length > 1).flatMap((g) => g.map((u) => [u]))];
  const moved = new Uint8Array(c.unitCount);
  let vms = 0;
  let mem = 0;
  let units: number[] = [];
  /** Sets units/vms/mem to candidate i's moves not yet taken. */
  const size = (i: number): void => {
    units = groups[i].filter((u) => !moved[u]);
    vms = units.reduce((s, u) => s + c.unitVmStart[u + 1] - c.unitVmStart[u], 0);
    mem = units.reduce((s, u) => s + unitMemory(c, u), 0);
  };
  const bounded = Number.isFinite(maxMig) || Number.isFinite(maxMem);
  // Share of the budget the moves use (of the tighter of the two limits); their count of VMs when unbounded.
  const cost = (): number => (bounded ? Math.max(vms / maxMig, mem / maxMem) : vms);

  const steps: IncrementalStep[] = [];
  const order: number[] = [];
  const gains: number[] = [];
  const froms: number[] = [];
  /** Applies `units` in an admitted order (filled into order/gains/froms); their gain, or null (rolled back) if none exists. */
  const apply = (feasible: boolean): number | null => {
    const pos = a.mark();
    order.length = 0;
    gains.length = 0;
    froms.length = 0;
    let left = units;
    let gain = 0;
    while (left.length > 0) {
      const waiting: number[] = [];
      for (const u of left) {
        if (feasible && !fw.admits(a, u, target[u])) {
          waiting.push(u);
          continue;
        }
        const g = -fw.objective.moveDelta(a, u, target[u]);
        gain += g;
        order.push(u);
        gains.push(g);
        froms.push(a.hostOf[u]);
        a.move(u, target[u]);
      }
      if (waiting.length === left.length) {
        a.rollback(pos);
        return null;
      }
      left = waiting;
    }
    return gain;
  };

  const heap = new MaxHeap();
  const keyEpoch = new Int32Array(groups.length).fill(-1);
  // First keys: each group's gain with its moves in, capacity aside (cheap, and an upper bound on nothing, so
  // every key is re-priced before its group is taken).
  for (let i = 0; i < groups.length; i++) {
    size(i);
    const pos = a.mark();
    const gain = apply(false)!;
    a.rollback(pos);
    if (gain > minGain) heap.push(gain / cost(), i);
  }
  let epoch = 0;
  let action = 0;
  let migrations = 0;
  let memory = 0;
  let evaluations = groups.length;
  let stoppedBecause: IncrementalResult["stoppedBecause"] = "no-improving-action";
  let waiting: { key: number; group: number }[] = [];
  while (heap.size > 0) {
    if (migrationsLeft <= 0 || memoryLeft <= 0) {
      stoppedBecause = "budget";
      break;
    }
    if ((evaluations & 63) === 0 && ctx.clock.nowMs() >= ctx.deadlineMs) {
      stoppedBecause = "time";
      break;
    }
    const key = heap.topKey();
    const i = heap.topValue();
    heap.pop();
    size(i);
    if (units.length === 0 || vms > migrationsLeft || mem > memoryLeft + 1e-9) continue;
    evaluations++;
    const pos = a.mark();
    const gain = apply(true);
    if (gain === null) {
      waiting.push({ key, group: i });
      continue;
    }
    const ratio = gain / cost();
    if (gain > minGain && (keyEpoch[i] === epoch || heap.size === 0 || ratio >= heap.topKey())) {
      action++;
      order.forEach((u, k) => {
        moved[u] = 1;
        steps.push({ unit: u, from: froms[k], to: target[u], gain: gains[k], action });
      });
      migrations += vms;
      memory += mem;
      migrationsLeft -= vms;
      memoryLeft -= mem;
      epoch++;
      for (const w of waiting) heap.push(w.key, w.group);
      waiting = [];
      continue;
    }
    a.rollback(pos);
    if (gain > minGain) {
      keyEpoch[i] = epoch;
      heap.push(ratio, i);
    }
  }
  a.commit();
  if (migrationsLeft <= 0 || memoryLeft <= 0) stoppedBecause = "budget";
  return { steps, migrations, memoryMovedMiB: memory, stoppedBecause, evaluations, moved };
}

function unitMemory(c: Cluster, u: number): number {
  let s = 0;
  for (let k = c.unitVmStart[u]; k < c.unitVmStart[u + 1]; k++) s += c.vmMemMiB[c.unitVms[k]];
  return s;
}
