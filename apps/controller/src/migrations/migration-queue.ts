import { Inject, Injectable, OnModuleDestroy } from "@nestjs/common";
import { Queue } from "bullmq";
import { nodeQueueName, type MigrationJob } from "@ferry/protocol";
import { CONTROLLER_CONFIG, ControllerConfig } from "../common/config";

/**
 * The one wrapper around BullMQ on the controller side. Each node has its own queue, which its agent
 * consumes as the migration's source. The job id is the migration id, so enqueuing twice (a retry of
 * the reconciler) adds one job. A job is attempted once: a migration that fails is a terminal state,
 * and a new attempt is a new migration, never an automatic retry storm.
 */
@Injectable()
export class MigrationQueue implements OnModuleDestroy {
  private readonly queues = new Map<string, Queue<MigrationJob>>();
  private readonly connection: { url: string; maxRetriesPerRequest: null };

  constructor(@Inject(CONTROLLER_CONFIG) private readonly config: ControllerConfig) {
    this.connection = { url: config.redisUrl, maxRetriesPerRequest: null };
  }

  /** The node's queue (bull-board at /queues shows it too). */
  queue(nodeId: string): Queue<MigrationJob> {
    let q = this.queues.get(nodeId);
    if (!q) {
      q = new Queue<MigrationJob>(nodeQueueName(nodeId), {
        connection: this.connection,
        prefix: this.config.redisPrefix,
        defaultJobOptions: { attempts: 1, removeOnComplete: 1_000, removeOnFail: 5_000 },
      });
      this.queues.set(nodeId, q);
    }
    return q;
  }

  async enqueue(sourceNodeId: string, migrationId: string): Promise<void> {
    await this.queue(sourceNodeId).add("migrate", { migrationId }, { jobId: migrationId });
  }

  /**
   * Make sure a job waits for a migration that is still to run: add it when Redis lost it, and replace it
   * when it ended without the migration starting (its agent could not reach the controller to claim it).
   * Returns true when a job was added.
   */
  async ensure(sourceNodeId: string, migrationId: string): Promise<boolean> {
    const job = await this.queue(sourceNodeId).getJob(migrationId);
    if (job) {
      const state = await job.getState();
      if (state !== "completed" && state !== "failed") return false;
      await job.remove();
    }
    await this.enqueue(sourceNodeId, migrationId);
    return true;
  }

  /** Withdraw a job that has not started. A job an agent holds is left to its claim check. */
  async withdraw(sourceNodeId: string, migrationId: string): Promise<void> {
    const job = await this.queue(sourceNodeId).getJob(migrationId);
    if (job && !(await job.isActive())) await job.remove().catch(() => undefined);
  }

  /** Jobs waiting or running across the given nodes' queues. */
  async depth(nodeIds: string[]): Promise<number> {
    let total = 0;
    for (const id of nodeIds) {
      const counts = await this.queue(id).getJobCounts("waiting", "active", "delayed", "prioritized");
      total += Object.values(counts).reduce((a, b) => a + b, 0);
    }
    return total;
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close()));
    this.queues.clear();
  }
}
