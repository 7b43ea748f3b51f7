import "reflect-metadata";
import { createAgent } from "./app.factory";
import { loadAgentConfig } from "./common/config";

async function main(): Promise<void> {
  const config = loadAgentConfig();
  const app = await createAgent(config);
  await app.listen(config.port, config.host);
}

main().catch((e: unknown) => {
  console.error(`ferry node agent: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
