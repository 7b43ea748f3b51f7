# One image for the controller and the node agents; docker-compose.yml picks the command.
FROM node:20-bookworm-slim
WORKDIR /app

COPY package.json package-lock.json ./
COPY apps/controller/package.json apps/controller/
COPY apps/node-agent/package.json apps/node-agent/
COPY apps/ferryctl/package.json apps/ferryctl/
COPY apps/ferryctl/bin apps/ferryctl/bin
COPY libs/placement/package.json libs/placement/
COPY libs/migration/package.json libs/migration/
COPY libs/policies/package.json libs/policies/
COPY libs/protocol/package.json libs/protocol/
COPY libs/random/package.json libs/random/
COPY libs/scheduler/package.json libs/scheduler/
COPY libs/api-client/package.json libs/api-client/
RUN npm ci --no-audit --no-fund

COPY tsconfig.base.json tsconfig.json prisma.config.ts ./
COPY prisma prisma
COPY apps apps
COPY libs libs
RUN node node_modules/prisma/build/index.js generate

ENV NODE_ENV=production
EXPOSE 3000
CMD ["node", "-r", "@swc-node/register", "apps/controller/src/main.ts"]
