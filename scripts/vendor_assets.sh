#!/usr/bin/env bash
# Re-create static/vendor/ and static/fonts/ from registry packages (npm, Debian).
# Not needed to run or test the project: the results are committed. Run it to update versions.
set -euo pipefail

BOOTSTRAP_VERSION=5.3.9
BOOTSTRAP_ICONS_VERSION=1.13.2
CROSCORE_DIR=/usr/share/fonts/truetype/croscore

cd "$(dirname "$0")/.."
root=$PWD
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

command -v npm >/dev/null || { echo "npm is needed (apt-get install npm)" >&2; exit 1; }

(cd "$tmp" && npm pack --silent "bootstrap@$BOOTSTRAP_VERSION" "bootstrap-icons@$BOOTSTRAP_ICONS_VERSION" >/dev/null)
mkdir -p "$tmp/b" "$tmp/i"
tar xzf "$tmp/bootstrap-$BOOTSTRAP_VERSION.tgz" -C "$tmp/b"
tar xzf "$tmp/bootstrap-icons-$BOOTSTRAP_ICONS_VERSION.tgz" -C "$tmp/i"

bs="$root/static/vendor/bootstrap"
bi="$root/static/vendor/bootstrap-icons"
rm -rf "$bs" "$bi"
mkdir -p "$bs" "$bi/fonts"
for f in css/bootstrap.min.css css/bootstrap.min.css.map js/bootstrap.bundle.min.js js/bootstrap.bundle.min.js.map; do
    cp "$tmp/b/package/dist/$f" "$bs/"
done
cp "$tmp/b/package/LICENSE" "$bs/LICENSE"
cp "$tmp/i/package/font/bootstrap-icons.min.css" "$bi/"
cp "$tmp/i/package/font/fonts/bootstrap-icons.woff2" "$tmp/i/package/font/fonts/bootstrap-icons.woff" "$bi/fonts/"
cp "$tmp/i/package/LICENSE" "$bi/LICENSE"

if [ ! -d "$CROSCORE_DIR" ]; then
    echo "Installing fonts-croscore..." >&2
    apt-get install -y --no-install-recommends fonts-croscore >/dev/null
fi
mkdir -p "$root/static/fonts"
for style in Regular Bold Italic BoldItalic; do
    cp "$CROSCORE_DIR/Tinos-$style.ttf" "$root/static/fonts/"
done

echo "Vendored bootstrap $BOOTSTRAP_VERSION, bootstrap-icons $BOOTSTRAP_ICONS_VERSION, Tinos from fonts-croscore."
echo "Update the SHA-256 list in static/fonts/README.txt if the fonts changed:"
(cd "$root/static/fonts" && sha256sum ./*.ttf)
