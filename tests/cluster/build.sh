#!/usr/bin/env bash
# Build the local control plane's binaries from the Go module proxy into a versioned cache.
#
# Kubernetes' own module cannot be `go install`ed (its go.mod replaces every staging module
# with a local path), so a throw-away wrapper module requires k8s.io/kubernetes and replaces
# each staging module with its published v0.X.Y tag; the replace list is generated from the
# k8s go.mod itself. etcd is built at the version k8s.io/apiserver pins. kwok and LWS have no
# replace directives and are `go install`ed.
#
# Idempotent and safe to interrupt: each binary is built into a temporary directory and moved
# into place only when complete; a binary already present is never rebuilt.
#
# The CRDs of the external APIs the operator renders against (LWS, KServe, Gateway API,
# InferencePool) are copied out of their Go modules into BUILD_DIR/crds; none is committed.
#
# Usage: build.sh BUILD_DIR
#   versions from NIMOP_K8S_VERSION, NIMOP_KWOK_VERSION, NIMOP_LWS_VERSION, NIMOP_KSERVE_VERSION,
#   NIMOP_GATEWAY_API_VERSION, NIMOP_INFERENCE_EXTENSION_VERSION
set -euo pipefail
BUILD=${1:?usage: build.sh BUILD_DIR}; BIN=$BUILD/bin; CRDS=$BUILD/crds
K8S=${NIMOP_K8S_VERSION:?}; KWOK=${NIMOP_KWOK_VERSION:?}; LWS=${NIMOP_LWS_VERSION:?}
KSERVE=${NIMOP_KSERVE_VERSION:?}; GWAPI=${NIMOP_GATEWAY_API_VERSION:?}; GIE=${NIMOP_INFERENCE_EXTENSION_VERSION:?}
MINOR=$(cut -d. -f2 <<<"$K8S"); PATCH=${K8S##*.}
export CGO_ENABLED=0 GOFLAGS=-buildvcs=false
mkdir -p "$BIN"
WORK=$(mktemp -d "${BIN%/}.build.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

need() { for b in "$@"; do [ -x "$BIN/$b" ] || return 0; done; return 1; }
install_from() { for f in "$1"/*; do mv -f "$f" "$BIN/"; done; }

if need kube-apiserver kube-controller-manager kube-scheduler kubectl etcd; then
  echo "building kubernetes v$K8S control plane " >&2
  gomod=$(cd "$WORK" && go mod download -json "k8s.io/kubernetes@v$K8S" |
          python3 -c 'import json,sys;print(json.load(sys.stdin)["GoMod"])')
  mod=$WORK/mod; mkdir -p "$mod" "$WORK/out"; cd "$mod"
  printf 'module local/nimop-k8s-bins\n' > go.mod
  go mod edit -go="$(sed -nE 's/^go ([0-9.]+)$/\1/p' "$gomod")"
  for g in $(sed -nE 's/^godebug ([^ ]+=[^ ]+)$/\1/p' "$gomod"); do go mod edit -godebug="$g"; done
  for m in $(sed -nE 's#^[[:space:]]*(k8s\.io/[A-Za-z0-9._-]+) v0\.0\.0( // indirect)?$#\1#p' "$gomod" | sort -u); do
    go mod edit -replace="$m=$m@v0.$MINOR.$PATCH"
  done
  etcdv=$(sed -nE 's#^[[:space:]]*go\.etcd\.io/etcd/server/v3 (v[^ ]+).*#\1#p' "$gomod")
  go get "k8s.io/kubernetes@v$K8S" "go.etcd.io/etcd/server/v3@$etcdv"
  V=k8s.io/component-base/version
  LDF="-s -w -X $V.gitVersion=v$K8S -X $V.gitMajor=1 -X $V.gitMinor=$MINOR -X $V.gitTreeState=clean"
  LDF="$LDF -X k8s.io/client-go/pkg/version.gitVersion=v$K8S -X k8s.io/client-go/pkg/version.gitMajor=1 -X k8s.io/client-go/pkg/version.gitMinor=$MINOR"
  go build -mod=mod -trimpath -tags=selinux,notest,grpcnotrace -ldflags "$LDF" -o "$WORK/out/" \
    k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager \
    k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubectl
  go build -mod=mod -trimpath -ldflags "-s -w" -o "$WORK/out/etcd" go.etcd.io/etcd/server/v3
  install_from "$WORK/out"
fi

if need kwok; then
  echo "building kwok $KWOK" >&2
  mkdir -p "$WORK/kwok"; GOBIN=$WORK/kwok go install -trimpath -ldflags "-s -w" "sigs.k8s.io/kwok/cmd/kwok@$KWOK"
  install_from "$WORK/kwok"
fi

if need lws-manager; then
  echo "building LeaderWorkerSet $LWS" >&2
  # `go install sigs.k8s.io/lws/cmd@v` fails: it asks the proxy for the module's version list
  # (to check deprecation), which the proxy refuses for LWS. A wrapper module pinning the exact
  # version needs no list.
  mkdir -p "$WORK/lws/mod" "$WORK/lws/out"
  (cd "$WORK/lws/mod" && printf 'module local/nimop-lws\n' > go.mod && go mod edit -go=1.26.0 &&
   go get "sigs.k8s.io/lws@$LWS" &&
   go build -mod=mod -trimpath -ldflags "-s -w" -o "$WORK/lws/out/lws-manager" sigs.k8s.io/lws/cmd)
  install_from "$WORK/lws/out"
fi
moddir() { (cd "$WORK" && go mod download -json "$1" | python3 -c 'import json,sys;print(json.load(sys.stdin)["Dir"])'); }
if [ ! -f "$CRDS/.complete-2" ]; then
  echo "collecting external CRDs" >&2
  mkdir -p "$WORK/crds"
  d=$(moddir "sigs.k8s.io/lws@$LWS"); cp "$d"/config/crd/bases/*.yaml "$WORK/crds/"
  cp "$d/config/webhook/manifests.yaml" "$WORK/crds/lws-webhooks.yaml.in"
  d=$(moddir "github.com/kserve/kserve@$KSERVE"); cp "$d/config/crd/full/serving.kserve.io_inferenceservices.yaml" "$WORK/crds/"
  d=$(moddir "sigs.k8s.io/gateway-api@$GWAPI")
  for k in gatewayclasses gateways httproutes grpcroutes referencegrants; do
    cp "$d/config/crd/standard/gateway.networking.k8s.io_$k.yaml" "$WORK/crds/"; done
  d=$(moddir "sigs.k8s.io/kwok@$KWOK"); cp -r "$d/kustomize/stage" "$WORK/crds/kwok-stages"
  mkdir -p "$WORK/crds/kwok"; cp "$d"/kustomize/crd/bases/kwok.x-k8s.io_{logs,clusterlogs}.yaml "$WORK/crds/kwok/"
  d=$(moddir "sigs.k8s.io/gateway-api-inference-extension@$GIE")
  cp "$d/config/crd/bases/inference.networking.k8s.io_inferencepools.yaml" "$WORK/crds/"
  chmod -R u+w "$WORK/crds"; rm -rf "$CRDS"; mv "$WORK/crds" "$CRDS"; touch "$CRDS/.complete-2"
fi
echo "control plane binaries ready in $BIN" >&2
