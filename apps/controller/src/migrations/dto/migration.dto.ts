import { techniqueSchema } from "@ferry/protocol";
import { z } from "zod";
import { pageQuerySchema } from "../../common/pagination";

export const requestMigrationSchema = z
  .object({
    vmId: z.string().uuid("must be a UUID"),
    targetNodeId: z.string().uuid("must be a UUID"),
    /** Without a technique, the controller chooses the one predicted to meet the VM's SLA at the least cost. */
    technique: techniqueSchema.optional(),
    techniqueOptions: z
      .object({
        delta: z.boolean().optional(),
        hotBitmap: z.boolean().optional(),
        autoConverge: z.boolean().optional(),
        prepaging: z.enum(["none", "bubble", "multi-pivot"]).optional(),
      })
      .strict()
      .optional(),
    /** Admit the migration even when it is predicted to break the VM's SLA (a maintenance that cannot wait). */
    acceptSlaBreach: z.boolean().default(false),
    reason: z.string().min(1).max(200).default("operator request"),
  })
  .strict()
  .refine((body) => !body.techniqueOptions || body.technique, {
    message: "techniqueOptions needs a technique",
    path: ["techniqueOptions"],
  });
export type RequestMigration = z.infer<typeof requestMigrationSchema>;

export const migrationQuerySchema = pageQuerySchema.extend({
  state: z.enum(["requested", "queued", "running", "completed", "failed", "cancelled"]).optional(),
  vmId: z.string().uuid("must be a UUID").optional(),
  nodeId: z.string().uuid("must be a UUID").optional(),
});
export type MigrationQuery = z.infer<typeof migrationQuerySchema>;

export const eventQuerySchema = pageQuerySchema.pick({ limit: true });
