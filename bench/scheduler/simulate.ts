import { chooseTechnique, predict, type ResolvedTechnique } from "@ferry/migration";
import {
  buildFabric,
  defaultSla,
  maxMinShares,
  resolveOptions,
  type MoveClass,
  type RunningMigration,
  type SchedulerNode,
  type SchedulerOptions,
  type WaitingMove,
} from "@ferry/scheduler";
import type { Arrival } from "./workload";

/**
 * A discrete-event simulation of the queue: at every arrival and every completion the strategy says which moves
 * start; then the fabric is re-shared max-min fairly among all migrations in flight and each one's duration is
 * re-predicted at its new share with @ferry/migration (technique chosen once, at the share it started with).
 * Progress is fluid: a migration predicted to take T ms at its current share advances 1/T of the way per ms, and
 * sends the predicted bytes at the same pace. Capacity (with reservations) and every count limit are checked at
 * each event; a breach aborts the run.
 */
export interface StartOrder {
  readonly moveId: string;
  /** Where the VM goes now (a hop node when a cycle is broken); default: the move's target. */
  readonly to?: string;
}

export type Strategy = (nowMs: number, nodes: readonly SchedulerNode[], running: readonly RunningMigration[], waiting: readonly WaitingMove[]) => readonly StartOrder[];

export interface SimResult {
  readonly makespanMs: number;
  readonly totalBytes: number;
  readonly meanCompletionMs: number;
  /** Mean time from arrival to start, per class. */
  readonly meanWaitMsByClass: Partial<Record<MoveClass, number>>;
  readonly maxWaitMs: number;
  readonly maxInFlight: number;
  /** Mean share (Mbit/s) a migration ran at, weighted by time. */
  readonly meanShareMbps: number;
  /** Migrations whose pre-copy stopped without converging (stop reason other than the downtime limit). */
  readonly unconverged: number;
  readonly hops: number;
  readonly events: number;
}

interface InFlight {
  readonly move: WaitingMove;
  readonly to: string;
  readonly startedAt: number;
  readonly technique: ResolvedTechnique;
  progress: number;
  bytes: number;
  shareMbps: number;
  totalMs: number;
  bytesTotal: number;
  unconverged: boolean;
  shareTimeIntegral: number;
}

export function simulate(nodesIn: readonly SchedulerNode[], arrivalsIn: readonly Arrival[], strategy: Strategy, options: SchedulerOptions = {}): SimResult {
  const o = resolveOptions(options);
  const fabric = buildFabric(nodesIn, o.links);
  const nodes = new Map(nodesIn.map((n) => [n.id, { ...n, used: { ...n.used } }]));
  const arrivals = [...arrivalsIn].sort((a, b) => a.atMs - b.atMs);
  const arrivedAt = new Map(arrivals.map((a) => [a.move.id, a.atMs]));
  let nextArrival = 0;
  let waiting: WaitingMove[] = [];
  const running: InFlight[] = [];
  const cache = new Map<string, { totalMs: number; bytes: number; unconverged: boolean }>();
  const at = (f: InFlight, shareMbps: number) => {
    const key = `${f.move.id}>${f.to}|${shareMbps.toFixed(1)}|${JSON.stringify(f.technique)}`;
    let c = cache.get(key);
    if (!c) {
      const p = predict({ vm: vmSpec(f.move), link: { bandwidthMbps: shareMbps, rttMs: o.rttMs }, technique: f.technique });
      c = { totalMs: p.totalMs, bytes: p.bytesTransferred, unconverged: p.stopReason !== undefined && p.stopReason !== "downtime-limit" };
      cache.set(key, c);
    }
    return c;
  };

  let now = 0;
  let events = 0;
  let maxInFlight = 0;
  let hops = 0;
  let totalBytes = 0;
  const waits: { moveClass: MoveClass; ms: number }[] = [];
  const completions: number[] = [];
  let shareIntegral = 0;
  let timeIntegral = 0;
  let unconverged = 0;

  const reshare = (predictNow: boolean) => {
    const shares = maxMinShares(
      running.map((f) => ({ id: f.move.id, links: fabric.path(f.move.from, f.to), capMbps: f.move.bandwidthCapMbps ?? Infinity })),
      fabric.capacityMbps,
    );
    for (const f of running) {
      f.shareMbps = shares.get(f.move.id)!.shareMbps;
      if (!predictNow) continue;
      const c = at(f, f.shareMbps);
      f.totalMs = c.totalMs;
      f.bytesTotal = c.bytes;
      if (c.unconverged) f.unconverged = true;
    }
  };

  for (;;) {
    while (nextArrival < arrivals.length && arrivals[nextArrival].atMs <= now) waiting.push(arrivals[nextArrival++].move);
    const view = running.map(
      (f): RunningMigration => ({
        id: f.move.id,
        vmId: f.move.vmId,
        from: f.move.from,
        to: f.to,
        cpu: f.move.cpu,
        memMiB: f.move.memMiB,
        dirtyMiBps: f.move.dirtyMiBps,
        remainingBytes: Math.max(0, f.bytesTotal - f.bytes),
        bandwidthCapMbps: f.move.bandwidthCapMbps,
      }),
    );
    const orders = strategy(now, [...nodes.values()], view, waiting);
    const startedIds = new Set<string>();
    const pending: InFlight[] = [];
    for (const order of orders) {
      const move = waiting.find((m) => m.id === order.moveId);
      if (!move || startedIds.has(move.id)) throw new Error(`strategy started unknown or duplicate move ${order.moveId}`);
      startedIds.add(move.id);
      const f: InFlight = {
        move,
        to: order.to ?? move.to,
        startedAt: now,
        technique: { name: "pre-copy" } as ResolvedTechnique,
        progress: 0,
        bytes: 0,
        shareMbps: 0,
        totalMs: 0,
        bytesTotal: 0,
        unconverged: false,
        shareTimeIntegral: 0,
      };
      if (f.to !== move.to) hops++;
      running.push(f);
      pending.push(f);
      waits.push({ moveClass: move.moveClass, ms: now - arrivedAt.get(move.id.split("+")[0])! });
    }
    waiting = waiting.filter((m) => !startedIds.has(m.id));
    checkInvariants(nodes, running, o.limits);
    maxInFlight = Math.max(maxInFlight, running.length);
    // The technique is chosen once, at the share the migration starts with (once every start of this event is in).
    reshare(false);
    for (const f of pending) {
      const choice = chooseTechnique(vmSpec(f.move), { bandwidthMbps: f.shareMbps, rttMs: o.rttMs }, f.move.sla ?? defaultSla(f.move));
      (f as { technique: ResolvedTechnique }).technique = choice.technique ?? closestAllowed(choice.candidates);
    }
    reshare(true);
    events++;

    let next = nextArrival < arrivals.length ? arrivals[nextArrival].atMs : Infinity;
    for (const f of running) next = Math.min(next, now + (1 - f.progress) * f.totalMs);
    if (next === Infinity) {
      if (waiting.length > 0) throw new Error(`deadlock at ${now} ms: ${waiting.length} moves wait and nothing runs`);
      break;
    }
    const dt = next - now;
    for (const f of running) {
      f.progress += dt / f.totalMs;
      f.bytes += (dt / f.totalMs) * f.bytesTotal;
      shareIntegral += f.shareMbps * dt;
      timeIntegral += dt;
    }
    now = next;
    for (let i = running.length - 1; i >= 0; i--) {
      const f = running[i];
      if (f.progress < 1 - 1e-9) continue;
      running.splice(i, 1);
      totalBytes += f.bytes;
      if (f.unconverged) unconverged++;
      const src = nodes.get(f.move.from)!;
      const dst = nodes.get(f.to)!;
      src.used = { cpu: src.used.cpu - f.move.cpu, memMiB: src.used.memMiB - f.move.memMiB };
      dst.used = { cpu: dst.used.cpu + f.move.cpu, memMiB: dst.used.memMiB + f.move.memMiB };
      if (f.to !== f.move.to) {
        // The second leg of a hop: queued again at once, keeping its original enqueue time (and so its age).
        waiting.push({ ...f.move, id: `${f.move.id}+`, from: f.to });
        arrivedAt.set(`${f.move.id}+`, arrivedAt.get(f.move.id)!);
      } else {
        completions.push(now - arrivedAt.get(f.move.id.split("+")[0])!);
      }
    }
  }
  const meanWaitMsByClass: Partial<Record<MoveClass, number>> = {};
  for (const c of new Set(waits.map((w) => w.moveClass))) {
    const ws = waits.filter((w) => w.moveClass === c).map((w) => w.ms);
    meanWaitMsByClass[c] = ws.reduce((s, x) => s + x, 0) / ws.length;
  }
  return {
    makespanMs: now,
    totalBytes,
    meanCompletionMs: completions.reduce((s, x) => s + x, 0) / completions.length,
    meanWaitMsByClass,
    maxWaitMs: Math.max(...waits.map((w) => w.ms)),
    maxInFlight,
    meanShareMbps: timeIntegral > 0 ? shareIntegral / timeIntegral : 0,
    unconverged,
    hops,
    events,
  };
}

function vmSpec(m: WaitingMove) {
  return { memMiB: m.memMiB, workload: { dirtyMiBps: m.dirtyMiBps } };
}

function closestAllowed(candidates: readonly { technique: ResolvedTechnique }[]): ResolvedTechnique {
  return (candidates.find((c) => c.technique.name !== "post-copy" && c.technique.name !== "hybrid") ?? candidates[0]).technique;
}

function checkInvariants(
  nodes: ReadonlyMap<string, SchedulerNode>,
  running: readonly InFlight[],
  limits: { perCluster: number; outboundPerNode: number; inboundPerNode: number },
): void {
  if (running.length > limits.perCluster) throw new Error(`${running.length} migrations in flight > ${limits.perCluster}`);
  const out = new Map<string, number>();
  const inb = new Map<string, number>();
  const reserved = new Map<string, { cpu: number; memMiB: number }>();
  for (const f of running) {
    out.set(f.move.from, (out.get(f.move.from) ?? 0) + 1);
    inb.set(f.to, (inb.get(f.to) ?? 0) + 1);
    const r = reserved.get(f.to) ?? { cpu: 0, memMiB: 0 };
    reserved.set(f.to, { cpu: r.cpu + f.move.cpu, memMiB: r.memMiB + f.move.memMiB });
  }
  for (const [n, c] of out) if (c > limits.outboundPerNode) throw new Error(`${c} migrations leave ${n}`);
  for (const [n, c] of inb) if (c > limits.inboundPerNode) throw new Error(`${c} migrations arrive at ${n}`);
  for (const [id, node] of nodes) {
    const r = reserved.get(id) ?? { cpu: 0, memMiB: 0 };
    if (node.used.cpu + r.cpu > node.capacity.cpu || node.used.memMiB + r.memMiB > node.capacity.memMiB) {
      throw new Error(`node ${id} over capacity: ${node.used.memMiB} + ${r.memMiB} MiB reserved > ${node.capacity.memMiB}`);
    }
  }
}
