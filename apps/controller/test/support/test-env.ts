/** The PostgreSQL server and Redis the integration tests use: their own databases and key prefixes on them. */
export const TEST_SERVER_URL = process.env.FERRY_TEST_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
export const TEST_REDIS_URL = process.env.FERRY_TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
