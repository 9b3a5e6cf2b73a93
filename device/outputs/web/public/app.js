// The web board page: plain browser JavaScript, no build step, no framework.
// Every piece of board data (above all the Name tag, which anyone with ec2:CreateTags can set) is
// untrusted: it reaches the DOM only through textContent, setAttribute and CSSOM properties, after
// sanitize(). Never innerHTML. The CSP (script-src 'self', style-src 'self') backs this up.

const $ = (id) => document.getElementById(id);
const NAME_MAX = 40;
const COLOR = /^#[0-9a-f]{6}$/i;

// Escape sequences are removed whole (CSI, OSC/DCS/SOS/PM/APC strings, other ESC sequences, 8-bit
// forms), like device/base/sanitize.ts does for the terminal, so no "[31m" residue is shown.
const ESCAPES = new RegExp(
  [
    '\\u001b\\[[0-?]*[ -/]*[@-~]?',
    '\\u009b[0-?]*[ -/]*[@-~]?',
    '(?:\\u001b[\\]PX^_]|[\\u0090\\u0098\\u009d-\\u009f])[\\s\\S]*?(?:\\u0007|\\u001b\\\\|\\u009c|$)',
    '\\u001b[ -/]*[0-~]?',
  ].join('|'),
  'g',
);
const SPACES = /[\t\n\v\f\r\u2028\u2029]/g;
// Controls (Cc) and format characters (Cf: bidi overrides and isolates, zero-width, BOM, tags).
const INVISIBLE = /[\p{Cc}\p{Cf}]/gu;

/** Untrusted text -> plain visible text with no controls, bidi overrides or escape sequences. */
function sanitize(value) {
  const text = String(value ?? '').slice(0, 4096);
  const wellFormed = typeof text.toWellFormed === 'function' ? text.toWellFormed() : text;
  return wellFormed
    .replace(ESCAPES, '')
    .replace(SPACES, ' ')
    .replace(INVISIBLE, '')
    .replace(/ {2,}/g, ' ')
    .trim();
}

/** At most `max` characters (code points), the last one an ellipsis when cut. */
function shorten(text, max) {
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

function duration(ms) {
  const min = Math.floor(Math.max(0, ms) / 60_000);
  if (min < 1) return 'under a minute';
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60);
  if (h < 48) return min % 60 === 0 ? `${h} h` : `${h} h ${min % 60} min`;
  return `${Math.floor(h / 24)} days`;
}

function sinceText(instance) {
  return `${sanitize(instance.state)} for ${duration(Date.now() - Number(instance.sinceMs))}`;
}

function sinceTitle(instance) {
  const date = new Date(Number(instance.sinceMs));
  return Number.isNaN(date.getTime()) ? '' : `since ${date.toLocaleString()}`;
}

function displayName(instance) {
  return sanitize(instance.name) || sanitize(instance.id);
}

/** At most `max` characters, cut in the middle: an ARN keeps its service and its name. */
function shortenMiddle(text, max) {
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  const tail = Math.floor((max - 1) / 2);
  return `${chars.slice(0, max - 1 - tail).join('')}…${chars.slice(chars.length - tail).join('')}`;
}

/** Sets text and, when the text was cut, the full text as a tooltip. */
function setText(el, full, max, cut = shorten) {
  const short = cut(full, max);
  el.textContent = short;
  if (short !== full) el.setAttribute('title', full);
  else el.removeAttribute('title');
}

const ui = {
  board: null, // the last legend received
  pixels: new Map(), // "x,y" -> pixel
  cells: [], // buttons, index y * width + x
  size: '', // "width,height" the cells were built for
  hovered: null, // "x,y" under the pointer
  pinned: null, // "x,y" clicked, tapped or chosen in the legend
  agent: 'connecting', // 'connecting' | 'live' | 'lost'
  key: null, // GET /api/kinds: every kind, its states, colours and looks
  looks: new Map(), // "kind state" -> 'steady' | 'pulsing' | 'flashing'
  quiet: new Map(), // "kind state" of an urgent state -> its colour once acknowledged or snoozed
  keyShown: null, // the kinds the key shows now, space-separated
};

const ID_MAX = 24;
const LOOKS = new Set(['steady', 'pulsing', 'flashing']);
/** The look of a pixel's state (the board pulses things in progress and flashes an ALARM). */
const lookOf = (entry) => (entry ? (ui.looks.get(`${entry.kind} ${entry.state}`) ?? 'steady') : 'steady');
/** True for an urgent state (it flashes until someone acknowledges or snoozes it). */
const isUrgent = (entry) => Boolean(entry) && ui.quiet.has(`${entry.kind} ${entry.state}`);
/** Acknowledged or snoozed and urgent: the board shows it steady and dimmed instead of flashing. */
const isQuiet = (entry) => isUrgent(entry) && Boolean(entry.attention);

/** "acknowledged" / "snoozed" / "" for a legend entry. */
function attentionWord(entry) {
  if (entry?.attention?.acknowledged) return 'acknowledged';
  if (entry?.attention?.snoozed) return 'snoozed';
  return '';
}

const keyOf = (x, y) => `${x},${y}`;
const shownKey = () => ui.hovered ?? ui.pinned;

function buildCells(width, height) {
  const board = $('board');
  board.style.setProperty('--w', String(width));
  board.style.setProperty('--h', String(height));
  ui.size = keyOf(width, height);
  const cells = [];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const cell = document.createElement('button');
      cell.type = 'button';
      cell.className = 'pixel';
      cell.dataset.x = String(x);
      cell.dataset.y = String(y);
      const key = keyOf(x, y);
      cell.addEventListener('mouseenter', () => show(key, ui.pinned));
      cell.addEventListener('mouseleave', () => show(null, ui.pinned));
      cell.addEventListener('click', () => show(null, key));
      // Focus shows a pixel like hover does; Enter or Space (a click) pins it, so Tab can go on
      // past the other pixels to the detail panel's buttons with the chosen one still shown.
      cell.addEventListener('focus', () => show(key, ui.pinned));
      cell.addEventListener('blur', () => show(null, ui.pinned));
      cells.push(cell);
    }
  }
  ui.cells = cells;
  board.replaceChildren(...cells);
}

function renderBoard() {
  const { width, height } = ui.board;
  if (ui.size !== keyOf(width, height)) buildCells(width, height);
  const counts = new Map(); // kind -> pixels showing one
  ui.cells.forEach((cell, index) => {
    const x = index % width;
    const y = Math.floor(index / width);
    const pixel = ui.pixels.get(keyOf(x, y));
    const instance = pixel?.entry;
    const quiet = isQuiet(instance) ? ui.quiet.get(`${instance.kind} ${instance.state}`) : undefined;
    const color =
      quiet && COLOR.test(quiet) ? quiet : pixel && COLOR.test(pixel.color) ? pixel.color : '#000000';
    const on = color !== '#000000';
    cell.classList.toggle('lit', on);
    cell.style.backgroundColor = on ? color : '';
    cell.style.color = on ? color : '';
    cell.classList.toggle('selected', ui.pinned === keyOf(x, y));
    cell.classList.toggle('quiet', quiet !== undefined);
    const look = on && quiet === undefined ? lookOf(instance) : 'steady';
    cell.classList.toggle('pulsing', look === 'pulsing');
    cell.classList.toggle('flashing', look === 'flashing');
    if (instance) counts.set(instance.kind, (counts.get(instance.kind) ?? 0) + 1);
    const seen = attentionWord(instance);
    const label = instance
      ? `${shorten(displayName(instance), NAME_MAX)}, ${sanitize(instance.state)}${seen ? `, ${seen}` : ''}`
      : 'free';
    cell.setAttribute('aria-label', `pixel ${x},${y}: ${label}`);
  });
  $('board-caption').textContent = `${width}×${height} board · ${countText(counts)}`;
}

/** "52 shown: 48 instances, 4 alarms"; "40 instances shown" with one kind; kinds in key order. */
function countText(counts) {
  const plural = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`;
  const order = (ui.key?.kinds ?? []).map((k) => k.kind);
  const kinds = [...counts.keys()].sort((a, b) => rank(order, a) - rank(order, b));
  const label = (kind) => sanitize(ui.key?.kinds.find((k) => k.kind === kind)?.label ?? kind);
  const parts = kinds.map((kind) => plural(counts.get(kind), label(kind)));
  const total = [...counts.values()].reduce((sum, n) => sum + n, 0);
  if (parts.length === 0) return 'nothing shown yet';
  if (parts.length === 1) return `${parts[0]} shown`;
  return `${total} shown: ${parts.join(', ')}`;
}

function rank(order, kind) {
  const i = order.indexOf(kind);
  return i === -1 ? order.length : i;
}

function badge(id, text, tone) {
  const el = $(id);
  el.textContent = text;
  el.className = `badge ${tone}`;
  el.classList.toggle('stale', ui.agent !== 'live' && id !== 'badge-agent');
}

const AGENT = {
  connecting: ['connecting to agent…', 'warn'],
  live: ['live', 'ok'],
  lost: ['page lost contact with agent', 'bad'],
};

function renderBadges() {
  badge('badge-agent', ...AGENT[ui.agent]);
  $('board').classList.toggle('stale', ui.agent === 'lost');
  const view = ui.board;
  if (!view) return;
  badge('badge-mqtt', view.connected ? 'MQTT connected' : 'MQTT disconnected', view.connected ? 'ok' : 'bad');
  badge('badge-sync', view.synced ? 'synced with EC2' : 'not yet synced', view.synced ? 'ok' : 'warn');
  const overflow = Number(view.overflow) || 0;
  $('badge-overflow').hidden = overflow === 0;
  badge('badge-overflow', `+${overflow} instance${overflow === 1 ? '' : 's'} without a pixel`, 'warn');
  const highlight = view.highlight;
  const blinking = highlight && Number(highlight.untilMs) > Date.now();
  $('badge-highlight').hidden = !blinking;
  if (blinking)
    badge(
      'badge-highlight',
      `blinking: ${shorten(sanitize(highlight.name) || sanitize(highlight.id), NAME_MAX)}`,
      'warn',
    );
  const brightness = view.brightness;
  $('badge-brightness').hidden = !brightness;
  if (brightness)
    badge('badge-brightness', brightnessText(brightness), brightness.level === 'off' ? 'warn' : 'ok');
  const update = view.update;
  $('badge-update').hidden = !update;
  if (update) badge('badge-update', ...updateBadge(update));
}

/** "version 1.0.0", "updating to 1.1.0 (installing)", "version 1.1.0 · last update FAILED: why". */
function updateBadge(update) {
  if (update.phase !== 'idle')
    return [`version ${update.version}, updating to ${update.target} (${update.phase})`, 'warn'];
  const last = update.last;
  if (!last) return [`version ${update.version}`, 'ok'];
  if (last.status === 'SUCCEEDED')
    return [`version ${update.version} · last update ${last.version} succeeded`, 'ok'];
  return [`version ${update.version} · last update ${last.version} ${last.status}: ${last.reason}`, 'bad'];
}

/** Night mode: "brightness 10%, off at Sun 23:00" (the next change in this browser's time zone). */
function brightnessText(brightness) {
  const level = (value) => (value === 'off' ? 'off' : `${Math.round(Number(value) * 100) || 0}%`);
  const how = brightness.manual ? ' (set by hand)' : brightness.urgent ? ' (urgent pixels lit)' : '';
  const now = `brightness ${level(brightness.level)}${how}`;
  const at = Number(brightness.next?.atMs);
  if (!Number.isFinite(at)) return now;
  const when = new Date(at).toLocaleString(undefined, {
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
  });
  return `${now}, ${level(brightness.next.level)} at ${when}`;
}

function renderDetail() {
  const key = shownKey();
  const pixel = key === null ? undefined : ui.pixels.get(key);
  $('detail-empty').hidden = key !== null;
  $('detail-body').hidden = key === null;
  if (key === null) return;
  const instance = pixel?.entry;
  $('detail-pixel').textContent = key;
  setText($('detail-title'), instance ? displayName(instance) : 'Nothing on this pixel', 60);
  $('detail-kind').textContent = instance ? sanitize(instance.kind) : '—';
  $('detail-id').textContent = instance ? sanitize(instance.id) : '—';
  $('detail-state').textContent = instance ? sanitize(instance.state) : '—';
  $('detail-swatch').style.backgroundColor = pixel && COLOR.test(pixel.color) ? pixel.color : '';
  $('detail-region').textContent = instance ? sanitize(instance.region) : '—';
  $('detail-account').textContent = instance ? accountText(instance) : '—';
  $('detail-since').textContent = instance ? sinceText(instance) : '—';
  $('detail-since').setAttribute('title', instance ? sinceTitle(instance) : '');
  $('detail-notice').textContent = instance?.notice ? noticeText(instance.notice) : '—';
  $('detail-notice').classList.toggle('warn', instance?.notice?.urgent === true);
  renderAttention(instance);
}

/** "by web 3 min ago" */
function whoText(record) {
  return `by ${sanitize(record.by)} ${duration(Date.now() - Number(record.atMs))} ago`.replace(
    'under a minute ago',
    'just now',
  );
}

function clockText(ms) {
  const date = new Date(Number(ms));
  if (Number.isNaN(date.getTime())) return '?';
  return date.toLocaleString(undefined, { weekday: 'short', hour: '2-digit', minute: '2-digit' });
}

/**
 * The detail panel's "I've seen it": acknowledge (urgent and not yet acknowledged), snooze for a
 * chosen time, end a snooze; and what holds now, for every viewer (it comes with the board).
 */
function renderAttention(instance) {
  $('attention').hidden = !instance;
  if (!instance) return;
  const { acknowledged, snoozed } = instance.attention ?? {};
  const lines = [];
  if (acknowledged) lines.push(`Acknowledged ${whoText(acknowledged)}.`);
  if (snoozed)
    lines.push(
      `Snoozed${snoozed.kind ? ` with every ${sanitize(instance.kind)}` : ''} ${whoText(snoozed)}, until ${clockText(snoozed.untilMs)}.`,
    );
  // An urgent notice (a Spot interruption) can be acknowledged too, like an urgent state.
  const urgent = isUrgent(instance) || instance.notice?.urgent === true;
  if (lines.length === 0)
    lines.push(urgent ? 'Urgent: it flashes until someone acknowledges or snoozes it.' : 'Not urgent.');
  $('attention-state').textContent = lines.join(' ');
  $('acknowledge').hidden = !urgent || Boolean(acknowledged);
  $('unsnooze').hidden = !snoozed;
}

/** "spot-interruption (terminate), urgent: due 14:02, until 14:03" — what is about to happen. */
function noticeText(notice) {
  const at = (ms) => {
    const date = new Date(Number(ms));
    return Number.isNaN(date.getTime())
      ? '?'
      : date.toLocaleString(undefined, {
          month: 'short',
          day: 'numeric',
          hour: '2-digit',
          minute: '2-digit',
        });
  };
  const action = notice.action ? ` (${sanitize(notice.action)})` : '';
  return `${sanitize(notice.code)}${action}${notice.urgent ? ', urgent' : ''}: due ${at(notice.startMs)}, until ${at(notice.endMs)}`;
}

/** "prod (111111111111)" with a label, else the id; "stale" when the account could not be listed. */
function accountText(instance) {
  const id = sanitize(instance.account);
  const text = instance.accountLabel ? `${sanitize(instance.accountLabel)} (${id})` : id;
  return instance.stale ? `${text} · stale` : text;
}

function renderAccounts() {
  const accounts = Array.isArray(ui.board?.accounts) ? ui.board.accounts : [];
  const items = accounts.map((account) => {
    const li = document.createElement('li');
    li.className = account.stale ? 'badge warn' : 'badge ok';
    li.textContent = `${sanitize(account.label)} (${sanitize(account.id)})${account.stale ? ' · stale' : ''}`;
    if (account.stale) li.title = sanitize(account.stale);
    return li;
  });
  $('legend-accounts').replaceChildren(...items);
  $('legend-accounts').hidden = items.length === 0;
}

function legendRow(pixel) {
  const { entry: instance } = pixel;
  const row = document.createElement('tr');
  const cell = (text, className) => {
    const td = document.createElement('td');
    if (className) td.className = className;
    td.textContent = text;
    row.append(td);
    return td;
  };
  cell(keyOf(pixel.x, pixel.y), 'mono');
  const swatch = document.createElement('span');
  swatch.className = 'swatch';
  const quiet = isQuiet(instance) ? ui.quiet.get(`${instance.kind} ${instance.state}`) : undefined;
  const shown = quiet && COLOR.test(quiet) ? quiet : pixel.color;
  swatch.style.backgroundColor = COLOR.test(shown) ? shown : '#000000';
  cell('').append(swatch);
  cell(sanitize(instance.kind));
  setText(cell('', 'mono'), sanitize(instance.id), ID_MAX, shortenMiddle);
  setText(cell('', 'name'), sanitize(instance.name), NAME_MAX);
  const seen = attentionWord(instance);
  cell(seen ? `${sanitize(instance.state)} · ${seen}` : sanitize(instance.state));
  cell(sanitize(instance.region));
  cell(instance.accountLabel ? sanitize(instance.accountLabel) : sanitize(instance.account), 'mono').title =
    sanitize(instance.stale ? `${instance.account} (stale)` : instance.account);
  // The state has its own column: the time in it alone, the date as a tooltip.
  cell(duration(Date.now() - Number(instance.sinceMs))).setAttribute('title', sinceTitle(instance));
  const key = keyOf(pixel.x, pixel.y);
  row.classList.toggle('selected', ui.pinned === key);
  row.addEventListener('click', () => show(null, key));
  return row;
}

function renderLegend() {
  const rows = [...ui.pixels.values()]
    .filter((pixel) => pixel.entry)
    .sort((a, b) => a.y - b.y || a.x - b.x)
    .map(legendRow);
  $('legend-rows').replaceChildren(...rows);
  renderAccounts();
  $('legend-empty').hidden = rows.length > 0;
}

/**
 * The colour key: each kind on the board (instances always), its states in their colours, and how
 * the board shows them (pulses, flashes). Built from GET /api/kinds, so it holds every kind the
 * agent knows and the colours its config chose.
 */
function renderKey() {
  const kinds = Array.isArray(ui.key?.kinds) ? ui.key.kinds : [];
  const present = new Set([...ui.pixels.values()].map((pixel) => pixel.entry?.kind).filter(Boolean));
  const shown = kinds.filter((k, i) => i === 0 || present.has(k.kind));
  // Rebuilt only when the kinds shown change: a rebuilt swatch would restart its flashing.
  const signature = shown.map((k) => k.kind).join(' ');
  if (signature === ui.keyShown) return;
  ui.keyShown = signature;
  const groups = shown.map((k) => {
    const group = document.createElement('div');
    group.className = 'key-kind';
    const title = document.createElement('h3');
    title.textContent = sanitize(k.label || k.kind);
    const list = document.createElement('ul');
    for (const state of Array.isArray(k.states) ? k.states : []) {
      const item = document.createElement('li');
      const swatch = document.createElement('span');
      const look = LOOKS.has(state.look) ? state.look : 'steady';
      swatch.className = `swatch key-swatch ${look}`;
      if (COLOR.test(state.color)) {
        swatch.style.backgroundColor = state.color;
        swatch.style.color = state.color;
      }
      const name = document.createElement('span');
      name.textContent = sanitize(state.state);
      item.append(swatch, name);
      if (look !== 'steady') {
        const how = document.createElement('span');
        how.className = 'muted';
        how.textContent = look === 'flashing' ? ' flashes' : ' pulses';
        item.append(how);
      }
      list.append(item);
      if (state.urgent && COLOR.test(state.quietColor ?? '')) {
        // The same state once someone said "I've seen it": steady, dimmed.
        const quiet = document.createElement('li');
        const dim = document.createElement('span');
        dim.className = 'swatch key-swatch steady';
        dim.style.backgroundColor = state.quietColor;
        const text = document.createElement('span');
        text.textContent = `${sanitize(state.state)}, acknowledged or snoozed`;
        const how = document.createElement('span');
        how.className = 'muted';
        how.textContent = ' steady, dimmed';
        quiet.append(dim, text, how);
        list.append(quiet);
      }
    }
    group.append(title, list);
    return group;
  });
  $('key').replaceChildren(...groups);
  $('key-empty').hidden = groups.length > 0;
}

async function loadKey() {
  try {
    const res = await fetch('/api/kinds');
    const key = await res.json();
    if (!Array.isArray(key?.kinds)) return;
    ui.key = key;
    ui.keyShown = null;
    ui.looks = new Map(
      key.kinds.flatMap((k) =>
        (Array.isArray(k.states) ? k.states : []).map((s) => [`${k.kind} ${s.state}`, s.look]),
      ),
    );
    ui.quiet = new Map(
      key.kinds.flatMap((k) =>
        (Array.isArray(k.states) ? k.states : [])
          .filter((s) => s.urgent)
          .map((s) => [`${k.kind} ${s.state}`, s.quietColor]),
      ),
    );
    renderKey();
    render();
  } catch {
    $('key-empty').textContent = 'Could not load the colours.';
  }
}

function render() {
  renderBadges();
  if (!ui.board) return;
  renderBoard();
  renderDetail();
  renderLegend();
  renderKey();
}

function show(hovered, pinned) {
  const repin = pinned !== ui.pinned;
  ui.hovered = hovered;
  ui.pinned = pinned;
  if (!repin) return renderDetail();
  $('identify-status').textContent = '';
  $('attention-status').textContent = '';
  render();
}

function receive(view) {
  const { width, height, pixels } = view ?? {};
  if (!Number.isInteger(width) || !Number.isInteger(height) || !Array.isArray(pixels)) return;
  if (width < 1 || height < 1 || width * height > 4096) return;
  ui.board = view;
  ui.pixels = new Map(pixels.map((pixel) => [keyOf(pixel.x, pixel.y), pixel]));
  if (ui.size !== keyOf(width, height)) {
    ui.hovered = null;
    ui.pinned = null;
  }
  render();
}

async function identify() {
  const key = shownKey();
  if (key === null) return;
  const [x, y] = key.split(',').map(Number);
  const status = $('identify-status');
  status.textContent = `Asking the agent to blink ${key}…`;
  try {
    const res = await fetch('/api/identify', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ x, y }),
    });
    const body = await res.json().catch(() => ({}));
    status.textContent = res.ok
      ? `Pixel ${key} is blinking on the board.`
      : sanitize(body.error || res.status);
  } catch {
    status.textContent = 'Could not reach the agent.';
  }
}

/** Acknowledge / snooze / unsnooze the item on the shown pixel; the board event shows the result. */
async function attention(action) {
  const key = shownKey();
  const instance = key === null ? undefined : ui.pixels.get(key)?.entry;
  if (!instance) return;
  const status = $('attention-status');
  const body = { action, target: { id: String(instance.id) } };
  if (action === 'snooze') body.durationMs = Number($('snooze-for').value);
  status.textContent = 'Asking the agent…';
  try {
    const res = await fetch('/api/attention', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    const answer = await res.json().catch(() => ({}));
    status.textContent = sanitize(res.ok ? answer.message : answer.error || res.status);
  } catch {
    status.textContent = 'Could not reach the agent.';
  }
}

let retryMs = 1000;
/** The agent pings every 15 s: after this long without a word, the stream is dead. */
const SILENCE_MS = 40_000;
let lastHeard = Date.now();
let current = null;

function connect() {
  const source = new EventSource('/api/events');
  current = source;
  lastHeard = Date.now();
  source.addEventListener('open', () => {
    retryMs = 1000;
    lastHeard = Date.now();
    ui.agent = 'live';
    renderBadges();
  });
  source.addEventListener('ping', () => {
    lastHeard = Date.now();
  });
  source.addEventListener('board', (event) => {
    lastHeard = Date.now();
    ui.agent = 'live';
    try {
      receive(JSON.parse(event.data));
    } catch {
      // A broken event is dropped; the next one carries the whole board again.
    }
  });
  source.addEventListener('error', () => {
    ui.agent = 'lost';
    renderBadges();
    // The browser retries by itself after a dropped stream, but gives up on an HTTP error
    // (503 when too many pages are open): retry ourselves, backing off to 30 s.
    if (source.readyState === EventSource.CLOSED) {
      setTimeout(connect, retryMs);
      retryMs = Math.min(retryMs * 2, 30_000);
    }
  });
}

// A stream can die without an error (a suspended laptop, a dropped Wi-Fi): say so and reconnect.
setInterval(() => {
  if (current === null || Date.now() - lastHeard < SILENCE_MS) return;
  current.close();
  ui.agent = 'lost';
  renderBadges();
  connect();
}, 5_000);

$('identify').addEventListener('click', identify);
$('acknowledge').addEventListener('click', () => attention('acknowledge'));
$('snooze').addEventListener('click', () => attention('snooze'));
$('unsnooze').addEventListener('click', () => attention('unsnooze'));
// Keep "running for 3 min" true while nothing changes.
setInterval(render, 15_000);
renderBadges();
void loadKey();
connect();
