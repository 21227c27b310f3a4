#!/usr/bin/env bash
# The package as a user gets it: `npm pack`, the tarball installed into a fresh app, the
# README's two examples (docs/examples/embed.mts as ES module, embed.cts as CommonJS)
# compiled with skipLibCheck: false and run against the bundled corpus (search, then
# serve and answer), and `npx zhsearch` build/search/serve from that app.
# Loopback only; everything lives in a temporary folder removed at the end.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
work=$(mktemp -d)
pid=
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
step() { printf '\n--- pack-check: %s\n' "$1"; }
die() { echo "pack-check: $*" >&2; exit 1; }

# wait_url LOGFILE: the URL a server printed ("serving http://…"), within 60 s.
wait_url() {
  for _ in $(seq 1 600); do
    url=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$1" | head -1 || true)
    [ -n "$url" ] && { echo "$url"; return 0; }
    kill -0 "$pid" 2>/dev/null || { cat "$1" >&2; die "server exited before listening"; }
    sleep 0.1
  done
  cat "$1" >&2
  die "server did not listen within 60 s"
}

# check_server URL: /healthz and one search through the JSON API, percent-encoded.
# Piped output goes to grep without -q: grep -q stops reading at its match, and under
# pipefail the writer's broken pipe (curl's error 23) then fails the check at random.
check_server() {
  curl -fsS "$1/healthz" | grep '"status":"ok"' >/dev/null || die "$1/healthz not ok"
  curl -fsS -G "$1/api/search" --data-urlencode 'q=青川 高温' | node -e '
    const r = JSON.parse(require("fs").readFileSync(0, "utf8"));
    if (!(r.total > 0)) { console.error("no hits:", r); process.exit(1); }
    console.log(`  API: ${r.total} hits, first: ${r.hits[0].title}`);'
  curl -fsS "$1/" | grep '<input' >/dev/null || die "$1/ has no search box"
}

stop_server() {
  kill "$pid"
  wait "$pid" 2>/dev/null || true
  pid=
}

step "npm pack"
tarball=$(npm pack --silent --pack-destination "$work")
tar -tzf "$work/$tarball" > "$work/files.txt"
for f in package/package.json package/LICENSE package/README.md package/dist/src/index.js package/dist/src/index.d.ts \
  package/dist/src/server/index.d.ts package/dist/esm/index.mjs package/dist/src/cli/main.js package/src/server/public/index.html; do
  grep -qx "$f" "$work/files.txt" || die "$f missing from $tarball"
done
if grep -qE '^package/(__tests__|scripts|corpus|index-data)/|\.map$|^package/src/.*\.ts$' "$work/files.txt"; then
  die "the tarball holds files a user does not need: $(grep -E '^package/(__tests__|scripts|corpus|index-data)/|\.map$|^package/src/.*\.ts$' "$work/files.txt" | head -3)"
fi
echo "  $tarball: $(wc -l < "$work/files.txt") files, $(du -k "$work/$tarball" | cut -f1) KB"

step "a fresh app installs the tarball"
app="$work/app"
mkdir -p "$app"
cp -r corpus "$app/posts"
cp docs/examples/embed.mts docs/examples/embed.cts "$app/"
ts_version=$(node -p 'require("./package.json").devDependencies.typescript')
node_types=$(node -p 'require("./package.json").devDependencies["@types/node"]')
cd "$app"
printf '{ "name": "zhsearch-pack-check", "version": "1.0.0", "private": true }\n' > package.json
npm install --no-audit --no-fund --prefer-offline --loglevel=error "$work/$tarball" "typescript@$ts_version" "@types/node@$node_types"

step "(a, b) the README's examples compile with skipLibCheck: false"
cat > tsconfig.json <<'JSON'
{
  "compilerOptions": {
    "target": "ES2022", "module": "NodeNext", "moduleResolution": "NodeNext",
    "strict": true, "skipLibCheck": false, "types": ["node"], "outDir": "out"
  },
  "files": ["embed.mts", "embed.cts"]
}
JSON
npx tsc -p tsconfig.json
# The same CommonJS example under the classic settings (module commonjs, node10 resolution).
cat > tsconfig.cjs.json <<'JSON'
{
  "compilerOptions": {
    "target": "ES2022", "module": "commonjs", "moduleResolution": "node", "esModuleInterop": true,
    "strict": true, "skipLibCheck": false, "types": ["node"], "noEmit": true
  },
  "files": ["embed.cts"]
}
JSON
npx tsc -p tsconfig.cjs.json
for example in embed.mjs embed.cjs; do
  step "run out/$example on the bundled corpus"
  rm -rf index-data
  PORT=0 node "out/$example" posts > "$work/$example.log" 2>&1 &
  pid=$!
  url=$(wait_url "$work/$example.log")
  grep -qE '^[1-9][0-9]* results' "$work/$example.log" || { cat "$work/$example.log"; die "$example found nothing"; }
  head -2 "$work/$example.log" | sed 's/^/  /'
  check_server "$url"
  stop_server
done

step "(c) npx zhsearch build / search / serve"
npx zhsearch --help | grep '^  serve' >/dev/null || die "npx zhsearch --help does not list serve"
npx zhsearch build --corpus posts --out cli-index | sed 's/^/  /'
npx zhsearch search --index cli-index --limit 2 --from 2022 青川 > "$work/search.txt"
grep -qE '^[1-9][0-9]* results' "$work/search.txt" || { cat "$work/search.txt"; die "npx zhsearch search found nothing"; }
head -1 "$work/search.txt" | sed 's/^/  /'
npx zhsearch serve --index cli-index --port 0 --host 127.0.0.1 > "$work/serve.log" 2>&1 &
pid=$!
url=$(wait_url "$work/serve.log")
check_server "$url"
stop_server
echo "pack-check: ok"
