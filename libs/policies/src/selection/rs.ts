import type { ClusterModel } from "../model/cluster-model";
import type { Rng } from "@ferry/random";
import { movableVms, type VmSelector } from "./selector";

/** Random selection (RS): uniform over the movable VMs, from the injected seeded generator. */
export function rs(): VmSelector {
  return {
    name: "rs",
    select(model: ClusterModel, host: number, rng: Rng): number {
      const candidates = movableVms(model, host);
      return candidates.length === 0 ? -1 : candidates[rng.int(candidates.length)]!;
    },
  };
}
