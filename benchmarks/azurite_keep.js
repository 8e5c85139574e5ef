"use strict";
// Benchmarks only, loaded into Azurite with `node --require` by `bench_scale --azurite-dir DIR`:
// a seeded Azurite kept in a folder, so that 100,000 cases are seeded once (12-17 minutes here)
// and then measured and profiled by as many runs as needed, each starting from the same data.
//
// With a data folder, Azurite's LokiJS databases save themselves every 5 s after any write, the
// whole database in one JSON string each time: at 300,000 blobs a stall of seconds in the middle of
// the measurements, and a string near V8's limit. Here instead:
// - each database is saved only when this process gets SIGUSR2 (the benchmark sends it once, after
//   seeding), one collection at a time, one document a line (lokijs' structured fs adapter); when
//   both are saved the file named by BENCH_AZURITE_SAVED is written (or `<it>.error`);
// - what later runs write (the ticks, the 50 due cases) stays in memory and is dropped when the
//   emulator stops, so every run starts from the seeded state;
// - Azurite's garbage collector of blob data is off: it would read all 300,000 blobs at start and
//   every 10 minutes while a run measures, and could delete data the saved state still refers to.
// The corrected Find Blobs by Tags (azurite_find_fix.js) is loaded as well.
require("./azurite_find_fix.js");

const fs = require("fs");
const path = require("path");

const src = path.join(__dirname, "..", "node_modules", "azurite", "dist", "src");
const Structured = require(path.join(__dirname, "..", "node_modules", "lokijs", "src", "loki-fs-structured-adapter.js"));
const stores = [
  require(path.join(src, "blob", "persistence", "LokiBlobMetadataStore.js")).default,
  require(path.join(src, "common", "persistence", "LokiExtentMetadataStore.js")).default,
];
const GCManager = require(path.join(src, "blob", "gc", "BlobGCManager.js")).default;

const opened = [];
for (const Store of stores) {
  const init = Store.prototype.init;
  Store.prototype.init = async function keptInit() {
    if (this.db.persistenceMethod === "fs") {
      this.db.autosaveDisable();
      this.db.persistenceAdapter = new Structured();
      opened.push(this);
    }
    await init.call(this);
    this.db.autosaveDisable();
  };
}

GCManager.prototype.markSweep = async function noSweep() {};

function save(store) {
  return new Promise((resolve, reject) => store.db.saveDatabase((err) => (err ? reject(err) : resolve())));
}

process.on("SIGUSR2", () => {
  const marker = process.env.BENCH_AZURITE_SAVED;
  Promise.all(opened.map(save)).then(
    () => marker && fs.writeFileSync(marker, `${opened.length} databases saved at ${new Date().toISOString()}\n`),
    (err) => marker && fs.writeFileSync(`${marker}.error`, String((err && err.stack) || err)),
  );
});
