// wtf_wikipedia over the benchmark's pages, timed inside node (bench/run.py starts it).
// Usage: node run.js PAGES.jsonl PASSES
// Each line of PAGES.jsonl is a JSON string (one page's wikitext). For every page: parse it
// and take the JSON of its infoboxes, the work our extract+transform is compared with.
// Prints {"pages", "seconds" (best pass), "passes", "infoboxes", "version"} as JSON.
"use strict";
const fs = require("fs");
const path = require("path");
const wtf = require("wtf_wikipedia");
const version = JSON.parse(fs.readFileSync(path.join(__dirname, "node_modules", "wtf_wikipedia", "package.json"), "utf8")).version;

const [file, passesArg] = process.argv.slice(2);
const texts = fs.readFileSync(file, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l));
const passes = Math.max(1, parseInt(passesArg || "3", 10));
let best = Infinity;
let infoboxes = 0;
for (let p = 0; p < passes; p++) {
  const t0 = process.hrtime.bigint();
  let n = 0;
  for (const text of texts) {
    const boxes = wtf(text).infoboxes().map((box) => box.json());
    n += boxes.length;
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  best = Math.min(best, seconds);
  infoboxes = n;
}
process.stdout.write(JSON.stringify({ pages: texts.length, seconds: best, passes, infoboxes, version }) + "\n");
