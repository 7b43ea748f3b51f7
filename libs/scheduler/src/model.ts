import type { Sla, TechniqueSpec } from "@ferry/migration";

/**
 * What the scheduler is given and what it answers: plain readonly values with units in the field names. It holds
 * no state between calls; the controller passes the cluster as it is now and applies the answer.
 */

/** Why a migration moves, most urgent first (see priority.ts for the ranks). */
export type MoveClass = "evacuate" | "drain" | "sla" | "starvation" | "balance" | "consolidate" | "traffic";

export interface Resources {
  readonly cpu: number;
  readonly memMiB: number;
}

export interface SchedulerNode {
  readonly id: string;
  /** `rack` and `pod` place the node in the fabric; `*-uplink-mbps` labels override link capacities (links.ts). */
  readonly labels?: Readonly<Record<string, string>>;
  readonly capacity: Resources;
  /** What the VMs resident on the node use, including VMs migrating away (they run here until the switchover). */
  readonly used: Resources;
  /** False for a node that must not receive VMs (draining, failed, cordoned). Default true. */
  readonly acceptsIncoming?: boolean;
}

export interface MigratingVm {
  readonly vmId: string;
  readonly cpu: number;
  readonly memMiB: number;
  /** Page-write rate of the guest, as the migration library's workload model takes it. */
  readonly dirtyMiBps: number;
}

export interface RunningMigration extends MigratingVm {
  readonly id: string;
  readonly from: string;
  readonly to: string;
  /** What is still to send; with the new share it gives the migration's updated ETA. */
  readonly remainingBytes: number;
  readonly bandwidthCapMbps?: number;
}

export interface WaitingMove extends MigratingVm {
  readonly id: string;
  readonly from: string;
  readonly to: string;
  readonly moveClass: MoveClass;
  /** When the move was queued (ms, any epoch shared with `nowMs`). Drives aging. */
  readonly enqueuedAtMs: number;
  readonly bandwidthCapMbps?: number;
  /** A technique the controller already fixed; without it the chooser picks one at the share the move will get. */
  readonly technique?: TechniqueSpec;
  /** The VM's SLA; without it QEMU's 300 ms downtime limit and KubeVirt's 150 s per GiB (see predict-at-share.ts). */
  readonly sla?: Sla;
}

/** Default capacity of each link level, when no node label says otherwise. */
export interface LinkDefaults {
  readonly hostUplinkMbps: number;
  readonly rackUplinkMbps: number;
  readonly podUplinkMbps: number;
}

export interface SchedulerLimits {
  /** Migrations in flight in the whole cluster (KubeVirt parallelMigrationsPerCluster: 5). */
  readonly perCluster: number;
  /** Migrations leaving one node at once (KubeVirt parallelOutboundMigrationsPerNode: 2). */
  readonly outboundPerNode: number;
  /** Migrations arriving at one node at once. */
  readonly inboundPerNode: number;
}

export interface SchedulerOptions {
  readonly limits?: Partial<SchedulerLimits>;
  readonly links?: Partial<LinkDefaults>;
  /**
   * A migration must keep at least this multiple of its dirty rate as bandwidth (capped at what its path gives
   * it alone), or pre-copy stops converging; starting a move that would push anyone below is refused. Default 2.
   */
  readonly convergenceHeadroom?: number;
  /** A waiting move gains one priority rank per this much waiting (default 5 min). */
  readonly agingStepMs?: number;
  /** After this long a move is starving: it goes first in its rank and holds what it needs (default 15 min). */
  readonly starvationMs?: number;
  /** Round-trip time used in predictions (default 0.5 ms). */
  readonly rttMs?: number;
}

export interface ScheduleInput {
  readonly nowMs: number;
  readonly nodes: readonly SchedulerNode[];
  readonly running: readonly RunningMigration[];
  readonly waiting: readonly WaitingMove[];
  readonly options?: SchedulerOptions;
}

/** The predicted cost of a move at the share it gets, from @ferry/migration. */
export interface SharePrediction {
  readonly technique: string;
  readonly totalMs: number;
  readonly downtimeMs: number;
  readonly bytesTransferred: number;
  /** False when no technique is predicted to meet the SLA at this share: the closest one is given. */
  readonly slaMet: boolean;
  readonly reason: string;
}

export interface StartDecision {
  readonly moveId: string;
  readonly vmId: string;
  readonly from: string;
  /** Where the VM goes now: the move's target, or a third node when a cycle is broken (see `hop`). */
  readonly to: string;
  /** Set when this start is the first leg of a cycle-breaking hop: queue `finalTo` again once it lands. */
  readonly hop?: { readonly finalTo: string; readonly reason: string };
  readonly shareMbps: number;
  /** The link (or the move's own cap) that limits the share. */
  readonly bottleneck: string;
  readonly effectiveRank: number;
  readonly prediction: SharePrediction;
}

export interface BlockedMove {
  readonly moveId: string;
  readonly reason: BlockReason;
  readonly detail: string;
}

export interface RunningShare {
  readonly id: string;
  readonly shareMbps: number;
  readonly bottleneck: string;
  /** remainingBytes at the new share. */
  readonly etaMs: number;
}

export interface ScheduleResult {
  readonly starts: readonly StartDecision[];
  readonly blocked: readonly BlockedMove[];
  /** Every running migration's share once the starts are added (max-min fair). */
  readonly running: readonly RunningShare[];
  readonly limits: SchedulerLimits;
}

export const BLOCK_REASONS = [
  "cluster-limit",
  "outbound-limit",
  "inbound-limit",
  "link-bandwidth",
  "capacity",
  "target-closed",
  "cycle",
  "ordering",
  "invalid",
] as const;
export type BlockReason = (typeof BLOCK_REASONS)[number];
