# syntax=docker/dockerfile:1
# Build: a static binary with the bundled corpus embedded.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/citebot ./cmd/citebot

# Run: no shell, no package manager, not root. Secrets come from the
# environment at run time (docker run --env-file .env), never from the image.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/citebot /citebot
ENV CITEBOT_INDEX=/home/nonroot/.cache/citebot \
    CITEBOT_HTTP_ADDR=:8080
USER nonroot:nonroot
EXPOSE 8080
ENTRYPOINT ["/citebot"]
CMD ["serve"]
