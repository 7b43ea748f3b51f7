import { Module } from "@nestjs/common";
import { MigrationsModule } from "../migrations/migrations.module";
import { NodesModule } from "../nodes/nodes.module";
import { PowerModule } from "../power/power.module";
import { NodeLiveness } from "./node-liveness";

@Module({ imports: [NodesModule, MigrationsModule, PowerModule], providers: [NodeLiveness], exports: [NodeLiveness] })
export class LivenessModule {}
