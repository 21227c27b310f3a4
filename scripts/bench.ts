// Entry point kept at dist/scripts/bench.js (npm run bench, zhsearch bench, CI): the bench lives in scripts/bench/.
import './bench/main';
