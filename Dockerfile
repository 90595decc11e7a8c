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
RUN cargo build --release --locked --bin toasoan

# Run: the binary (templates, migrations and the editor bundle are compiled in) and the
# static files.
FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --home-dir /app --shell /usr/sbin/nologin toasoan
WORKDIR /app
COPY --from=build /src/target/release/toasoan /usr/local/bin/toasoan
COPY static ./static
RUN mkdir -p /app/media && chown toasoan /app/media
USER toasoan
ENV TOASOAN_ADDR=0.0.0.0:3000 \
    TOASOAN_MEDIA_DIR=/app/media
EXPOSE 3000
STOPSIGNAL SIGTERM
CMD ["toasoan", "serve"]
