"use strict";
// Benchmarks only, loaded into Azurite with `node --require` (benchmarks/bench_scale.py).
//
// Azurite 3.37 answers Find Blobs by Tags (LokiBlobMetadataStore.filterBlobs) by taking the
// container's blobs sorted by name, cutting a window of `maxresults` (5,000) of them, and filtering
// that window by the tag expression; when fewer than 5,000 matched it stops, with no marker. A match
// that sorts behind the container's first 5,000 blobs is never returned: with 5,001 untagged
// blobs named before it, a find answers nothing (checked on this machine). Every `audit/` log sorts
// before every `cases/` document, so from about 5,000 cases on stock Azurite finds no case at all.
//
// This replaces the method with the same scan done right: every blob of the container after the
// marker, filtered by the expression, then sorted and cut to `maxresults` with the last name as the
// marker. The emulator's cost stays what it is (a scan of the whole container per request); only
// the answer is corrected, so the bot's requests and work can be compared across sizes.
const path = require("path");

const blob = path.join(__dirname, "..", "node_modules", "azurite", "dist", "src", "blob");
const Store = require(path.join(blob, "persistence", "LokiBlobMetadataStore.js")).default;
const { generateQueryBlobWithTagsWhereFunction } = require(
  path.join(blob, "persistence", "QueryInterpreter", "QueryInterpreter.js"),
);
const { toBlobTags } = require(path.join(blob, "utils", "utils.js"));
const { DEFAULT_LIST_BLOBS_MAX_RESULTS } = require(path.join(blob, "utils", "constants.js"));

Store.prototype.filterBlobs = async function filterBlobs(
  context,
  account,
  container,
  where,
  maxResults = DEFAULT_LIST_BLOBS_MAX_RESULTS,
  marker = "",
) {
  const query = {};
  if (account !== undefined) {
    query.accountName = account;
  }
  if (container !== undefined) {
    query.containerName = container;
    await this.checkContainerExist(context, account, container);
  }
  const matches = generateQueryBlobWithTagsWhereFunction(context, where);
  const found = [];
  for (const item of this.db.getCollection(this.BLOBS_COLLECTION).find(query)) {
    if (item.name <= (marker || "") || (item.snapshot !== undefined && item.snapshot !== "")) {
      continue;
    }
    const tags = matches({ name: item.name, containerName: item.containerName, tags: item.blobTags });
    if (tags.length !== 0) {
      found.push({ name: item.name, containerName: item.containerName, tags: { blobTagSet: toBlobTags(tags) } });
    }
  }
  found.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const page = found.slice(0, maxResults);
  return [page, found.length > maxResults ? page[page.length - 1].name : ""];
};
