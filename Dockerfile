# Hookpost image: one program, started as `--role api` or `--role worker` (or both).
# Build stage installs everything (the dashboard is built with dev dependencies), the
# runtime stage keeps production dependencies only.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY . .
# postinstall generates the Prisma client and the dashboard's typed GraphQL documents;
# build compiles the server to dist/ and the dashboard to web/dist/.
RUN npm ci \
 && npm run build \
 && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8000 \
    HOOKPOST_DATA_DIR=/var/lib/hookpost \
    NODE_OPTIONS=--max-semi-space-size=8
WORKDIR /app
COPY --from=build --chown=node:node /app /app
RUN mkdir -p /var/lib/hookpost && chown node:node /var/lib/hookpost
USER node
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||8000)+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "dist/server/main.js"]
