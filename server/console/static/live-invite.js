// The live page's invite form (templates/partials/live_invite.html): what is ticked stays chosen while one
// searches on. When htmx is about to replace the list under the field, the ticked rows move to "Đã chọn"
// (#invite-chosen); the new list leaves out what is chosen already; unticking a chosen row drops it.
// The form works without this file; it only keeps earlier ticks. What htmx leaves unsaid (a post refused for an
// old session's CSRF token, no answer at all) errors.js says, console-wide, in the block's #invite-alert.
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

  document.addEventListener('change', (event) => {
    const box = event.target;
    const chosen = document.getElementById('invite-chosen');
    if (!chosen || !(box instanceof HTMLInputElement) || box.checked || !chosen.contains(box)) return;
    box.closest('li').remove();
    chosen.hidden = !chosen.querySelector('li');
  });
})();
