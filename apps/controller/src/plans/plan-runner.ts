import { Inject, Injectable, OnModuleInit } from "@nestjs/common";
import { SchedulerRegistry } from "@nestjs/schedule";
import { CONTROLLER_CONFIG, ControllerConfig } from "../common/config";
import { runEvery } from "../common/periodic";
import { PlanExecutor } from "./plan-executor";

/** Advances plans on a timer: expiry, starts, and each step once the steps it depends on have succeeded. */
@Injectable()
export class PlanRunner implements OnModuleInit {
  constructor(
    private readonly executor: PlanExecutor,
    private readonly scheduler: SchedulerRegistry,
    @Inject(CONTROLLER_CONFIG) private readonly config: ControllerConfig,
  ) {}

  onModuleInit(): void {
    runEvery(this.scheduler, "plan-runner", this.config.reconcileIntervalMs, () => this.executor.advance());
  }
}
