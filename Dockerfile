# syntax=docker/dockerfile:1
# (BuildKit, the default builder of current Docker: the cache mounts below need it.)

# Node.js for the build: build.rs bundles the back office's editor (editor/, ProseMirror from
# npm, pinned by editor/package-lock.json) with esbuild into the binary.
FROM node:20-bookworm-slim AS node

# Build: the query cache in .sqlx/ (SQLX_OFFLINE=true in .cargo/config.toml) means no
# database is needed here.
FROM rust:1.95-bookworm AS build
COPY --from=node /usr/local/bin/node /usr/local/bin/node
COPY --from=node /usr/local/lib/node_modules/npm /usr/local/lib/node_modules/npm
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm && node --version && npm --version
WORKDIR /src
COPY . .
# Cache mounts keep Cargo's downloads, npm's cache and the compiled dependencies from one build
# to the next: a change to src/ recompiles this crate only, and editing what the build does not
# read (README, docs/, tests/: see .dockerignore) does not even invalidate this layer. The
# binary is copied out because the mounted target/ is not part of the image.
RUN --mount=type=cache,target=/usr/local/cargo/registry,sharing=locked \
    --mount=type=cache,target=/usr/local/cargo/git,sharing=locked \
    --mount=type=cache,target=/root/.npm,sharing=locked \
    --mount=type=cache,target=/src/target,sharing=locked \
    cargo build --release --locked --bin toasoan \
    && cp target/release/toasoan /usr/local/bin/toasoan

# Run: the binary (templates, migrations and the editor bundle are compiled in) and the
# static files.
FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --home-dir /app --shell /usr/sbin/nologin toasoan
WORKDIR /app
COPY --from=build /usr/local/bin/toasoan /usr/local/bin/toasoan
COPY static ./static
RUN mkdir -p /app/media && chown toasoan /app/media
USER toasoan
ENV TOASOAN_ADDR=0.0.0.0:3000 \
    TOASOAN_MEDIA_DIR=/app/media
EXPOSE 3000
STOPSIGNAL SIGTERM
CMD ["toasoan", "serve"]
