import { Module } from "@nestjs/common";
import { MigrationsModule } from "../migrations/migrations.module";
import { PowerModule } from "../power/power.module";
import { PlacementPlansController } from "./placement-plans.controller";
import { PlanExecutor } from "./plan-executor";
import { PlanRunner } from "./plan-runner";
import { PlansController } from "./plans.controller";
import { PlansService } from "./plans.service";

@Module({
  imports: [MigrationsModule, PowerModule],
  controllers: [PlansController, PlacementPlansController],
  providers: [PlansService, PlanExecutor, PlanRunner],
  exports: [PlansService],
})
export class PlansModule {}
