import type { FerryClientOptions } from "./index";

export type ChangeKind = "node" | "vm" | "migration" | "plan" | "policy";

/** One change from /api/v1/events. `kind: "stream", type: "reset"` means changes were missed: re-read the state. */
export interface ChangeEvent {
  /** The event id: pass it as `lastEventId` to resume after it. */
  eventId?: string;
  kind: ChangeKind | "stream";
  id?: string;
  type: string;
  at: string;
  data?: Record<string, unknown>;
}

export interface EventStreamOptions {
  kinds?: ChangeKind[];
  id?: string;
  lastEventId?: string;
  signal?: AbortSignal;
  /** Called once the server has answered: changes from then on are in the stream. */
  onOpen?: () => void;
}

/** Server-Sent Events text to events: `data` lines joined, `id` kept, comments and blank events dropped. */
export function parseSse(buffer: string): { events: { id?: string; data: string }[]; rest: string } {
  const events: { id?: string; data: string }[] = [];
  const blocks = buffer.replace(/\r\n?/g, "\n").split("\n\n");
  const rest = blocks.pop() ?? "";
  for (const block of blocks) {
    let id: string | undefined;
    const data: string[] = [];
    for (const line of block.split("\n")) {
      if (line.startsWith(":")) continue;
      const colon = line.indexOf(":");
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
      if (field === "data") data.push(value);
      if (field === "id") id = value;
    }
    if (data.length) events.push({ ...(id === undefined ? {} : { id }), data: data.join("\n") });
  }
  return { events, rest };
}

/**
 * The change stream, read with fetch (which, unlike EventSource, sends the bearer token in the header).
 * Ends when the server closes it or `signal` aborts; an HTTP error throws with the API's message.
 */
export async function* streamEvents(client: FerryClientOptions, options: EventStreamOptions = {}): AsyncGenerator<ChangeEvent> {
  const url = new URL(`${client.baseUrl.replace(/\/+$/, "")}/api/v1/events`);
  if (options.kinds?.length) url.searchParams.set("kinds", options.kinds.join(","));
  if (options.id) url.searchParams.set("id", options.id);
  const headers: Record<string, string> = { Accept: "text/event-stream" };
  if (client.token) headers.Authorization = `Bearer ${client.token}`;
  if (options.lastEventId) headers["Last-Event-ID"] = options.lastEventId;
  const response = await (client.fetch ?? fetch)(url, { headers, ...(options.signal ? { signal: options.signal } : {}) });
  if (!response.ok || !response.body) {
    const body = (await response.json().catch(() => null)) as { message?: string } | null;
    throw new Error(body?.message ?? `HTTP ${response.status}`);
  }
  options.onOpen?.();
  const decoder = new TextDecoder();
  let buffer = "";
  const reader = response.body.getReader();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      const parsed = parseSse(buffer + decoder.decode(value, { stream: true }));
      buffer = parsed.rest;
      for (const e of parsed.events) yield { ...(JSON.parse(e.data) as ChangeEvent), ...(e.id ? { eventId: e.id } : {}) };
    }
  } catch (e) {
    if (options.signal?.aborted) return;
    throw e;
  } finally {
    reader.releaseLock();
  }
}
