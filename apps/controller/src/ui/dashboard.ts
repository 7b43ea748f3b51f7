import type { NestExpressApplication } from "@nestjs/platform-express";
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
};

/**
 * Serves the dashboard at /ui. Its files are open, like /docs: they hold no data, and every API call the
 * dashboard makes carries the operator's token.
 */
export function mountDashboard(app: NestExpressApplication): void {
  const root = repoRoot(__dirname);
  for (const [name, pkg] of Object.entries(VENDOR)) {
    app.useStaticAssets(join(root, "node_modules", pkg), { prefix: `/ui/vendor/${name}/`, index: false, dotfiles: "ignore" });
  }
  app.useStaticAssets(join(root, "apps", "controller", "ui"), { prefix: "/ui/", index: "index.html" });
}
