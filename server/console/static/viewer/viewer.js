// The console's DICOM viewer: dwv over the hub's access-checked DICOMweb (same origin, the session
// cookie goes with every request; nothing is fetched from anywhere else).
import {App, AppOptions, Index, Point3D, ViewConfig, WindowLevel} from 'dwv';

const config = JSON.parse(document.getElementById('viewer-config').textContent);
const L = config.labels;
const root = document.getElementById('viewer');
const DICOM_JSON = {Accept: 'application/dicom+json'};
// Pixels as stored: dwv decodes JPEG, JPEG 2000 and RLE in its workers.
const WADO_ACCEPT = 'multipart/related; type="application/dicom"; transfer-syntax=*';
const KEY_OBJECT_SOP_CLASS = '1.2.840.10008.5.1.4.1.1.88.59';
// Window/level presets (centre, width) in HU, as radiologists in Vietnam name them.
const PRESETS = [
  ['lung', -600, 1500], ['mediastinum', 50, 350], ['bone', 400, 1800], ['brain', 40, 80], ['abdomen', 50, 400],
];

const base = `/dicomweb/studies/${config.study}`;
const value = (item, tag) => ((item[tag] || {}).Value || [undefined])[0];
let app;
let keys = new Set();  // SOP Instance UIDs the station marked as key images (a Key Object Selection)
const firstKeyOf = new Map();  // series UID -> its first key image's SOP Instance UID

function setState(state, detail = '') {
  root.dataset.state = state;
  document.getElementById('status').textContent = detail;
}

async function dicomJson(path) {
  const answer = await fetch(base + path, {headers: DICOM_JSON, credentials: 'same-origin'});
  if (answer.status === 204) return [];
  if (!answer.ok) {
    const error = new Error(`HTTP ${answer.status}`);
    error.status = answer.status;
    throw error;
  }
  return answer.json();
}

// Key images travel as a DICOM Key Object Selection document in the study (PS3.3 A.35.4): the
// instances its evidence sequence names are shown first.
async function keyImages(series) {
  const found = new Set();
  for (const s of series.filter((s) => value(s, '00080060') === 'KO')) {
    for (const item of await dicomJson(`/series/${value(s, '0020000E')}/metadata`)) {
      if (value(item, '00080016') !== KEY_OBJECT_SOP_CLASS) continue;
      for (const study of (item['0040A375'] || {}).Value || []) {
        for (const ser of (study['00081115'] || {}).Value || []) {
          for (const ref of (ser['00081199'] || {}).Value || []) found.add(value(ref, '00081155'));
        }
      }
    }
  }
  return found;
}

function viewController() {
  const group = app.getActiveLayerGroup();
  const layer = group && group.getActiveViewLayer();
  return layer ? layer.getViewController() : undefined;
}

function sliceCount() {
  const vc = viewController();
  return vc ? vc.getImageSize().get(2) : 0;
}

function goToSlice(k) {
  const vc = viewController();
  if (!vc) return;
  const values = vc.getCurrentIndex().getValues().slice();
  values[2] = Math.max(0, Math.min(sliceCount() - 1, k));
  vc.setCurrentIndex(new Index(values));
}

function currentSlice() {
  const vc = viewController();
  return vc ? vc.getCurrentIndex().get(2) : 0;
}

function showPosition() {
  const k = currentSlice();
  const n = sliceCount();
  const slider = document.getElementById('slice');
  slider.max = Math.max(0, n - 1);
  slider.value = k;
  const vc = viewController();
  const uid = vc ? vc.getCurrentImageUid() : '';
  const key = keys.has(uid);
  root.dataset.slice = String(k);
  root.dataset.instance = uid || '';
  root.dataset.key = key ? 'true' : 'false';
  document.getElementById('position').textContent = `${L.slice} ${k + 1}/${n}${key ? ' ★' : ''}`;
}

function showWindow() {
  const vc = viewController();
  if (!vc) return;
  const wl = vc.getWindowLevel();
  root.dataset.window = `${Math.round(wl.center)}/${Math.round(wl.width)}`;
  document.getElementById('window').textContent = `${L.window} C ${Math.round(wl.center)} W ${Math.round(wl.width)}`;
}

function goToImage(uid) {
  const vc = viewController();
  for (let k = 0; k < sliceCount(); ++k) {
    goToSlice(k);
    if (vc.getCurrentImageUid() === uid) return;
  }
}

function firstKeySlice() {
  const vc = viewController();
  for (let k = 0; k < sliceCount(); ++k) {
    goToSlice(k);
    if (keys.has(vc.getCurrentImageUid())) return k;
  }
  goToSlice(0);
  return 0;
}

// Every load ends in dwv's 'load' event; whoever waits for the current one is told here.
let loaded = () => {};
let opening = 0;  // which openSeries call is current (a click on another series abandons the previous)
let currentSeries = '';
let sliceOfUid = new Map();  // SOP Instance UID -> slice, for the series shown (the live session names slices so)

function load(url) {
  const done = new Promise((resolve) => { loaded = resolve; });
  // The whole series in one multipart answer: dwv 0.36 fails to stack slices that arrive as one
  // multipart answer per instance ("offset is out of bounds"), and one request is also fewer round
  // trips on a high-latency link.
  app.loadURLs([url], {requestHeaders: [{name: 'Accept', value: WADO_ACCEPT}]});
  return done;
}

async function openSeries(seriesUid, button) {
  const mine = ++opening;
  currentSeries = seriesUid;
  root.dataset.series = seriesUid;
  document.querySelectorAll('#series button').forEach((b) => b.setAttribute('aria-pressed', 'false'));
  button.setAttribute('aria-pressed', 'true');
  root.dataset.complete = 'false';
  setState('loading', L.loading);
  app.reset();
  const key = firstKeyOf.get(seriesUid);
  if (!key) {
    await load(`${base}/series/${seriesUid}`);
    root.dataset.complete = 'true';
    return;
  }
  // Key image first: on a district link a CT series takes minutes, its key image seconds. The
  // expert reads it while the series comes; the series then replaces it, from memory.
  await load(`${base}/series/${seriesUid}/instances/${key}`);
  const answer = await fetch(`${base}/series/${seriesUid}`, {headers: {Accept: WADO_ACCEPT}, credentials: 'same-origin'});
  if (!answer.ok || mine !== opening) return;  // the key image stays; or another series was chosen
  const whole = URL.createObjectURL(await answer.blob());
  if (mine !== opening) return;
  const vc = viewController();  // what the expert did to the key image carries over
  const kept = vc && {wl: vc.getWindowLevel(), uid: vc.getCurrentImageUid()};
  app.reset();
  await load(whole);
  URL.revokeObjectURL(whole);
  if (kept) {
    viewController().setWindowLevel(kept.wl);
    goToImage(kept.uid);
  }
  root.dataset.complete = 'true';
}

function seriesLabel(s) {
  const n = value(s, '00201209');
  const words = [value(s, '00080060'), value(s, '0008103E')].filter(Boolean).join(' · ');
  return `${words || L.series} (${n === undefined ? '?' : n})`;
}

function wireControls() {
  const presets = document.getElementById('presets');
  for (const [name, center, width] of PRESETS) {
    const b = document.createElement('button');
    b.type = 'button';
    b.dataset.preset = name;
    b.textContent = L.presets[name];
    b.title = `C ${center} / W ${width}`;
    b.addEventListener('click', () => {
      const vc = viewController();
      if (vc) vc.setWindowLevel(new WindowLevel(center, width));
    });
    presets.appendChild(b);
  }
  for (const b of document.querySelectorAll('[data-tool]')) {
    b.addEventListener('click', () => {
      app.setTool(b.dataset.tool);
      document.querySelectorAll('[data-tool]').forEach((t) => t.setAttribute('aria-pressed', String(t === b)));
    });
  }
  document.getElementById('reset').addEventListener('click', () => app.resetViews());
  document.getElementById('slice').addEventListener('input', (e) => goToSlice(Number(e.target.value)));
  document.getElementById('key').addEventListener('click', () => {
    const vc = viewController();
    const start = currentSlice();
    for (let step = 1; step <= sliceCount(); ++step) {
      goToSlice((start + step) % sliceCount());
      if (keys.has(vc.getCurrentImageUid())) return;
    }
    goToSlice(start);
  });
  window.addEventListener('keydown', (e) => {
    if (e.target.tagName === 'INPUT' && e.target.type !== 'range') return;
    const moves = {ArrowUp: -1, ArrowLeft: -1, PageUp: -10, ArrowDown: 1, ArrowRight: 1, PageDown: 10};
    if (e.key in moves) {
      goToSlice(currentSlice() + moves[e.key]);
      e.preventDefault();
    } else if (e.key === 'Home' || e.key === 'End') {
      goToSlice(e.key === 'Home' ? 0 : sliceCount() - 1);
      e.preventDefault();
    }
  });
}

// -- driven by the live session page -----------------------------------------------------------
// The live session page (static/live.js) embeds this viewer in a frame of the same origin. It reads
// the state here, makes this viewer follow the presenter's (`apply`), and hears of the person's own
// changes (`onChange`) to send them when this person presents. Fields are app/wire/live.py's
// ViewerState: zoom is relative to the fitted image, pan in image pixels from the centre.

function indexSlices() {
  sliceOfUid = new Map();
  const vc = viewController();
  const group = app.getActiveLayerGroup();
  const layer = group && group.getActiveViewLayer();
  const image = layer && app.getImage(layer.getDataId());
  if (!vc || !image) return;
  const values = vc.getCurrentIndex().getValues().slice();
  for (let k = 0; k < sliceCount(); ++k) {
    values[2] = k;
    sliceOfUid.set(image.getImageUid(new Index(values)), k);
  }
}

function spacing() {
  const group = app.getActiveLayerGroup();
  const layer = group && group.getActiveViewLayer();
  const image = layer && app.getImage(layer.getDataId());
  const s = image ? image.getGeometry().getSpacing() : undefined;
  return s ? [s.get(0) || 1, s.get(1) || 1] : [1, 1];
}

function imageCenter() {
  const group = app.getActiveLayerGroup();
  const layer = group && group.getActiveViewLayer();
  const image = layer && app.getImage(layer.getDataId());
  if (!image) return undefined;
  const geometry = image.getGeometry();
  const origin = geometry.getOrigin();
  const size = geometry.getSize();
  const [sx, sy] = spacing();
  return new Point3D(origin.getX() + ((size.get(0) - 1) * sx) / 2, origin.getY() + ((size.get(1) - 1) * sy) / 2,
      origin.getZ());
}

function showZoom() {
  const group = app.getActiveLayerGroup();
  if (!group) return;
  const zoom = group.getScale().x / (group.getBaseScale().x || 1);
  root.dataset.zoom = zoom.toFixed(2);
}

function viewerState() {
  const vc = viewController();
  const group = app.getActiveLayerGroup();
  if (!vc || !group) return null;
  const wl = vc.getWindowLevel();
  const uid = vc.getCurrentImageUid();
  const [sx, sy] = spacing();
  const offset = group.getOffset();
  return {
    study: config.study, series: currentSeries, index: currentSlice(), instance: uid || '',
    window_center: wl.center, window_width: wl.width,
    zoom: group.getScale().x / (group.getBaseScale().x || 1), pan_x: -offset.x / sx, pan_y: -offset.y / sy,
    key_image: keys.has(uid),
  };
}

const listeners = new Set();
let applying = 0;  // changes made by apply() are the presenter's, not this person's: not reported
let reportTimer = 0;

function changed() {
  if (applying || root.dataset.state !== 'ready') return;
  // One report per burst (a wheel turn moves several slices; a drag fires per pixel).
  clearTimeout(reportTimer);
  reportTimer = setTimeout(() => {
    const state = viewerState();
    if (state) for (const listener of listeners) listener(state);
  }, 40);
}

let following = Promise.resolve();
let wanted = null;  // the newest state asked for; older ones still queued are skipped

function apply(state) {
  wanted = state;
  following = following.then(() => (wanted === state ? follow(state) : undefined)).catch(() => {});
  return following;
}

async function follow(state) {
  applying += 1;
  try {
    if (state.series && state.series !== currentSeries) {
      const button = [...document.querySelectorAll('#series button')].find((b) => b.dataset.series === state.series);
      if (button) await openSeries(state.series, button);
    }
    const vc = viewController();
    if (!vc) return;
    const k = state.instance && sliceOfUid.has(state.instance) ? sliceOfUid.get(state.instance) : state.index;
    if (Number.isInteger(k)) goToSlice(k);
    if (state.window_center !== null && state.window_center !== undefined && state.window_width) {
      vc.setWindowLevel(new WindowLevel(state.window_center, state.window_width));
    }
    const group = app.getActiveLayerGroup();
    if (group && state.zoom > 0) {
      // From the fitted image: zoomed about the image's centre, then moved by the pan.
      group.resetZoomPan();
      const base = group.getBaseScale();
      const center = imageCenter();
      if (state.zoom !== 1) group.setScale({x: base.x * state.zoom, y: base.y * state.zoom, z: base.z}, center);
      const [sx, sy] = spacing();
      group.setOffset({x: -(state.pan_x || 0) * sx, y: -(state.pan_y || 0) * sy, z: 0});
      group.draw();
    }
    showPosition();
    showWindow();
    showZoom();
    root.dataset.followed = String(state.seq ?? '');
  } finally {
    applying -= 1;
  }
}

window.diemcauViewer = {
  state: viewerState,
  apply,
  onChange: (listener) => listeners.add(listener),
  series: () => [...document.querySelectorAll('#series button')].map((b) => b.dataset.series),
};

async function main() {
  app = new App();
  const options = new AppOptions({'*': [new ViewConfig('layerGroup0')]});
  options.tools = {Scroll: {}, WindowLevel: {}, ZoomAndPan: {}};
  app.init(options);
  app.addEventListener('load', () => {
    app.setTool('Scroll');
    const vc = viewController();
    vc.addWindowLevelPresets({});  // keep dwv's own (from the file) next to ours
    indexSlices();
    firstKeySlice();
    showPosition();
    showWindow();
    setState('ready', '');
    loaded();
  });
  app.addEventListener('positionchange', () => { showPosition(); changed(); });
  app.addEventListener('wlchange', () => { showWindow(); changed(); });
  app.addEventListener('zoomchange', () => { showZoom(); changed(); });
  app.addEventListener('offsetchange', () => { showZoom(); changed(); });
  app.addEventListener('loadprogress', (e) => setState('loading', `${L.loading} ${Math.round(e.loaded)}%`));
  app.addEventListener('error', () => setState('error', L.unavailable));
  window.addEventListener('resize', () => app.onResize());
  wireControls();

  let series;
  try {
    series = await dicomJson('/series');
  } catch (error) {
    root.dataset.status = String(error.status || 0);
    setState('denied', L.unavailable);
    return;
  }
  keys = await keyImages(series).catch(() => new Set());
  const images = series.filter((s) => value(s, '00080060') !== 'KO');
  // Series holding key images first, then in the order the modality numbered them.
  for (const s of images) {
    if (keys.size === 0) break;
    const uid = value(s, '0020000E');
    const listed = await dicomJson(`/series/${uid}/instances`).catch(() => []);
    listed.sort((a, b) => (value(a, '00200013') || 0) - (value(b, '00200013') || 0));
    const first = listed.find((i) => keys.has(value(i, '00080018')));
    if (first) firstKeyOf.set(uid, value(first, '00080018'));
  }
  const hasKeys = firstKeyOf;
  images.sort((a, b) => (hasKeys.has(value(b, '0020000E')) - hasKeys.has(value(a, '0020000E'))) ||
      ((value(a, '00200011') || 0) - (value(b, '00200011') || 0)));
  document.getElementById('key').hidden = keys.size === 0;
  const list = document.getElementById('series');
  for (const s of images) {
    const uid = value(s, '0020000E');
    const b = document.createElement('button');
    b.type = 'button';
    b.dataset.series = uid;
    b.textContent = (hasKeys.has(uid) ? '★ ' : '') + seriesLabel(s);
    b.addEventListener('click', () => openSeries(uid, b));
    const li = document.createElement('li');
    li.appendChild(b);
    list.appendChild(li);
  }
  if (images.length === 0) {
    setState('empty', L.empty);
    return;
  }
  openSeries(value(images[0], '0020000E'), list.querySelector('button'));
}

main();
