// Loads Rocket.Chat's state resolver from the @rocket.chat/federation-sdk bundle.
//
// The package exports only the SDK facade; the resolver is an internal function of the minified bundle
// (dist/index.js). This appends exports for the internal names and compiles the bundle as a module (loading it needs
// no MongoDB; init() is what would connect). Names are those of 0.8.0 (pinned in package.json):
//   L1 = resolveStateV2Plus(states, store), A = PersistentEventFactory.
// They change with every release; re-find them by grepping the bundle for "auth event not found in eventMap" (inside
// resolveStateV2Plus) and "static createFromRawEvent" (inside the factory class).
// The bundle uses Iterator helpers and Set.prototype.union (Node >= 22); on Node 20 core-js polyfills them.
'use strict';
require('core-js/actual/iterator');
require('core-js/actual/set');
const fs = require('fs');
const Module = require('module');
const path = require('path');

const file = path.join(__dirname, 'node_modules/@rocket.chat/federation-sdk/dist/index.js');
if (!fs.existsSync(file)) {
  throw new Error(`${file} is missing: run "npm install" in ${__dirname}`);
}

let source = fs.readFileSync(file, 'utf8');
source += '\nmodule.exports.__resolveStateV2Plus=L1;module.exports.__EventFactory=A;';
const m = new Module(file, module);
m.filename = file;
m.paths = Module._nodeModulePaths(path.dirname(file));
m._compile(source, file);

const version = JSON.parse(fs.readFileSync(path.join(__dirname, 'node_modules/@rocket.chat/federation-sdk/package.json'), 'utf8')).version;

module.exports = {
  resolveStateV2Plus: m.exports.__resolveStateV2Plus,
  EventFactory: m.exports.__EventFactory,
  version,
};
