import { Module } from "@nestjs/common";
import { NodesModule } from "../nodes/nodes.module";
import { SampleHistoryService } from "./sample-history.service";
import { SamplesController } from "./samples.controller";
import { UsageService } from "./usage.service";

/** Usage over time: the history routes, and UsageService, the windowed averages the policies act on. */
@Module({ imports: [NodesModule], controllers: [SamplesController], providers: [SampleHistoryService, UsageService], exports: [UsageService] })
export class UsageModule {}
