import { Inject, Injectable, Logger } from "@nestjs/common";
import { claimResponseSchema, progressResponseSchema, type ClaimedMigration, type ImageDigest, type ProgressReport } from "@ferry/protocol";
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { ControllerClient } from "../common/controller-client";
import { HeartbeatService } from "../heartbeat/heartbeat.service";
import { RegistrationService } from "../registration/registration.service";
import { MIGRATION_EXECUTOR, MigrationAborted, VmStaysOnSource, type ExecutionResult, type MigrationExecutor } from "./executor";
import { slaBreaches } from "./sla-check";

const anyAnswer = z.unknown();
/** Progress reports go out at most this often (the commit point always goes out). */
const PROGRESS_EVERY_MS = 250;
/** Retries of the go-ahead request at the commit point (about 3 s of backoff) before the migration is given up. */
const GO_AHEAD_RETRIES = 4;
/** Longest wait between two tries of reporting a completed switchover. */
const COMPLETE_MAX_DELAY_MS = 30_000;

const CANCELLED = "cancelled by the controller";

/** How a run ended, as the BullMQ job's result. */
export type RunOutcome =
  /** The switchover happened and the controller recorded it. */
  | "completed"
  /** The VM stayed on its source, and the controller was told (or could not be, and will time the migration out). */
  | "failed"
  /** The controller refused the claim (cancelled, already run, a node unusable): nothing was done. */
  | "dropped"
  /**
   * The switchover happened, but the controller refused the completion (409: it had already ended the
   * migration), so its record says the source. Logged as an error for the operator; never reported as a failure.
   * The executor is told (`settle(false)`): a real transfer, whose target has not started the VM yet, resumes
   * it on its source, which then agrees with the record.
   */
  | "disputed";

/**
 * Runs one migration job as the source node: claim it from the controller (the gate against running a
 * cancelled or duplicated job), carry it out with the executor while reporting progress, then report how
 * it ended.
 *
 * The commit point fails closed: the VM switches over only when the controller explicitly answers the last
 * check with "go on". Without that answer (controller down, an error status), the migration stops and the VM
 * stays on its source, so a cancel the agent could not hear never loses to a switchover. Once switched over,
 * the agent never reports a failure: it retries the completion until the controller records it.
 */
@Injectable()
export class MigrationRunner {
  private readonly logger = new Logger(MigrationRunner.name);
  private readonly active = new Map<string, AbortController>();

  constructor(
    private readonly client: ControllerClient,
    private readonly registration: RegistrationService,
    private readonly heartbeat: HeartbeatService,
    @Inject(MIGRATION_EXECUTOR) private readonly executor: MigrationExecutor,
  ) {}

  /** Abort every running migration before the switchover (agent shutdown): their VMs stay on their sources. */
  abortAll(reason: string): void {
    for (const abort of this.active.values()) abort.abort(reason);
  }

  async run(migrationId: string): Promise<RunOutcome> {
    const { nodeId } = await this.registration.register();
    const base = `/api/v1/agents/migrations/${migrationId}`;
    // One id per run of the job: a claim retried after a lost answer is recognised as this same attempt.
    const attemptId = randomUUID();
    const claim = await this.client.call("POST", `${base}/claim`, { nodeId, attemptId }, claimResponseSchema, { retries: 5 });
    if (!claim.proceed) {
      this.logger.log(`migration ${migrationId} not started: ${claim.reason}`);
      return "dropped";
    }
    const m = claim.migration;
    const abort = new AbortController();
    this.active.set(migrationId, abort);
    let lastSent = 0;
    let switchingOver = false;
    let share = m.bandwidthMbps;
    let onShare: ((mbps: number) => void) | undefined;
    const progress = async (report: ProgressReport) => {
      lastSent = Date.now();
      try {
        const answer = await this.client.call("POST", `${base}/progress`, { nodeId, ...report }, progressResponseSchema, { retries: 2 });
        // Past the go-ahead a cancel comes too late: a report answered once the completion is recorded says
        // "cancel" (the migration is no longer running), and aborting then would cut the target's commit verdict.
        if (answer.cancel && !switchingOver && !abort.signal.aborted) abort.abort(CANCELLED);
        if (answer.bandwidthMbps !== null && answer.bandwidthMbps !== share) {
          this.logger.log(`migration ${migrationId}: bandwidth share ${share === null ? "none" : Math.round(share)} -> ${Math.round(answer.bandwidthMbps)} Mbit/s`);
          share = answer.bandwidthMbps;
          onShare?.(share);
        }
      } catch (e) {
        this.logger.warn(`progress report for ${migrationId} lost: ${message(e)}`);
      }
    };
    const goAhead = async (report: ProgressReport) => {
      try {
        const answer = await this.client.call("POST", `${base}/progress`, { nodeId, ...report }, progressResponseSchema, {
          retries: GO_AHEAD_RETRIES,
          signal: abort.signal,
        });
        if (answer.cancel) abort.abort(CANCELLED);
      } catch (e) {
        abort.abort(`no go-ahead from the controller at the switchover (${message(e)})`);
      }
      switchingOver = !abort.signal.aborted;
    };
    let result: ExecutionResult;
    try {
      this.logger.log(`migrating VM ${m.vm.name} to ${m.target.name} (${m.technique}${m.bandwidthMbps ? ` at ${Math.round(m.bandwidthMbps)} Mbit/s` : ""})`);
      result = await this.executor.run(m, {
        signal: abort.signal,
        progress: (report) => (Date.now() - lastSent >= PROGRESS_EVERY_MS ? progress(report) : Promise.resolve()),
        beforeSwitchover: goAhead,
        onShare: (listener) => (onShare = listener),
      });
    } catch (e) {
      if (switchingOver && !(e instanceof VmStaysOnSource)) {
        // The executor failed after the go-ahead: where the VM runs is unknown here, so nothing is claimed.
        this.logger.error(`migration ${migrationId} failed during the switchover: ${message(e)}; not reported, the controller times it out`);
        return "failed";
      }
      const cancelled = e instanceof MigrationAborted && abort.signal.reason === CANCELLED;
      await this.reportFailure(base, nodeId, m, cancelled, message(e), e instanceof VmStaysOnSource ? e.imageDigest : undefined);
      return "failed";
    } finally {
      this.active.delete(migrationId);
    }
    return this.reportCompletion(base, nodeId, m, result);
  }

  /** Before the switchover: the VM is on its source, and the controller must hear so. */
  private async reportFailure(
    base: string,
    nodeId: string,
    m: ClaimedMigration,
    cancelled: boolean,
    error: string,
    imageDigest?: ImageDigest,
  ): Promise<void> {
    this.logger.warn(`migration ${m.id} ${cancelled ? "cancelled" : "failed"}: ${error}; VM ${m.vm.name} stays on its source`);
    await this.client.call("POST", `${base}/fail`, { nodeId, error, cancelled, imageDigest }, anyAnswer, { retries: 10 });
  }

  /** After the switchover: only a completion may be reported, and it is retried until the controller records it. */
  private async reportCompletion(base: string, nodeId: string, m: ClaimedMigration, result: ExecutionResult): Promise<RunOutcome> {
    try {
      const { metrics, bytesTransferred, imageDigest } = result;
      await this.client.call("POST", `${base}/complete`, { nodeId, metrics, bytesTransferred, imageDigest }, anyAnswer, {
        retries: Number.POSITIVE_INFINITY,
        maxDelayMs: COMPLETE_MAX_DELAY_MS,
      });
    } catch (e) {
      await this.settle(m, result, false);
      // Only a final answer ends the retries: 409, the controller ended the migration meanwhile (a timeout, a
      // node failure), or another 4xx. Its record now disagrees with where the VM runs: the operator must know.
      this.logger.error(`migration ${m.id}: VM ${m.vm.name} switched over to ${m.target.name}, but the controller refused the completion: ${message(e)}`);
      return "disputed";
    }
    await this.settle(m, result, true);
    this.heartbeat.refreshSoon();
    for (const breach of slaBreaches(result.metrics, m.sla)) {
      await this.client
        .call("POST", `${base}/sla-breaches`, { nodeId, ...breach }, anyAnswer, { retries: 3 })
        .catch((e) => this.logger.warn(`SLA breach report for ${m.id} lost: ${message(e)}`));
    }
    this.logger.log(`migration ${m.id} completed in ${Math.round(result.metrics.totalMs)} ms`);
    return "completed";
  }

  private async settle(m: ClaimedMigration, result: ExecutionResult, recorded: boolean): Promise<void> {
    await result.settle?.(recorded).catch((e) => this.logger.error(`migration ${m.id}: settling after the controller's answer failed: ${message(e)}`));
  }
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
