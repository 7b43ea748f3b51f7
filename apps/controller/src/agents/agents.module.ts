import { Module } from "@nestjs/common";
import { MigrationsModule } from "../migrations/migrations.module";
import { NodesModule } from "../nodes/nodes.module";
import { AgentsController } from "./agents.controller";

@Module({ imports: [NodesModule, MigrationsModule], controllers: [AgentsController] })
export class AgentsModule {}
