import type { HostLoad } from "../model/cluster-model";

/**
 * Decides whether a host is overloaded (CloudSim's isHostOverUtilized). Called both on a host as it is
 * and "after allocation" of one more VM, so it must be cheap and side-effect free.
 */
export interface OverloadDetector {
  readonly name: string;
  isOverloaded(load: HostLoad): boolean;
  /** One line for plans and logs: the rule, the measured value and the threshold. */
  explain(load: HostLoad): string;
}

export function pct(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}
