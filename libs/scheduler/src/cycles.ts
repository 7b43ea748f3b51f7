import type { ClusterLedger } from "./cluster-ledger";
import type { RunningMigration, SchedulerNode, WaitingMove } from "./model";

/**
 * Capacity deadlocks among waiting moves, and how each is broken.
 *
 * A move X -> Y whose target has no room waits for VMs to leave Y. When the moves that would free room form a
 * cycle (X -> Y while Y -> X, or X -> Y -> Z -> X), and nothing else can free any node of the cycle (no
 * migration is leaving one of them, and every waiting move out of one is itself waiting for room), no order of
 * the moves as given can ever start: the classic swap. Such cycles are the strongly connected components of the
 * graph "X -> Y for each move waiting for room on Y" that meet both conditions (Tarjan's algorithm).
 *
 * Rule: the cycle is broken by the smallest VM whose departure lets a move of the cycle into its source (the
 * cheapest detour that unlocks the cycle; then the highest-ranked, then by id), or, when no single departure is
 * enough, by the largest VM. It goes first to a third node with room now, outside the cycle, nearest to its
 * final target (same rack, then same pod, then anywhere; then the most free memory; then by id); once it has
 * landed, the controller queues the second leg to the final target, and the cycle's other moves find room.
 * When no node has room, the cycle is reported as needing a temporary hop that cannot be made yet.
 */
export type CycleVerdict =
  | { readonly kind: "hop"; readonly moveId: string; readonly via: string; readonly cycle: readonly string[] }
  | { readonly kind: "stuck"; readonly moveId: string; readonly cycle: readonly string[] };

export interface CycleReport {
  /** Per deadlocked cycle, the move chosen to break it and how. */
  readonly verdicts: readonly CycleVerdict[];
  /** Every move on a deadlocked cycle, with the cycle (node ids in order of discovery). */
  readonly onCycle: ReadonlyMap<string, readonly string[]>;
}

export function findCycles(
  nodes: readonly SchedulerNode[],
  running: readonly RunningMigration[],
  waiting: readonly WaitingMove[],
  ledger: ClusterLedger,
  rankOf: (move: WaitingMove) => number,
): CycleReport {
  const known = waiting.filter((m) => m.from !== m.to && ledger.fabric.has(m.from) && ledger.fabric.has(m.to) && ledger.acceptsIncoming(m.to));
  const starved = known.filter((m) => !ledger.fits(m));
  const edges = new Map<string, Set<string>>();
  for (const m of starved) {
    if (!edges.has(m.from)) edges.set(m.from, new Set());
    edges.get(m.from)!.add(m.to);
  }
  const leaving = new Set(running.map((r) => r.from));
  const starvedIds = new Set(starved.map((m) => m.id));
  const verdicts: CycleVerdict[] = [];
  const onCycle = new Map<string, readonly string[]>();
  for (const component of stronglyConnected(edges)) {
    if (component.length < 2) continue;
    const inside = new Set(component);
    if (component.some((n) => leaving.has(n))) continue;
    if (known.some((m) => inside.has(m.from) && !starvedIds.has(m.id))) continue;
    const members = starved.filter((m) => inside.has(m.from) && inside.has(m.to));
    for (const m of members) onCycle.set(m.id, component);
    const breaker = chooseBreaker(members, ledger, rankOf);
    const via = hopTarget(nodes, breaker, inside, ledger);
    verdicts.push(via ? { kind: "hop", moveId: breaker.id, via, cycle: component } : { kind: "stuck", moveId: breaker.id, cycle: component });
  }
  return { verdicts, onCycle };
}

/**
 * A move whose VM, once out of its source, leaves room there for a move of the cycle that waits for that node;
 * the smallest such VM. When no single departure is enough, the largest VM: it frees the most room, and the
 * next round finds what is left of the cycle.
 */
function chooseBreaker(members: readonly WaitingMove[], ledger: ClusterLedger, rankOf: (m: WaitingMove) => number): WaitingMove {
  const unlocks = (m: WaitingMove) => {
    const free = ledger.freeOn(m.from)!;
    return members.some((p) => p.to === m.from && free.cpu + m.cpu >= p.cpu && free.memMiB + m.memMiB >= p.memMiB);
  };
  const tie = (a: WaitingMove, b: WaitingMove) => rankOf(b) - rankOf(a) || a.id.localeCompare(b.id);
  const enough = members.filter(unlocks);
  if (enough.length > 0) return [...enough].sort((a, b) => a.memMiB - b.memMiB || a.cpu - b.cpu || tie(a, b))[0];
  return [...members].sort((a, b) => b.memMiB - a.memMiB || b.cpu - a.cpu || tie(a, b))[0];
}

function hopTarget(nodes: readonly SchedulerNode[], move: WaitingMove, cycle: ReadonlySet<string>, ledger: ClusterLedger): string | undefined {
  const final = nodes.find((n) => n.id === move.to)!;
  const nearness = (n: SchedulerNode) => {
    const a = n.labels ?? {};
    const b = final.labels ?? {};
    if (a.pod === b.pod && a.rack !== undefined && a.rack === b.rack) return 0;
    if (a.pod !== undefined && a.pod === b.pod) return 1;
    return 2;
  };
  const options = nodes.filter((n) => !cycle.has(n.id) && n.id !== move.from && ledger.acceptsIncoming(n.id) && ledger.fits({ ...move, to: n.id }));
  options.sort((a, b) => nearness(a) - nearness(b) || ledger.freeOn(b.id)!.memMiB - ledger.freeOn(a.id)!.memMiB || a.id.localeCompare(b.id));
  return options[0]?.id;
}

/** Tarjan's strongly connected components, iteratively (no recursion depth limit on large clusters). */
export function stronglyConnected(edges: ReadonlyMap<string, ReadonlySet<string>>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const out: string[][] = [];
  let next = 0;
  const vertices = new Set<string>([...edges.keys(), ...[...edges.values()].flatMap((s) => [...s])]);
  for (const root of [...vertices].sort()) {
    if (index.has(root)) continue;
    const work: { v: string; it: Iterator<string> }[] = [];
    const enter = (v: string) => {
      index.set(v, next);
      low.set(v, next);
      next++;
      stack.push(v);
      onStack.add(v);
      work.push({ v, it: [...(edges.get(v) ?? [])].sort()[Symbol.iterator]() });
    };
    enter(root);
    while (work.length > 0) {
      const top = work[work.length - 1];
      const step = top.it.next();
      if (!step.done) {
        const w = step.value;
        if (!index.has(w)) enter(w);
        else if (onStack.has(w)) low.set(top.v, Math.min(low.get(top.v)!, index.get(w)!));
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1].v;
        low.set(parent, Math.min(low.get(parent)!, low.get(top.v)!));
      }
      if (low.get(top.v) === index.get(top.v)) {
        const component: string[] = [];
        let w: string;
        do {
          w = stack.pop()!;
          onStack.delete(w);
          component.push(w);
        } while (w !== top.v);
        out.push(component.reverse());
      }
    }
  }
  return out;
}
