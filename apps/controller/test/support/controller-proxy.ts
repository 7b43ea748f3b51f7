import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

export interface ProxiedCall {
  method: string;
  path: string;
  /** The status the controller (or an injected answer) gave; 0 when the answer was lost on its way back. */
  status: number;
}

/**
 * Stands between an agent and a real test controller, on a port of its own, to play the controller's
 * outages: `down()` closes the port (the agent gets ECONNREFUSED, as from a stopped controller), `up()`
 * opens it again, `answer()` makes it answer a route with a fixed status instead of forwarding it, and
 * `loseAnswers()` forwards a call but drops the controller's answer (the connection breaks on the way back).
 * Every call that reached it is recorded, in order.
 */
export class ControllerProxy {
  readonly calls: ProxiedCall[] = [];
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  private readonly rules: { method: string; path: RegExp; status: number; body: unknown }[] = [];
  private readonly losses: { method: string; path: RegExp; left: number }[] = [];
  private port = 0;

  constructor(private readonly target: string) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async up(): Promise<void> {
    if (this.server) return;
    const server = createServer((req, res) => void this.handle(req, res));
    server.on("connection", (s) => {
      this.sockets.add(s);
      s.on("close", () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.port, "127.0.0.1", () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  async down(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Answer `method path` with `status` from now on (until `forward()`), without the controller seeing it. */
  answer(method: string, path: RegExp, status: number, body: unknown = { statusCode: status, error: "InvalidTransition", message: "injected" }): void {
    this.rules.push({ method, path, status, body });
  }

  /** Forward the next `times` calls to `method path`, but break the connection instead of answering them. */
  loseAnswers(method: string, path: RegExp, times = 1): void {
    this.losses.push({ method, path, left: times });
  }

  forward(): void {
    this.rules.length = 0;
    this.losses.length = 0;
  }

  callsTo(path: RegExp): ProxiedCall[] {
    return this.calls.filter((c) => path.test(c.path));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = req.url ?? "/";
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const rule = this.rules.find((r) => r.method === req.method && r.path.test(path));
    if (rule) {
      this.calls.push({ method: req.method!, path, status: rule.status });
      res.writeHead(rule.status, { "content-type": "application/json" }).end(JSON.stringify(rule.body));
      return;
    }
    const loss = this.losses.find((l) => l.left > 0 && l.method === req.method && l.path.test(path));
    if (loss) loss.left--;
    const upstream = request(`${this.target}${path}`, { method: req.method, headers: req.headers }, (answer) => {
      this.calls.push({ method: req.method!, path, status: loss ? 0 : (answer.statusCode ?? 0) });
      if (loss) {
        answer.resume();
        answer.on("end", () => res.destroy());
        return;
      }
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on("error", () => res.destroy());
    upstream.end(Buffer.concat(chunks));
  }
}
