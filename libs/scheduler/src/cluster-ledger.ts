import type { Fabric } from "./links";
import type { ResolvedOptions } from "./limits";
import { maxMinShares, type Flow, type FlowShare } from "./max-min-share";
import type { BlockReason, MigratingVm, Resources, RunningMigration, SchedulerNode } from "./model";
import { mibpsToMbps } from "./predict-at-share";

/** A migration as the ledger counts it: endpoints, the room it reserves on its target, its flow. */
export interface LedgerMove extends MigratingVm {
  readonly id: string;
  readonly from: string;
  readonly to: string;
  readonly bandwidthCapMbps?: number;
}

export type Check =
  | { readonly ok: true; readonly shareMbps: number; readonly bottleneck: string }
  | { readonly ok: false; readonly reason: BlockReason; readonly detail: string };

interface Tracked {
  readonly move: LedgerMove;
  readonly flow: Flow;
  readonly minShareMbps: number;
}

/**
 * The cluster during one scheduling round: free room per node (capacity - resident use - reservations of
 * migrations in flight), migrations in and out per node, the flows on the fabric, and what higher-ranked blocked
 * moves hold. `check` runs the limits cheapest first and says which one refuses; `start` books a move. The
 * benchmark's baselines use the same ledger, so every strategy obeys the same limits.
 */
export class ClusterLedger {
  private readonly free = new Map<string, { cpu: number; memMiB: number }>();
  private readonly open = new Map<string, boolean>();
  private readonly outbound = new Map<string, number>();
  private readonly inbound = new Map<string, number>();
  private readonly tracked: Tracked[] = [];
  private readonly heldOutbound = new Map<string, string>();
  private readonly heldInbound = new Map<string, string>();
  private readonly heldLinks = new Map<string, string>();
  private current: Map<string, FlowShare> = new Map();

  constructor(
    nodes: readonly SchedulerNode[],
    readonly fabric: Fabric,
    private readonly options: ResolvedOptions,
    running: readonly RunningMigration[],
  ) {
    for (const n of nodes) {
      this.free.set(n.id, { cpu: n.capacity.cpu - n.used.cpu, memMiB: n.capacity.memMiB - n.used.memMiB });
      this.open.set(n.id, n.acceptsIncoming ?? true);
    }
    for (const r of running) {
      if (!fabric.has(r.from) || !fabric.has(r.to)) throw new RangeError(`running migration ${r.id}: unknown node ${fabric.has(r.from) ? r.to : r.from}`);
      this.book(r);
    }
    this.current = maxMinShares(this.flows(), fabric.capacityMbps);
  }

  freeOn(node: string): Resources | undefined {
    return this.free.get(node);
  }

  acceptsIncoming(node: string): boolean {
    return this.open.get(node) === true;
  }

  outboundOf(node: string): number {
    return this.outbound.get(node) ?? 0;
  }

  /** Room on the target now, counting reservations: the only capacity rule, so every intermediate state fits. */
  fits(move: Pick<LedgerMove, "to" | "cpu" | "memMiB">): boolean {
    const f = this.free.get(move.to);
    return f !== undefined && f.cpu >= move.cpu && f.memMiB >= move.memMiB;
  }

  /**
   * Keeps lower-ranked moves off what a blocked higher-ranked move needs: its source's outbound slots, its
   * target's inbound slots and room, and its path. Moves the other way (out of its target, into its source)
   * stay free: they are what makes room for it.
   */
  hold(move: LedgerMove): void {
    if (!this.heldOutbound.has(move.from)) this.heldOutbound.set(move.from, move.id);
    if (!this.heldInbound.has(move.to)) this.heldInbound.set(move.to, move.id);
    if (this.fabric.has(move.from) && this.fabric.has(move.to) && move.from !== move.to) {
      for (const l of this.fabric.path(move.from, move.to)) if (!this.heldLinks.has(l)) this.heldLinks.set(l, move.id);
    }
  }

  /**
   * Whether the move may start now. `exclusive` also refuses a move that would slow anyone down (share below
   * what its path gives it alone, or a running flow's share lowered): the scheduler's first pass.
   */
  check(move: LedgerMove, exclusive = false): Check {
    const { limits } = this.options;
    if (!this.fabric.has(move.from) || !this.fabric.has(move.to)) {
      return no("invalid", `unknown node ${this.fabric.has(move.from) ? move.to : move.from}`);
    }
    if (move.from === move.to) return no("invalid", "source and target are the same node");
    const bad = invalidFigures(move);
    if (bad) return no("invalid", bad);
    if (!this.acceptsIncoming(move.to)) return no("target-closed", `node ${move.to} accepts no incoming VMs`);
    if (this.tracked.length >= limits.perCluster) {
      return no("cluster-limit", `${this.tracked.length} of ${limits.perCluster} migrations in flight in the cluster`);
    }
    const outHeld = this.heldOutbound.get(move.from);
    if (outHeld !== undefined && outHeld !== move.id) return no("ordering", `${move.from}'s outbound slots are held for higher-ranked move ${outHeld}`);
    const inHeld = this.heldInbound.get(move.to);
    if (inHeld !== undefined && inHeld !== move.id) return no("ordering", `${move.to}'s inbound slots and room are held for higher-ranked move ${inHeld}`);
    if (this.outboundOf(move.from) >= limits.outboundPerNode) {
      return no("outbound-limit", `${this.outboundOf(move.from)} of ${limits.outboundPerNode} migrations leaving ${move.from}`);
    }
    const inbound = this.inbound.get(move.to) ?? 0;
    if (inbound >= limits.inboundPerNode) return no("inbound-limit", `${inbound} of ${limits.inboundPerNode} migrations arriving at ${move.to}`);
    if (!this.fits(move)) {
      const f = this.free.get(move.to)!;
      return no("capacity", `${move.to} has ${f.cpu} cpu / ${f.memMiB} MiB free, the VM needs ${move.cpu} / ${move.memMiB}`);
    }
    const candidate = this.track(move);
    const heldLink = candidate.flow.links.find((l) => this.heldLinks.has(l) && this.heldLinks.get(l) !== move.id);
    if (heldLink !== undefined) return no("ordering", `link ${heldLink} held for higher-ranked move ${this.heldLinks.get(heldLink)}`);
    const after = maxMinShares([...this.flows(), candidate.flow], this.fabric.capacityMbps);
    const mine = after.get(move.id)!;
    if (mine.shareMbps < candidate.minShareMbps - 1e-6) {
      return no("link-bandwidth", `would get ${mbps(mine.shareMbps)} (bottleneck ${mine.bottleneck}), needs ${mbps(candidate.minShareMbps)}`);
    }
    for (const t of this.tracked) {
      const before = this.current.get(t.move.id)!.shareMbps;
      const now = after.get(t.move.id)!.shareMbps;
      if (now < before - 1e-6 && now < t.minShareMbps - 1e-6) {
        return no("link-bandwidth", `would lower ${t.move.id} to ${mbps(now)} (bottleneck ${after.get(t.move.id)!.bottleneck}), it needs ${mbps(t.minShareMbps)}`);
      }
      if (exclusive && now < before - 1e-6) return no("link-bandwidth", `would slow ${t.move.id} down (shares ${after.get(t.move.id)!.bottleneck})`);
    }
    if (exclusive && mine.shareMbps < this.aloneMbps(candidate.flow) - 1e-6) {
      return no("link-bandwidth", `would share ${mine.bottleneck}`);
    }
    return { ok: true, shareMbps: mine.shareMbps, bottleneck: mine.bottleneck };
  }

  /** Books a move that `check` accepted: a slot at each end, the room on its target, its flow. */
  start(move: LedgerMove): void {
    this.book(move);
    this.current = maxMinShares(this.flows(), this.fabric.capacityMbps);
  }

  /** Every tracked migration's share now (max-min fair). */
  shares(): ReadonlyMap<string, FlowShare> {
    return this.current;
  }

  private book(move: LedgerMove): void {
    this.tracked.push(this.track(move));
    this.outbound.set(move.from, this.outboundOf(move.from) + 1);
    this.inbound.set(move.to, (this.inbound.get(move.to) ?? 0) + 1);
    const f = this.free.get(move.to)!;
    this.free.set(move.to, { cpu: f.cpu - move.cpu, memMiB: f.memMiB - move.memMiB });
  }

  private track(move: LedgerMove): Tracked {
    const flow: Flow = { id: move.id, links: this.fabric.path(move.from, move.to), capMbps: move.bandwidthCapMbps ?? Infinity };
    const need = this.options.convergenceHeadroom * mibpsToMbps(move.dirtyMiBps);
    return { move, flow, minShareMbps: Math.min(need, this.aloneMbps(flow)) };
  }

  /** What a flow would get with the fabric to itself: its cap or its narrowest link. */
  private aloneMbps(flow: Flow): number {
    return Math.min(flow.capMbps, ...flow.links.map((l) => this.fabric.capacityMbps.get(l)!));
  }

  private flows(): Flow[] {
    return this.tracked.map((t) => t.flow);
  }
}

function invalidFigures(move: LedgerMove): string | undefined {
  if (!(move.cpu >= 0) || !(move.memMiB > 0)) return `cpu must be >= 0 and memMiB > 0, got ${move.cpu} / ${move.memMiB}`;
  if (!(move.dirtyMiBps >= 0)) return `dirtyMiBps must be >= 0, got ${move.dirtyMiBps}`;
  if (move.bandwidthCapMbps !== undefined && !(move.bandwidthCapMbps > 0)) return `bandwidthCapMbps must be > 0, got ${move.bandwidthCapMbps}`;
  return undefined;
}

function no(reason: BlockReason, detail: string): Check {
  return { ok: false, reason, detail };
}

function mbps(x: number): string {
  return `${Math.round(x)} Mbit/s`;
}
