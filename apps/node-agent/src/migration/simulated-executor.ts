import {
  createInstantClock,
  createPacedClock,
  LinkModel,
  runMigration,
  type MigrationInput,
  type ProgressEvent,
  type TechniqueSpec,
} from "@ferry/migration";
import type { ClaimedMigration } from "@ferry/protocol";
import { ExecutionHooks, ExecutionResult, MigrationAborted, MigrationExecutor } from "./executor";
import { progressReport } from "./progress-report";

export interface SimulatedLink {
  /** The node's own link: a migration runs at the scheduler's share of it, never faster. */
  bandwidthMbps: number;
  rttMs: number;
  /** Wall-clock milliseconds per simulated millisecond: 1 plays a migration in real time, 0 as fast as it runs. */
  timeScale: number;
  /** Seed of the simulations; each migration mixes in its own id, so reruns are reproducible. */
  seed: number;
}

/** A 32-bit seed from the agent's seed and the migration id (FNV-1a). */
export function migrationSeed(seed: number, migrationId: string): number {
  let h = (2166136261 ^ seed) >>> 0;
  for (let i = 0; i < migrationId.length; i++) h = Math.imul(h ^ migrationId.charCodeAt(i), 16777619) >>> 0;
  return h;
}

/**
 * Carries out a migration in the migration library's page-accurate simulator, played against the wall clock at
 * `timeScale`, with the technique and options the controller admitted, at the bandwidth share the scheduler
 * gives it (capped by the node's own link): a new share heard during the run changes the simulated link's
 * share from the simulated moment it arrives (LinkModel.setShare).
 * Progress goes out as the simulation runs; the commit point is the library's beforeSwitchover, so a cancel
 * that arrives in time always leaves the VM on its source.
 */
export class SimulatedExecutor implements MigrationExecutor {
  constructor(private readonly link: SimulatedLink) {}

  async run(m: ClaimedMigration, hooks: ExecutionHooks): Promise<ExecutionResult> {
    const nodeMbps = this.link.bandwidthMbps;
    const shareOf = (mbps: number | null) => Math.min(1, (mbps ?? Infinity) / nodeMbps);
    const linkSpec = { bandwidthMbps: nodeMbps, rttMs: this.link.rttMs, shareSchedule: [{ atMs: 0, share: shareOf(m.bandwidthMbps) }] };
    const input: MigrationInput = {
      vm: { memMiB: m.vm.memMiB, workload: { dirtyMiBps: m.vm.dirtyRateMiBps } },
      link: linkSpec,
      technique: { ...m.techniqueOptions, name: m.technique } as TechniqueSpec,
      seed: migrationSeed(this.link.seed, m.id),
    };
    const link = new LinkModel(linkSpec);
    const clock = this.link.timeScale > 0 ? createPacedClock({ speedup: 1 / this.link.timeScale }) : createInstantClock();
    hooks.onShare((mbps) => link.setShare(shareOf(mbps), clock.now()));
    let last: ProgressEvent | undefined;
    const result = await runMigration(input, {
      signal: hooks.signal,
      clock,
      link,
      onProgress: (e) => {
        last = e;
        void hooks.progress(progressReport(e));
      },
      beforeSwitchover: () => hooks.beforeSwitchover({ ...(last ? progressReport(last) : { progress: 0 }), phase: "switchover" }),
    });
    if (result.outcome === "cancelled") throw new MigrationAborted(String(hooks.signal.reason ?? "cancelled"));
    return {
      metrics: {
        preparationMs: result.preparationMs,
        downtimeMs: result.downtimeMs,
        resumeMs: result.resumeMs,
        pagesTransferred: result.pagesTransferred,
        totalMs: result.totalMs,
        degradation: result.degradation,
      },
      bytesTransferred: Math.round(result.bytesTransferred),
    };
  }
}
