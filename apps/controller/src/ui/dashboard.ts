import type { NestExpressApplication } from "@nestjs/platform-express";
import { transformFileSync } from "@swc/core";
import type { Express, Request, Response } from "express";
import { existsSync } from "node:fs";
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

const API_CLIENT_SRC = ["libs", "api-client", "src"];

/**
 * A module of the typed API client (libs/api-client) as an ES module for the browser: the same createFerryClient,
 * error handling and event stream reader ferryctl uses, its TypeScript stripped by swc (which runs the
 * controller anyway), its relative imports given the .js the browser asks for.
 */
function apiClientModule(root: string, name: string): string | undefined {
  const file = join(root, ...API_CLIENT_SRC, `${name}.ts`);
  if (!/^[a-z-]+$/.test(name) || !existsSync(file)) return undefined;
  const { code } = transformFileSync(file, { swcrc: false, jsc: { parser: { syntax: "typescript" }, target: "es2022" }, module: { type: "es6" } });
  return code.replace(/(from\s+"\.\/[a-z-]+)"/g, '$1.js"');
}

/**
 * Serves the dashboard at /ui. Its files are open, like /docs: they hold no data, and every API call the
 * dashboard makes carries the operator's token.
 */
export function mountDashboard(app: NestExpressApplication): void {
  const root = repoRoot(__dirname);
  const modules = new Map<string, string | undefined>();
  (app.getHttpAdapter().getInstance() as Express).get("/ui/vendor/api-client/:name.js", (req: Request, res: Response) => {
    const name = String(req.params.name);
    if (!modules.has(name)) modules.set(name, apiClientModule(root, name));
    const code = modules.get(name);
    if (code === undefined) res.status(404).json({ statusCode: 404, error: "RouteNotFound", message: `no module ${name}.js` });
    else res.type("text/javascript").send(code);
  });
  for (const [name, pkg] of Object.entries(VENDOR)) {
    app.useStaticAssets(join(root, "node_modules", pkg), { prefix: `/ui/vendor/${name}/`, index: false, dotfiles: "ignore" });
  }
  app.useStaticAssets(join(root, "apps", "controller", "ui"), { prefix: "/ui/", index: "index.html" });
}
