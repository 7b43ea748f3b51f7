import "reflect-metadata";
import { createController } from "./app.factory";
import { loadControllerConfig } from "./common/config";

async function main(): Promise<void> {
  const config = loadControllerConfig();
  const app = await createController(config);
  await app.listen(config.port, config.host);
}

main().catch((e: unknown) => {
  console.error(`ferry controller: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
