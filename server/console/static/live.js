// The console's live session page: an expert joins the case's live consultation from the browser.
//
// janus.js (npm janus-gateway) and webrtc-adapter, served by the hub (never a CDN). One VideoRoom
// publisher handle (camera and microphone when the browser has them, and always a data channel) and
// one multistream subscriber handle for everyone else. The data channel carries app/wire/live.py's
// messages ({type, sender, body}); "viewer" bodies are its ViewerState and drive the embedded DICOM
// viewer (/console/viewer in a frame of the same origin, static/viewer/viewer.js).
import Janus from '/console/live/lib/janus.es.js';
import {initials as lettersOf} from '/console/static/initials.js';

const config = JSON.parse(document.getElementById('live-config').textContent);
const L = config.labels;
const root = document.getElementById('live');
const $ = (id) => document.getElementById(id);

// app/wire/live.py
const VIEWER = 'viewer';
const PRESENTING = 'presenting';
const HAND = 'hand';
const MEDIA = 'media';  // app/live/session.py: {"audio", "video", "site"}: what a participant sends now
const STATE_EVERY_MS = 5000;  // repeated for those who joined since, as the stations do
const REPEAT_VIEWER_MS = 2000;  // a presenter's viewer state, likewise (app/ui/viewer_sync.py)
const MAX_MESSAGE_BYTES = 4096;

// The quality this browser asks for, as a station's (app/live/session.py Quality). HIGH: everyone's video.
// LOW: the video of LOW_VIDEO_FEEDS participants only (the presenter, then who talks or talked last), the
// others' video streams paused on our subscription (VideoRoom configure send:false per mid: Janus stops
// relaying them, no renegotiation), their voices still heard; our camera at 360p, 15 fps, 300 kbit/s.
// AUDIO_ONLY: nobody's video, and ours not sent.
const HIGH = 'high';
const LOW = 'low';
const AUDIO_ONLY = 'audio-only';
const SENDING = {[HIGH]: {fps: 0, bitrate: 0}, [LOW]: {fps: 15, bitrate: 300000}, [AUDIO_ONLY]: {fps: 0, bitrate: 64000}};
const LOW_VIDEO_FEEDS = 2;     // 2 videos are what a 1 Mbit/s line can take (the station's LOW_VIDEO_FEEDS)
const TALK_GAP_MS = 3000;      // a pause in speech shorter than this is the same turn (the station's TALK_GAP_S)
// navigator.connection (Chromium): about 1.4 Mbit/s (±10 %) before it has measured anything, about 0.9 on a
// 1 Mbit/s line; the station's link grades otherwise (app/domain/check.py: under 1 Mbit/s down, audio only).
const SLOW_DOWNLINK_MBPS = 1.2;
const AUDIO_DOWNLINK_MBPS = 0.3;
const SLOW_RTT_MS = 400;
const LOSS_EVERY_MS = 2000;    // the subscription's packet loss, measured over this window...
const LOSSY = 0.05;            // ...above this fraction twice in a row: the link cannot carry everyone's video

let details = null;       // the hub's join details
let janus = null;
let publisher = null;     // our VideoRoom publisher handle
let subscriber = null;    // one multistream handle for every other feed
let myId = null;
let myPrivateId = null;
let joined = false;
let leaving = false;
let presenting = false;
let viewerSeq = 0;
let handRaised = false;
const lastSeq = new Map();             // sender -> the newest viewer seq applied from them
const feeds = new Map();               // publisher id -> {display, tile}
const midToFeed = new Map();           // subscriber mid -> publisher id
const subscribed = new Set();          // feeds asked for
let subscribing = false;               // a subscribe/renegotiation in flight
const queue = [];                      // feeds waiting for it
let retryTimer = 0;
let quality = HIGH;
let qualityBy = 'default';             // 'link' when chosen from the link, 'person' once chosen on the page
const midKind = new Map();             // subscriber mid -> 'audio' | 'video' | 'data'
const paused = new Map();              // video mid -> the feed whose stream we asked Janus not to send (quality)
const announcedVideo = new Map();      // feed -> false while it says it sends no video (MEDIA)
const talkingNow = new Set();          // feeds talking now (Janus's events or their audio level)
const spoke = new Map();               // feed -> when its turn to talk began
const stoppedAt = new Map();           // feed -> when it stopped talking
let presenterFeed = '';                // who presents the case (PRESENTING), first for the video in LOW quality
let choiceWanted = false;              // a quality choice waits for the subscription in flight
let choiceSent = null;                 // the quality's last configure, until Janus says it is done

function say(text, kind = 'info') {
  const status = $('live-status');
  status.textContent = text;
  status.dataset.kind = kind;
}

// Out of the call for good (until a reload): its controls would seem to work and do nothing. While joining or
// reconnecting they stay: what they set (a raised hand, the quality) is announced once the call is back.
const OVER = new Set(['failed', 'removed', 'ended', 'left']);
const DEVICE_CONTROLS = ['mute', 'camera'];  // enabled by publish(), as the devices allow
const CALL_CONTROLS = [...DEVICE_CONTROLS, 'hand', 'quality', 'present', 'record'];

// The session is over for this page (ended, or taken out of the room): nothing reconnects or polls any more.
const finished = () => root.dataset.state === 'ended' || root.dataset.state === 'removed';

function setState(state) {
  root.dataset.state = state;
  if (state === 'joined') {  // back after a failure that retries (the video server away)
    for (const id of CALL_CONTROLS) if ($(id) && !DEVICE_CONTROLS.includes(id)) $(id).disabled = false;
  } else if (OVER.has(state)) {
    for (const id of CALL_CONTROLS) if ($(id)) $(id).disabled = true;
    if (presenting) setPresenting(false);
  }
}

async function post(path, body) {
  let answer = await fetch(`/console/live/${config.id}/${path}`, {
    method: 'POST', credentials: 'same-origin',
    headers: {'Content-Type': 'application/json', 'X-CSRF-Token': config.csrf},
    body: JSON.stringify(body || {}),
  });
  if (answer.redirected && new URL(answer.url).pathname === '/console/login') {
    answer = {status: 401, ok: false, headers: new Headers()};  // signed out: sent to sign in (fetch followed)
  }
  let json = {};
  try { json = await answer.json(); } catch (e) { /* an HTML error page */ }
  return {status: answer.status, ok: answer.ok, json, response: answer};
}

// A control's call (consent, recording): its failure is said as on every page of the console (static/errors.js:
// page expired, signed out, refused, no answer) instead of a button that does nothing; the answer when it worked.
async function call(path, body) {
  let answer;
  try {
    answer = await post(path, body);
  } catch (e) {
    window.requestAlert.say(null);
    return null;
  }
  if (answer.status === 409 && answer.json.code === 'ended') { ended(); return null; }
  if (!answer.ok) { window.requestAlert.say(answer.response); return null; }
  window.requestAlert.clear();
  return answer;
}

// -- tiles --------------------------------------------------------------------------------------

function splitDisplay(display) {
  // "BS Lan — TTYT huyện Mèo Vạc": the person, then the site (the hub writes it so).
  const [name, ...site] = String(display || '').split(' — ');
  return {name, site: site.join(' — ')};
}

function makeTile(key, display, mine = false) {
  let tile = document.querySelector(`.tile[data-feed="${CSS.escape(String(key))}"]`);
  if (tile) return tile;
  tile = document.createElement('figure');
  tile.className = 'tile' + (mine ? ' mine' : '');
  tile.dataset.feed = String(key);
  tile.dataset.display = display;
  const video = document.createElement('video');
  video.autoplay = true;
  video.playsInline = true;
  video.muted = mine;  // never hear oneself
  const initials = document.createElement('div');
  initials.className = 'nameplate';
  const {name, site} = splitDisplay(display);
  const letters = document.createElement('span');
  letters.textContent = lettersOf(name);  // as the stations letter it (MV for TTYT huyện Mèo Vạc)
  // Why no picture comes while the quality pauses this participant's video (their voice still does).
  const note = document.createElement('p');
  note.className = 'paused-note';
  note.hidden = true;
  initials.append(letters, note);
  const caption = document.createElement('figcaption');
  caption.innerHTML = '<strong></strong><span class="site"></span><span class="hand" hidden>✋</span>';
  caption.querySelector('strong').textContent = mine ? `${name} (${L.you})` : name;
  caption.querySelector('.site').textContent = site;
  tile.append(video, initials, caption);
  $('tiles').appendChild(tile);
  return tile;
}

function removeTile(key) {
  const tile = document.querySelector(`.tile[data-feed="${CSS.escape(String(key))}"]`);
  if (tile) tile.remove();
}

function attachTrack(tile, track) {
  const video = tile.querySelector('video');
  let stream = video.srcObject;
  if (!stream) {
    stream = new MediaStream();
    video.srcObject = stream;
  }
  for (const old of stream.getTracks().filter((t) => t.kind === track.kind && t.id !== track.id)) stream.removeTrack(old);
  if (!stream.getTracks().includes(track)) stream.addTrack(track);
  if (track.kind === 'video') tile.dataset.video = 'on';
  if (track.kind === 'audio' && !tile.classList.contains('mine')) watchLevel(tile, track);
  video.play().catch(() => {});
}

function detachTrack(tile, track) {
  const video = tile.querySelector('video');
  if (video.srcObject) video.srcObject.removeTrack(track);
  if (track.kind === 'video') tile.dataset.video = 'off';
}

function talking(id, on) {
  // Janus's talking events (the room's audiolevel_event), by publisher id; ours is the 'me' tile.
  const key = id === myId ? 'me' : id;
  const tile = document.querySelector(`.tile[data-feed="${CSS.escape(String(key))}"]`);
  if (tile) tile.classList.toggle('talking', on);
  if (key !== 'me') noteTalk(String(key));  // the speaker's turn, for the video a LOW quality receives
}

// The active speaker from the audio itself (Janus's talking events need the room's audiolevel_event;
// this works whatever the room says).
let audioContext = null;
function watchLevel(tile, track) {
  try {
    audioContext = audioContext || new AudioContext();
    const source = audioContext.createMediaStreamSource(new MediaStream([track]));
    const analyser = audioContext.createAnalyser();
    analyser.fftSize = 512;
    source.connect(analyser);
    const samples = new Uint8Array(analyser.fftSize);
    let loud = 0;
    const timer = setInterval(() => {
      if (!tile.isConnected || track.readyState === 'ended') { clearInterval(timer); return; }
      analyser.getByteTimeDomainData(samples);
      let peak = 0;
      for (const s of samples) peak = Math.max(peak, Math.abs(s - 128));
      loud = peak > 12 ? 3 : Math.max(0, loud - 1);  // ~0.6 s of hang so a pause between words does not flicker
      if (tile.classList.contains('speaking') !== loud > 0) {
        tile.classList.toggle('speaking', loud > 0);
        noteTalk(tile.dataset.feed);  // the speaker's turn, for the video a LOW quality receives
      }
    }, 200);
  } catch (e) { /* no audio context: no highlight */ }
}

// -- the data channel ---------------------------------------------------------------------------

function myDisplay() {
  return details ? details.display : '';
}

function send(type, body) {
  if (!publisher || myId === null) return;
  const text = JSON.stringify({type, sender: myDisplay(), body});
  if (text.length > MAX_MESSAGE_BYTES) return;
  // Labelled with our participant id, as the stations label theirs: receivers know who sent it.
  publisher.data({text, label: String(myId), error: () => {}});
}

function decode(text) {
  if (typeof text !== 'string' || text.length > MAX_MESSAGE_BYTES) return null;
  let raw;
  try { raw = JSON.parse(text); } catch (e) { return null; }
  if (!raw || typeof raw !== 'object' || typeof raw.type !== 'string') return null;
  const body = raw.body === undefined ? {} : raw.body;
  if (!body || typeof body !== 'object' || Array.isArray(body)) return null;
  return {type: raw.type, sender: String(raw.sender || '').slice(0, 200), body};
}

function tileOf(label, sender) {
  // By the channel's label (the sender's participant id), else by the display name it gives.
  const byLabel = document.querySelector(`.tile[data-feed="${CSS.escape(String(label || ''))}"]`);
  return byLabel || [...document.querySelectorAll('.tile')].find((t) => t.dataset.display === sender);
}

function onData(text, label) {
  const message = decode(text);
  if (!message) return;
  if (message.type === VIEWER) followViewer(message);
  else if (message.type === PRESENTING) {
    const who = String(message.body.presenter || '');
    $('presenter').textContent = who ? `${L.presenting_now} ${who}` : '';
    if (who && who !== myDisplay() && presenting) setPresenting(false, false);
    // The presenter's video comes first in LOW quality (a participant can only say that it presents itself).
    const tile = who ? tileOf(label, message.sender) : null;
    const next = tile && !tile.classList.contains('mine') ? tile.dataset.feed : '';
    if (next !== presenterFeed) { presenterFeed = next; chooseVideo(); }
  } else if (message.type === HAND) {
    const tile = tileOf(label, message.sender);
    if (tile && !tile.classList.contains('mine')) {
      const raised = Boolean(message.body.up);
      tile.querySelector('.hand').hidden = !raised;
      tile.classList.toggle('hand-up', raised);
    }
  } else if (message.type === MEDIA) {
    const tile = tileOf(label, message.sender);
    if (tile && !tile.classList.contains('mine')) {
      tile.classList.toggle('muted', message.body.audio === false);
      if (message.body.video === false) tile.dataset.video = 'off';
      // A camera that is off gives its place in LOW quality to one that is on.
      const sends = message.body.video !== false;
      if (announcedVideo.get(tile.dataset.feed) !== sends) {
        announcedVideo.set(tile.dataset.feed, sends);
        chooseVideo();
      }
    }
  }
}

let repeats = [];

function announce() {
  sendState();
  // A message sent while a receiver replaces its subscription (make before break) can be lost, and the channel
  // does not repeat it: the same state again a little later reaches it (a repeat changes nothing there).
  for (const timer of repeats) clearTimeout(timer);
  repeats = [2000, 6000].map((ms) => setTimeout(sendState, ms));
}

function sendState() {
  const audio = root.dataset.microphone === 'on' && !(publisher && publisher.isAudioMuted());
  const video = root.dataset.camera === 'on' && !(publisher && publisher.isVideoMuted()) && quality !== AUDIO_ONLY;
  // `hears`: whose streams reach us now; a station that finds itself there repeats what we missed of it.
  send(MEDIA, {audio, video, site: details ? details.site : '', hears: [...subscribed].map(String)});
  send(HAND, {up: handRaised});
}

// -- the synced viewer --------------------------------------------------------------------------

const frame = () => $('viewer-frame');
const viewerApi = () => (frame() && frame().contentWindow ? frame().contentWindow.diemcauViewer : undefined);
let pendingState = null;  // arrived before the viewer (or another study) was ready

function viewerReady() {
  try {
    const doc = frame().contentDocument;
    const el = doc && doc.getElementById('viewer');
    return el && el.dataset.state === 'ready' && viewerApi();
  } catch (e) { return false; }
}

function showStudy(study) {
  if (!frame() || root.dataset.study === study) return;
  root.dataset.study = study;
  frame().src = `/console/viewer?study=${encodeURIComponent(study)}`;
  for (const b of document.querySelectorAll('#studies button')) b.setAttribute('aria-pressed', String(b.dataset.study === study));
}

function number(value) {
  if (value === null || value === undefined || value === '') return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}

function viewerState(body) {
  // As app/wire/live.py's viewer_state(): anything malformed is dropped.
  if (typeof body.study !== 'string' || typeof body.series !== 'string') return null;
  const index = Number.parseInt(body.index ?? 0, 10);
  const seq = Number.parseInt(body.seq ?? 0, 10);
  if (!Number.isFinite(index) || !Number.isFinite(seq)) return null;
  return {
    study: body.study, series: body.series, index, instance: String(body.instance || ''),
    window_center: number(body.window_center), window_width: number(body.window_width),
    zoom: number(body.zoom) ?? 1, pan_x: number(body.pan_x) ?? 0, pan_y: number(body.pan_y) ?? 0,
    key_image: Boolean(body.key_image), seq,
  };
}

// The channel names images by the case's de-identified UIDs only (app/wire/live.py): every participant hears
// it, experts abroad too. The hub's join details map them to the originals this person's viewer holds
// (`uids`: de-identified -> original; empty for an expert abroad, whose copy has the channel's UIDs).
let sharedOf = null;  // the reverse mapping, made once per join details
let sharedFor = null;

function ownUid(uid) {
  const uids = (details && details.uids) || {};
  return Object.prototype.hasOwnProperty.call(uids, uid) ? uids[uid] : uid;
}

function sharedState(state) {
  // Our viewer's UIDs as the channel names them. A study not in the mapping is a de-identified copy (what
  // an expert abroad holds): its UIDs are the channel's already. In an original study, a UID the mapping
  // lacks is not sent at all (the others find the slice by its index).
  if (sharedFor !== details) {
    sharedFor = details;
    sharedOf = new Map(Object.entries((details && details.uids) || {}).map(([shared, own]) => [own, shared]));
  }
  const original = sharedOf.has(state.study);
  const shared = (uid) => (uid && original ? sharedOf.get(uid) || '' : uid || '');
  return {...state, study: shared(state.study), series: shared(state.series), instance: shared(state.instance)};
}

function followViewer(message) {
  if (presenting) return;  // we present: the others follow us
  const state = viewerState(message.body);
  if (!state) return;
  if (state.seq <= (lastSeq.get(message.sender) ?? -1)) return;  // an older state arriving late
  const studies = details.studies || [];
  state.study = ownUid(state.study);
  state.series = ownUid(state.series);
  state.instance = ownUid(state.instance);
  lastSeq.set(message.sender, state.seq);
  $('presenter').textContent = `${L.presenting_now} ${message.sender}`;
  root.dataset.followSeq = String(state.seq);
  // A study of the case we hold (else the series shown: the slice is then found by its index).
  if (studies.includes(state.study) && root.dataset.study !== state.study) showStudy(state.study);
  pendingState = state;
  applyPending();
}

function applyPending() {
  if (!pendingState || !viewerReady()) return;
  const state = pendingState;
  pendingState = null;
  viewerApi().apply(state).then(() => { root.dataset.appliedSeq = String(state.seq); });
}

function wireViewer() {
  if (!frame()) return;
  frame().addEventListener('load', () => {
    const api = viewerApi();
    if (!api) return;
    // Inside this page the viewer's own way back to the inbox would open the inbox in the frame.
    const back = frame().contentDocument.getElementById('back');
    if (back) back.hidden = true;
    api.onChange((state) => { if (presenting) sendViewer(state); });
  });
  // The viewer says "ready" on its own element; a state that came earlier waits for it.
  setInterval(applyPending, 150);
  // While presenting, the state is repeated for those who joined since (they ignore what they have).
  // Same seq: it costs those who have it nothing.
  setInterval(() => { if (presenting && lastSent) send(VIEWER, lastSent); }, REPEAT_VIEWER_MS);
}

let lastSent = null;
function sendViewer(state) {
  // seq from the clock: still rising after this page is reloaded and presents again (followers keep the
  // newest seq per presenter), as the stations count theirs.
  viewerSeq = Math.max(viewerSeq + 1, Date.now());
  lastSent = {...sharedState(state), seq: viewerSeq};
  send(VIEWER, lastSent);
  root.dataset.sentSeq = String(viewerSeq);
}

function setPresenting(on, announce = true) {
  presenting = on;
  const button = $('present');
  button.setAttribute('aria-pressed', String(on));
  button.textContent = on ? L.stop_presenting : L.present;
  if (on) {
    if (announce) send(PRESENTING, {presenter: myDisplay()});
    $('presenter').textContent = `${L.presenting_now} ${L.you}`;
    const api = viewerApi();
    const state = api && api.state();
    if (state) sendViewer(state);
  } else if (announce) {
    send(PRESENTING, {presenter: ''});
    $('presenter').textContent = '';
  }
}

// -- Janus --------------------------------------------------------------------------------------

async function hasDevice(kind) {
  try {
    return (await navigator.mediaDevices.enumerateDevices()).some((d) => d.kind === kind);
  } catch (e) { return false; }
}

async function publish() {
  const audio = await hasDevice('audioinput');
  const video = await hasDevice('videoinput');
  const tracks = [{type: 'data'}];
  if (audio) tracks.push({type: 'audio', capture: true, recv: false});
  if (video) tracks.push({type: 'video', capture: {width: 640, height: 360}, recv: false});
  const offer = (wanted) => new Promise((resolve, reject) => {
    publisher.createOffer({tracks: wanted, success: resolve, error: reject});
  });
  let jsep;
  let sent = {audio, video};
  try {
    jsep = await offer(tracks);
  } catch (error) {
    // A camera or microphone that is there but refused or busy: take part with a name tile.
    sent = {audio: false, video: false};
    jsep = await offer([{type: 'data'}]);
  }
  root.dataset.camera = sent.video ? 'on' : 'none';
  root.dataset.microphone = sent.audio ? 'on' : 'none';
  $('mute').disabled = !sent.audio;
  $('camera').disabled = !sent.video;
  if (!sent.video) say(sent.audio ? L.no_camera : L.no_devices);
  publisher.send({message: {request: 'configure', audio: sent.audio, video: sent.video, data: true}, jsep});
}

function subscribeTo(list) {
  for (const p of list || []) {
    if (p.id === myId || subscribed.has(p.id)) continue;
    feeds.set(p.id, {display: p.display || ''});
    makeTile(p.id, p.display || '');
    subscribed.add(p.id);
    queue.push(p.id);
  }
  nextSubscription();
}

function nextSubscription() {
  if (subscribing || queue.length === 0) return;
  subscribing = true;
  const streams = queue.splice(0).map((feed) => ({feed}));
  if (!subscriber) {
    attachSubscriber(streams);
  } else {
    subscriber.send({message: {request: 'subscribe', streams}});
  }
}

function attachSubscriber(streams) {
  janus.attach({
    plugin: 'janus.plugin.videoroom',
    opaqueId: details.janus.opaque_id,
    success: (handle) => {
      subscriber = handle;
      handle.send({message: {request: 'join', ptype: 'subscriber', room: details.janus.room, streams,
        use_msid: false, private_id: myPrivateId, token: details.janus.room_token}});
    },
    error: () => { subscribing = false; },
    onmessage: (msg, jsep) => {
      if (msg.streams) {
        for (const s of msg.streams) {
          if (s.feed_id !== undefined) midToFeed.set(s.mid, s.feed_id);
          if (s.type) midKind.set(s.mid, s.type);
        }
      }
      if (msg.configured === 'ok') choiceSent = null;
      if (msg.error) {
        subscribing = false;
        // A refused request: undo what the quality's last configure was taken to have done; the next change
        // (a speaker, the quality) sends it again, as a station tries again (harmless if it had been done).
        for (const change of choiceSent || []) {
          if (change.send) paused.set(change.mid, midToFeed.get(change.mid));
          else paused.delete(change.mid);
        }
        choiceSent = null;
        if (choiceWanted) chooseVideo();  // one that waited for the refused subscribe
        else showPaused();
      }
      if (jsep) {
        subscriber.createAnswer({
          jsep, tracks: [{type: 'data'}],
          success: (answer) => {
            subscriber.send({message: {request: 'start', room: details.janus.room}, jsep: answer});
            subscribing = false;
            nextSubscription();
            chooseVideo();  // streams just added come unpaused: the quality pauses them again
            setTimeout(announce, 500);  // once the new streams flow: whom we hear now
          },
          error: () => { subscribing = false; },
        });
      } else if (msg.videoroom === 'updated' || msg.videoroom === 'attached') {
        subscribing = false;
        nextSubscription();
        chooseVideo();  // as after an answer: what the quality receives
      }
    },
    onremotetrack: (track, mid, on) => {
      const feed = midToFeed.get(mid);
      if (feed === undefined) return;
      const tile = makeTile(feed, (feeds.get(feed) || {}).display || '');
      if (on) attachTrack(tile, track);
      else detachTrack(tile, track);
    },
    ondata: (data, label) => onData(data, label),
    iceState: (state) => {
      if (state === 'disconnected' || state === 'failed') say(L.link_trouble, 'warn');
      else if (state === 'connected' || state === 'completed') clearTrouble();
    },
  });
}

function dropFeed(id) {
  feeds.delete(id);
  subscribed.delete(id);
  removeTile(id);
  for (const [mid, feed] of [...midToFeed]) if (feed === id) midToFeed.delete(mid);
  for (const [mid, feed] of [...paused]) if (feed === id) paused.delete(mid);
  for (const known of [announcedVideo, spoke, stoppedAt]) known.delete(id);
  talkingNow.delete(id);
  if (presenterFeed === id) presenterFeed = '';
  chooseVideo();  // in LOW quality, another's video may take its place
}

function clearTrouble() {
  if ($('live-status').dataset.kind === 'warn') say('');
}

function onPublisherMessage(msg, jsep) {
  const event = msg.videoroom;
  if (event === 'joined') {
    myId = msg.id;
    myPrivateId = msg.private_id;
    joined = true;
    setState('joined');
    say('');
    makeTile('me', myDisplay(), true);
    publish().catch(() => say(L.no_devices));
    subscribeTo(msg.publishers);
  } else if (event === 'event') {
    if (msg.publishers) subscribeTo(msg.publishers);
    if (msg.leaving === 'ok' && msg.reason === 'kicked') { removed(); return; }  // taken out by the host
    for (const key of ['unpublished', 'leaving']) {
      if (msg[key] !== undefined && msg[key] !== 'ok') dropFeed(msg[key]);
    }
    if (msg.error_code) failed(msg.error_code === 433 || msg.error_code === 432 ? L.refused : L.sfu_unavailable);
  } else if (event === 'talking') talking(msg.id, true);
  else if (event === 'stopped-talking') talking(msg.id, false);
  else if (event === 'destroyed') ended();
  if (jsep) publisher.handleRemoteJsep({jsep});
}

function failed(text) {
  setState('failed');
  say(text, 'error');
}

function ended() {
  setState('ended');
  say(L.ended, 'info');
  if (janus) janus.destroy({cleanupHandles: true});
}

function removed() {
  // Not a loss to reconnect from: the page stops and says so (a silent "joined" no one else saw).
  setState('removed');
  say(L.removed, 'error');
  reset();
}

// This tab's join, so that leaving takes out this tab only (the same expert's other tabs stay).
function thisJoin() {
  return {join: (details && details.janus && details.janus.opaque_id) || ''};
}

function startJanus() {
  janus = new Janus({
    server: details.janus.url,
    token: details.janus.token,
    iceServers: details.janus.ice_servers || [],
    success: () => {
      janus.attach({
        plugin: 'janus.plugin.videoroom',
        opaqueId: details.janus.opaque_id,
        success: (handle) => {
          publisher = handle;
          handle.send({message: {request: 'join', ptype: 'publisher', room: details.janus.room,
            display: details.display, token: details.janus.room_token}});
        },
        error: () => reconnectSoon(),
        onmessage: onPublisherMessage,
        onlocaltrack: (track, on) => {
          const tile = makeTile('me', myDisplay(), true);
          if (on) attachTrack(tile, track);
          else detachTrack(tile, track);
        },
        ondata: (data, label) => onData(data, label),
        ondataopen: () => { root.dataset.channel = 'open'; announce(); },
        iceState: (state) => {
          if (state === 'disconnected' || state === 'failed') say(L.link_trouble, 'warn');
          else if (state === 'connected' || state === 'completed') clearTrouble();
        },
        webrtcState: (up) => {
          root.dataset.publishing = up ? 'true' : 'false';
          if (up) applySending();  // the quality chosen before our media was up
        },
      });
    },
    error: () => reconnectSoon(),
    destroyed: () => {},
  });
}

function reset() {
  try { if (janus) janus.destroy({cleanupHandles: true, notifyDestroyed: false}); } catch (e) { /* gone */ }
  janus = publisher = subscriber = null;
  myId = myPrivateId = null;
  joined = false;
  subscribing = false;
  queue.length = 0;
  subscribed.clear();
  midToFeed.clear();
  midKind.clear();
  paused.clear();  // a new subscription sends every stream (the quality pauses them again)
  choiceWanted = false;
  choiceSent = null;
  for (const id of [...feeds.keys()]) dropFeed(id);
  removeTile('me');
}

function reconnectSoon() {
  if (leaving || finished()) return;
  setState('reconnecting');
  say(L.reconnecting, 'warn');
  reset();
  clearTimeout(retryTimer);
  retryTimer = setTimeout(join, 3000);
}

async function join() {
  if (leaving) return;
  setState('joining');
  let answer;
  try {
    answer = await post('join');
  } catch (e) {
    reconnectSoon();
    return;
  }
  if (leaving) return;  // left while the ticket was on its way: not into the room after all
  if (answer.status === 409) { ended(); return; }
  if (!answer.ok && window.requestAlert.pageRefused(answer.response)) {
    // This page's sign-in is over (an old CSRF token, signed out): "not invited" would be wrong, and so would
    // trying again; the page says why and how to go on (reload).
    failed('');
    window.requestAlert.say(answer.response);
    return;
  }
  if (answer.status === 403 || answer.status === 404) { failed(L.refused); return; }
  if (answer.status === 503) {
    failed(L.sfu_unavailable);
    clearTimeout(retryTimer);
    retryTimer = setTimeout(join, 10000);
    return;
  }
  if (!answer.ok) { reconnectSoon(); return; }
  details = answer.json;
  showCase(details);
  showRecording(details.recording);
  if (!root.dataset.study && (details.studies || []).length) showStudy(details.studies[0]);
  startJanus();
}

function showCase(d) {
  const c = d.case || {};
  const sex = {male: L.male, female: L.female, other: L.other}[c.sex] || '';
  const parts = [c.code, c.initials, c.age !== undefined && c.age !== null && c.age !== '' ? `${c.age} ${L.years}` : '', sex];
  $('case-line').textContent = parts.filter(Boolean).join(' · ');
  const studies = $('studies');
  studies.textContent = '';
  (d.studies || []).forEach((uid, n) => {
    const b = document.createElement('button');
    b.type = 'button';
    b.dataset.study = uid;
    b.textContent = `${L.study} ${n + 1}`;
    b.setAttribute('aria-pressed', String(root.dataset.study === uid));
    b.addEventListener('click', () => showStudy(uid));
    studies.appendChild(b);
  });
  studies.hidden = (d.studies || []).length < 2;
}

// -- quality: what we receive and send ------------------------------------------------------------

function noteTalk(feed) {
  // When a turn to talk begins and ends (Janus's talking events or the audio level, whichever says so):
  // a restart within TALK_GAP_MS goes on with the same turn, so the video LOW quality receives does not flap.
  const tile = document.querySelector(`.tile[data-feed="${CSS.escape(String(feed))}"]`);
  const on = Boolean(tile && tile.matches('.talking, .speaking'));
  if (on === talkingNow.has(feed)) return;
  const now = Date.now();
  if (on) {
    talkingNow.add(feed);
    if (now - (stoppedAt.get(feed) ?? -Infinity) >= TALK_GAP_MS || !spoke.has(feed)) spoke.set(feed, now);
    chooseVideo();
  } else {
    talkingNow.delete(feed);
    stoppedAt.set(feed, now);
    // Still counted as talking until the gap is over: then it may give its place to another.
    setTimeout(chooseVideo, TALK_GAP_MS + 100);
  }
}

function videoFeeds() {
  const sending = [...midToFeed].filter(([mid, feed]) => midKind.get(mid) === 'video' && feeds.has(feed));
  return [...new Set(sending.map(([, feed]) => feed))];
}

function videoWanted() {
  // Whose video we receive: everyone's in HIGH, nobody's in AUDIO_ONLY; in LOW the presenter, then the case's
  // own site (where the patient is), then who talks now (the latest to start first), then who talked last, then
  // who came first; a camera that is off gives way. (The station's rule: app/live/video_choice.py.)
  const all = videoFeeds();
  if (quality === HIGH) return new Set(all);
  if (quality === AUDIO_ONLY) return new Set();
  const order = [...feeds.keys()];
  const now = Date.now();
  const rank = (feed) => {
    const talking = talkingNow.has(feed) || now - (stoppedAt.get(feed) ?? -Infinity) < TALK_GAP_MS;
    const last = talking ? (spoke.get(feed) || 0) : (stoppedAt.get(feed) ?? spoke.get(feed) ?? 0);
    const home = ((details && details.home_sites) || []).includes((feeds.get(feed) || {}).display) ? 0 : 1;
    return [announcedVideo.get(feed) === false ? 1 : 0, feed === presenterFeed ? 0 : 1, home, talking ? 0 : 1, -last,
      order.indexOf(feed)];
  };
  const before = (a, b) => {
    const ra = rank(a);
    const rb = rank(b);
    for (let i = 0; i < ra.length; i += 1) if (ra[i] !== rb[i]) return ra[i] - rb[i];
    return 0;
  };
  return new Set(all.sort(before).slice(0, LOW_VIDEO_FEEDS));
}

function chooseVideo() {
  // Pauses or resumes video streams on our subscription as videoWanted() says: VideoRoom configure with
  // send per mid, as a LOW station does (Janus only stops relaying them; no renegotiation).
  if (!subscriber || subscribing) { choiceWanted = true; return; }  // done once the subscription is ready
  choiceWanted = false;
  const wanted = videoWanted();
  const changes = [];
  for (const [mid, feed] of midToFeed) {
    if (midKind.get(mid) !== 'video' || !feeds.has(feed)) continue;
    const want = wanted.has(feed);
    if (want === (paused.get(mid) === feed)) changes.push({mid, send: want});
  }
  if (changes.length) {
    // Requests on one handle are handled in order: a later choice never overtakes this one.
    subscriber.send({message: {request: 'configure', streams: changes}});
    choiceSent = changes;
    for (const change of changes) {
      if (change.send) paused.delete(change.mid);
      else paused.set(change.mid, midToFeed.get(change.mid));
    }
  }
  showPaused();
}

function showPaused() {
  // A tile whose video the quality pauses says why; its name shows instead of a frozen picture.
  const pausedFeeds = new Set([...paused].filter(([mid, feed]) => midToFeed.get(mid) === feed).map(([, f]) => String(f)));
  for (const tile of document.querySelectorAll('.tile:not(.mine)')) {
    const on = pausedFeeds.has(tile.dataset.feed);
    const note = tile.querySelector('.paused-note');
    if (on) tile.dataset.paused = quality;
    else delete tile.dataset.paused;
    if (note) {
      note.hidden = !on;
      note.textContent = on ? (quality === AUDIO_ONLY ? L.video_audio_only : L.video_paused) : '';
    }
  }
  root.dataset.receivingVideo = String(videoFeeds().length - pausedFeeds.size);
}

async function applySending() {
  // Our camera as the quality says (the station's LOW: 360p, 15 fps, 300 kbit/s; AUDIO_ONLY: not sent), by
  // the sender's encoding (no renegotiation), and Janus's bitrate cap (REMB) as the station asks for it.
  const pc = publisher && publisher.webrtcStuff && publisher.webrtcStuff.pc;
  if (!pc) return;
  const wanted = SENDING[quality];
  for (const sender of pc.getSenders()) {
    if (!sender.track || sender.track.kind !== 'video') continue;
    const parameters = sender.getParameters();
    if (!parameters.encodings || parameters.encodings.length === 0) continue;
    for (const encoding of parameters.encodings) {
      encoding.active = quality !== AUDIO_ONLY;
      if (wanted.bitrate && quality !== AUDIO_ONLY) encoding.maxBitrate = wanted.bitrate;
      else delete encoding.maxBitrate;
      if (wanted.fps) encoding.maxFramerate = wanted.fps;
      else delete encoding.maxFramerate;
    }
    try { await sender.setParameters(parameters); } catch (e) { /* closed meanwhile: the next publish applies it */ }
  }
  root.dataset.sending = quality;
  if (quality !== HIGH || qualityBy !== 'default') {
    publisher.send({message: {request: 'configure', bitrate: wanted.bitrate}});
  }
}

function setQuality(next, by) {
  if (![HIGH, LOW, AUDIO_ONLY].includes(next)) return;
  if (by === 'link' && qualityBy === 'person') return;  // the person's own choice stands
  const changed = next !== quality;
  quality = next;
  qualityBy = by;
  root.dataset.quality = quality;
  root.dataset.qualityBy = by;
  $('quality').value = quality;
  const why = {[LOW]: L.quality_low_auto, [AUDIO_ONLY]: L.quality_audio_auto}[quality];
  $('quality-note').textContent = by === 'link' && why ? why : '';
  if (!changed) return;
  applySending();
  chooseVideo();
  if (joined) announce();
}

function qualityOfLink() {
  // What the browser knows of its link (Chromium; Firefox and Safari have no navigator.connection).
  const link = navigator.connection;
  if (!link || !(link.downlink > 0)) return HIGH;
  if (link.downlink < AUDIO_DOWNLINK_MBPS) return AUDIO_ONLY;
  if (link.downlink < SLOW_DOWNLINK_MBPS || link.rtt > SLOW_RTT_MS || link.saveData) return LOW;
  return HIGH;
}

const WORSE = {[HIGH]: 0, [LOW]: 1, [AUDIO_ONLY]: 2};

function followLink() {
  // Chosen from the link until the person chooses; never raised by itself (a link that wavers would flap).
  const suggested = qualityOfLink();
  if (WORSE[suggested] > WORSE[quality]) setQuality(suggested, 'link');
}

let lossStrikes = 0;
let lastPackets = null;
async function watchLoss() {
  // The subscription's packet loss: a link that loses packets cannot carry everyone's video (auto only).
  const pc = subscriber && subscriber.webrtcStuff && subscriber.webrtcStuff.pc;
  if (!pc || quality !== HIGH || qualityBy === 'person') { lastPackets = null; return; }
  let received = 0;
  let lost = 0;
  try {
    (await pc.getStats()).forEach((s) => {
      if (s.type === 'inbound-rtp') { received += s.packetsReceived || 0; lost += s.packetsLost || 0; }
    });
  } catch (e) { return; }
  if (lastPackets) {
    const got = received - lastPackets.received;
    const missed = lost - lastPackets.lost;
    const lossy = got + missed > 50 && missed / (got + missed) > LOSSY;
    lossStrikes = lossy ? lossStrikes + 1 : 0;
    if (lossStrikes >= 2) setQuality(LOW, 'link');
  }
  lastPackets = {received, lost};
}

function wireQuality() {
  $('quality').addEventListener('change', (event) => setQuality(event.target.value, 'person'));
  root.dataset.quality = quality;
  followLink();
  if (navigator.connection && navigator.connection.addEventListener) {
    navigator.connection.addEventListener('change', () => { if (qualityBy !== 'person') followLink(); });
  }
  setInterval(watchLoss, LOSS_EVERY_MS);
}

async function received() {
  // What reaches us of each participant, by the subscription's mids (for the tests, and whoever asks).
  const pc = subscriber && subscriber.webrtcStuff && subscriber.webrtcStuff.pc;
  if (!pc) return [];
  const rows = [];
  for (const transceiver of pc.getTransceivers()) {
    const feed = midToFeed.get(transceiver.mid);
    if (feed === undefined || !feeds.has(feed)) continue;
    let rtp = null;
    (await transceiver.receiver.getStats()).forEach((s) => { if (s.type === 'inbound-rtp') rtp = s; });
    rows.push({mid: transceiver.mid, feed: String(feed), display: feeds.get(feed).display,
      kind: midKind.get(transceiver.mid) || transceiver.receiver.track.kind, paused: paused.get(transceiver.mid) === feed,
      frames: rtp ? rtp.framesDecoded || 0 : 0, packets: rtp ? rtp.packetsReceived || 0 : 0});
  }
  return rows;
}

async function sending() {
  // Our camera's encodings as the quality set them, with the size going out (for the tests).
  const pc = publisher && publisher.webrtcStuff && publisher.webrtcStuff.pc;
  if (!pc) return [];
  const rows = [];
  for (const sender of pc.getSenders()) {
    if (!sender.track || sender.track.kind !== 'video') continue;
    let height = 0;
    (await sender.getStats()).forEach((s) => { if (s.type === 'outbound-rtp') height = s.frameHeight || height; });
    for (const e of sender.getParameters().encodings || []) {
      rows.push({active: e.active !== false, maxBitrate: e.maxBitrate || 0, maxFramerate: e.maxFramerate || 0, height});
    }
  }
  return rows;
}

// -- recording and consent ----------------------------------------------------------------------

function showRecording(recording) {
  const r = recording || {};
  const state = r.state || 'off';
  root.dataset.recording = state;
  const badge = $('recording');
  badge.hidden = state === 'off';
  badge.textContent = {on: L.recording_on, waiting: L.recording_waiting, paused: L.recording_paused}[state] || '';
  $('consent').hidden = !r.asked;
  const record = $('record');
  if (record) {
    const asked = state !== 'off';
    record.setAttribute('aria-pressed', String(asked));
    record.textContent = asked ? L.stop_recording : L.record;
  }
}

async function poll() {
  if (leaving || finished()) return;
  try {
    const answer = await fetch(`/console/live/${config.id}/state`, {credentials: 'same-origin', headers: {Accept: 'application/json'}});
    if (answer.ok) {
      const session = await answer.json();
      showRecording(session.recording);
      if (session.state === 'ended') ended();
    }
  } catch (e) { /* the hub is away a moment: the next poll */ }
}

async function consent(agreed) {
  const answer = await call('consent', {recording: agreed});
  if (answer) showRecording(answer.json.recording);
}

// -- controls -----------------------------------------------------------------------------------

function wireControls() {
  $('mute').addEventListener('click', () => {
    if (!publisher) return;
    const muted = publisher.isAudioMuted();
    if (muted) publisher.unmuteAudio(); else publisher.muteAudio();
    $('mute').setAttribute('aria-pressed', String(!muted));
    $('mute').textContent = muted ? L.mute : L.unmute;
    announce();
  });
  $('camera').addEventListener('click', () => {
    if (!publisher) return;
    const off = publisher.isVideoMuted();
    if (off) publisher.unmuteVideo(); else publisher.muteVideo();
    $('camera').setAttribute('aria-pressed', String(!off));
    $('camera').textContent = off ? L.camera_off : L.camera_on;
    announce();
  });
  $('hand').addEventListener('click', () => {
    handRaised = !handRaised;
    $('hand').setAttribute('aria-pressed', String(handRaised));
    $('hand').textContent = handRaised ? L.lower_hand : L.raise_hand;
    const mine = document.querySelector('.tile.mine .hand');
    if (mine) mine.hidden = !handRaised;
    send(HAND, {up: handRaised});
  });
  $('present').addEventListener('click', () => setPresenting(!presenting));
  $('leave').addEventListener('click', async () => {
    leaving = true;
    setState('left');
    if (presenting) setPresenting(false);
    reset();
    // Offline, going back would show the browser's own error page, and stay there once the link is back: the
    // page says it has left and goes back once the hub has heard it (or answered anything).
    // Never joined (no ticket): nothing to leave. An empty join would be every join of this person at the hub.
    while (details) {
      try {
        await post('leave', thisJoin());
        break;
      } catch (e) {
        say(L.left_offline, 'warn');
        await new Promise((resolve) => { setTimeout(resolve, 3000); });
      }
    }
    window.location.href = config.back;
  });
  if ($('record')) {
    $('record').addEventListener('click', async () => {
      const on = root.dataset.recording === 'off';
      const answer = await call('recording', {on});
      if (answer) showRecording(answer.json.recording);
    });
  }
  $('agree').addEventListener('click', () => consent(true));
  $('decline').addEventListener('click', () => consent(false));
  window.addEventListener('pagehide', () => {
    if (leaving || !joined) return;
    // The tab closes: tell the hub (attendance) without waiting for an answer.
    fetch(`/console/live/${config.id}/leave`, {method: 'POST', keepalive: true, credentials: 'same-origin',
      headers: {'Content-Type': 'application/json', 'X-CSRF-Token': config.csrf}, body: JSON.stringify(thisJoin())});
  });
}

function main() {
  wireControls();
  wireQuality();
  wireViewer();
  if (!window.adapter) {
    failed(L.sfu_unavailable);
    return;
  }
  Janus.init({
    debug: false,
    dependencies: Janus.useDefaultDependencies({adapter: window.adapter}),
    callback: () => {
      if (!Janus.isWebrtcSupported()) {
        failed(L.no_webrtc);
        return;
      }
      join();
      setInterval(poll, 5000);
      setInterval(() => { if (joined) announce(); }, STATE_EVERY_MS);
    },
  });
}

// For the tests and for whoever reads the page's state from the console.
window.diemcauLive = {
  send, presenting: () => presenting, present: setPresenting,
  feeds: () => [...feeds.entries()].map(([id, f]) => ({id, display: f.display})),
  quality: () => quality, received, sending,
};

main();
