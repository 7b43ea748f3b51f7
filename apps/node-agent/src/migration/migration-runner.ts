import { Inject, Injectable, Logger } from "@nestjs/common";
import { claimResponseSchema, progressResponseSchema, type ProgressReport } from "@ferry/protocol";
import { z } from "zod";
import { ControllerClient, ControllerError } from "../common/controller-client";
import { HeartbeatService } from "../heartbeat/heartbeat.service";
import { RegistrationService } from "../registration/registration.service";
import { MIGRATION_EXECUTOR, MigrationAborted, type MigrationExecutor } from "./executor";
import { slaBreaches } from "./sla-check";

const anyAnswer = z.unknown();
/** Progress reports go out at most this often (the commit point always goes out). */
const PROGRESS_EVERY_MS = 250;

/**
 * Runs one migration job as the source node: claim it from the controller (the gate against running a
 * cancelled or duplicated job), carry it out with the executor while reporting progress, then report how
 * it ended. Reports of the ending are retried: the controller must learn where the VM is.
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

  async run(migrationId: string): Promise<"completed" | "failed" | "dropped"> {
    const { nodeId } = await this.registration.register();
    const base = `/api/v1/agents/migrations/${migrationId}`;
    const claim = await this.client.call("POST", `${base}/claim`, { nodeId }, claimResponseSchema, { retries: 5 });
    if (!claim.proceed) {
      this.logger.log(`migration ${migrationId} not started: ${claim.reason}`);
      return "dropped";
    }
    const m = claim.migration;
    const abort = new AbortController();
    this.active.set(migrationId, abort);
    let lastSent = 0;
    const send = async (report: ProgressReport) => {
      lastSent = Date.now();
      try {
        const answer = await this.client.call("POST", `${base}/progress`, { nodeId, ...report }, progressResponseSchema, { retries: 2 });
        if (answer.cancel && !abort.signal.aborted) abort.abort("cancelled by the controller");
      } catch (e) {
        this.logger.warn(`progress report for ${migrationId} lost: ${e instanceof Error ? e.message : e}`);
      }
    };
    try {
      this.logger.log(`migrating VM ${m.vm.name} to ${m.target.name} (${m.technique})`);
      const result = await this.executor.run(m, {
        signal: abort.signal,
        progress: (report) => (Date.now() - lastSent >= PROGRESS_EVERY_MS ? send(report) : Promise.resolve()),
        beforeSwitchover: send,
      });
      try {
        await this.client.call("POST", `${base}/complete`, { nodeId, ...result }, anyAnswer, { retries: 10 });
      } catch (e) {
        if (e instanceof ControllerError && e.status === 409) {
          // The controller ended the migration meanwhile (timeout, node failure): the VM goes back to its source.
          this.logger.warn(`migration ${migrationId} was ended by the controller; VM ${m.vm.name} resumes on its source`);
          return "failed";
        }
        throw e;
      }
      this.heartbeat.refreshSoon();
      for (const breach of slaBreaches(result.metrics, m.sla)) {
        await this.client
          .call("POST", `${base}/sla-breaches`, { nodeId, ...breach }, anyAnswer, { retries: 3 })
          .catch((e) => this.logger.warn(`SLA breach report for ${migrationId} lost: ${e}`));
      }
      this.logger.log(`migration ${migrationId} completed in ${Math.round(result.metrics.totalMs)} ms`);
      return "completed";
    } catch (e) {
      const cancelled = e instanceof MigrationAborted && abort.signal.reason === "cancelled by the controller";
      const error = e instanceof Error ? e.message : String(e);
      await this.client.call("POST", `${base}/fail`, { nodeId, error, cancelled }, anyAnswer, { retries: 10 });
      this.logger.warn(`migration ${migrationId} ${cancelled ? "cancelled" : "failed"}: ${error}; VM ${m.vm.name} stays on its source`);
      return "failed";
    } finally {
      this.active.delete(migrationId);
    }
  }
}
