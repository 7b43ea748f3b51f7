import { Controller, Get, Headers, Req, Res } from "@nestjs/common";
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiProduces, ApiResponse, ApiTags } from "@nestjs/swagger";
import type { Request, Response } from "express";
import { z } from "zod";
import { RequiresRole } from "../common/auth";
import { FerryError } from "../common/errors";
import { ZodQuery } from "../common/zod";
import { CHANGE_KINDS } from "./change-feed";
import { EventStreams } from "./event-streams";
import { STREAM_ID } from "./stream-id";

const eventsQuerySchema = z.object({
  kinds: z
    .string()
    .describe(`comma-separated kinds: ${CHANGE_KINDS.join(", ")}`)
    .transform((s) => s.split(",").map((k) => k.trim()).filter(Boolean))
    .pipe(z.array(z.enum(CHANGE_KINDS)).min(1))
    .optional(),
  id: z.string().min(1).max(100).describe("only changes of the object with this id (a node, VM, migration or plan id, or a policy name)").optional(),
});
type EventsQuery = z.infer<typeof eventsQuerySchema>;

@ApiTags("events")
@ApiBearerAuth()
@Controller("api/v1/events")
export class EventsController {
  constructor(private readonly streams: EventStreams) {}

  /**
   * Server-Sent Events: one `data:` line of JSON `{kind, id, type, at, data?}` per change, with the stream id as
   * the event id, and a comment line every 15 s. It takes the bearer token in the header like every route,
   * so clients read it with fetch streaming (EventSource cannot send headers).
   */
  @ApiOperation({ summary: "Stream changes of nodes, VMs, migrations, plans and policies (Server-Sent Events)" })
  @RequiresRole("viewer")
  @ApiProduces("text/event-stream")
  @ApiHeader({ name: "Last-Event-ID", required: false, description: "resume after this event id" })
  @ApiResponse({ status: 200, description: "An event stream", content: { "text/event-stream": { schema: { type: "string" } } } })
  @Get()
  async stream(
    @ZodQuery(eventsQuerySchema) query: EventsQuery,
    @Headers("last-event-id") lastEventId: string | undefined,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    if (lastEventId !== undefined && !STREAM_ID.test(lastEventId)) {
      throw new FerryError("ValidationFailed", "Last-Event-ID: must be an event id this stream sent", [
        { field: "Last-Event-ID", reason: "must be an event id this stream sent" },
      ]);
    }
    await this.streams.serve(query, lastEventId, req, res);
  }
}
