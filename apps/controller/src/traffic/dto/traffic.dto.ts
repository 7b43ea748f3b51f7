import { z } from "zod";

const pairSchema = z
  .object({
    vmA: z.string().uuid("must be a UUID"),
    vmB: z.string().uuid("must be a UUID"),
    rateMbps: z.number().nonnegative().max(10_000_000),
  })
  .strict()
  .refine((p) => p.vmA !== p.vmB, { message: "a VM's traffic with itself is not network traffic", path: ["vmB"] });

/** A batch of measured VM-to-VM rates. A rate of 0 removes the pair. */
export const ingestTrafficSchema = z.object({ pairs: z.array(pairSchema).min(1).max(10_000) }).strict();
export type IngestTraffic = z.infer<typeof ingestTrafficSchema>;

export const trafficQuerySchema = z.object({
  vmId: z.string().uuid("must be a UUID").optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  cursor: z
    .string()
    .regex(/^[0-9a-f-]{36}:[0-9a-f-]{36}$/, "cursor must be a value returned as nextCursor")
    .optional(),
});
export type TrafficQuery = z.infer<typeof trafficQuerySchema>;
