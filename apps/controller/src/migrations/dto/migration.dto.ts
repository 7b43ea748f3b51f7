import { techniqueSchema } from "@ferry/protocol";
import { z } from "zod";
import { pageQuerySchema } from "../../common/pagination";

export const requestMigrationSchema = z
  .object({
    vmId: z.string().uuid("must be a UUID"),
    targetNodeId: z.string().uuid("must be a UUID"),
    technique: techniqueSchema.optional(),
    reason: z.string().min(1).max(200).default("operator request"),
  })
  .strict();
export type RequestMigration = z.infer<typeof requestMigrationSchema>;

export const migrationQuerySchema = pageQuerySchema.extend({
  state: z.enum(["requested", "queued", "running", "completed", "failed", "cancelled"]).optional(),
  vmId: z.string().uuid("must be a UUID").optional(),
  nodeId: z.string().uuid("must be a UUID").optional(),
});
export type MigrationQuery = z.infer<typeof migrationQuerySchema>;

export const eventQuerySchema = pageQuerySchema.pick({ limit: true });
