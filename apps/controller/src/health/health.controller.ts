import { Controller, Get, HttpException, HttpStatus } from "@nestjs/common";
import { ApiOperation, ApiTags } from "@nestjs/swagger";
import { Public } from "../common/auth";
import { PrismaService } from "../database/prisma.service";
import { RedisService } from "../redis/redis.module";

async function probe(check: () => Promise<unknown>): Promise<"up" | "down"> {
  try {
    await Promise.race([check(), new Promise((_, reject) => setTimeout(() => reject(new Error("timeout")), 2_000))]);
    return "up";
  } catch {
    return "down";
  }
}

/** Readiness: 200 when PostgreSQL and Redis both answer, 503 otherwise. */
@ApiTags("health")
@Public()
@Controller("health")
export class HealthController {
  constructor(
    private readonly prisma: PrismaService,
    private readonly redis: RedisService,
  ) {}

  @ApiOperation({ summary: "Readiness of the controller" })
  @Get()
  async health() {
    const [database, redis] = await Promise.all([probe(() => this.prisma.$queryRaw`SELECT 1`), probe(() => this.redis.client.ping())]);
    const body = { status: database === "up" && redis === "up" ? "ok" : "unavailable", database, redis };
    if (body.status !== "ok") throw new HttpException(body, HttpStatus.SERVICE_UNAVAILABLE);
    return body;
  }
}
