#!/usr/bin/env bash
# The Debian packages chithi's file readers use, installed if missing:
#
#   tesseract-ocr tesseract-ocr-vie   OCR of scanned PDFs and photos (Vietnamese data)
#   poppler-utils                     pdftoppm: scanned PDF pages to images for OCR
#   antiword catdoc                   Word 97-2003 .doc files
#   chromium chromium-driver          the web console's browser tests (tests/bot/test_web_console.py)
#   postgresql                        the database tests' throwaway server (tests/helpers/postgres.py;
#                                     a deployment with CHITHI_DATABASE_URL brings its own server)
#
#   bash scripts/system_packages.sh           install what is missing (root or passwordless sudo)
#   bash scripts/system_packages.sh --check   only say what is missing; exit 1 if anything is
#
# With everything present it only checks (no apt-get at all, well under a second). Without
# root or passwordless sudo, or without apt-get, it prints one line per missing tool and what
# will not work without it, and exits 0: the rest of chithi works, so `make setup` goes on.
# docker/Dockerfile installs the same packages but chromium and postgresql: they are for tests
# only. On a machine with systemd, Debian's postgresql also starts a server of its own (port
# 5432); the tests do not use it (they start theirs on a private socket).
set -uo pipefail

check_only=0
if [ "${1:-}" = "--check" ]; then
    check_only=1
fi

# Each missing piece as "package<TAB>what does not work without it".
missing() {
    if ! command -v tesseract >/dev/null 2>&1; then
        printf 'tesseract-ocr\ttesseract is missing: scanned PDFs and photos of notices cannot be read\n'
        printf 'tesseract-ocr-vie\ttesseract has no Vietnamese data: scanned PDFs and photos cannot be read\n'
    elif ! tesseract --list-langs 2>/dev/null | grep -qx vie; then
        printf 'tesseract-ocr-vie\ttesseract has no Vietnamese data: scanned PDFs and photos cannot be read\n'
    fi
    if ! command -v pdftoppm >/dev/null 2>&1; then
        printf 'poppler-utils\tpdftoppm is missing: scanned PDF pages cannot be read (PDFs with text still can)\n'
    fi
    local antiword=0 catdoc=0
    command -v antiword >/dev/null 2>&1 && antiword=1
    command -v catdoc >/dev/null 2>&1 && catdoc=1
    if [ "$antiword" = 0 ] && [ "$catdoc" = 0 ]; then
        printf 'antiword\tantiword and catdoc are missing: Word 97-2003 .doc files cannot be read\n'
        printf 'catdoc\tcatdoc is missing: .doc files antiword refuses, and RTF named .doc, cannot be read\n'
    elif [ "$antiword" = 0 ]; then
        printf 'antiword\tantiword is missing: .doc files are read with catdoc only (tables and paragraphs suffer)\n'
    elif [ "$catdoc" = 0 ]; then
        printf 'catdoc\tcatdoc is missing: .doc files antiword refuses, and RTF named .doc, cannot be read\n'
    fi
    # The tests drive Debian's own browser and driver, at these paths (no browser download).
    if ! command -v /usr/bin/chromium >/dev/null 2>&1; then
        printf 'chromium\tchromium is missing: the web console browser tests are skipped\n'
    fi
    if ! command -v /usr/bin/chromedriver >/dev/null 2>&1; then
        printf 'chromium-driver\tchromedriver is missing: the web console browser tests are skipped\n'
    fi
    # Debian keeps initdb off PATH, under /usr/lib/postgresql/VERSION/bin.
    if ! command -v initdb >/dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
        printf 'postgresql\tPostgreSQL is missing: the database tests fail (they run on SQLite and PostgreSQL)\n'
    fi
}

report() {
    printf '%s\n' "$1" | while IFS=$'\t' read -r package why; do
        echo "system packages: $why (Debian package $package; run: make setup-system)"
    done
}

gaps="$(missing)"
if [ -z "$gaps" ]; then
    echo "system packages: tesseract (vie), pdftoppm, antiword, catdoc, chromium, chromedriver, postgresql present"
    exit 0
fi
if [ "$check_only" = 1 ]; then
    report "$gaps"
    exit 1
fi

read -r -a packages <<<"$(printf '%s\n' "$gaps" | cut -f1 | sort -u | tr '\n' ' ')"
if ! command -v apt-get >/dev/null 2>&1; then
    report "$gaps"
    echo "system packages: no apt-get here; install the equivalents of: ${packages[*]}"
    exit 0
fi
if [ "$(id -u)" = 0 ]; then
    as_root=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    as_root=(sudo -n)
else
    report "$gaps"
    echo "system packages: not root and no passwordless sudo; as root run: apt-get install -y ${packages[*]}"
    exit 0
fi

install() {
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -q --no-install-recommends "${packages[@]}" >/dev/null
}
echo "system packages: installing ${packages[*]}"
# The package lists may be missing or stale (a fresh container): update only if install fails.
if ! install; then
    "${as_root[@]}" apt-get update -q >/dev/null && install
fi
gaps="$(missing)"
if [ -n "$gaps" ]; then
    report "$gaps"
fi
exit 0
