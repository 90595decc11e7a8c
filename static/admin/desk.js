/* Tòa Soạn — the editor's desk, for forms with data-draft-url (the article editor):
   - autosave to the server: a moment after each change, and at least every few seconds
     while typing, every field goes to the user's draft of the article (never the article
     itself), with the indicator "Đang lưu…" / "Đã lưu lúc 10:42"; a draft offered back
     (data-draft-pending) is not overwritten until it is restored or discarded;
   - Ctrl+S (⌘S) saves the form as its "Lưu" / "Cập nhật" button does;
   - word and character counts of the sapo and the body;
   - the edit-lock hint: a heartbeat every 30 s (data-heartbeat-url) says the article is open
     here, and its answer says who else has it open ("Đang được X sửa").
   The body editor keeps <textarea name="body_html"> in sync and fires a bubbling
   `rte-change` after each change: that is all this module knows of it. */

const QUIET_MS = 1500; // a save this long after the last change…
const MAX_WAIT_MS = 5000; // …and at least this often while typing
const RETRY_MS = 10000; // after the server could not be reached
const SUBMIT_WAIT_MS = 3000; // longest wait for a save in flight before the form is sent
const HEARTBEAT_MS = 30000;

const TEXT_FIELDS = ['title', 'slug', 'sapo', 'body_html', 'category_id', 'byline', 'cover_image',
  'cover_widths', 'cover_caption', 'cover_alt', 'published_at'];
const CHECKBOXES = ['remove_cover', 'comments_open'];

function value(form, name) {
  const el = form.elements.namedItem(name);
  return el && 'value' in el ? el.value : '';
}

/** What the autosave sends: the form's fields as typed (a file being chosen cannot be kept). */
function draftOf(form) {
  const fields = {};
  for (const name of TEXT_FIELDS) fields[name] = value(form, name);
  for (const name of CHECKBOXES) {
    const el = form.elements.namedItem(name);
    fields[name] = Boolean(el && el.checked);
  }
  const removed = new Set(Array.from(form.querySelectorAll('input[name="remove_files"]:checked'),
    (el) => el.value));
  fields.file_ids = Array.from(form.querySelectorAll('input[name="file_ids"]'), (el) => el.value)
    .filter((id) => /^\d{1,15}$/.test(id) && !removed.has(id))
    .map(Number);
  return { version: value(form, 'version'), key: value(form, 'draft_key'), fields };
}

function say(status, text, isError = false) {
  if (!status) return;
  status.textContent = text;
  status.classList.toggle('error', isError);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// The answer of a POST by fetch: a redirect (to the login page, say) is not followed.
function post(url, init) {
  return fetch(url, { method: 'POST', credentials: 'same-origin', redirect: 'manual', ...init });
}

async function errorOf(res) {
  if (res.type === 'opaqueredirect') return 'phiên đăng nhập đã hết, hãy đăng nhập lại ở thẻ khác';
  const answer = await res.json().catch(() => ({}));
  return answer.error || `máy chủ trả lời ${res.status}`;
}

function watchDrafts(form) {
  const url = form.getAttribute('data-draft-url');
  const status = form.querySelector('[data-save-status]');
  let lastSent = JSON.stringify(draftOf(form)); // what the page shows needs no draft
  let timer = 0;
  let firstChange = 0;
  let inFlight = null;
  let stopped = false;
  let pending = form.hasAttribute('data-draft-pending');

  async function save() {
    clearTimeout(timer);
    timer = 0;
    firstChange = 0;
    if (stopped) return;
    if (inFlight) {
      await inFlight;
      changed();
      return;
    }
    const body = JSON.stringify(draftOf(form));
    if (body === lastSent) return;
    if (pending) {
      say(status, 'Chưa tự lưu: hãy khôi phục hoặc bỏ bản nháp cũ ở trên.', true);
      return;
    }
    say(status, 'Đang lưu…');
    inFlight = post(url, { headers: { 'Content-Type': 'application/json' }, body })
      .then(async (res) => {
        if (res.ok) {
          const answer = await res.json();
          lastSent = body;
          say(status, answer.label);
        } else {
          say(status, `Chưa lưu được bản nháp: ${await errorOf(res)}.`, true);
        }
      }, () => {
        say(status, 'Chưa lưu được bản nháp: không kết nối được máy chủ. Sẽ thử lại.', true);
        if (!timer) timer = setTimeout(save, RETRY_MS);
      })
      .finally(() => { inFlight = null; });
    await inFlight;
  }

  function changed() {
    if (stopped) return;
    const now = Date.now();
    if (!firstChange) firstChange = now;
    clearTimeout(timer);
    timer = setTimeout(save, Math.max(0, Math.min(QUIET_MS, firstChange + MAX_WAIT_MS - now)));
  }

  for (const type of ['input', 'change', 'rte-change']) form.addEventListener(type, changed);

  // The form is being saved: no more drafts (the server discards the one it has), but a save
  // still in flight lands first, or it would bring the draft back.
  document.addEventListener('submit', (e) => {
    if (e.target !== form || e.defaultPrevented) return;
    if (e.submitter && e.submitter.hasAttribute('formtarget')) return; // "Xem trước"
    stopped = true;
    clearTimeout(timer);
    if (!inFlight) return;
    e.preventDefault();
    const submitter = e.submitter;
    Promise.race([inFlight, sleep(SUBMIT_WAIT_MS)]).then(() => {
      inFlight = null;
      form.requestSubmit(submitter);
    });
  });
  // Back from the next page (bfcache): the form is being edited again.
  window.addEventListener('pageshow', (e) => {
    if (e.persisted) stopped = false;
  });
  // Leaving without saving (closing the tab): what changed since the last save goes now.
  window.addEventListener('pagehide', () => {
    if (stopped || pending) return;
    const body = JSON.stringify(draftOf(form));
    if (body === lastSent) return;
    post(url, { headers: { 'Content-Type': 'application/json' }, body, keepalive: true })
      .catch(() => {});
  });

  return {
    /** The draft offered back was discarded: the autosave may write again. */
    unblock() {
      pending = false;
      changed();
    },
  };
}

// "Bỏ bản nháp" without leaving the page (with what is typed in it).
function watchDiscards(desk) {
  document.addEventListener('submit', async (e) => {
    const f = e.target;
    if (!f.matches || !f.matches('form[data-draft-discard]') || e.defaultPrevented) return;
    e.preventDefault();
    const res = await post(f.action, { body: new URLSearchParams(new FormData(f)) })
      .catch(() => null);
    if (!res || !(res.ok || res.type === 'opaqueredirect')) {
      f.submit();
      return;
    }
    const notice = f.closest('.draft-notice');
    if (notice) notice.remove();
    if (desk && !document.querySelector('form[data-draft-discard]')) desk.unblock();
  });
}

function saveShortcut(form) {
  document.addEventListener('keydown', (e) => {
    if (!(e.ctrlKey || e.metaKey) || e.altKey || e.shiftKey) return;
    if (e.code !== 'KeyS' && e.key.toLowerCase() !== 's') return;
    e.preventDefault();
    const button = form.querySelector('button[type="submit"][name="action"][value="save"]');
    form.requestSubmit(button || undefined);
  });
}

// The text of the body's HTML, with a space where a block or a line ends.
function textOfHtml(html) {
  const spaced = html.replace(/<\/(p|h[1-6]|li|blockquote|figcaption|td|th|div)>|<br\s*\/?>/gi, ' $&');
  return new DOMParser().parseFromString(spaced, 'text/html').body.textContent || '';
}

/** "12 từ · 68 ký tự": words are what spaces separate (Vietnamese syllables count each). */
function countLabel(text) {
  const words = text.split(/\s+/).filter(Boolean).length;
  const chars = Array.from(text.replace(/\s+/g, ' ').trim()).length;
  return `${words.toLocaleString('vi-VN')} từ · ${chars.toLocaleString('vi-VN')} ký tự`;
}

function showCounts(form) {
  const counters = Array.from(form.querySelectorAll('[data-counter-for]'));
  if (!counters.length) return;
  let frame = 0;
  const update = () => {
    frame = 0;
    for (const counter of counters) {
      const name = counter.getAttribute('data-counter-for');
      const text = value(form, name);
      counter.textContent = countLabel(name === 'body_html' ? textOfHtml(text) : text);
      counter.hidden = false;
    }
  };
  const later = () => { if (!frame) frame = requestAnimationFrame(update); };
  for (const type of ['input', 'change', 'rte-change']) form.addEventListener(type, later);
  update();
}

function heartbeat(form) {
  const url = form.getAttribute('data-heartbeat-url');
  const hint = document.querySelector('[data-edit-lock]');
  if (!url) return;
  const beat = async () => {
    const res = await post(url, {}).catch(() => null);
    if (!res || !res.ok) return;
    const answer = await res.json().catch(() => ({}));
    if (hint && typeof answer.hint === 'string') {
      hint.textContent = answer.hint;
      hint.hidden = answer.hint === '';
    }
  };
  beat();
  setInterval(beat, HEARTBEAT_MS);
}

/** Starts the desk on the page's article form, if it has one. */
export function startDesk() {
  const form = document.querySelector('form[data-draft-url]');
  if (!form) return;
  const desk = watchDrafts(form);
  watchDiscards(desk);
  saveShortcut(form);
  showCounts(form);
  heartbeat(form);
}
