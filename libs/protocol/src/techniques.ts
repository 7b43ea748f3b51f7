import { z } from "zod";

/** Migration techniques an operator may ask for. The node agent maps each to its engine. */
export const TECHNIQUES = ["non-live", "pre-copy", "post-copy", "hybrid"] as const;
export const techniqueSchema = z.enum(TECHNIQUES);
export type Technique = z.infer<typeof techniqueSchema>;
export const DEFAULT_TECHNIQUE: Technique = "pre-copy";
