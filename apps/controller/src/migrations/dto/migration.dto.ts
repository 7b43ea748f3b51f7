import { techniqueSchema } from "@ferry/protocol";
import { z } from "zod";
import { pageQuerySchema } from "../../common/pagination";

const MAX_BANDWIDTH_MBPS = 1_000_000;

/**
 * A migration's own bandwidth cap in Mbit/s (QEMU's max-bandwidth, KubeVirt's bandwidthPerMigration): its share
 * of the links never exceeds it, and the bandwidth left goes to the other migrations. The technique is chosen
 * and predicted at the cap.
 */
export const bandwidthCapSchema = z
  .number()
  .positive("must be positive")
  .max(MAX_BANDWIDTH_MBPS, `must be at most ${MAX_BANDWIDTH_MBPS} (1 Tbit/s)`);

export const requestMigrationSchema = z
  .object({
    vmId: z.string().uuid("must be a UUID"),
    targetNodeId: z.string().uuid("must be a UUID"),
    /** Without a technique, the controller chooses the one predicted to meet the VM's SLA at the least cost. */
    technique: techniqueSchema.optional(),
    /**
     * The technique's options, as the migration library names them (delta, hotBitmap, autoConverge,
     * downtimeLimitMs, maxRounds for pre-copy; prepaging for post-copy; both and precopyRounds for hybrid). The
     * library's own schema validates them, so a wrong one is a 400 naming it.
     */
    techniqueOptions: z.record(z.string(), z.unknown()).optional(),
    /** Admit the migration even when it is predicted to break the VM's SLA (a maintenance that cannot wait). */
    acceptSlaBreach: z.boolean().default(false),
    bandwidthMbps: bandwidthCapSchema.optional(),
    reason: z.string().min(1).max(200).default("operator request"),
  })
  .strict()
  .refine((body) => !body.techniqueOptions || body.technique, {
    message: "techniqueOptions needs a technique",
    path: ["techniqueOptions"],
  });
export type RequestMigration = z.infer<typeof requestMigrationSchema>;

/**
 * A new bandwidth cap for a migration that has not ended, like QEMU's max-bandwidth set during a migration: null
 * lifts it. The next scheduler pass re-shares the links, and a running migration's source agent follows.
 */
export const changeMigrationSchema = z
  .object({
    bandwidthMbps: bandwidthCapSchema.nullable(),
    /** Change it even when the migration's technique is predicted to break the VM's SLA at the new cap. */
    acceptSlaBreach: z.boolean().default(false),
  })
  .strict();
export type ChangeMigration = z.infer<typeof changeMigrationSchema>;

export const migrationQuerySchema = pageQuerySchema.extend({
  state: z.enum(["requested", "queued", "running", "completed", "failed", "cancelled"]).optional(),
  vmId: z.string().uuid("must be a UUID").optional(),
  nodeId: z.string().uuid("must be a UUID").optional(),
});
export type MigrationQuery = z.infer<typeof migrationQuerySchema>;

export const eventQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(200),
  cursor: z.string().regex(/^\d+$/, "cursor must be a value returned as nextCursor").optional(),
});
export type EventQuery = z.infer<typeof eventQuerySchema>;
