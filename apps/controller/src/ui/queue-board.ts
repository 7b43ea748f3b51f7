import { createBullBoard } from "@bull-board/api";
import { BullMQAdapter } from "@bull-board/api/bullMQAdapter";
import { ExpressAdapter } from "@bull-board/express";
import type { NestExpressApplication } from "@nestjs/platform-express";
import type { NextFunction, Request, Response } from "express";
import { sameToken } from "../common/auth";
import { CONTROLLER_CONFIG, type ControllerConfig } from "../common/config";
import { PrismaService } from "../database/prisma.service";
import { MigrationQueue } from "../migrations/migration-queue";

export const QUEUES_PATH = "/queues";
// Nodes come and go; the board's list of queues is brought up to date at most this often.
const REFRESH_MS = 5_000;

/** The admin token, as a bearer token or as the password of HTTP Basic auth (so a browser can ask for it). */
function presentedToken(req: Request): string | undefined {
  const header = req.headers.authorization ?? "";
  const bearer = /^Bearer (.+)$/.exec(header);
  if (bearer) return bearer[1];
  const basic = /^Basic (.+)$/.exec(header);
  if (basic) return Buffer.from(basic[1]!, "base64").toString().split(":").slice(1).join(":");
  return undefined;
}

/** bull-board at /queues: every node's migration queue, behind the admin token. */
export function mountQueueBoard(app: NestExpressApplication): void {
  const config = app.get<ControllerConfig>(CONTROLLER_CONFIG);
  const prisma = app.get(PrismaService);
  const queues = app.get(MigrationQueue);
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(QUEUES_PATH);
  const board = createBullBoard({ queues: [], serverAdapter, options: { uiConfig: { boardTitle: "Ferry queues" } } });
  let refreshedAt = 0;

  const guard = (req: Request, res: Response, next: NextFunction) => {
    const token = presentedToken(req);
    if (token !== undefined && sameToken(token, config.adminToken)) return next();
    res
      .status(401)
      .set("WWW-Authenticate", 'Basic realm="Ferry queues: any user name, the admin token as password"')
      .json({ statusCode: 401, error: "Unauthorized", message: token === undefined ? "send the admin token" : "invalid token" });
  };
  const refresh = async (_req: Request, _res: Response, next: NextFunction) => {
    if (Date.now() - refreshedAt > REFRESH_MS) {
      const nodes = await prisma.node.findMany({ select: { id: true, name: true }, orderBy: { name: "asc" } });
      board.replaceQueues(nodes.map((n) => new BullMQAdapter(queues.queue(n.id), { displayName: `migrations of ${n.name}` })));
      refreshedAt = Date.now();
    }
    next();
  };
  app.use(QUEUES_PATH, guard, (req: Request, res: Response, next: NextFunction) => void refresh(req, res, next).catch(next), serverAdapter.getRouter());
}
