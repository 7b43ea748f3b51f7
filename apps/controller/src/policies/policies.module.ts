import { Module } from "@nestjs/common";
import { PlansModule } from "../plans/plans.module";
import { PowerModule } from "../power/power.module";
import { PoliciesController } from "./policies.controller";
import { PoliciesService } from "./policies.service";
import { PolicyContext } from "./policy-context";
import { PolicyRunner } from "./policy-runner";
import { UsageModule } from "../usage/usage.module";

@Module({
  imports: [PlansModule, UsageModule, PowerModule],
  controllers: [PoliciesController],
  providers: [PoliciesService, PolicyContext, PolicyRunner],
  exports: [PoliciesService, PolicyRunner],
})
export class PoliciesModule {}
