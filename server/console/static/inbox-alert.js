// The inbox alerts when an emergency or urgent request arrives: a browser notification (when the
// person allowed them) and a short tone made with the Web Audio API. No library, no CDN.
(function () {
  "use strict";
  var URGENT = { stat: 1, asap: 1, urgent: 1 };
  var seen = {};
  var first = true;
  var audio = null;

  function rows() { return document.querySelectorAll("#inbox-rows tr[data-case]"); }

  function beep() {
    try {
      var Ctx = window.AudioContext || window.webkitAudioContext;
      if (!Ctx) return;
      audio = audio || new Ctx();
      var osc = audio.createOscillator(), gain = audio.createGain(), t = audio.currentTime;
      osc.type = "sine";
      osc.frequency.setValueAtTime(880, t);
      osc.frequency.setValueAtTime(660, t + 0.18);
      gain.gain.setValueAtTime(0.0001, t);
      gain.gain.exponentialRampToValueAtTime(0.3, t + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, t + 0.4);
      osc.connect(gain).connect(audio.destination);
      osc.start(t);
      osc.stop(t + 0.42);
    } catch (e) { /* no sound: the row is still there */ }
  }

  function notify(row) {
    var label = row.querySelector(".badge");
    var link = row.querySelector("a");
    if (!("Notification" in window) || Notification.permission !== "granted") return;
    var n = new Notification((label ? label.textContent : "") + " — Điểm Cầu",
                             { body: link ? link.textContent : "", tag: row.getAttribute("data-case") });
    n.onclick = function () { window.focus(); if (link) location.href = link.href; };
  }

  function scan() {
    var fresh = [];
    rows().forEach(function (row) {
      var id = row.getAttribute("data-case");
      if (!seen[id] && !first && URGENT[row.getAttribute("data-urgency")]) fresh.push(row);
      seen[id] = true;
    });
    first = false;
    if (fresh.length) { beep(); fresh.forEach(notify); }
    document.dispatchEvent(new CustomEvent("inbox-alerted", { detail: { count: fresh.length } }));
  }

  // Permission is asked on a click (browsers ignore a request without a gesture); the same click
  // unlocks the audio context.
  document.addEventListener("click", function once() {
    document.removeEventListener("click", once);
    if ("Notification" in window && Notification.permission === "default") Notification.requestPermission();
    var Ctx = window.AudioContext || window.webkitAudioContext;
    if (Ctx && !audio) audio = new Ctx();
  });
  // The hub's push (GET /console/events, the person's access rules): any news about a request the
  // person may see reloads the rows now instead of at the next 20 s poll. EventSource reconnects by
  // itself after a cut, from the last event id; the poll stays as the fallback.
  if ("EventSource" in window) {
    var stream = new EventSource("/console/events");
    var changed = function () { document.body.dispatchEvent(new CustomEvent("inbox-changed")); };
    // "invitation": to a live consultation (the live banners above the rows reload with them).
    ["request", "task", "status", "reply", "outcome", "conclusion", "invitation"].forEach(function (kind) {
      stream.addEventListener(kind, changed);
    });
    stream.addEventListener("end", function () { stream.close(); });  // signed out: the poll shows the login
    stream.onopen = function () { document.body.dataset.push = "open"; };  // for people and tests: push is on
  }
  document.body.addEventListener("htmx:afterSwap", function (e) {
    if (e.target && e.target.id === "inbox-rows") scan();
  });
  scan();
})();
