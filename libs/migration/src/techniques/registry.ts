import type { ResolvedTechnique, TechniqueName } from "../spec";
import { hybrid } from "./hybrid";
import { nonLive } from "./non-live";
import { postCopy } from "./post-copy";
import { preCopy } from "./pre-copy";
import type { MigrationContext, Technique, TechniqueOutcome } from "./technique";

/** The one list of techniques, by name. */
const TECHNIQUES: { [K in TechniqueName]: Technique<Extract<ResolvedTechnique, { name: K }>> } = {
  "non-live": nonLive,
  "pre-copy": preCopy,
  "post-copy": postCopy,
  hybrid,
};

export function runTechnique(ctx: MigrationContext, spec: ResolvedTechnique): Promise<TechniqueOutcome> {
  return (TECHNIQUES[spec.name] as Technique).run(ctx, spec);
}
