import { ferryMigrationPredictor } from "../adapters/ferry-migration";
import { PoliciesError } from "../model/errors";
import { memoryOverBandwidth } from "./memory-over-bandwidth";
import type { MigrationCostModel } from "./migration-cost";

/** The cost models a simulation can run with: CloudSim's, or Ferry's predictor (see adapters/). */
export const MIGRATION_COST_MODELS: Readonly<Record<string, () => MigrationCostModel>> = {
  "memory-bandwidth": () => memoryOverBandwidth(),
  ferry: () => ferryMigrationPredictor(),
};

export function migrationCostModel(name: string): MigrationCostModel {
  const factory = MIGRATION_COST_MODELS[name];
  if (!factory) {
    throw new PoliciesError(
      "InvalidParameter",
      `unknown migration predictor "${name}"; known: ${Object.keys(MIGRATION_COST_MODELS).join(", ")}`,
    );
  }
  return factory();
}
