/* Tòa Soạn — browser autosave for forms with data-autosave-key (a copy of
   title, sapo and body in localStorage, offered back when the page is opened
   again at the same version: the pages' form; the article form autosaves to
   the server, see desk.js), and the unsaved-changes warning for those forms
   and every form with an editor. */

import { cleanStoredHtml } from './sanitize-paste.js';

const DRAFT_PREFIX = 'toasoan:draft:';
const SUBMITTED_PREFIX = 'toasoan:submitted:';

// localStorage can be missing or throw (private windows, storage disabled, quota).
const storage = {
  get(key) {
    try { return window.localStorage.getItem(key); } catch (e) { return null; }
  },
  set(key, value) {
    try { window.localStorage.setItem(key, value); return true; } catch (e) { return false; }
  },
  remove(key) {
    try { window.localStorage.removeItem(key); } catch (e) { /* nothing to do */ }
  },
  keys() {
    try {
      const out = [];
      for (let i = 0; i < window.localStorage.length; i++) out.push(window.localStorage.key(i));
      return out;
    } catch (e) { return []; }
  },
};

function readJson(key) {
  const raw = storage.get(key);
  if (!raw) return null;
  try { return JSON.parse(raw); } catch (e) { return null; }
}

function debounce(fn, ms) {
  let timer = 0;
  const run = () => { timer = 0; fn(); };
  const d = () => { clearTimeout(timer); timer = setTimeout(run, ms); };
  d.flush = () => { if (timer) { clearTimeout(timer); run(); } };
  return d;
}

function formatTime(ms) {
  const d = new Date(ms);
  const p = (n) => String(n).padStart(2, '0');
  return p(d.getHours()) + ':' + p(d.getMinutes()) + ' ' +
    p(d.getDate()) + '/' + p(d.getMonth() + 1) + '/' + d.getFullYear();
}

function fieldValue(form, name) {
  const el = form.elements.namedItem(name);
  return el && 'value' in el ? el.value : '';
}

function formSnapshot(form) {
  const parts = [];
  for (const el of Array.from(form.elements)) {
    if (!el.name || el.disabled) continue;
    if (el.type === 'file') { if (el.files && el.files.length) parts.push(el.name + '=<file>'); continue; }
    if ((el.type === 'checkbox' || el.type === 'radio') && !el.checked) continue;
    if (el.type === 'submit' || el.type === 'button' || el.type === 'reset') continue;
    if (el.localName === 'select' && el.multiple) {
      for (const o of Array.from(el.selectedOptions)) parts.push(el.name + '=' + o.value);
      continue;
    }
    parts.push(el.name + '=' + el.value);
  }
  return parts.join('\u0000');
}

// One watched form: { form, submitting, initial, markSubmitted?, unmarkSubmitted? }.
function watchForm(form, formEditors) {
  const bodyEditor = formEditors[0] || null;
  const key = form.getAttribute('data-autosave-key');
  const version = form.getAttribute('data-version') || '';
  const entry = { form, submitting: false, initial: formSnapshot(form) };

  if (!key) return entry;
  const draftKey = DRAFT_PREFIX + key;
  const submittedKey = SUBMITTED_PREFIX + key;

  const state = () => ({
    title: fieldValue(form, 'title'),
    sapo: fieldValue(form, 'sapo'),
    body: bodyEditor ? bodyEditor.html() : fieldValue(form, 'body_html'),
  });
  const rendered = state();
  const sameAsRendered = (s) => s.title === rendered.title && s.sapo === rendered.sapo &&
    (bodyEditor ? cleanStoredHtml(s.body || '') : s.body) === rendered.body;

  const save = debounce(() => {
    const s = state();
    if (sameAsRendered(s)) { storage.remove(draftKey); return; }
    s.savedAt = Date.now();
    s.version = version;
    storage.set(draftKey, JSON.stringify(s));
  }, 1000);
  entry.markSubmitted = () => {
    save.flush();
    storage.set(submittedKey, JSON.stringify({ at: Date.now(), version }));
  };
  entry.unmarkSubmitted = () => storage.remove(submittedKey);
  form.addEventListener('input', save);
  form.addEventListener('change', save);
  form.addEventListener('rte-change', save);
  window.addEventListener('pagehide', () => {
    for (const ed of formEditors) ed.flush();
    save.flush();
  });

  // The last submission of this form: if the page that came back shows no
  // error, it was saved and the browser copy is no longer needed. When the
  // version is still the one submitted (an error page, then Back), nothing
  // was saved: the draft stays and is offered again below if it differs.
  const submitted = readJson(submittedKey);
  if (submitted !== null) {
    storage.remove(submittedKey);
    const failed = document.querySelector('.field-error, .conflict, .flash.error');
    const sameVersion = submitted && typeof submitted === 'object' && 'version' in submitted &&
      String(submitted.version) === version && version !== '';
    if (!failed && !sameVersion) {
      storage.remove(draftKey);
      return entry;
    }
  }

  const draft = readJson(draftKey);
  if (!draft || typeof draft !== 'object') return entry;
  if (String(draft.version == null ? '' : draft.version) !== version) return entry;
  const savedDraft = {
    title: typeof draft.title === 'string' ? draft.title : '',
    sapo: typeof draft.sapo === 'string' ? draft.sapo : '',
    body: typeof draft.body === 'string' ? draft.body : '',
  };
  if (sameAsRendered(savedDraft)) { storage.remove(draftKey); return entry; }
  showDraftNotice(form, draft.savedAt, () => {
    const title = form.elements.namedItem('title');
    const sapo = form.elements.namedItem('sapo');
    if (title && 'value' in title) title.value = savedDraft.title;
    if (sapo && 'value' in sapo) sapo.value = savedDraft.sapo;
    if (bodyEditor) {
      bodyEditor.setHtml(savedDraft.body);
      bodyEditor.say('Đã khôi phục bản nháp lưu trên máy này. Nhớ bấm lưu để gửi lên máy chủ.', 'ok');
    } else {
      const body = form.elements.namedItem('body_html');
      if (body && 'value' in body) body.value = savedDraft.body;
    }
    if (title) title.dispatchEvent(new Event('input', { bubbles: true }));
  }, () => storage.remove(draftKey), bodyEditor ? bodyEditor.surface : form.elements.namedItem('title'));
  return entry;
}

function showDraftNotice(form, savedAt, onRestore, onDiscard, restoredFocus) {
  const bar = document.createElement('div');
  bar.className = 'draft-notice';
  bar.setAttribute('role', 'status');
  const text = document.createElement('p');
  const when = Number.isFinite(savedAt) ? ' (lúc ' + formatTime(savedAt) + ')' : '';
  text.textContent = 'Có bản nháp chưa lưu trên máy này' + when + '.';
  const actions = document.createElement('span');
  actions.className = 'draft-notice-actions';
  const restore = document.createElement('button');
  restore.type = 'button';
  restore.className = 'button small primary';
  restore.textContent = 'Khôi phục';
  const discard = document.createElement('button');
  discard.type = 'button';
  discard.className = 'button small';
  discard.textContent = 'Bỏ qua';
  actions.append(restore, discard);
  bar.append(text, actions);
  form.before(bar);
  const close = (focusTarget) => {
    bar.remove();
    if (focusTarget) focusTarget.focus({ preventScroll: true });
  };
  restore.addEventListener('click', () => {
    onRestore();
    close(restoredFocus);
  });
  discard.addEventListener('click', () => {
    onDiscard();
    close(form.elements.namedItem('title'));
  });
}

// Old browser copies should not pile up forever.
function pruneDrafts() {
  const now = Date.now();
  for (const k of storage.keys()) {
    if (!k) continue;
    if (k.startsWith(DRAFT_PREFIX)) {
      const d = readJson(k);
      if (!d || !Number.isFinite(d.savedAt) || now - d.savedAt > 30 * 864e5) storage.remove(k);
    } else if (k.startsWith(SUBMITTED_PREFIX)) {
      const m = readJson(k);
      if (!m || !Number.isFinite(m.at) || now - m.at > 864e5) storage.remove(k);
    }
  }
}

/** Watches the forms of the page that have an editor or data-autosave-key. */
export function startAutosave(editors) {
  pruneDrafts();
  const forms = new Set(editors.map((ed) => ed.form).filter(Boolean));
  for (const f of document.querySelectorAll('form[data-autosave-key]')) forms.add(f);
  const watched = Array.from(forms, (f) => watchForm(f, editors.filter((ed) => ed.form === f)));

  window.addEventListener('beforeunload', (e) => {
    for (const ed of editors) ed.flush();
    for (const w of watched) {
      if (w.submitting || !w.form.isConnected) continue;
      if (formSnapshot(w.form) !== w.initial) {
        e.preventDefault();
        e.returnValue = '';
        return '';
      }
    }
    return undefined;
  });

  // Listens after the form's own handlers (the editor's required check) and
  // after the data-confirm question (admin.js, capture phase): a submission
  // either of them stopped is not one.
  document.addEventListener('submit', (e) => {
    if (e.defaultPrevented) return;
    // "Xem trước" opens in another tab: the form is still being edited here.
    if (e.submitter && e.submitter.hasAttribute('formtarget')) return;
    const w = watched.find((x) => x.form === e.target);
    if (!w) return;
    w.submitting = true;
    if (w.markSubmitted) w.markSubmitted();
  });

  // Back from the next page (bfcache): the submission is over.
  window.addEventListener('pageshow', (e) => {
    if (!e.persisted) return;
    for (const w of watched) {
      w.submitting = false;
      if (w.unmarkSubmitted) w.unmarkSubmitted();
    }
  });
}
