import { z } from "zod";
import { isoTime, json, pageOf } from "../../common/responses";

export const vmSchema = z.object({
  id: z.string(),
  name: z.string(),
  state: z.string(),
  nodeId: z.string().nullable(),
  cpu: z.number(),
  memMiB: z.number(),
  dirtyRateMiBps: z.number(),
  allowPostCopy: z.boolean(),
  postCopyRecovery: z.boolean(),
  workload: json,
  sla: z.object({ maxDowntimeMs: z.number().nullable(), maxTotalMs: z.number().nullable(), network: json }),
  createdAt: isoTime,
});

export const vmPageSchema = pageOf(vmSchema);
