#!/usr/bin/env bash
# Checks the deploy artefacts offline (no image, schema or chart is
# downloaded): `helm lint` of the chart, then deploy/check (a Go module of
# its own) parses the Dockerfile with BuildKit's parser, loads
# deploy/compose.yaml with the Compose loader, reads deploy/nginx.conf and
# decodes `helm template` output strictly into the Kubernetes API types, and
# feeds each checker broken inputs that it must refuse.
# Installs Helm, pinned, into bin/ from the Go module proxy.
set -euo pipefail
cd "$(dirname "$0")/.."

HELM_VERSION=v4.3.2
if [[ ! -x bin/helm ]] || [[ "$(cat bin/.helm-version 2>/dev/null)" != "$HELM_VERSION" ]]; then
	echo "installing helm $HELM_VERSION into bin/"
	GOBIN="$PWD/bin" go install "helm.sh/helm/v4/cmd/helm@$HELM_VERSION"
	echo "$HELM_VERSION" >bin/.helm-version
fi
export HELM="$PWD/bin/helm"
# no repositories, plugins or cache from the machine: the chart has no dependencies
state=$(mktemp -d)
trap 'rm -rf "$state"' EXIT
export HELM_CACHE_HOME="$state/cache" HELM_CONFIG_HOME="$state/config" HELM_DATA_HOME="$state/data"

echo "== deploy: helm lint --strict"
"$HELM" lint --strict deploy/helm/pishkhan -f deploy/helm/pishkhan/ci/test-values.yaml

echo "== deploy: gofmt, go vet, golangci-lint and tests of deploy/check"
test -z "$(gofmt -l deploy/check)" || { echo "gofmt needed:"; gofmt -l deploy/check; exit 1; }
[[ -x bin/golangci-lint ]] || make --no-print-directory bin/golangci-lint
(cd deploy/check && go vet ./... && ../../bin/golangci-lint run --allow-serial-runners ./... && go test -count=1 ./...)
