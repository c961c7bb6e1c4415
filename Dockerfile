# cldsync as a small container image: a static binary on an empty base,
# running as an unprivileged user, with cldsync as the entrypoint:
#
#   docker build -t cldsync .
#   docker run --rm -e CLOUDINARY_ACCOUNT_URL -v "$PWD:/work" cldsync plan /work
#
# To write into the mounted directory (plan --out, export --out), run as
# its owner, since uid 65532 cannot write there:
#
#   docker run --rm --user "$(id -u):$(id -g)" -e CLOUDINARY_ACCOUNT_URL -v "$PWD:/work" cldsync plan --out plan.json /work
#
# The build stage is pinned to an exact Go release; pin it to a digest too
# (golang:1.26.8-bookworm@sha256:…) where your registry policy asks for it.
# cmd/cldsync/dockerfile_test.go lints this file in `make test`.

FROM golang:1.26.8-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/cldsync ./cmd/cldsync

FROM scratch
# CA certificates, to reach the Cloudinary APIs over HTTPS.
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=build /out/cldsync /cldsync
USER 65532:65532
WORKDIR /work
ENTRYPOINT ["/cldsync"]
CMD ["--help"]
