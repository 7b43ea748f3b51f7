import { INestApplication } from "@nestjs/common";
import { NestFactory } from "@nestjs/core";
import type { NestExpressApplication } from "@nestjs/platform-express";
import { DocumentBuilder, SwaggerModule } from "@nestjs/swagger";
import { Logger } from "nestjs-pino";
import type { DestinationStream } from "pino";
import { AppModule } from "./app.module";
import type { Clock } from "./common/clock";
import type { ControllerConfig } from "./common/config";

/** Builds the controller app (used by main.ts and the tests): routes, OpenAPI at /docs, graceful shutdown. */
export async function createController(config: ControllerConfig, clock?: Clock, logDestination?: DestinationStream): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, clock, logDestination), { bufferLogs: true });
  app.useLogger(app.get(Logger));
  app.useBodyParser("json", { limit: "5mb" });
  app.enableShutdownHooks();
  const doc = new DocumentBuilder()
    .setTitle("Ferry controller")
    .setDescription(
      "Admin API: nodes, VMs, traffic and live migrations. Send `Authorization: Bearer <token>`: FERRY_ADMIN_TOKEN, or a token from POST /api/v1/tokens (roles viewer, operator, admin).",
    )
    .setVersion("1")
    .addBearerAuth()
    .build();
  SwaggerModule.setup("docs", app, () => SwaggerModule.createDocument(app, doc));
  return app;
}
