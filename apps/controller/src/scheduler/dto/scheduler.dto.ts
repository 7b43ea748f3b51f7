import { z } from "zod";

const count = z.number().int().min(1).max(1000);
const mbps = z.number().positive().max(10_000_000);

export const updateSchedulerSchema = z
  .object({
    limits: z.object({ perCluster: count, outboundPerNode: count, inboundPerNode: count }).partial().strict().optional(),
    links: z.object({ hostUplinkMbps: mbps, rackUplinkMbps: mbps, podUplinkMbps: mbps }).partial().strict().optional(),
  })
  .strict()
  .refine((b) => b.limits || b.links, { message: "nothing to change: give limits or links" });
export type UpdateScheduler = z.infer<typeof updateSchedulerSchema>;
