// The live page's invite form (templates/partials/live_invite.html): what is ticked stays chosen while one
// searches on. When htmx is about to replace the list under the field, the ticked rows move to "Đã chọn"
// (#invite-chosen); the new list leaves out what is chosen already; unticking a chosen row drops it.
// The form works without this file; it only keeps earlier ticks, and says what htmx leaves unsaid: htmx swaps
// only 2xx answers (the console answers the search's and the invitation's refusals as 200 with their words), so a
// post refused before it reaches the view (403: the page carries an old session's CSRF token, after signing in
// again elsewhere) or no answer at all would show nothing; #invite-alert says to reload, or to try again.
(() => {
  const key = (box) => `${box.name}=${box.value}`;
  const results = (event) => event.detail && event.detail.target && event.detail.target.id === 'invite-results';

  document.addEventListener('htmx:beforeSwap', (event) => {
    const chosen = document.getElementById('invite-chosen');
    if (!chosen || !results(event)) return;
    for (const box of event.detail.target.querySelectorAll('input[type=checkbox]:checked:not(:disabled)')) {
      chosen.querySelector('ul').append(box.closest('li'));
    }
    chosen.hidden = !chosen.querySelector('li');
  });

  document.addEventListener('htmx:afterSwap', (event) => {
    const chosen = document.getElementById('invite-chosen');
    if (!chosen || !results(event)) return;
    const taken = new Set([...chosen.querySelectorAll('input:checked')].map(key));
    for (const box of event.detail.target.querySelectorAll('input[type=checkbox]')) {
      if (taken.has(key(box))) box.closest('li').remove();
    }
    for (const fieldset of event.detail.target.querySelectorAll('fieldset')) {
      if (!fieldset.querySelector('li')) fieldset.remove();
    }
  });

  const alertOf = (event) => {
    const block = document.getElementById('invite');
    const elt = event.detail && event.detail.elt;
    return block && elt && block.contains(elt) ? block.querySelector('#invite-alert') : null;
  };
  const say = (event, kind) => {
    const alert = alertOf(event);
    if (!alert || alert.dataset.kind === 'expired') return; // an expired page stays so until it is reloaded
    alert.textContent = document.getElementById('invite').dataset[kind];
    alert.dataset.kind = kind;
    alert.hidden = false;
  };
  document.addEventListener('htmx:responseError', (event) => {
    say(event, event.detail.xhr && event.detail.xhr.status === 403 ? 'expired' : 'failed');
  });
  document.addEventListener('htmx:sendError', (event) => say(event, 'failed'));
  document.addEventListener('htmx:afterRequest', (event) => {
    const alert = alertOf(event);
    if (alert && event.detail.successful && alert.dataset.kind === 'failed') {
      alert.hidden = true; // the server answers again
      delete alert.dataset.kind;
    }
  });

  document.addEventListener('change', (event) => {
    const box = event.target;
    const chosen = document.getElementById('invite-chosen');
    if (!chosen || !(box instanceof HTMLInputElement) || box.checked || !chosen.contains(box)) return;
    box.closest('li').remove();
    chosen.hidden = !chosen.querySelector('li');
  });
})();
