/* Tòa Soạn — back-office scripts, loaded on every admin page as
   <script type="module">. Plain ES2020 modules without a build step, but for
   the editor. Every form works without them; they only make the forms nicer:
   - editor.js: the rich-text editor over <textarea data-editor>, ProseMirror
     bundled from editor/src by build.rs (sanitize-paste.js cleans what is
     pasted into it);
   - autosave.js: browser copies of pages, the unsaved-changes warning;
   - desk.js: the article editor's server autosave, Ctrl+S, counts, edit-lock hint;
   - media-picker.js: "Chọn từ thư viện", images from the media library;
   - here: confirmations, the slug helper, the file-drop guard, "mark all"
     boxes, start-up. */

import { startAutosave } from './autosave.js';
import { startDesk } from './desk.js';
import { startEditors } from './editor.js';
import { startMediaPicker } from './media-picker.js';

// Same rules as the server's text::slugify.
function slugify(text) {
  let s = String(text || '')
    .replace(/[đĐ]/g, 'd')
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (s.length > 120) {
    const cut = s.slice(0, 121).lastIndexOf('-');
    s = s.slice(0, cut > 0 ? cut : 120).replace(/-+$/, '');
  }
  return s;
}

function setupSlug(form) {
  const title = form.querySelector('input[name="title"]');
  const slug = form.querySelector('input[name="slug"][data-autoslug]');
  if (!title || !slug) return;
  // A slug that is not what the title gives was typed by hand: leave it alone.
  let manual = slug.value !== '' && slug.value !== slugify(title.value);
  title.addEventListener('input', () => {
    if (!manual) slug.value = slugify(title.value);
  });
  // Emptying the slug field hands it back to the title (from the next keystroke).
  slug.addEventListener('input', () => { manual = slug.value.trim() !== ''; });
}

// data-confirm on a button, link or form asks before going on. Capture phase:
// the question comes before any other handler, and a "no" stops them all
// (autosave does not take a cancelled submission for a saved one).
function setupConfirm() {
  document.addEventListener('click', (e) => {
    const el = e.target.closest && e.target.closest('button[data-confirm], input[type="submit"][data-confirm], a[data-confirm]');
    if (!el || el.disabled) return;
    if (!window.confirm(el.getAttribute('data-confirm'))) {
      e.preventDefault();
      e.stopImmediatePropagation();
    }
  }, true);

  document.addEventListener('submit', (e) => {
    const question = e.target.getAttribute('data-confirm');
    // A submit button with its own question has asked already.
    if (question === null || (e.submitter && e.submitter.hasAttribute('data-confirm'))) return;
    if (!window.confirm(question)) {
      e.preventDefault();
      e.stopImmediatePropagation();
    }
  }, true);
}

// Files dropped next to the editor would make the browser open them and
// leave the page (and the unsaved article) behind.
function guardFileDrops() {
  const hasFiles = (e) => e.dataTransfer && Array.from(e.dataTransfer.types || []).includes('Files');
  for (const type of ['dragover', 'drop']) {
    window.addEventListener(type, (e) => {
      if (!hasFiles(e) || e.defaultPrevented) return;
      if (e.target.closest && e.target.closest('input[type="file"]')) return;
      e.preventDefault();
      if (e.dataTransfer) e.dataTransfer.dropEffect = 'none';
    });
  }
}

// <input type="checkbox" data-select-all="NAME"> (hidden with its label until now) marks or
// unmarks every checkbox NAME of its form, and shows whether all, some or none are marked.
function setupSelectAll() {
  for (const all of document.querySelectorAll('input[type="checkbox"][data-select-all]')) {
    const boxes = () => Array.from(all.form.elements).filter((el) => el.type === 'checkbox' && el.name === all.dataset.selectAll);
    const show = () => {
      const marked = boxes().filter((box) => box.checked).length;
      all.checked = marked > 0 && marked === boxes().length;
      all.indeterminate = marked > 0 && !all.checked;
    };
    all.addEventListener('change', () => {
      for (const box of boxes()) box.checked = all.checked;
    });
    all.form.addEventListener('change', (e) => { if (e.target !== all) show(); });
    show();
    all.closest('label').hidden = false;
  }
}

// Module scripts run once the document is parsed: the whole form is there.
document.documentElement.classList.add('js');
setupConfirm();
setupSelectAll();
const editors = startEditors();
if (editors.length) guardFileDrops();
startAutosave(editors);
startDesk();
startMediaPicker(editors);
for (const form of document.querySelectorAll('form')) setupSlug(form);
