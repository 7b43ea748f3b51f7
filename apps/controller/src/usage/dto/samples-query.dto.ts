import { z } from "zod";

const SECONDS_PER_UNIT = { s: 1, m: 60, h: 3600, d: 86_400 } as const;

const instant = z.iso.datetime({ offset: true, message: "an ISO 8601 time with a zone, e.g. 2026-12-01T14:00:00Z" });

/** `?from&to&step` of the history routes: times in ISO 8601, the step in seconds or with a unit (30s, 5m, 1h, 1d). */
export const samplesQuerySchema = z
  .object({
    from: instant.optional(),
    to: instant.optional(),
    step: z
      .string()
      .regex(/^\d+[smhd]?$/, "whole seconds, or a whole number with a unit: 30s, 5m, 1h, 1d")
      .transform((s) => Number(s.replace(/[smhd]$/, "")) * SECONDS_PER_UNIT[(/[smhd]$/.exec(s)?.[0] ?? "s") as keyof typeof SECONDS_PER_UNIT])
      .refine((s) => s >= 1, "at least 1 second")
      .optional(),
  })
  .strict();
export type SamplesQuery = z.infer<typeof samplesQuerySchema>;
