import { Inject, Injectable, OnModuleInit } from "@nestjs/common";
import { SchedulerRegistry } from "@nestjs/schedule";
import { CONTROLLER_CONFIG, ControllerConfig } from "../common/config";
import { runEvery } from "../common/periodic";
import { PlansService } from "./plans.service";

/** Advances applying plans on a timer: a step starts once the one before it completed. */
@Injectable()
export class PlanRunner implements OnModuleInit {
  constructor(
    private readonly plans: PlansService,
    private readonly scheduler: SchedulerRegistry,
    @Inject(CONTROLLER_CONFIG) private readonly config: ControllerConfig,
  ) {}

  onModuleInit(): void {
    runEvery(this.scheduler, "plan-runner", this.config.reconcileIntervalMs, () => this.plans.advance());
  }
}
