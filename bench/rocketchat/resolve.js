#!/usr/bin/env node
// Resolves the state sets of a room document (the `federation resolve` file format, as exported by
// `dotnet run -c Release --project tests/Federation.StateResolution.Benchmarks -- export ...`) with Rocket.Chat's
// resolver, and prints one JSON object: its resolved state (in the document's event ids) and the time per resolution.
//
//   node resolve.js ROOM.json [--reps N]
//
// Event ids: Rocket.Chat computes every event id itself (the reference hash of the event), so the document's ids
// cannot be kept. Events are rebuilt parents first with their prev_events/auth_events rewritten to Rocket.Chat's ids,
// and a map from Rocket.Chat's id back to the document's id translates the result. The DAG, contents, senders,
// depths and timestamps are exactly the document's; only the id strings differ (and with them any tie-break on ids,
// which the generated rooms never reach: their origin_server_ts values are all distinct).
//
// Timing covers resolveStateV2Plus only; events are rebuilt (fresh objects, fresh in-memory store) before every
// repetition, because the resolver marks rejected events on the event objects.
'use strict';
const fs = require('fs');

function usage(message) {
  process.stderr.write(`${message}\nusage: node resolve.js ROOM.json [--reps N]\n`);
  process.exit(2);
}

const args = process.argv.slice(2);
let file = null;
let reps = 1;
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--reps') {
    reps = Number.parseInt(args[++i], 10);
    if (!(reps >= 1)) usage('--reps needs a positive integer');
  } else if (file === null) {
    file = args[i];
  } else {
    usage(`unexpected argument ${args[i]}`);
  }
}
if (file === null) usage('ROOM.json is required');

// The SDK logs through console (rejections via console.warn); keep stdout for the JSON result.
let warnings = 0;
console.warn = () => { warnings++; };
console.log = console.info = console.debug = (...a) => process.stderr.write(a.join(' ') + '\n');

const rc = require('./load.js');
const F = rc.EventFactory;

const doc = JSON.parse(fs.readFileSync(file, 'utf8'));
const roomVersion = String(doc.room_version);
if (!F.isSupportedRoomVersion(roomVersion)) {
  process.stdout.write(JSON.stringify({ implementation: 'rocketchat', sdk_version: rc.version, room_version: roomVersion, supported: false }) + '\n');
  process.exit(0);
}
if (!Array.isArray(doc.state_sets)) usage(`${file} has no state_sets`);

const refId = (r) => (Array.isArray(r) ? r[0] : r);
const drafts = new Map();
for (const ev of doc.events) drafts.set(ev.event_id, ev);

// Parents (prev and auth events) before children; ids not in the document are dropped, as the engine does.
function topologicalOrder() {
  const order = [];
  const state = new Map();
  for (const root of doc.events) {
    if (state.has(root.event_id)) continue;
    const stack = [[root, 0]];
    state.set(root.event_id, 1);
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      const [ev] = top;
      const refs = [...(ev.prev_events || []), ...(ev.auth_events || [])].map(refId);
      let descended = false;
      while (top[1] < refs.length) {
        const id = refs[top[1]++];
        const parent = drafts.get(id);
        if (!parent || state.has(id)) continue;
        state.set(id, 1);
        stack.push([parent, 0]);
        descended = true;
        break;
      }
      if (!descended) {
        stack.pop();
        state.set(ev.event_id, 2);
        order.push(ev);
      }
    }
  }
  return order;
}

const order = topologicalOrder();

function build() {
  const toRc = new Map(); // document id -> Rocket.Chat event
  const toDoc = new Map(); // Rocket.Chat id -> document id
  for (const draft of order) {
    const { event_id: id, prev_events: prev, auth_events: auth, ...rest } = draft;
    const mapRefs = (list) => (list || []).map(refId).filter((r) => toRc.has(r)).map((r) => toRc.get(r).eventId);
    const raw = { ...rest, prev_events: mapRefs(prev), auth_events: mapRefs(auth) };
    const event = F.createFromRawEvent(raw, roomVersion);
    toRc.set(id, event);
    toDoc.set(event.eventId, id);
  }

  const states = doc.state_sets.map((set) => {
    const map = new Map();
    for (const [type, stateKey, id] of set) {
      const event = toRc.get(id);
      if (!event) throw new Error(`state set entry ${id} is not in events`);
      map.set(event.getUniqueStateIdentifier(), event);
    }
    return map;
  });
  const byId = new Map([...toRc.values()].map((e) => [e.eventId, e]));
  let lookups = 0;
  const store = {
    async getEvents(ids) {
      lookups += ids.length;
      const found = [];
      for (const id of ids) {
        const e = byId.get(id);
        if (e) found.push(e);
      }
      return found;
    },
  };
  return { states, store, toDoc, lookups: () => lookups };
}

(async () => {
  const times = [];
  const cpuTimes = [];
  let state = null;
  let storeLookups = 0;
  let peakRss = process.memoryUsage().rss;
  const rssBefore = peakRss;
  for (let r = 0; r < reps; r++) {
    const input = build();
    const cpuStarted = process.cpuUsage();
    const started = process.hrtime.bigint();
    const out = await rc.resolveStateV2Plus(input.states, input.store);
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
    const cpu = process.cpuUsage(cpuStarted);
    cpuTimes.push((cpu.user + cpu.system) / 1000);
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    if (r === 0) {
      storeLookups = input.lookups();
      state = [...out.values()]
        .map((e) => [e.type, e.stateKey, input.toDoc.get(e.eventId) ?? `unmapped:${e.eventId}`])
        .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
    }
  }
  const median = (values) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)];
  const sorted = [...times].sort((a, b) => a - b);
  process.stdout.write(JSON.stringify({
    implementation: 'rocketchat',
    sdk_version: rc.version,
    node_version: process.version,
    room_version: roomVersion,
    supported: true,
    events: order.length,
    state_set_sizes: doc.state_sets.map((s) => s.length),
    reps,
    times_ms: times,
    p50_ms: median(times),
    min_ms: sorted[0],
    cpu_ms: cpuTimes,
    cpu_ms_p50: median(cpuTimes),
    store_lookups_first_rep: storeLookups,
    console_warnings_all_reps: warnings,
    rss_before_first_rep_bytes: rssBefore,
    peak_rss_bytes: peakRss,
    state,
  }) + '\n');
})().catch((e) => {
  process.stderr.write(`error: ${e && e.stack ? e.stack : e}\n`);
  process.exit(1);
});
