import { INestApplication } from "@nestjs/common";
import { NestFactory } from "@nestjs/core";
import { Logger } from "nestjs-pino";
import { AgentModule } from "./app.module";
import type { AgentConfig } from "./common/config";

/** Builds a node agent (used by main.ts and the tests). It registers and starts working once listening. */
export async function createAgent(config: AgentConfig): Promise<INestApplication> {
  const app = await NestFactory.create(AgentModule.forRoot(config), { bufferLogs: true });
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();
  return app;
}
