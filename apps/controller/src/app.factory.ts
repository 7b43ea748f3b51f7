import { INestApplication } from "@nestjs/common";
import { NestFactory } from "@nestjs/core";
import type { NestExpressApplication } from "@nestjs/platform-express";
import { SwaggerModule } from "@nestjs/swagger";
import { Logger } from "nestjs-pino";
import type { DestinationStream } from "pino";
import { AppModule } from "./app.module";
import type { Clock } from "./common/clock";
import type { ControllerConfig } from "./common/config";
import { buildOpenApiDocument } from "./common/openapi";
import { mountDashboard } from "./ui/dashboard";
import { mountQueueBoard } from "./ui/queue-board";

/** Builds the controller app (used by main.ts and the tests): routes, OpenAPI at /docs, the dashboard at /ui, bull-board at /queues, graceful shutdown. */
export async function createController(config: ControllerConfig, clock?: Clock, logDestination?: DestinationStream): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, clock, logDestination), { bufferLogs: true });
  app.useLogger(app.get(Logger));
  app.useBodyParser("json", { limit: "5mb" });
  app.enableShutdownHooks();
  SwaggerModule.setup("docs", app, () => buildOpenApiDocument(app));
  mountDashboard(app);
  mountQueueBoard(app);
  return app;
}
