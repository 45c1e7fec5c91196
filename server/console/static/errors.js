// Console-wide (templates/base.html loads it): what htmx leaves unsaid. htmx swaps no 4xx/5xx answer and gets
// none when the link is down, so a post refused for its CSRF token (the page was opened under an older sign-in),
// a signed-out session, a server error or no answer at all would leave a button that does nothing.
// The message goes in the nearest area marked [data-request-alert] around the element that asked (the live
// page's invite block has one), else in the page's #request-alert at the top. Its words are the page's, from the
// catalogues (data-* attributes of base.html); an area or a block around it may carry its own for a kind
// (the invite block: "… then invite again"). Without JavaScript the forms post normally and none of this is needed.
(() => {
  const page = () => document.getElementById('request-alert');
  // Until the page is reloaded: nothing sent from it can work, so a success elsewhere on it does not unsay them.
  // A newer failure does replace them (signed out, then signed in again in another tab: this page's token is
  // now merely old, and "signed out" would be said to someone signed in).
  const STAYS = new Set(['expired', 'signedOut']);

  const areaOf = (elt) => {
    for (let node = elt instanceof Element && elt.isConnected ? elt : null; node; node = node.parentElement) {
      const area = node.querySelector(':scope > [data-request-alert]');
      if (area) return area;
    }
    return page();
  };

  const words = (area, kind) => {
    const attribute = `data-${kind.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
    const holder = area.closest(`[${attribute}]`) || page();
    return holder ? holder.getAttribute(attribute) || '' : '';
  };

  // A refusal the server wrote for a person (a page of the console with its .error or role=alert paragraph).
  const ownWords = (xhr) => {
    if (!(xhr.getResponseHeader('Content-Type') || '').startsWith('text/html')) return '';
    const answer = new DOMParser().parseFromString(xhr.responseText || '', 'text/html');
    const said = answer.querySelector('main [role=alert]:not(#request-alert), main .error, main .field-error');
    return said ? said.textContent.trim() : '';
  };

  const kindOfStatus = (status, refused) => { // refused: the X-Refused header (server/console/errors.py)
    if (status === 401 || refused === 'signed-out') return 'signedOut';
    if (refused === 'csrf') return 'expired';
    if (refused === 'role') return 'forbidden';
    return status >= 500 ? 'server' : 'refused';
  };
  const kindOf = (xhr) => kindOfStatus(xhr.status, xhr.getResponseHeader('X-Refused'));

  // Which request failed (not which element: a successful swap may replace the element, and htmx then tells
  // afterRequest again from an ancestor still in the page).
  const requestOf = (detail) => detail.requestConfig && detail.pathInfo
    ? `${detail.requestConfig.verb} ${detail.pathInfo.requestPath}` : '';

  const show = (area, kind, text, status, request) => {
    area.textContent = text || words(area, kind).replace('{status}', status);
    area.dataset.kind = kind;
    area.hidden = false;
    area.dataset.request = request;
  };

  const say = (event, kind, text) => {
    const area = areaOf(event.detail && event.detail.elt);
    if (!area) return;
    show(area, kind, text, event.detail.xhr ? String(event.detail.xhr.status) : '', requestOf(event.detail));
  };

  // The same for a page's own fetch calls (the live page's join, consent and recording): `answer` a fetch
  // Response, or null when none came. Said in #request-alert; clear() unsays it once a call goes through.
  window.requestAlert = {
    say(answer) {
      const area = page();
      if (!area) return;
      const kind = answer ? kindOfStatus(answer.status, answer.headers.get('X-Refused')) : 'failed';
      show(area, kind, '', answer ? String(answer.status) : '', 'fetch');
    },
    clear() {
      const area = page();
      if (!area || area.hidden || STAYS.has(area.dataset.kind)) return;
      area.hidden = true;
      delete area.dataset.kind;
      delete area.dataset.request;
    },
    // Whether `answer` is refused for the page itself (an old CSRF token, signed out, the account's role),
    // not for what it asked: then no retry can work until the page is reloaded.
    pageRefused: (answer) => ['expired', 'signedOut', 'forbidden'].includes(
      kindOfStatus(answer.status, answer.headers.get('X-Refused'))),
  };

  document.addEventListener('htmx:responseError', (event) => {
    const xhr = event.detail.xhr;
    const kind = kindOf(xhr);
    say(event, kind, kind === 'refused' ? ownWords(xhr) : '');
  });
  document.addEventListener('htmx:sendError', (event) => say(event, 'failed'));
  document.addEventListener('htmx:timeout', (event) => say(event, 'failed'));

  // Unsaid once it no longer holds: the server answers again, or what failed went through.
  document.addEventListener('htmx:afterRequest', (event) => {
    if (!event.detail.successful) return;
    const area = areaOf(event.detail.elt);
    if (!area || area.hidden || STAYS.has(area.dataset.kind)) return;
    if (area.dataset.kind === 'failed' || area.dataset.request === requestOf(event.detail)) {
      area.hidden = true;
      delete area.dataset.kind;
      delete area.dataset.request;
    }
  });
})();
