import { Inject, Injectable, OnModuleInit } from "@nestjs/common";
import { CONTROLLER_CONFIG, ControllerConfig } from "../common/config";
import { Periodic } from "../common/periodic";
import { PlansService } from "./plans.service";

/** Advances applying plans on a timer: a step starts once the one before it completed. */
@Injectable()
export class PlanRunner implements OnModuleInit {
  constructor(
    private readonly plans: PlansService,
    private readonly periodic: Periodic,
    @Inject(CONTROLLER_CONFIG) private readonly config: ControllerConfig,
  ) {}

  onModuleInit(): void {
    this.periodic.every("plan-runner", this.config.reconcileIntervalMs, () => this.plans.advance());
  }
}
