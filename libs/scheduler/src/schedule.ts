import { ClusterLedger, type Check, type LedgerMove } from "./cluster-ledger";
import { findCycles, type CycleVerdict } from "./cycles";
import { buildFabric } from "./links";
import { resolveOptions, type ResolvedOptions } from "./limits";
import type { BlockedMove, RunningShare, ScheduleInput, ScheduleResult, StartDecision, WaitingMove } from "./model";
import { predictAtShare, roughDurationMs } from "./predict-at-share";
import { CLASS_RANK, effectiveRank, isStarving } from "./priority";

/**
 * Which waiting moves start now. The pipeline, in order:
 *
 *   1. Cycles: capacity deadlocks among the waiting moves are found and each gets a breaker (cycles.ts), which
 *      starts as a hop to a third node when it starts at all.
 *   2. Rank: the class's rank plus aging (priority.ts), so evacuations and drains go before balancing and
 *      traffic, and a long wait raises any move up to the drains' rank.
 *   3. Within a rank: starving moves first (oldest first); then the move whose source or target has the most
 *      queued work, since per-node limits make those nodes the critical path of the whole queue; then the
 *      longest move (longest-processing-time first shortens the makespan's tail); then the oldest, then by id.
 *   4. Each rank, highest first, is walked twice: first starting only moves that slow nobody down (no shared
 *      bottleneck), then any move the limits allow, so a rank fills free paths before doubling up on a link but
 *      still uses every slot it may. A starving move is not made to wait for a free path: in the first walk it
 *      takes any share the limits allow, so no newer move of its rank can take its slot.
 *   5. A move of drain rank or above, or a starving one, that cannot start holds what it needs: its source's
 *      outbound slots, its target's inbound slots and room, and its path; lower-ranked moves may not take them
 *      (reason "ordering"). They therefore go to it as soon as they free up, which with bounded aging is why no
 *      move waits forever.
 *
 * Every refusal names the limit (ledger check order: target, cluster, held, outbound, inbound, capacity,
 * bandwidth). Starts are priced at their final max-min share with @ferry/migration (predict-at-share.ts).
 */
export function schedule(input: ScheduleInput): ScheduleResult {
  const options = resolveOptions(input.options);
  const ids = new Set<string>();
  for (const { id } of [...input.running, ...input.waiting]) {
    // Shares and outcomes are keyed by id: two migrations with one id would silently share an entry.
    if (ids.has(id)) throw new RangeError(`migration id ${id} appears twice in running and waiting`);
    ids.add(id);
  }
  const fabric = buildFabric(input.nodes, options.links);
  const ledger = new ClusterLedger(input.nodes, fabric, options, input.running);
  const rankOf = (m: WaitingMove) => effectiveRank(m, input.nowMs, options);
  const cycles = findCycles(input.nodes, input.running, input.waiting, ledger, rankOf);
  const hopOf = new Map(cycles.verdicts.map((v) => [v.moveId, v]));

  const ordered = rankWithinLevels(input.waiting, input.nowMs, options, ledger);
  const outcome = new Map<string, Check>();
  const started: { move: WaitingMove; as: LedgerMove; rank: number }[] = [];
  const tryStart = (move: WaitingMove, exclusive: boolean) => {
    const as = legOf(move, hopOf.get(move.id));
    if (!as) return;
    const check = ledger.check(as, exclusive);
    outcome.set(move.id, check);
    if (check.ok) {
      ledger.start(as);
      started.push({ move, as, rank: rankOf(move) });
    }
  };
  for (const level of ordered) {
    for (const move of level) tryStart(move, !isStarving(move, input.nowMs, options));
    for (const move of level) if (outcome.get(move.id)?.ok !== true) tryStart(move, false);
    for (const move of level) {
      const check = outcome.get(move.id);
      const urgent = rankOf(move) >= CLASS_RANK.drain || isStarving(move, input.nowMs, options);
      if (urgent && check && !check.ok && check.reason !== "invalid" && check.reason !== "target-closed") {
        ledger.hold(legOf(move, hopOf.get(move.id)) ?? move);
      }
    }
  }

  const shares = ledger.shares();
  const starts: StartDecision[] = started.map(({ move, as, rank }) => {
    const share = shares.get(move.id)!;
    const hop = hopOf.get(move.id);
    return {
      moveId: move.id,
      vmId: move.vmId,
      from: move.from,
      to: as.to,
      ...(as.to !== move.to && hop ? { hop: { finalTo: move.to, reason: `breaks the cycle ${describe(hop)}` } } : {}),
      shareMbps: share.shareMbps,
      bottleneck: share.bottleneck,
      effectiveRank: rank,
      prediction: predictAtShare(move, share.shareMbps, options.rttMs),
    };
  });
  const startedIds = new Set(started.map((s) => s.move.id));
  const blocked: BlockedMove[] = [];
  for (const move of input.waiting) {
    if (startedIds.has(move.id)) continue;
    const check = outcome.get(move.id);
    const cycle = cycles.onCycle.get(move.id);
    const hop = hopOf.get(move.id);
    if (hop?.kind === "stuck") {
      blocked.push({ moveId: move.id, reason: "cycle", detail: `${describe(hop)}: needs a temporary hop, and no node outside it has room for the VM now` });
    } else if (cycle && (check === undefined || (!check.ok && check.reason === "capacity"))) {
      blocked.push({ moveId: move.id, reason: "cycle", detail: `waits for room on the cycle ${loop(cycle)}; ${breakerOf(cycles.verdicts, cycle)}` });
    } else if (check && !check.ok) {
      blocked.push({ moveId: move.id, reason: check.reason, detail: check.detail });
    }
  }
  const running: RunningShare[] = input.running.map((r) => {
    const s = shares.get(r.id)!;
    return { id: r.id, shareMbps: s.shareMbps, bottleneck: s.bottleneck, etaMs: (r.remainingBytes * 8) / (s.shareMbps * 1000) };
  });
  return { starts, blocked, running, limits: options.limits };
}

/** The move as it would start now: to its target, or to the hop node when it breaks a cycle. */
function legOf(move: WaitingMove, verdict: CycleVerdict | undefined): LedgerMove | undefined {
  if (verdict?.kind === "stuck") return undefined;
  return verdict?.kind === "hop" ? { ...move, to: verdict.via } : move;
}

function describe(v: CycleVerdict): string {
  return loop(v.cycle);
}

function loop(cycle: readonly string[]): string {
  return [...cycle, cycle[0]].join(" -> ");
}

function breakerOf(verdicts: readonly CycleVerdict[], cycle: readonly string[]): string {
  const v = verdicts.find((x) => x.cycle === cycle);
  if (!v) return "";
  return v.kind === "hop" ? `move ${v.moveId} breaks it through ${v.via}` : `move ${v.moveId} would break it, but no node has room for a hop`;
}

/** Waiting moves grouped by effective rank (highest first), each group in the order of rule 3. */
function rankWithinLevels(waiting: readonly WaitingMove[], nowMs: number, o: ResolvedOptions, ledger: ClusterLedger): WaitingMove[][] {
  const alone = (m: WaitingMove) => {
    if (!ledger.fabric.has(m.from) || !ledger.fabric.has(m.to) || m.from === m.to) return 0;
    const links = ledger.fabric.path(m.from, m.to).map((l) => ledger.fabric.capacityMbps.get(l)!);
    return roughDurationMs(m, Math.min(m.bandwidthCapMbps ?? Infinity, ...links));
  };
  const duration = new Map(waiting.map((m) => [m.id, alone(m)]));
  const backlog = new Map<string, number>();
  for (const m of waiting) {
    for (const n of [m.from, m.to]) backlog.set(n, (backlog.get(n) ?? 0) + duration.get(m.id)!);
  }
  const key = (m: WaitingMove) => ({
    rank: effectiveRank(m, nowMs, o),
    starving: isStarving(m, nowMs, o),
    backlog: Math.max(backlog.get(m.from)!, backlog.get(m.to)!),
    duration: duration.get(m.id)!,
  });
  const keyed = waiting.map((m) => ({ m, k: key(m) }));
  keyed.sort(
    (a, b) =>
      b.k.rank - a.k.rank ||
      Number(b.k.starving) - Number(a.k.starving) ||
      (a.k.starving && b.k.starving ? a.m.enqueuedAtMs - b.m.enqueuedAtMs : 0) ||
      b.k.backlog - a.k.backlog ||
      b.k.duration - a.k.duration ||
      a.m.enqueuedAtMs - b.m.enqueuedAtMs ||
      a.m.id.localeCompare(b.m.id),
  );
  const levels: WaitingMove[][] = [];
  let last: number | undefined;
  for (const { m, k } of keyed) {
    if (k.rank !== last) levels.push([]);
    levels[levels.length - 1].push(m);
    last = k.rank;
  }
  return levels;
}
