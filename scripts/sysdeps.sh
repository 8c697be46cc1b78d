#!/usr/bin/env bash
# Make sure the OS libraries that Qt (PySide6), QtMultimedia and the window
# tests need are present. Installs them with apt when run as root; otherwise
# prints the exact command to run and fails.
#   scripts/sysdeps.sh [--gui-tests]
set -eu
pkgs=(python3-venv libegl1 libgl1 libfontconfig1 libxkbcommon0 libxkbcommon-x11-0 libdbus-1-3
      libglib2.0-0 libpulse0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0
      libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 libxcb-randr0 libxcb-xkb1
      libnss3 libasound2 xvfb xauth fonts-noto-color-emoji fonts-dejavu-core
      fonts-noto-core fonts-noto-cjk  # every script a message may be in (Devanagari, CJK …)
      desktop-file-utils appstream shared-mime-info  # validating the desktop integration files
      binutils)  # PyInstaller reads libraries with objdump; the bundle drops debug info with strip
command -v dpkg >/dev/null 2>&1 || { echo "sysdeps: not a Debian/Ubuntu system; install Qt 6's runtime libraries (EGL, GL, fontconfig, xkbcommon, xcb-cursor, PulseAudio client) by hand" >&2; exit 0; }
missing=()
for p in "${pkgs[@]}"; do
  # Ubuntu 24.04 renamed some libraries with a t64 suffix; accept either.
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" \
     && ! dpkg-query -W -f='${Status}' "${p}t64" 2>/dev/null | grep -q "ok installed"; then
    # python3-venv is only needed when the interpreter cannot make a venv by itself.
    if [ "$p" = python3-venv ] && python3 -c "import ensurepip, venv" 2>/dev/null; then continue; fi
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0
resolved=()
for p in "${missing[@]}"; do
  if apt-cache show "${p}t64" >/dev/null 2>&1; then resolved+=("${p}t64"); else resolved+=("$p"); fi
done
if [ "$(id -u)" = 0 ]; then
  echo "sysdeps: installing ${resolved[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${resolved[@]}" >/dev/null
else
  echo "sysdeps: missing OS packages. Run:" >&2
  echo "  sudo apt-get install -y ${resolved[*]}" >&2
  exit 1
fi
