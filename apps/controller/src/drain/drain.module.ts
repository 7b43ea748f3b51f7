import { Module } from "@nestjs/common";
import { MigrationsModule } from "../migrations/migrations.module";
import { PlansModule } from "../plans/plans.module";
import { PowerModule } from "../power/power.module";
import { DrainController } from "./drain.controller";
import { DrainService } from "./drain.service";

@Module({ imports: [PlansModule, MigrationsModule, PowerModule], controllers: [DrainController], providers: [DrainService] })
export class DrainModule {}
