#!/usr/bin/env node
// Validate a built Teams manifest (and the localization files it names) against Microsoft's
// published JSON schemas, as shipped offline in the npm package @microsoft/app-manifest.
//
// Usage: node deployment/tools/validate_manifest.js <dir with manifest.json>
// Prints one JSON object {file: [errors...]} and exits 0 when every list is empty, 1 otherwise,
// 2 when the schema for the manifest's version is not shipped.
//
// Why the package's own validator: it is the code the Agents Toolkit runs for
// teamsApp/validateManifest, so we judge the manifest exactly as the toolkit would, without the
// network (the toolkit would download the schema from the manifest's $schema URL).
"use strict";

const fs = require("fs");
const path = require("path");
const { AppManifestUtils } = require("@microsoft/app-manifest");
// ajv-draft-04 and ajv-formats come with @microsoft/app-manifest (its own dependencies).
const AjvDraft04 = require("ajv-draft-04");
const addFormats = require("ajv-formats");

function schemaDir(manifestVersion) {
  const buildDir = path.dirname(require.resolve("@microsoft/app-manifest"));
  return path.join(buildDir, "json-schemas", "teams", `v${manifestVersion}`);
}

// The localization schema has patterns that are valid JavaScript regexes only without the
// unicode flag (an unescaped "]"), so it gets its own validator with unicodeRegExp off; the
// manifest itself goes through the package's validator unchanged.
function validateLocalization(doc, schema) {
  const ajv = new AjvDraft04({ allErrors: true, strictTypes: false, unicodeRegExp: false });
  addFormats(ajv, ["uri", "email", "regex"]);
  const validate = ajv.compile(schema);
  if (validate(doc)) return [];
  return validate.errors.map((e) => `${e.instancePath} ${e.message || ""}. Details: ${JSON.stringify(e.params)}`);
}

function readSchema(file) {
  // Same clean-up the package applies to downloaded schemas (an invalid "\a" regex escape).
  return JSON.parse(fs.readFileSync(file, "utf8").replace(/\\a/g, "\\x07"));
}

async function main() {
  const dir = process.argv[2];
  if (!dir) {
    console.error("usage: validate_manifest.js <package dir>");
    process.exit(2);
  }
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, "manifest.json"), "utf8"));
  const sdir = schemaDir(manifest.manifestVersion);
  const manifestSchema = path.join(sdir, "MicrosoftTeams.schema.json");
  if (!fs.existsSync(manifestSchema)) {
    console.log(JSON.stringify({ error: `no schema shipped for manifestVersion ${manifest.manifestVersion}` }));
    process.exit(2);
  }
  const result = {
    "manifest.json": await AppManifestUtils.validateAgainstSchema(manifest, readSchema(manifestSchema)),
  };
  const locSchemaFile = path.join(sdir, "MicrosoftTeams.Localization.schema.json");
  const languages = (manifest.localizationInfo && manifest.localizationInfo.additionalLanguages) || [];
  for (const lang of languages) {
    const loc = JSON.parse(fs.readFileSync(path.join(dir, lang.file), "utf8"));
    result[lang.file] = validateLocalization(loc, readSchema(locSchemaFile));
  }
  result.schemaDir = sdir;
  console.log(JSON.stringify(result));
  const failed = Object.entries(result).some(([k, v]) => k !== "schemaDir" && v.length > 0);
  process.exit(failed ? 1 : 0);
}

main().catch((err) => {
  console.error(err && err.stack ? err.stack : String(err));
  process.exit(3);
});
