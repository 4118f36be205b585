# syntax=docker/dockerfile:1
#
# Pishkhan's container image: one static binary (the web app embedded) on
# distroless, running as the non-root user 65532 with nothing else in the
# image (no shell, no package manager).
#
#   docker build --build-arg VERSION=$(git describe --tags --always) -t pishkhan .
#
# Run it with a read-only root filesystem: the only paths it writes are
# DATA_DIR (/data: the embedded default's SQLite file, secret key and media)
# and the temporary directory (/tmp: media being processed). Mount both, e.g.
#   docker run --read-only -v pishkhan-data:/data --tmpfs /tmp -p 8080:8080 pishkhan
# No secret is built in: SECRET_KEY, DATABASE_URL and the like come from the
# environment the container is started with.
#
# Base images are pinned by digest (a tag can be moved; a digest cannot): the
# digests these tags were published with when pinned (2026-12; taken from
# published pins, as no registry is reachable where this file was written:
# check them on your first build). To refresh one, look up the digest its
# tag points to now and replace it here, e.g.
#   docker buildx imagetools inspect node:20-bookworm-slim --format '{{json .Manifest.Digest}}'
#   crane digest gcr.io/distroless/static-debian12:nonroot
# `make test` (scripts/deploy-check.sh) refuses a FROM without @sha256:.

# --- the web app: Next.js static export ---
FROM node:20-bookworm-slim@sha256:2cf067cfed83d5ea958367df9f966191a942351a2df77d6f0193e162b5febfc0 AS web
WORKDIR /src/web
ENV NEXT_TELEMETRY_DISABLED=1
COPY web/package.json web/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY web/ ./
RUN npx next build

# --- the binary: static (no cgo), embedding the export ---
FROM golang:1.26.8-bookworm@sha256:dc9ad6c05acc7a88e5b71bde60a5fe3bd4b9f0db209011711b464107438a8107 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY cmd/ cmd/
COPY internal/ internal/
COPY --from=web /src/web/out/ internal/webui/dist/
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath \
	-ldflags "-s -w -X github.com/pishkhan/pishkhan/internal/server.Version=${VERSION}" \
	-o /out/pishkhan ./cmd/pishkhan
RUN mkdir -p /out/data

# --- the image ---
FROM gcr.io/distroless/static-debian12:nonroot@sha256:afa5c872c891853ca7fcf1f12c3edb23f7eeef36189728842dd51042ff57f7ab
COPY --from=build /out/pishkhan /usr/local/bin/pishkhan
COPY --from=build --chown=65532:65532 /out/data /data
ENV ADDR=0.0.0.0:8080 \
	DATA_DIR=/data
USER 65532:65532
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
	CMD ["/usr/local/bin/pishkhan", "healthcheck", "--timeout", "4s"]
ENTRYPOINT ["/usr/local/bin/pishkhan"]
CMD ["serve"]
