import { Module } from "@nestjs/common";
import { PowerModule } from "../power/power.module";
import { HeartbeatBuffer } from "./heartbeat-buffer";
import { NodesController } from "./nodes.controller";
import { NodesService } from "./nodes.service";

@Module({ imports: [PowerModule], controllers: [NodesController], providers: [NodesService, HeartbeatBuffer], exports: [NodesService, HeartbeatBuffer] })
export class NodesModule {}
