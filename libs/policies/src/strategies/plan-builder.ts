import type { ClusterModel } from "../model/cluster-model";
import type { HostFinding, Move, MoveReason, Plan } from "../model/plan";

/** Collects moves and findings while a strategy plans, then derives which hosts switch on and off. */
export class PlanBuilder {
  private readonly moves: Move[] = [];
  private readonly findings: HostFinding[] = [];
  private readonly moved = new Set<number>();
  private readonly targets: number[] = [];
  private readonly finalHost = new Map<number, number>();

  constructor(
    private readonly strategy: string,
    private readonly model: ClusterModel,
    private readonly options: { readonly allowSecondMove?: boolean } = {},
  ) {}

  move(vm: number, target: number, reason: MoveReason, detail: string): void {
    const model = this.model;
    if (this.moved.has(vm) && !this.options.allowSecondMove) {
      throw new Error(`strategy ${this.strategy} moved vm ${model.vmIds[vm]} twice in one plan`);
    }
    this.moved.add(vm);
    this.finalHost.set(vm, target);
    this.targets.push(target);
    this.moves.push({
      vmId: model.vmIds[vm]!,
      fromHostId: model.hostIds[model.vmStartHost[vm]!]!,
      toHostId: model.hostIds[target]!,
      reason,
      detail,
      expectedDurationMs: model.migrationTimeMs(vm, target),
    });
  }

  finding(host: number, kind: HostFinding["kind"], detail: string): void {
    this.findings.push({ hostId: this.model.hostIds[host]!, kind, detail });
  }

  build(): Plan {
    const model = this.model;
    const switchOn = new Set<string>();
    for (const target of this.targets) {
      if (!model.poweredOn[target]) switchOn.add(model.hostIds[target]!);
    }
    const switchOff: string[] = [];
    const remaining = new Int32Array(model.hostCount);
    for (let vm = 0; vm < model.vmCount; vm++) remaining[model.vmStartHost[vm]!]!++;
    for (const vm of this.moved) remaining[model.vmStartHost[vm]!]!--;
    for (const vm of this.moved) remaining[this.finalHost.get(vm)!]!++;
    for (let h = 0; h < model.hostCount; h++) {
      if (remaining[h] === 0 && model.poweredOn[h]) switchOff.push(model.hostIds[h]!);
    }
    return {
      strategy: this.strategy,
      timeS: model.timeS,
      moves: this.moves,
      switchOn: [...switchOn],
      switchOff,
      findings: this.findings,
    };
  }
}
