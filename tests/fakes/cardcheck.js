#!/usr/bin/env node
// Adaptive Card checker: Microsoft's own renderer (npm `adaptivecards` 3.0.6) under jsdom.
//
// Why: a card that our Python code builds is only "valid" if the renderer Teams uses parses it
// without complaint. This script lets the tests ask that renderer, offline and in one node start.
//
// Input (stdin): a JSON array of Adaptive Card objects.
// Output (stdout): a JSON array, one {errors: [...], warnings: [...]} per card, same order.
// Exit code 0 when the reports were produced (even when cards have errors); 2 on bad input.
"use strict";

const path = require("path");
const { JSDOM } = require("jsdom");

// The renderer touches window/document when it renders (and some helpers at load time), so the DOM
// globals must exist before the UMD bundle is required.
const dom = new JSDOM("<!DOCTYPE html><html><body></body></html>", { pretendToBeVisual: true });
for (const name of Object.getOwnPropertyNames(dom.window)) {
  if (!(name in globalThis) && name !== "localStorage" && name !== "sessionStorage") {
    const value = dom.window[name];
    Object.defineProperty(globalThis, name, {
      value: typeof value === "function" && /^[a-z]/.test(name) ? value.bind(dom.window) : value,
      configurable: true,
      writable: true,
    });
  }
}
globalThis.self = globalThis.self || dom.window;

// stdout carries the JSON report only: the renderer's console chatter goes to stderr.
console.log = console.info = console.warn = console.debug = (...args) => process.stderr.write(args.join(" ") + "\n");

const AC = require(path.join(__dirname, "..", "..", "node_modules", "adaptivecards", "dist", "adaptivecards.js"));

// Teams-like host config: Teams renders schema <= 1.5, allows up to 6 top-level actions and is
// interactive. Only what changes validation or rendering is set; the rest is the library default.
const TEAMS_HOST_CONFIG = new AC.HostConfig({
  supportsInteractivity: true,
  fontFamily: "'Segoe UI', system-ui, sans-serif",
  actions: { maxActions: 6, spacing: "default", buttonSpacing: 8, actionsOrientation: "horizontal" },
});
const TARGET_VERSION = AC.Versions.v1_5;

// Teams renders a Markdown subset; for checking, plain escaped text is enough and keeps it offline.
AC.AdaptiveCard.onProcessMarkdown = (text, result) => {
  const div = document.createElement("div");
  div.textContent = text;
  result.outputHtml = div.innerHTML;
  result.didProcess = true;
};

// Events that mean the card will not behave as written in Teams. Everything else is a warning.
const ERROR_EVENTS = new Set([
  AC.ValidationEvent.ActionTypeNotAllowed,
  AC.ValidationEvent.CollectionCantBeEmpty,
  AC.ValidationEvent.ElementTypeNotAllowed,
  AC.ValidationEvent.InteractivityNotAllowed,
  AC.ValidationEvent.InvalidPropertyValue,
  AC.ValidationEvent.MissingCardType,
  AC.ValidationEvent.PropertyCantBeNull,
  AC.ValidationEvent.TooManyActions,
  AC.ValidationEvent.UnknownActionType,
  AC.ValidationEvent.UnknownElementType,
  AC.ValidationEvent.UnsupportedCardVersion,
  AC.ValidationEvent.DuplicateId,
]);

// Keys that Teams or the JSON conventions add on top of the renderer's own schema.
// The collection keys are parsed by hand in the renderer, so they are not in its property schema.
const EXTRA_KEYS = new Set([
  "type", "$schema", "$data", "$when", "msteams", "speak", "lang",
  "body", "items", "actions", "columns", "inlines", "card", "fallback",
]);

function describeEvent(ev) {
  const name = AC.ValidationEvent[ev.event] || String(ev.event);
  const where = ev.source && typeof ev.source.getJsonTypeName === "function" ? ev.source.getJsonTypeName() : "";
  const id = ev.source && ev.source.id ? `#${ev.source.id}` : "";
  return `${name}${where ? " in " + where + id : ""}: ${ev.message}`;
}

function schemaNames(obj) {
  const schema = obj.getSchema();
  const names = new Set();
  for (let i = 0; i < schema.getCount(); i++) names.add(schema.getItemAt(i).name);
  return names;
}

// The renderer silently drops properties it does not know (a typo such as "isMultiline" is lost).
// Walk the source JSON and report every key of a typed object that its registered class lacks.
function unknownProperties(node, where, out) {
  if (Array.isArray(node)) {
    node.forEach((item, i) => unknownProperties(item, `${where}[${i}]`, out));
    return;
  }
  if (node === null || typeof node !== "object") return;
  if (typeof node.type === "string") {
    let instance;
    if (node.type === "AdaptiveCard") instance = new AC.AdaptiveCard();
    else instance = AC.GlobalRegistry.elements.createInstance(node.type, TARGET_VERSION)
      || AC.GlobalRegistry.actions.createInstance(node.type, TARGET_VERSION);
    if (instance) {
      const known = schemaNames(instance);
      for (const key of Object.keys(node)) {
        if (!known.has(key) && !EXTRA_KEYS.has(key)) {
          out.push(`UnknownProperty in ${node.type} at ${where}: "${key}" is not a property of ${node.type} <= 1.5`);
        }
      }
    }
  }
  for (const [key, value] of Object.entries(node)) {
    if (key !== "data" && value && typeof value === "object") unknownProperties(value, `${where}.${key}`, out);
  }
}

function checkCard(json) {
  const errors = [];
  const warnings = [];
  if (json === null || typeof json !== "object" || Array.isArray(json)) {
    return { errors: ["card is not a JSON object"], warnings };
  }
  if (json.type !== "AdaptiveCard") errors.push(`MissingCardType: type is ${JSON.stringify(json.type)}`);

  const card = new AC.AdaptiveCard();
  card.hostConfig = TEAMS_HOST_CONFIG;
  const context = new AC.SerializationContext(TARGET_VERSION);
  try {
    card.parse(json, context);
  } catch (e) {
    errors.push(`parse threw: ${e && e.message ? e.message : String(e)}`);
    return { errors, warnings };
  }
  for (let i = 0; i < context.eventCount; i++) {
    const ev = context.getEventAt(i);
    (ERROR_EVENTS.has(ev.event) ? errors : warnings).push(describeEvent(ev));
  }
  const results = card.validateProperties();
  for (const ev of results.validationEvents) {
    (ERROR_EVENTS.has(ev.event) ? errors : warnings).push(describeEvent(ev));
  }
  unknownProperties(json, "$", warnings);

  try {
    const rendered = card.render();
    if (!rendered) errors.push("render returned nothing");
    else if (!rendered.textContent && !rendered.querySelector("img,input,button,select,textarea")) {
      warnings.push("rendered card is empty");
    }
  } catch (e) {
    errors.push(`render threw: ${e && e.message ? e.message : String(e)}`);
  }
  return { errors, warnings };
}

function main() {
  const chunks = [];
  process.stdin.on("data", (c) => chunks.push(c));
  process.stdin.on("end", () => {
    let cards;
    try {
      cards = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    } catch (e) {
      process.stderr.write(`cardcheck: stdin is not JSON: ${e.message}\n`);
      process.exit(2);
    }
    if (!Array.isArray(cards)) {
      process.stderr.write("cardcheck: stdin must be a JSON array of cards\n");
      process.exit(2);
    }
    process.stdout.write(JSON.stringify(cards.map(checkCard)));
    process.stdout.write("\n");
  });
}

main();
