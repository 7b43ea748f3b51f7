import { Module } from "@nestjs/common";
import { HeartbeatBuffer } from "./heartbeat-buffer";
import { NodesController } from "./nodes.controller";
import { NodesService } from "./nodes.service";

@Module({ controllers: [NodesController], providers: [NodesService, HeartbeatBuffer], exports: [NodesService, HeartbeatBuffer] })
export class NodesModule {}
