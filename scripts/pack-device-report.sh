#!/bin/sh
# Packs what `--device-report` needs for a machine with a real GPU but no node_modules, no network
# and perhaps no Node: the built benchmark, its two runtime packages (papaparse; webgpu with only
# Dawn's linux-x64 binding), this machine's node binary and the shared CSVs, compressed (about 30 MiB),
# with run.sh, which unpacks them and runs the Node-only quick suite into bench-results/device/.
#   sh scripts/pack-device-report.sh [DIR]     (DIR defaults to .device-report; git ignores nothing
#                                                for you: add DIR to .git/info/exclude)
set -eu
dir=${1:-.device-report}
npm run --silent build:node
rm -rf "$dir"
mkdir -p "$dir/app/node_modules/webgpu/dist/linux-x64" "$dir/app/data"
cp -r dist-node "$dir/app/"
cp -r node_modules/papaparse "$dir/app/node_modules/"
cp node_modules/webgpu/index.js node_modules/webgpu/package.json "$dir/app/node_modules/webgpu/"
cp node_modules/webgpu/dist/linux-x64/dawn.node "$dir/app/node_modules/webgpu/dist/linux-x64/"
cp "$(command -v node)" "$dir/app/node"
for f in dnnex step2000 curve2000 mnist37-train rings1000 noise100; do
  [ -f "../shared/data/$f.csv" ] && cp "../shared/data/$f.csv" "$dir/app/data/"
done
tar -C "$dir" -cJf "$dir/app.tar.xz" app
rm -rf "$dir/app"
cat > "$dir/run.sh" <<'RUN'
#!/bin/sh
# Unpacks the benchmark to /tmp/bench-device and runs the device report there; the results land in
# ./bench-results/device/ (or in $OUT when set). Needs a Vulkan loader (libvulkan.so.1) and a driver.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${OUT:-$PWD}
rm -rf /tmp/bench-device && mkdir -p /tmp/bench-device && tar -C /tmp/bench-device -xJf "$here/app.tar.xz"
cd /tmp/bench-device/app
if [ -z "${VK_ICD_FILENAMES:-}${VK_DRIVER_FILES:-}" ] && [ -f /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json ]; then
  export VK_DRIVER_FILES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
fi
timeout 260 ./node dist-node/bench.js --device-report --data data || echo "bench exited with $?"
mkdir -p "$out/bench-results/device" && cp -r bench-results/device/. "$out/bench-results/device/"
ls -la "$out/bench-results/device"
RUN
chmod +x "$dir/run.sh"
du -sh "$dir"/*
