import type { MigrationCostModel } from "../migration-cost/migration-cost";
import { preCopyStandIn } from "../migration-cost/pre-copy-stand-in";

/**
 * THE switch point to @ferry/migration's predictor (issue 4). Until that library lands, Ferry's
 * "predictor" mode uses this library's pre-copy stand-in. When it lands, replace the body with a wrapper
 * that maps MigratingVm / Link onto the predictor's inputs; nothing else in the library changes.
 */
export function ferryMigrationPredictor(): MigrationCostModel {
  return preCopyStandIn();
}
