# Build stage: full dependencies, compile TypeScript.
FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY src ./src
COPY migrations ./migrations
COPY bench ./bench
COPY test/support ./test/support
RUN npm run build

# Runtime stage: production dependencies only, non-root, no build tools.
FROM node:22-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
# Run as root (Railway volumes are root-owned: RAILWAY_RUN_UID=0), the embedded PostgreSQL runs as this user;
# it lives in the image so every new container has it with the same uid.
RUN groupadd --system postgres \
  && useradd --system --gid postgres --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin postgres \
  && chown node:node /app
USER node
COPY --chown=node:node package.json package-lock.json ./
# --omit=dev keeps the image small; embedded-postgres stays (DATABASE_URL unset runs it under DATA_DIR).
# typescript is only a peer of nestjs-telegraf: nothing loads it at run time.
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force \
  && rm -rf node_modules/typescript node_modules/.bin/tsc node_modules/.bin/tsserver
COPY --chown=node:node --from=build /app/dist/src ./dist/src
COPY --chown=node:node --from=build /app/dist/migrations ./dist/migrations
RUN mkdir -p /app/.data
EXPOSE 3000
# Railway/Kubernetes send SIGTERM; node is PID 1 here and main.ts handles the signal itself.
# --optimize-for-size: a small young generation and a slower-growing heap; see docs/benchmarks.md (memory).
CMD ["node", "--optimize-for-size", "dist/src/main.js"]
