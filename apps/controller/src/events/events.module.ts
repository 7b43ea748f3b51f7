import { Global, Module } from "@nestjs/common";
import { ChangeFeed } from "./change-feed";
import { EventStreams } from "./event-streams";
import { EventsController } from "./events.controller";

/** The change feed every service publishes to, and /api/v1/events that streams it. */
@Global()
@Module({ controllers: [EventsController], providers: [ChangeFeed, EventStreams], exports: [ChangeFeed] })
export class EventsModule {}
