import { z } from "zod";
import { techniqueSchema } from "./techniques";

/**
 * The BullMQ job a node agent receives as the source of a migration. It carries only the id: the agent
 * claims the migration from the controller before doing anything, so a job for a migration that was
 * cancelled, failed or already run (a redelivery after a crash) never moves a VM.
 */
export const migrationJobSchema = z.object({ migrationId: z.string().uuid() });
export type MigrationJob = z.infer<typeof migrationJobSchema>;

/** Each node's migration jobs live in a queue of its own, so a failed node's jobs can be held back. */
export function nodeQueueName(nodeId: string): string {
  return `migrations-${nodeId}`;
}

export const claimRequestSchema = z.object({ nodeId: z.string().uuid() });

export const slaSchema = z.object({
  maxDowntimeMs: z.number().positive().nullable(),
  maxTotalMs: z.number().positive().nullable(),
});
export type Sla = z.infer<typeof slaSchema>;

/** The controller's answer to a claim: go ahead with these facts, or drop the job and why. */
export const claimResponseSchema = z.discriminatedUnion("proceed", [
  z.object({
    proceed: z.literal(true),
    migration: z.object({
      id: z.string().uuid(),
      technique: techniqueSchema,
      /** The technique's options as the controller resolved them; the migration library validates them. */
      techniqueOptions: z.record(z.string(), z.unknown()),
      vm: z.object({
        id: z.string().uuid(),
        name: z.string(),
        cpu: z.number().int(),
        memMiB: z.number().int(),
        dirtyRateMiBps: z.number().nonnegative(),
        /**
         * Post-copy over TCP: the target streams the guest's writes back to the source until the controller records
         * the move, so a target failure does not lose the guest (the VM's choice; true unless it opted out).
         */
        postCopyRecovery: z.boolean().default(true),
      }),
      sourceNodeId: z.string().uuid(),
      /** `dataAddress`: where the target agent takes transfers (host:port), null when it runs simulated. */
      target: z.object({ id: z.string().uuid(), name: z.string(), dataAddress: z.string().nullable().default(null) }),
      sla: slaSchema,
      /**
       * The migration's bandwidth share (Mbit/s, never above the request's own cap) when it is claimed: the source
       * starts at this rate, and follows the share in the answers to its progress reports. Null for a migration
       * started without one (older rows).
       */
      bandwidthMbps: z.number().positive().nullable(),
      /**
       * Authenticates the source and target agents to each other for this migration: the target gets the same
       * secret from GET /api/v1/agents/migrations/:id/transfer.
       */
      transferSecret: z.string().min(1),
    }),
  }),
  z.object({ proceed: z.literal(false), reason: z.string() }),
]);
export type ClaimResponse = z.infer<typeof claimResponseSchema>;
export type ClaimedMigration = Extract<ClaimResponse, { proceed: true }>["migration"];

/** What either agent of a running migration gets from GET /api/v1/agents/migrations/:id/transfer. */
export const transferGrantSchema = z.object({
  migrationId: z.string().uuid(),
  sourceNodeId: z.string().uuid(),
  targetNodeId: z.string().uuid(),
  /** The VM the migration moves and its memory: the target takes a transfer only of this VM at this size. */
  vmId: z.string().uuid(),
  memMiB: z.number().int().positive(),
  transferSecret: z.string().min(1),
});
export type TransferGrant = z.infer<typeof transferGrantSchema>;

export const progressReportSchema = z.object({
  /** The migration engine's phase name (preparation, round, stop-and-copy, post-copy...). */
  phase: z.string().min(1).max(40),
  round: z.number().int().nonnegative().optional(),
  progress: z.number().min(0).max(1),
  bytesSent: z.number().int().nonnegative().optional(),
  pagesRemaining: z.number().int().nonnegative().optional(),
  etaMs: z.number().nonnegative().optional(),
  message: z.string().max(500).optional(),
});
export type ProgressReport = z.infer<typeof progressReportSchema>;

export const progressResponseSchema = z.object({
  cancel: z.boolean(),
  /**
   * The migration's share of the links now (Mbit/s): the scheduler re-shares them every pass as migrations start
   * and end, and the source sends at this rate from then on. Null when it has none (older rows).
   */
  bandwidthMbps: z.number().positive().nullable().default(null),
});
export type ProgressResponse = z.infer<typeof progressResponseSchema>;

/** The six metrics of a migration, named as the API shows them. */
export const migrationMetricsSchema = z.object({
  preparationMs: z.number().nonnegative(),
  downtimeMs: z.number().nonnegative(),
  resumeMs: z.number().nonnegative(),
  pagesTransferred: z.number().int().nonnegative(),
  totalMs: z.number().nonnegative(),
  degradation: z.number().min(0).max(1),
});
export type MigrationMetrics = z.infer<typeof migrationMetricsSchema>;

/** SHA-256 (hex) of the guest's image on the source and on the target, taken at the switchover of a real transfer. */
export const imageDigestSchema = z.object({
  source: z.string().regex(/^[0-9a-f]{64}$/, "a SHA-256 in hex"),
  target: z.string().regex(/^[0-9a-f]{64}$/, "a SHA-256 in hex"),
});
export type ImageDigest = z.infer<typeof imageDigestSchema>;

export const completeReportSchema = z.object({
  metrics: migrationMetricsSchema,
  bytesTransferred: z.number().int().nonnegative(),
  imageDigest: imageDigestSchema.optional(),
});
export type CompleteReport = z.infer<typeof completeReportSchema>;

/** A migration that did not finish. `cancelled` means it stopped because an operator asked it to. */
export const failReportSchema = z.object({
  error: z.string().min(1).max(2000),
  cancelled: z.boolean().default(false),
  imageDigest: imageDigestSchema.optional(),
});
export type FailReport = z.infer<typeof failReportSchema>;

export const SLA_BREACH_KINDS = ["downtime", "total-time"] as const;
export const slaBreachSchema = z.object({
  kind: z.enum(SLA_BREACH_KINDS),
  limitMs: z.number().positive(),
  actualMs: z.number().nonnegative(),
});
export type SlaBreachReport = z.infer<typeof slaBreachSchema>;

/**
 * Where the controller records a VM, for an agent that holds (or held) it: GET /api/v1/agents/nodes/:id/vms/:vmId/placement.
 * An agent deletes an image it holds only on this answer, never on a hosted list that may predate a switchover.
 */
export const vmPlacementSchema = z.object({
  vmId: z.string().uuid(),
  /** Null: the VM is recorded on no node (its node failed): no agent may drop an image of it. */
  nodeId: z.string().uuid().nullable(),
  /** The VM's migration not yet terminal (requested, queued or running), if any. */
  openMigrationId: z.string().uuid().nullable(),
  /** The completed migration that brought the VM to its node, if one did. */
  arrivedBy: z.string().uuid().nullable(),
});
export type VmPlacement = z.infer<typeof vmPlacementSchema>;
