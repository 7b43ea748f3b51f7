import { evacuateUnderloadedHosts, sortByDemandDecreasing } from "../consolidation/underload";
import type { OverloadDetector } from "../detectors/detector";
import type { MigrationCostModel } from "../migration-cost/migration-cost";
import { ClusterModel } from "../model/cluster-model";
import type { Plan } from "../model/plan";
import type { Rng } from "@ferry/random";
import type { ClusterSnapshot } from "../model/snapshot";
import type { TargetChooser } from "../placement/target-chooser";
import type { VmSelector } from "../selection/selector";
import { PlanBuilder } from "./plan-builder";
import type { Strategy } from "./strategy";

export interface MigrationHeuristicParts {
  readonly name: string;
  readonly detector: OverloadDetector;
  readonly selector: VmSelector;
  readonly chooser: TargetChooser;
  readonly costModel: MigrationCostModel;
  /**
   * Reproduce CloudSim 3.0.3 where its code departs from its own comment (default false): hosts that
   * have just received VMs from overloaded hosts may still be emptied as underloaded in the same round,
   * so such a VM can be moved twice in one plan (two moves from its host; the later one decides where
   * it ends, both are migrations). The simulator's CloudSim runs set it; a live controller should not.
   */
  readonly cloudSimQuirks?: boolean;
}

/**
 * The published heuristics (Beloglazov & Buyya, CCPE 2012): one detector x one VM-selection rule, with
 * power-aware best-fit decreasing and under-load consolidation, as CloudSim's
 * PowerVmAllocationPolicyMigrationAbstract.optimizeAllocation runs them every scheduling interval.
 *
 * Phases:
 *  1. Detect: every host the detector calls overloaded, in host order.
 *  2. Select: from each, take VMs one at a time with the selection rule until the detector is satisfied.
 *  3. Place: the selected VMs, largest current demand first, go to the target chooser (PABFD); overloaded
 *     hosts are never targets. A VM with no target stays where it is.
 *  4. Consolidate: empty the least-used hosts one by one onto the rest (see consolidation/underload.ts),
 *     never using overloaded, switched-off or already-tried hosts as targets.
 *
 * Assumptions (CloudSim's): every VM can live-migrate to any host; a migration copies the VM's memory
 * over half of the target's link; all moves of a round start together.
 */
export function migrationHeuristic(parts: MigrationHeuristicParts): Strategy {
  const { name, detector, selector, chooser, costModel } = parts;
  const quirks = parts.cloudSimQuirks === true;
  return {
    name,
    plan(snapshot: ClusterSnapshot, rng: Rng): Plan {
      const model = new ClusterModel(snapshot, costModel);
      const plan = new PlanBuilder(name, model, { allowSecondMove: quirks });
      const H = model.hostCount;

      const overloaded: number[] = [];
      for (let h = 0; h < H; h++) {
        if (model.hostVms[h]!.length > 0 && detector.isOverloaded(model.hostLoad(h))) overloaded.push(h);
      }

      const toMigrate: number[] = [];
      const why = new Map<number, string>();
      for (const h of overloaded) {
        const detail = detector.explain(model.hostLoad(h));
        plan.finding(h, "overloaded", detail);
        for (;;) {
          const vm = selector.select(model, h, rng);
          if (vm < 0) break;
          model.detach(vm);
          toMigrate.push(vm);
          why.set(vm, `${model.hostIds[h]} overloaded (${detail}); picked by ${selector.name}`);
          if (!detector.isOverloaded(model.hostLoad(h))) break;
        }
      }

      const excludedAsTarget = new Uint8Array(H);
      for (const h of overloaded) excludedAsTarget[h] = 1;
      sortByDemandDecreasing(model, toMigrate);
      const excludedAsSource = new Uint8Array(H);
      for (const vm of toMigrate) {
        const target = chooser.choose(model, vm, excludedAsTarget);
        if (target < 0) {
          model.attach(vm, model.vmStartHost[vm]!);
          continue;
        }
        model.attach(vm, target);
        if (!quirks) excludedAsSource[target] = 1;
        plan.move(vm, target, "host-overloaded", `${why.get(vm)}; ${chooser.explain(model, vm, target)}`);
      }

      for (let h = 0; h < H; h++) {
        if (model.startAllocatedMips[h] === 0) {
          excludedAsSource[h] = 1;
          excludedAsTarget[h] = 1;
        }
      }
      for (const h of overloaded) excludedAsSource[h] = 1;
      for (const evacuation of evacuateUnderloadedHosts(model, chooser, excludedAsSource, excludedAsTarget)) {
        const host = model.hostIds[evacuation.host]!;
        if (evacuation.placements.length === 0) {
          plan.finding(evacuation.host, "underloaded-kept", `${host}: not every VM fits elsewhere`);
          continue;
        }
        plan.finding(evacuation.host, "underloaded-evacuated", `${host} emptied to switch it off`);
        for (const [vm, target] of evacuation.placements) {
          plan.move(vm, target, "host-underloaded", `${host} underloaded; ${chooser.explain(model, vm, target)}`);
        }
      }
      return plan.build();
    },
  };
}
