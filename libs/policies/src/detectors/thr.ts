import type { HostLoad } from "../model/cluster-model";
import { pct, type OverloadDetector } from "./detector";

/** Static threshold (THR): overloaded when requested CPU exceeds a fixed share of capacity. */
export function thr(threshold: number): OverloadDetector {
  const name = `thr-${threshold}`;
  return {
    name,
    isOverloaded: (load: HostLoad) => load.utilization > threshold,
    explain: (load: HostLoad) => `${name}: utilisation ${pct(load.utilization)} vs threshold ${pct(threshold)}`,
  };
}
