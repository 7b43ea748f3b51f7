import { z } from "zod";
import { pageQuerySchema } from "../../common/pagination";

export const vmQuerySchema = pageQuerySchema.extend({
  nodeId: z.string().uuid("must be a UUID").optional(),
  state: z.enum(["running", "migrating", "stopped", "failed", "unknown"]).optional(),
});
export type VmQuery = z.infer<typeof vmQuerySchema>;
