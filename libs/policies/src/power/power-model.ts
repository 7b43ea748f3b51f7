import { PoliciesError } from "../model/errors";

/** Electrical power drawn by a host as a function of its CPU utilisation (0..1). */
export interface PowerModel {
  readonly name: string;
  powerW(utilization: number): number;
  readonly idleW: number;
  readonly maxW: number;
}

/**
 * A SPECpower_ssj2008 curve: measured watts at 0 %, 10 %, ..., 100 % load, linearly interpolated in
 * between (as CloudSim's PowerModelSpecPower does). Utilisation outside [0, 1] is a caller bug, not a
 * value to clamp silently, so it throws.
 */
export function specPowerModel(name: string, wattsAtTenPercentSteps: readonly number[]): PowerModel {
  if (wattsAtTenPercentSteps.length !== 11) {
    throw new PoliciesError("InvalidParameter", `power model ${name}: need 11 points (0..100 % in 10 % steps)`);
  }
  const watts = Float64Array.from(wattsAtTenPercentSteps);
  return {
    name,
    idleW: watts[0]!,
    maxW: watts[10]!,
    powerW(utilization: number): number {
      if (!(utilization >= 0 && utilization <= 1)) {
        throw new PoliciesError("InvalidParameter", `power model ${name}: utilisation ${utilization} outside [0, 1]`);
      }
      const scaled = utilization * 10;
      const step = Math.floor(scaled);
      if (step >= 10) return watts[10]!;
      return watts[step]! + (watts[step + 1]! - watts[step]!) * (scaled - step);
    },
  };
}
