import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from "@nestjs/common";
import { Worker } from "bullmq";
import { migrationJobSchema, type MigrationJob } from "@ferry/protocol";
import { AGENT_CONFIG, AgentConfig } from "../common/config";
import { RegistrationService } from "../registration/registration.service";
import { MigrationRunner } from "./migration-runner";

/**
 * KubeVirt's parallelOutboundMigrationsPerNode default: more outbound migrations split the node's link
 * and none of them converges.
 */
const OUTBOUND_PER_NODE = 2;

/** The agent's one BullMQ consumer: its node's migration queue, once registration told it which one. */
@Injectable()
export class MigrationWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(MigrationWorker.name);
  private worker: Worker<MigrationJob> | null = null;
  private closing = false;

  constructor(
    private readonly registration: RegistrationService,
    private readonly runner: MigrationRunner,
    @Inject(AGENT_CONFIG) private readonly config: AgentConfig,
  ) {}

  onApplicationBootstrap(): void {
    void this.registration.register().then(
      (r) => {
        if (this.closing) return;
        this.worker = new Worker<MigrationJob>(r.queue, (job) => this.runner.run(migrationJobSchema.parse(job.data).migrationId), {
          connection: { url: this.config.redisUrl, maxRetriesPerRequest: null },
          prefix: this.config.redisPrefix,
          concurrency: OUTBOUND_PER_NODE,
        });
        this.worker.on("failed", (job, e) => this.logger.warn(`job ${job?.id} failed: ${e.message}`));
        this.worker.on("error", (e) => this.logger.error(`queue error: ${e.message}`));
      },
      () => undefined,
    );
  }

  /** Stop taking jobs, abort running migrations before their switchover, and wait for their reports. */
  async onApplicationShutdown(): Promise<void> {
    this.closing = true;
    this.runner.abortAll("the source agent is shutting down");
    await this.worker?.close();
  }
}
