# Hookpost image: one program, started as `--role api` or `--role worker` (or both), on
# Node.js 24 LTS. It runs against the PostgreSQL in DATABASE_URL (or DATABASE_URL_FILE).
#
#   build    installs everything, compiles the server (dist/, with ReDoc's bundle) and
#            builds the dashboard (web/dist/); postinstall generates the Prisma client.
#   runtime  production dependencies only: no Prisma CLI, tsx, TypeScript, Vite, ReDoc's
#            dependencies, nor the embedded PostgreSQL (an optional dependency).
#   final    the runtime packages plus what the build made, owned by root, run as `node`.
ARG NODE_IMAGE=node:24-trixie-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY . .
RUN npm ci --no-audit --no-fund \
 && npm run build

FROM ${NODE_IMAGE} AS runtime
WORKDIR /app
COPY package.json package-lock.json ./
# No install scripts: none of the runtime packages needs one, and the project's own
# (prisma generate, codegen) ran in the build stage. The Prisma client loads only the
# PostgreSQL query compiler; the other databases' (~55 MB) go.
RUN npm ci --omit=dev --omit=optional --ignore-scripts --no-audit --no-fund \
 && find node_modules/@prisma/client/runtime -regextype posix-extended \
      -regex '.*_bg\.(mysql|sqlite|sqlserver|cockroachdb)\..*' -delete \
 && npm cache clean --force

FROM ${NODE_IMAGE}
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8000 \
    HOOKPOST_OPS_PORT=9464 \
    HOOKPOST_DATA_DIR=/var/lib/hookpost \
    NODE_OPTIONS=--max-semi-space-size=8
WORKDIR /app
COPY --from=runtime /app/package.json ./
COPY --from=runtime /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/web/dist ./web/dist
COPY --from=build /app/prisma/migrations ./prisma/migrations
RUN mkdir -p /var/lib/hookpost && chown node:node /var/lib/hookpost
USER node
EXPOSE 8000 9464
# The operations port answers in every role, workers included (/readyz fails while a
# worker's runner is being replaced).
HEALTHCHECK --interval=10s --timeout=3s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.HOOKPOST_OPS_PORT||9464)+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "dist/server/main.js"]
