/**
 * What a live policy reads: the cluster as stored, with each VM's usage averaged over the policy's window.
 * Built by policy-context.ts from the database; policies themselves are pure functions of it.
 */
export interface PolicyNode {
  id: string;
  name: string;
  state: string;
  cpu: number;
  memMiB: number;
  idleWatts: number;
  peakWatts: number;
  labels: Record<string, string>;
  /** Average traffic over the policy's window (sla-network reads it). */
  netTxMbps?: number;
  netRxMbps?: number;
  /** How well the node's agent reports, and the hardware health it reports, over the policy's window (evacuate reads it). */
  health?: {
    /** Heartbeats received over those expected. */
    heartbeatShare?: number;
    /** An evacuation plan of this node is waiting or applying. */
    evacuating?: boolean;
    /** Corrected memory errors over the window: the count in its first and last heartbeat, and in how many heartbeats it rose. */
    correctedMemoryErrors?: { first: number; last: number; rises: number };
    /** The lowest and highest temperature the node reported over the window (°C). */
    temperatureC?: { min: number; max: number };
  };
}

export interface PolicyVm {
  id: string;
  name: string;
  nodeId: string;
  state: string;
  cpu: number;
  memMiB: number;
  dirtyRateMiBps: number;
  slaMaxDowntimeMs?: number | null;
  slaMaxTotalMs?: number | null;
  allowPostCopy?: boolean;
  /** CPU used as a share of the VM's vCPUs, one point per interval, oldest first; each point a window average. */
  cpuHistory: number[];
  /** Network thresholds toward named peers (sla-network). */
  slaNetwork?: { peers: string[]; maxDistance?: number; minBandwidthMbps?: number };
  /** When the VM last arrived on its node by migration, if it ever did. */
  lastMigratedAt?: Date;
}

/** A completed migration, for the hold time and the A->B->A rule. */
export interface RecentMove {
  vmId: string;
  fromNodeId: string;
  toNodeId: string;
  finishedAt: Date;
}

export interface PolicyInput {
  now: Date;
  /** Spacing of the points in each VM's cpuHistory. */
  intervalS: number;
  nodes: PolicyNode[];
  vms: PolicyVm[];
  /** Measured traffic between VMs (Mbit/s), once per pair. */
  traffic: [string, string, number][];
  recentMoves: RecentMove[];
  /** The link a migration gets between two nodes. */
  link: { bandwidthMbps: number; rttMs: number };
}
