import type { DemandForecast } from "../forecast/vm-demand";
import { ferryTarget, type FerryTargetOptions } from "../placement/ferry-target";
import type { TargetChooser } from "../placement/target-chooser";

/**
 * THE switch point to @ferry/placement (issue 5). Until that engine lands, Ferry's strategies place VMs
 * with this library's forecast-aware best fit. When it lands, return a TargetChooser that builds the
 * engine's request (hosts, the VM, the forecast as demand, energy / balance / traffic weights, the
 * migration predictor's cost) and returns its choice; nothing else in the library changes.
 */
export function ferryTargetChooser(forecast: DemandForecast, options: FerryTargetOptions): TargetChooser {
  return ferryTarget(forecast, options);
}
