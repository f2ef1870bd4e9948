#!/usr/bin/env bash
# The Debian packages the suite drives as real programs: Chromium (browser tests), Graphviz's dot (the
# lineage map) and git-lfs (checkpoints from git repositories); with them the fonts the share cards draw
# with (DejaVu, and WenQuanYi Micro Hei for CJK titles). Missing ones are installed when this runs
# as root (as `.ci/run` does); otherwise it says in one line what is missing and how to install it, and
# fails before a single test runs instead of failing dozens of them.
set -euo pipefail
declare -A needs=([chromium]=chromium [dot]=graphviz [git-lfs]=git-lfs)
missing=()
for command in "${!needs[@]}"; do
  command -v "$command" >/dev/null || missing+=("${needs[$command]}")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
  echo "Installing the system packages the tests need: ${missing[*]}" >&2
  apt-get update -qq && apt-get install -y -qq "${missing[@]}" fonts-dejavu-core fonts-wqy-microhei >/dev/null
  exit 0
fi
echo "The tests need these system packages: ${missing[*]}. Install them with: sudo apt-get install -y ${missing[*]} fonts-dejavu-core fonts-wqy-microhei" >&2
exit 1
