import { Injectable, Logger, OnApplicationShutdown } from "@nestjs/common";
import type { Request, Response } from "express";
import { ChangeFeed, type ChangeKind, type StreamedChange } from "./change-feed";
import { compareStreamIds } from "./stream-id";

/** A comment line at least this often keeps proxies from closing an idle stream. */
export const KEEPALIVE_MS = 15_000;

export interface ChangeFilter {
  kinds?: ChangeKind[];
  id?: string;
}

const matches = (c: StreamedChange, f: ChangeFilter) => (!f.kinds || f.kinds.includes(c.kind)) && (!f.id || c.id === f.id);

/**
 * The open /api/v1/events responses. Each reads the change stream on a Redis connection of its own (XREAD
 * blocks), from its Last-Event-ID or from now; all are ended when the controller shuts down, so that
 * closing the HTTP server does not wait for them.
 */
@Injectable()
export class EventStreams implements OnApplicationShutdown {
  private readonly logger = new Logger(EventStreams.name);
  private readonly open = new Set<() => void>();

  constructor(private readonly feed: ChangeFeed) {}

  async serve(filter: ChangeFilter, lastEventId: string | undefined, req: Request, res: Response): Promise<void> {
    const reader = this.feed.reader();
    reader.on("error", () => undefined);
    let closed = false;
    const close = () => {
      if (closed) return;
      closed = true;
      this.open.delete(close);
      reader.disconnect();
      res.end();
    };
    this.open.add(close);
    req.on("close", close);
    try {
      // Where to start is fixed before the answer goes out: a change the client causes once it sees the
      // answer is after this point, so it is sent.
      let after = lastEventId ?? (await this.feed.newestId(reader));
      const oldest = lastEventId ? await this.feed.oldestId(reader) : null;
      res.writeHead(200, {
        "Content-Type": "text/event-stream; charset=utf-8",
        "Cache-Control": "no-cache, no-transform",
        Connection: "keep-alive",
        "X-Accel-Buffering": "no",
      });
      res.write(": ferry events\n\n");
      // Changes after Last-Event-ID may have been trimmed away: the client must re-read the state.
      if (lastEventId && oldest && compareStreamIds(lastEventId, oldest) < 0) {
        res.write(`data: ${JSON.stringify({ kind: "stream", type: "reset", at: new Date().toISOString() })}\n\n`);
      }
      while (!closed) {
        const changes = await this.feed.read(reader, after, KEEPALIVE_MS);
        if (changes.length === 0) res.write(": keepalive\n\n");
        for (const change of changes) {
          after = change.streamId;
          if (!matches(change, filter)) continue;
          const { streamId, ...body } = change;
          res.write(`id: ${streamId}\ndata: ${JSON.stringify(body)}\n\n`);
        }
      }
    } catch (e) {
      if (!closed) this.logger.warn(`event stream ended: ${e instanceof Error ? e.message : e}`);
      if (!res.headersSent) res.status(503).json({ statusCode: 503, error: "Unavailable", message: "the change feed (Redis) does not answer" });
    } finally {
      close();
    }
  }

  onApplicationShutdown(): void {
    for (const close of [...this.open]) close();
  }
}
