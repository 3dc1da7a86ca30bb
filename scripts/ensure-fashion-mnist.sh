#!/usr/bin/env bash
# Makes sure Fashion-MNIST is present for commands that use it by default.
# Looks where Descent looks: /usr/share/datasets/fashion-mnist, $DESCENT_DATA, ~/.descent/datasets/fashion-mnist.
# Installs Debian's dataset-fashion-mnist when it can (root with apt); otherwise says exactly what to do.
set -uo pipefail
args=" $* "
# Only the default data set needs it; an explicit other --data does not.
if [[ "$args" =~ " --data "([^ ]+) ]] && [[ "${BASH_REMATCH[1]}" != "fashion-mnist" ]]; then exit 0; fi
if [[ "$args" =~ " --data="([^ ]+) ]] && [[ "${BASH_REMATCH[1]}" != "fashion-mnist" ]]; then exit 0; fi
if [[ "$args" =~ " -h " || "$args" =~ " --help " ]]; then exit 0; fi
have() { [[ -f "$1/train-images-idx3-ubyte.gz" || -f "$1/train-images-idx3-ubyte" ]]; }
for d in /usr/share/datasets/fashion-mnist "${DESCENT_DATA:-/nonexistent}" "${DESCENT_DATA:-/nonexistent}/fashion-mnist" "$HOME/.descent/datasets/fashion-mnist"; do
  have "$d" && exit 0
done
if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null 2>&1; then
  echo "descent: Fashion-MNIST not found; installing Debian's dataset-fashion-mnist…" >&2
  if { apt-get install -y -q dataset-fashion-mnist || { apt-get update -q && apt-get install -y -q dataset-fashion-mnist; }; } >/dev/null 2>&1; then
    have /usr/share/datasets/fashion-mnist && exit 0
  fi
  echo "descent: could not install dataset-fashion-mnist with apt-get." >&2
fi
cat >&2 <<MSG
descent: Fashion-MNIST was not found. Either
  - on Debian/Ubuntu, as root: apt-get install dataset-fashion-mnist   (puts the files in /usr/share/datasets/fashion-mnist), or
  - put train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz
    (from https://github.com/zalandoresearch/fashion-mnist) into ~/.descent/datasets/fashion-mnist or a folder named by \$DESCENT_DATA.
Synthetic data needs nothing: ./descent train --data circles
MSG
exit 1
