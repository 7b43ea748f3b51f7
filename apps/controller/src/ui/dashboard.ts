import type { NestExpressApplication } from "@nestjs/platform-express";
import { transformFileSync } from "@swc/core";
import type { Express, Request, Response } from "express";
import { join } from "node:path";
import { repoRoot } from "../database/provision";

/**
 * The packages the dashboard loads in the browser, each served from node_modules as it ships: the dashboard
 * has no build step (ui/index.html maps the module names to these folders).
 */
const VENDOR: Record<string, string> = {
  preact: "preact",
  htm: "htm",
  d3: "d3",
  plot: "@observablehq/plot",
  "openapi-fetch": "openapi-fetch",
};

/**
 * The typed API client (libs/api-client) as an ES module for the browser: the same createFerryClient and
 * error handling ferryctl uses, its TypeScript stripped by swc (which runs the controller anyway) once.
 */
function apiClientModule(root: string): string {
  return transformFileSync(join(root, "libs", "api-client", "src", "index.ts"), {
    swcrc: false,
    jsc: { parser: { syntax: "typescript" }, target: "es2022" },
    module: { type: "es6" },
  }).code;
}

/**
 * Serves the dashboard at /ui. Its files are open, like /docs: they hold no data, and every API call the
 * dashboard makes carries the operator's token.
 */
export function mountDashboard(app: NestExpressApplication): void {
  const root = repoRoot(__dirname);
  let client: string | undefined;
  (app.getHttpAdapter().getInstance() as Express).get("/ui/vendor/api-client.js", (_req: Request, res: Response) => {
    client ??= apiClientModule(root);
    res.type("text/javascript").send(client);
  });
  for (const [name, pkg] of Object.entries(VENDOR)) {
    app.useStaticAssets(join(root, "node_modules", pkg), { prefix: `/ui/vendor/${name}/`, index: false, dotfiles: "ignore" });
  }
  app.useStaticAssets(join(root, "apps", "controller", "ui"), { prefix: "/ui/", index: "index.html" });
}
