# siteward: multi-stage image. Native modules (better-sqlite3, argon2, ssh2)
# are compiled in the build stage; the runtime stage has no compiler, runs as
# the unprivileged `node` user and keeps the site (site.json, site.db) in the
# /data volume. The first start creates the site and prints the web UI's
# address, user name and password (docker logs). See docs/api.md "Docker".
#
#   docker build -t siteward .
#   docker run -d --name siteward -p 30443:30443 -v siteward:/data siteward
#   docker logs siteward        # then open https://localhost:30443

FROM node:20-bookworm-slim AS build
WORKDIR /app
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
# --ignore-scripts: the package's own `prepare` (build) needs the sources, copied below;
# `npm rebuild` then runs the dependencies' install scripts (the native builds)
RUN npm ci --no-audit --no-fund --ignore-scripts && npm rebuild
COPY tsconfig.json tsconfig.build.json ./
COPY bin ./bin
COPY src ./src
COPY views ./views
COPY site.schema.json ./
# the build: tsc, then the bundled daemon (scripts/bundle.mjs: dist/bin/siteward.js + dist/bundle/)
COPY scripts/bundle.mjs ./scripts/bundle.mjs
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
# every siteward command in the container finds the site in /data (also
# `docker exec siteward node dist/bin/siteward.js passwd admin`);
# the web UI on every interface at the documented port 30443 (the site file's
# webui.hostname and port are overridden); the API's own listener on 8080
# UV_THREADPOOL_SIZE: libuv's pool (file system, DNS, argon2) is sized when node starts (docs/security.md)
ENV NODE_ENV=production \
    UV_THREADPOOL_SIZE=16 \
    SITEWARD_CONFIG=/data/site.json \
    SITEWARD_WEBUI_HOSTNAME=0.0.0.0 \
    SITEWARD_WEBUI_PORT=30443 \
    SITEWARD_API_HOSTNAME=0.0.0.0 \
    SITEWARD_API_PORT=8080
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# the web UI's CSS, script and icons are read from views/static at run time
COPY --from=build /app/views/static ./views/static
# new site files point their $schema at it (editor autocompletion)
COPY --from=build /app/site.schema.json ./site.schema.json
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 30443 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.SITEWARD_API_PORT || 8080) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "dist/bin/siteward.js"]
CMD ["--create"]
