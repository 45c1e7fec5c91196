// Nothing typed in the conclusion editor (#editor) is lost when "Lưu nháp" or "Ký" does not reach the hub: the link
// is down (the browser shows its own error page) or the page comes from an older sign-in (the CSRF refusal). What
// is typed is kept in this browser tab as it is typed; going back (and reloading) puts it back, with a note.
//
// Confidentiality (HOI-CHAN.md: the conclusion is clinical data; hospital PCs are shared): sessionStorage, not
// localStorage. The copy lives in this tab only and goes when the tab or the browser is closed; it is keyed by the
// signed-in person and the case, so someone else signing in here never gets it; it is dropped as soon as the page
// shows the hub holds the same text (saved or signed), and when signing out. Without JavaScript the form posts as
// before; only this safety net is missing.
(function () {
  "use strict";
  var PREFIX = "diemcau.conclusion.";
  var note = document.getElementById("draft-restored");

  function store() {
    try { return window.sessionStorage; } catch (e) { return null; }  // storage disabled: nothing kept
  }

  function forgetAll(storage) {
    for (var i = storage.length - 1; i >= 0; i--) {
      var key = storage.key(i);
      if (key && key.indexOf(PREFIX) === 0) storage.removeItem(key);
    }
  }

  // Signing out from any page that loads this script forgets every conclusion kept in the tab.
  document.addEventListener("submit", function (event) {
    var storage = store();
    if (storage && event.target.matches && event.target.matches("form.signout")) forgetAll(storage);
  }, true);

  var storage = store();
  if (!note || !storage) return;
  var key = PREFIX + note.dataset.keep;

  function editor() { return document.getElementById("editor"); }

  function read(form) {
    var titles = form.querySelectorAll("input[name=issue_title]");
    var texts = form.querySelectorAll("textarea[name=issue_text]");
    var issues = [];
    for (var i = 0; i < titles.length; i++) issues.push([titles[i].value, texts[i] ? texts[i].value : ""]);
    return {issues: issues, treatment: form.elements.treatment.value, follow_up: form.elements.follow_up.value};
  }

  // As the hub keeps a draft: each text trimmed, empty blocks left out.
  function normal(d) {
    var issues = d.issues.map(function (i) { return [i[0].trim(), i[1].trim()]; })
      .filter(function (i) { return i[0] || i[1]; });
    return JSON.stringify([issues, d.treatment.trim(), d.follow_up.trim()]);
  }

  function keep() {
    var form = editor();
    if (!form) return;
    try { storage.setItem(key, JSON.stringify(read(form))); } catch (e) { /* full: the form still posts */ }
  }

  // Blocks the kept text had beyond the form's: copies of the last block, emptied (their "remove" buttons left
  // out: they name a block number the hub has not seen; saving brings the real ones).
  function restore(form, kept) {
    var blocks = form.querySelectorAll("fieldset.issue");
    var last = blocks[blocks.length - 1];
    for (var n = blocks.length; last && n < kept.issues.length; n++) {
      var copy = last.cloneNode(true);
      copy.querySelectorAll("button, .field-error").forEach(function (e) { e.remove(); });
      copy.querySelectorAll("[autofocus], [aria-invalid]").forEach(function (e) {
        e.removeAttribute("autofocus"); e.removeAttribute("aria-invalid");
      });
      var legend = copy.querySelector("legend");
      if (legend) legend.textContent = legend.textContent.replace(/\d+/, String(n + 1));
      last.after(copy);
      last = copy;
    }
    var titles = form.querySelectorAll("input[name=issue_title]");
    var texts = form.querySelectorAll("textarea[name=issue_text]");
    kept.issues.forEach(function (issue, i) {
      if (titles[i]) titles[i].value = issue[0];
      if (texts[i]) texts[i].value = issue[1];
    });
    for (var i = kept.issues.length; i < titles.length; i++) { titles[i].value = ""; texts[i].value = ""; }
    form.elements.treatment.value = kept.treatment;
    form.elements.follow_up.value = kept.follow_up;
  }

  var form = editor();
  var kept = null;
  try { kept = JSON.parse(storage.getItem(key) || "null"); } catch (e) { kept = null; }
  if (!form) {
    storage.removeItem(key);  // signed, no amendment open: nothing left to write
  } else if (kept && kept.issues) {
    if (normal(kept) !== normal(read(form))) {
      restore(form, kept);
      note.hidden = false;
    } else if (note.hasAttribute("data-held")) {
      storage.removeItem(key);  // the hub holds exactly this: no copy in the browser any longer
    }
  }

  document.addEventListener("input", function (event) {
    if (event.target.closest && event.target.closest("#editor")) keep();
  });
  // An htmx "add"/"remove" swaps the form: keep its new shape.
  document.body.addEventListener("htmx:afterSwap", keep);
})();
