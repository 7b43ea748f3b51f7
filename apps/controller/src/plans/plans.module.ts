import { Module } from "@nestjs/common";
import { MigrationsModule } from "../migrations/migrations.module";
import { PlanRunner } from "./plan-runner";
import { PlansController } from "./plans.controller";
import { PlansService } from "./plans.service";

@Module({ imports: [MigrationsModule], controllers: [PlansController], providers: [PlansService, PlanRunner] })
export class PlansModule {}
