import type { IncomingMessage, ServerResponse } from "node:http";
import type { DestinationStream } from "pino";
import type { Options } from "pino-http";
import type { ControllerConfig } from "./config";

/**
 * Where credentials can appear in a log line: the request headers pino-http records with every request line
 * (and binds to every line logged while a request is handled), and any object logged with a token field.
 */
export const REDACTED_LOG_PATHS = [
  "req.headers.authorization",
  "req.headers.cookie",
  'res.headers["set-cookie"]',
  "token",
  "adminToken",
  "agentBootstrapToken",
  "transferKey",
  "credential",
  "transferSecret",
  "*.token",
  "*.adminToken",
  "*.agentBootstrapToken",
  "*.transferKey",
  "*.credential",
  "*.transferSecret",
];

/** Routes polled so often that even a debug line each would drown the rest. */
const UNLOGGED = (url: string) => url === "/health" || url === "/metrics" || /\/heartbeat$/.test(url);

/**
 * The controller's pino-http options: request lines at debug (at info, a local cluster writes about 1.2 MB a
 * minute of them), server errors at error, credentials redacted from every line.
 */
export function httpLogOptions(config: Pick<ControllerConfig, "logLevel">, destination?: DestinationStream): Options | [Options, DestinationStream] {
  const options: Options = {
    level: config.logLevel,
    redact: { paths: REDACTED_LOG_PATHS, censor: "[redacted]" },
    customLogLevel: (_req: IncomingMessage, res: ServerResponse, error?: Error) => (error || res.statusCode >= 500 ? "error" : "debug"),
    autoLogging: { ignore: (req) => UNLOGGED(req.url ?? "") },
  };
  return destination ? [options, destination] : options;
}
