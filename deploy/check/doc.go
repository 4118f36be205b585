// Package check validates the deploy artefacts (Dockerfile, deploy/compose.yaml,
// the Helm chart's rendered manifests) offline. It is a module of its own so
// that the Kubernetes, Compose and BuildKit modules stay out of Pishkhan's.
package check
