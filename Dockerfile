# syntax=docker/dockerfile:1
#
# Kiln on Fly.io with LiteFS. Four stages: dependencies, the build, production
# dependencies only, and the runtime image, where LiteFS is the entrypoint: it mounts the
# replicated database folder at /litefs, takes part in the primary election, runs the
# migrations on the candidate that becomes primary, then starts Kiln with its `exec`
# (other/litefs.yml). better-sqlite3 ships its Node-API binaries in its package, and
# package.json's allowScripts keeps npm from building it anyway; the one thing compiled is
# native/malloc-trim (npm ci's postinstall), in the dependencies stage only, whose
# compiler never reaches the runtime image.

# The Node LTS that CI tests on (.nvmrc, which .ci/run installs): keep the two equal.
ARG NODE_VERSION=24.21.0

FROM node:${NODE_VERSION}-bookworm-slim AS base
# fuse3 for LiteFS's mount, ca-certificates for Consul, sqlite3 for an operator's shell,
# git for content served from a repository (CONTENT_GIT_URL).
RUN apt-get update -y \
  && apt-get install -y --no-install-recommends ca-certificates fuse3 sqlite3 git \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app

FROM base AS deps
# node-gyp's needs, for native/malloc-trim, with the headers the node image ships (no download).
RUN apt-get update -y \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
ENV npm_config_nodedir=/usr/local
COPY package.json package-lock.json ./
COPY native ./native
COPY other/build-native.mjs ./other/build-native.mjs
# The postinstall goes on without the addon where it cannot build; the image must have it.
RUN npm ci --include=dev --no-audit --no-fund \
  && test -f native/malloc-trim/build/Release/malloc_trim.node

FROM deps AS build
COPY . .
RUN npm run build

FROM deps AS production-deps
RUN npm prune --omit=dev --no-audit --no-fund

FROM base AS runtime
COPY --from=flyio/litefs:0.5 /usr/local/bin/litefs /usr/local/bin/litefs
COPY other/litefs.yml /etc/litefs.yml

COPY --from=production-deps /app/node_modules ./node_modules
COPY --from=deps /app/native/malloc-trim/build/Release/malloc_trim.node ./native/malloc-trim/build/Release/
# The server, the workers and the operations scripts (db:migrate, admin:create, backups) run
# bundled from build/kiln/ (plain JavaScript; tsx is a development dependency only).
COPY package.json package-lock.json tsconfig.json ./
COPY app ./app
COPY server ./server
COPY workers ./workers
COPY prisma ./prisma
COPY other ./other
COPY content ./content
COPY public ./public
COPY fonts ./fonts
COPY --from=build /app/build ./build
# The build must read as newer than the sources, or `npm start`'s check would rebuild.
RUN find build -type f -exec touch {} +
# `npm start` becomes server/supervisor.pl (a Perl supervisor, not a second Node process):
# perl-base, part of every Debian image, must have every module it uses. Checked here, at build.
RUN perl -c server/supervisor.pl

# The allocator settings of `npm start`: memory freed by renders and idle-ended worker
# threads goes back to the system.
ENV NODE_ENV=production \
  MALLOC_ARENA_MAX=2 \
  MALLOC_MMAP_THRESHOLD_=65536 \
  MALLOC_TRIM_THRESHOLD_=131072 \
  PORT=8080 \
  LITEFS_DIR=/litefs \
  DATABASE_FILENAME=kiln.db \
  DATA_DIR=/data/kiln \
  CONTENT_DIR=/app/content

EXPOSE 8080
# LiteFS runs as root (it needs FUSE) and starts Kiln itself; see other/litefs.yml.
ENTRYPOINT ["litefs", "mount"]
