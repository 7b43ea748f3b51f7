import { Module } from "@nestjs/common";
import { PlansModule } from "../plans/plans.module";
import { PoliciesController } from "./policies.controller";
import { PoliciesService } from "./policies.service";
import { PolicyContext } from "./policy-context";
import { PolicyRunner } from "./policy-runner";
import { UsageModule } from "../usage/usage.module";

@Module({
  imports: [PlansModule, UsageModule],
  controllers: [PoliciesController],
  providers: [PoliciesService, PolicyContext, PolicyRunner],
  exports: [PoliciesService, PolicyRunner],
})
export class PoliciesModule {}
