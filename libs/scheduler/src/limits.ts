import type { LinkDefaults, SchedulerLimits, SchedulerOptions } from "./model";

/** KubeVirt's defaults: parallelMigrationsPerCluster 5, parallelOutboundMigrationsPerNode 2; inbound mirrors outbound. */
export const DEFAULT_LIMITS: SchedulerLimits = { perCluster: 5, outboundPerNode: 2, inboundPerNode: 2 };

/**
 * A non-blocking k=8 fat-tree of 10 Gbit/s links: a rack (edge switch) has k/2 = 4 uplinks, a pod k^2/4 = 16
 * uplinks towards the core. Clusters with oversubscribed fabrics say so through node labels (links.ts).
 */
export const DEFAULT_LINKS: LinkDefaults = { hostUplinkMbps: 10_000, rackUplinkMbps: 40_000, podUplinkMbps: 160_000 };

export interface ResolvedOptions {
  readonly limits: SchedulerLimits;
  readonly links: LinkDefaults;
  readonly convergenceHeadroom: number;
  readonly agingStepMs: number;
  readonly starvationMs: number;
  readonly rttMs: number;
}

export function resolveOptions(o: SchedulerOptions = {}): ResolvedOptions {
  const limits = { ...DEFAULT_LIMITS, ...o.limits };
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isInteger(value) || value < 1) throw new RangeError(`limits.${name} must be an integer >= 1, got ${value}`);
  }
  const links = { ...DEFAULT_LINKS, ...o.links };
  for (const [name, value] of Object.entries(links)) {
    if (!(value > 0)) throw new RangeError(`links.${name} must be > 0, got ${value}`);
  }
  const resolved = {
    limits,
    links,
    convergenceHeadroom: o.convergenceHeadroom ?? 2,
    agingStepMs: o.agingStepMs ?? 5 * 60_000,
    starvationMs: o.starvationMs ?? 15 * 60_000,
    rttMs: o.rttMs ?? 0.5,
  };
  if (!(resolved.convergenceHeadroom >= 0)) throw new RangeError("convergenceHeadroom must be >= 0");
  if (!(resolved.agingStepMs > 0) || !(resolved.starvationMs > 0)) throw new RangeError("agingStepMs and starvationMs must be > 0");
  return resolved;
}
