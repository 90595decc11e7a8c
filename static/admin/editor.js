/* Tòa Soạn — the rich-text editor over <textarea data-editor>: a toolbar and a
   contenteditable surface that keeps the textarea in sync, images uploaded to
   data-upload-url, pasted and dropped content cleaned by sanitize-paste.js.
   Progressive enhancement: without it the textarea takes simple HTML. */

import {
  BLANK, cleanHtml, cleanStoredHtml, escapeHtml, inertDocument, plainTextToHtml, safeHref,
  safeImageSrc, safeSrcset, serialize,
} from './sanitize-paste.js';

const IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/webp'];
const IMAGE_SIZES = '(max-width: 760px) 100vw, 720px';
const CAPTION_PLACEHOLDER = 'Chú thích ảnh';
const IS_MAC = /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent || '');
const MOD = IS_MAC ? '⌘' : 'Ctrl+';

// What a reporter types into the link prompt → a URL we accept, or null.
function normaliseUserUrl(input) {
  let v = String(input || '').trim();
  if (!v || v === 'https://' || v === 'http://') return null;
  if (/^www\./i.test(v)) v = 'https://' + v;
  else if (/^[^\s@/:]+@[^\s@/:]+\.[a-z]{2,}$/i.test(v)) v = 'mailto:' + v;
  return safeHref(v);
}

function formatBytes(n) {
  if (n < 1024 * 1024) return Math.max(1, Math.round(n / 1024)) + ' KB';
  return (n / 1024 / 1024).toFixed(1).replace('.', ',') + ' MB';
}

const svg = (body) => '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false">' + body + '</svg>';
const ICONS = {
  bold: '<span class="rte-glyph rte-glyph-b" aria-hidden="true">B</span>',
  italic: '<span class="rte-glyph rte-glyph-i" aria-hidden="true">I</span>',
  h2: '<span class="rte-glyph" aria-hidden="true">H2</span>',
  h3: '<span class="rte-glyph rte-glyph-small" aria-hidden="true">H3</span>',
  p: '<span class="rte-glyph" aria-hidden="true">¶</span>',
  ul: svg('<circle class="f" cx="5" cy="6.5" r="1.6"/><circle class="f" cx="5" cy="12" r="1.6"/><circle class="f" cx="5" cy="17.5" r="1.6"/><path d="M10 6.5h10M10 12h10M10 17.5h10"/>'),
  ol: svg('<path d="M10 6.5h10M10 12h10M10 17.5h10"/><path class="thin" d="M4 4.5h1.5v4M3.5 8.5h3.5M3.5 13.2c.3-.9 1-1.4 1.8-1.4 1 0 1.6.6 1.6 1.3 0 1.3-3.4 2.2-3.4 3.6h3.5"/>'),
  blockquote: svg('<path class="f" d="M4 18v-5.2C4 8.7 5.9 6.3 9.6 5.4l.7 1.7C8.4 7.8 7.5 9 7.4 10.5H10V18zm9 0v-5.2c0-4.1 1.9-6.5 5.6-7.4l.7 1.7c-1.9.7-2.8 1.9-2.9 3.4H19V18z"/>'),
  link: svg('<path d="M10 14a4.2 4.2 0 0 0 6 0l3-3a4.2 4.2 0 0 0-6-6l-1.2 1.2"/><path d="M14 10a4.2 4.2 0 0 0-6 0l-3 3a4.2 4.2 0 0 0 6 6l1.2-1.2"/>'),
  image: svg('<rect x="3" y="4.5" width="18" height="15" rx="2"/><circle cx="8.5" cy="9.5" r="1.8"/><path d="m21 15.5-5-5L6 19.5"/>') + '<span class="rte-label" aria-hidden="true">Ảnh</span>',
  undo: svg('<path d="M8.5 13.5 4 9l4.5-4.5"/><path d="M4 9h10.5a5.5 5.5 0 0 1 0 11H11"/>'),
  redo: svg('<path d="M15.5 13.5 20 9l-4.5-4.5"/><path d="M20 9H9.5a5.5 5.5 0 0 0 0 11H13"/>'),
};

// [cmd, label, shortcut, toggles]
const GROUPS = [
  [['bold', 'Đậm', MOD + 'B', true], ['italic', 'Nghiêng', MOD + 'I', true]],
  [['h2', 'Tiêu đề lớn', '', true], ['h3', 'Tiêu đề nhỏ', '', true], ['p', 'Đoạn văn', '', true]],
  [['ul', 'Danh sách', '', true], ['ol', 'Danh sách số', '', true], ['blockquote', 'Trích dẫn', '', true]],
  [['link', 'Liên kết', MOD + 'K', true], ['image', 'Ảnh', '', false]],
  [['undo', 'Hoàn tác', MOD + 'Z', false], ['redo', 'Làm lại', IS_MAC ? '⌘⇧Z' : 'Ctrl+Y', false]],
];

const KEY_SHORTCUTS = { bold: 'Control+B', italic: 'Control+I', link: 'Control+K', undo: 'Control+Z', redo: 'Control+Y' };
const BLOCK_TAGS = new Set(['p', 'h2', 'h3', 'h4', 'li', 'blockquote', 'figcaption', 'td', 'th', 'div', 'pre', 'h1', 'h5', 'h6']);

let uid = 0;

function exec(cmd, value) {
  try { return document.execCommand(cmd, false, value === undefined ? null : value); } catch (e) { return false; }
}

function labelFor(textarea) {
  let label = null;
  if (textarea.id) label = document.querySelector('label[for="' + CSS.escape(textarea.id) + '"]');
  if (!label) label = textarea.closest('label');
  const text = label ? label.textContent.replace(/\s+/g, ' ').replace(/\s*\*\s*$/, '').trim() : '';
  return { label, text: text || textarea.getAttribute('aria-label') || 'Nội dung bài viết' };
}

class Editor {
  constructor(textarea) {
    this.textarea = textarea;
    this.form = textarea.form;
    this.uploadUrl = textarea.getAttribute('data-upload-url') || '';
    // The server's upload limit in bytes, checked before sending (0: none given).
    this.maxBytes = Number(textarea.getAttribute('data-max-bytes')) || 0;
    this.savedRange = null;
    this.busy = false;
    this.internalDrag = false;
    this.build();
    this.load(textarea.value);
    this.initialRaw = textarea.value;
    this.initialHtml = this.html();
    this.bind();
    this.updateState();
  }

  build() {
    const ta = this.textarea;
    const id = ta.id || 'rte-' + (++uid);
    const { label, text } = labelFor(ta);

    this.root = document.createElement('div');
    this.root.className = 'rte';

    this.toolbar = document.createElement('div');
    this.toolbar.className = 'rte-toolbar';
    this.toolbar.setAttribute('role', 'toolbar');
    this.toolbar.setAttribute('aria-label', 'Định dạng: ' + text);
    this.toolbar.setAttribute('aria-controls', id + '-surface');
    this.buttons = {};
    for (const group of GROUPS) {
      const g = document.createElement('span');
      g.className = 'rte-group';
      for (const [cmd, name, shortcut, toggles] of group) {
        const b = document.createElement('button');
        b.type = 'button';
        b.className = 'rte-button rte-' + cmd;
        b.dataset.cmd = cmd;
        b.setAttribute('aria-label', name);
        b.title = shortcut ? name + ' (' + shortcut + ')' : name;
        if (KEY_SHORTCUTS[cmd]) b.setAttribute('aria-keyshortcuts', KEY_SHORTCUTS[cmd]);
        if (toggles) b.setAttribute('aria-pressed', 'false');
        b.tabIndex = -1;
        b.innerHTML = ICONS[cmd];
        g.append(b);
        this.buttons[cmd] = b;
      }
      this.toolbar.append(g);
    }
    this.buttons.bold.tabIndex = 0;

    this.status = document.createElement('div');
    this.status.className = 'rte-status';
    this.status.setAttribute('role', 'status');
    this.status.setAttribute('aria-live', 'polite');
    this.status.id = id + '-status';

    const s = this.surface = document.createElement('div');
    s.className = 'rte-surface';
    s.id = id + '-surface';
    s.contentEditable = 'true';
    s.spellcheck = true;
    s.setAttribute('role', 'textbox');
    s.setAttribute('aria-multiline', 'true');
    s.setAttribute('aria-label', text);
    s.setAttribute('lang', ta.getAttribute('lang') || document.documentElement.lang || 'vi');
    s.dataset.placeholder = ta.getAttribute('placeholder') || 'Bắt đầu viết nội dung bài…';
    const described = [ta.getAttribute('aria-describedby'), this.status.id].filter(Boolean).join(' ');
    s.setAttribute('aria-describedby', described);
    if (ta.getAttribute('aria-invalid')) s.setAttribute('aria-invalid', ta.getAttribute('aria-invalid'));
    if (ta.required) {
      // A hidden required field would block submission with a console error;
      // we check it ourselves on submit instead.
      ta.required = false;
      this.required = true;
      s.setAttribute('aria-required', 'true');
    }

    this.fileInput = document.createElement('input');
    this.fileInput.type = 'file';
    this.fileInput.accept = IMAGE_TYPES.join(',');
    this.fileInput.hidden = true;
    this.fileInput.tabIndex = -1;
    this.fileInput.className = 'rte-file';

    this.root.append(this.toolbar, this.status, s, this.fileInput);
    ta.before(this.root);
    ta.hidden = true;
    ta.classList.add('rte-source');
    if (label && label.htmlFor === ta.id) {
      label.addEventListener('click', (e) => { e.preventDefault(); this.focus(); });
    }
  }

  // --- content -----------------------------------------------------------------

  load(html) {
    const { root } = cleanHtml(html || '', 'store');
    const frag = document.createDocumentFragment();
    for (const n of Array.from(root.childNodes)) frag.append(document.importNode(n, true));
    if (!frag.firstChild) frag.append(this.emptyParagraph());
    this.surface.replaceChildren(frag);
    this.savedRange = null;
    this.markEmpty();
  }

  emptyParagraph() {
    const p = document.createElement('p');
    p.append(document.createElement('br'));
    return p;
  }

  html() {
    return cleanStoredHtml(this.surface);
  }

  // Surface → textarea. The server's own HTML is kept byte for byte until the
  // content really changes.
  sync() {
    clearTimeout(this.syncTimer);
    this.syncTimer = 0;
    const started = performance.now();
    const html = this.html();
    this.textarea.value = html === this.initialHtml ? this.initialRaw : html;
    // Very long articles on slow office PCs: stop cleaning on every keystroke
    // and sync a moment after typing pauses instead (submit always syncs).
    this.slowSync = performance.now() - started > 12;
    this.markEmpty();
    this.textarea.dispatchEvent(new CustomEvent('rte-change', { bubbles: true }));
    return html;
  }

  onInput() {
    if (this.slowSync) {
      clearTimeout(this.syncTimer);
      this.syncTimer = setTimeout(() => this.sync(), 150);
      this.markEmpty();
    } else {
      this.sync();
    }
    this.updateState();
  }

  flush() {
    if (this.syncTimer) this.sync();
  }

  setHtml(html) {
    this.load(html);
    this.sync();
  }

  isEmpty() {
    return BLANK.test(this.surface.textContent) && !this.surface.querySelector('img, table, hr');
  }

  markEmpty() {
    this.surface.classList.toggle('is-empty', this.isEmpty());
  }

  // --- selection ---------------------------------------------------------------

  rangeInside() {
    const sel = window.getSelection();
    if (!sel || !sel.rangeCount) return null;
    const r = sel.getRangeAt(0);
    return this.surface.contains(r.commonAncestorContainer) ? r : null;
  }

  saveSelection() {
    const r = this.rangeInside();
    if (r) this.savedRange = r.cloneRange();
  }

  focus() {
    this.surface.focus({ preventScroll: true });
  }

  // Focus the surface with the caret where the reporter left it (buttons,
  // prompts and dialogs take the focus away). Whether the caret is still inside
  // is asked before focusing: focusing puts one at the start.
  restoreSelection() {
    const sel = window.getSelection();
    const inside = this.rangeInside();
    if (document.activeElement !== this.surface) this.focus();
    if (inside) return;
    const r = this.savedRange;
    if (r && this.surface.contains(r.startContainer) && this.surface.contains(r.endContainer)) {
      sel.removeAllRanges();
      sel.addRange(r);
      return;
    }
    this.caretAtEnd();
  }

  caretAtEnd() {
    const sel = window.getSelection();
    let last = this.surface.lastElementChild;
    if (!last || !/^(p|h2|h3|h4)$/.test(last.localName)) {
      last = this.emptyParagraph();
      this.surface.append(last);
    }
    const r = document.createRange();
    r.selectNodeContents(last);
    r.collapse(false);
    sel.removeAllRanges();
    sel.addRange(r);
  }

  closest(selector) {
    const sel = window.getSelection();
    if (!sel || !sel.rangeCount) return null;
    let node = sel.anchorNode;
    if (!node || !this.surface.contains(node)) return null;
    let el = node.nodeType === 1 ? node : node.parentElement;
    while (el && el !== this.surface) {
      if (el.matches(selector)) return el;
      el = el.parentElement;
    }
    return null;
  }

  currentBlock() {
    const sel = window.getSelection();
    if (!sel || !sel.rangeCount || !this.surface.contains(sel.anchorNode)) return null;
    let el = sel.anchorNode.nodeType === 1 ? sel.anchorNode : sel.anchorNode.parentElement;
    while (el && el !== this.surface) {
      if (BLOCK_TAGS.has(el.localName)) return el;
      el = el.parentElement;
    }
    return null;
  }

  // --- toolbar -----------------------------------------------------------------

  updateState() {
    if (!this.rangeInside()) return;
    const block = this.currentBlock();
    const tag = block ? block.localName : '';
    const list = this.closest('ul, ol');
    const link = this.closest('a');
    const state = (cmd) => {
      try { return document.queryCommandState(cmd); } catch (e) { return false; }
    };
    const pressed = {
      bold: state('bold'),
      italic: state('italic'),
      h2: tag === 'h2',
      h3: tag === 'h3',
      p: tag === 'p' && !list && !this.closest('blockquote'),
      ul: !!list && list.localName === 'ul',
      ol: !!list && list.localName === 'ol',
      blockquote: !!this.closest('blockquote'),
      link: !!link,
    };
    for (const cmd of Object.keys(pressed)) {
      this.buttons[cmd].setAttribute('aria-pressed', pressed[cmd] ? 'true' : 'false');
    }
    const lb = this.buttons.link;
    const linkName = link ? 'Bỏ liên kết' : 'Liên kết';
    lb.setAttribute('aria-label', linkName);
    lb.title = linkName + ' (' + MOD + 'K)';
  }

  run(cmd) {
    if (cmd === 'image') { this.pickImage(); return; }
    this.restoreSelection();
    exec('styleWithCSS', false);
    switch (cmd) {
      case 'bold': case 'italic': case 'undo': case 'redo':
        exec(cmd);
        break;
      case 'h2': case 'h3': {
        const block = this.currentBlock();
        exec('formatBlock', block && block.localName === cmd ? '<p>' : '<' + cmd + '>');
        break;
      }
      case 'p':
        exec('formatBlock', '<p>');
        break;
      case 'ul':
        exec('insertUnorderedList');
        break;
      case 'ol':
        exec('insertOrderedList');
        break;
      case 'blockquote':
        this.toggleQuote();
        break;
      case 'link':
        this.toggleLink();
        break;
      default:
        return;
    }
    this.sync();
    this.saveSelection();
    this.updateState();
  }

  toggleQuote() {
    if (!this.closest('blockquote')) {
      exec('formatBlock', '<blockquote>');
      if (!this.closest('blockquote')) exec('indent'); // browsers without formatBlock blockquote
      return;
    }
    exec('formatBlock', '<p>');
    if (this.closest('blockquote')) exec('outdent');
    const q = this.closest('blockquote');
    if (q) {
      // Last resort: unwrap the quote by hand (not undoable, but never stuck).
      const kids = Array.from(q.childNodes);
      const first = kids.find((n) => n.nodeType === 1) || null;
      q.replaceWith(...kids);
      if (first) {
        const r = document.createRange();
        r.selectNodeContents(first);
        r.collapse(true);
        const sel = window.getSelection();
        sel.removeAllRanges();
        sel.addRange(r);
      }
    }
  }

  toggleLink() {
    const a = this.closest('a');
    const sel = window.getSelection();
    if (a) {
      const r = document.createRange();
      r.selectNodeContents(a);
      sel.removeAllRanges();
      sel.addRange(r);
      exec('unlink');
      sel.collapseToEnd();
      this.say('Đã bỏ liên kết.');
      return;
    }
    const range = this.rangeInside() && this.rangeInside().cloneRange();
    const answer = window.prompt('Địa chỉ liên kết (https://…, mailto:… hoặc đường dẫn bắt đầu bằng /):', 'https://');
    if (answer === null) return;
    const url = normaliseUserUrl(answer);
    if (!url) {
      this.say('Địa chỉ liên kết không hợp lệ. Chỉ dùng địa chỉ http(s)://, mailto:, tel: hoặc đường dẫn trong trang (bắt đầu bằng /).', 'error');
      return;
    }
    this.focus();
    if (range) { sel.removeAllRanges(); sel.addRange(range); }
    if (!range || range.collapsed) {
      const text = url.replace(/^mailto:|^tel:/i, '');
      exec('insertHTML', '<a href="' + escapeHtml(url) + '">' + escapeHtml(text) + '</a>');
    } else {
      exec('createLink', url);
    }
    this.say('');
  }

  say(message, kind) {
    clearTimeout(this.sayTimer);
    if (kind === 'ok') {
      // Confirmations fade away; errors stay until the next action.
      this.sayTimer = setTimeout(() => { if (this.status.textContent === message) this.say(''); }, 10000);
    }
    this.status.textContent = message;
    this.status.classList.toggle('is-error', kind === 'error');
    this.status.classList.toggle('is-busy', kind === 'busy');
    this.status.classList.toggle('is-ok', kind === 'ok');
  }

  // --- images ------------------------------------------------------------------

  pickImage() {
    if (this.busy) return;
    this.saveSelection();
    this.fileInput.value = '';
    this.fileInput.click();
  }

  async upload(file) {
    if (this.busy) return;
    if (!IMAGE_TYPES.includes(file.type)) {
      this.say('Không tải được “' + file.name + '”: chỉ nhận ảnh JPEG, PNG hoặc WebP.', 'error');
      return;
    }
    if (this.maxBytes > 0 && file.size > this.maxBytes) {
      this.say('Ảnh “' + file.name + '” quá lớn (' + formatBytes(file.size) + '). Tối đa ' + formatBytes(this.maxBytes) + '.', 'error');
      return;
    }
    if (!this.uploadUrl) {
      this.say('Chưa cấu hình nơi tải ảnh lên (data-upload-url).', 'error');
      return;
    }
    const body = new FormData();
    body.append('image', file, file.name);
    const headers = { Accept: 'application/json' };

    this.setBusy(true);
    this.say('Đang tải ảnh “' + file.name + '” (' + formatBytes(file.size) + ')…', 'busy');
    let res;
    try {
      res = await fetch(this.uploadUrl, { method: 'POST', body, headers, credentials: 'same-origin' });
    } catch (e) {
      this.setBusy(false);
      this.say('Không kết nối được máy chủ, ảnh chưa được tải lên. Kiểm tra mạng rồi thử lại.', 'error');
      return;
    }
    let data = null;
    try { data = await res.json(); } catch (e) { data = null; }
    this.setBusy(false);
    if (!res.ok || !data || typeof data.src !== 'string') {
      this.say(uploadError(res, data), 'error');
      return;
    }
    const src = safeImageSrc(data.src, false);
    if (!src) {
      this.say('Máy chủ trả về địa chỉ ảnh không hợp lệ.', 'error');
      return;
    }
    this.insertFigure(src, data);
  }

  setBusy(on) {
    this.busy = on;
    this.buttons.image.disabled = on;
    this.root.classList.toggle('is-busy', on);
    this.surface.setAttribute('aria-busy', on ? 'true' : 'false');
  }

  /** Inserts a figure at the caret. `data`: srcset, width, height; from the media library
      also the image's default alt and caption (given, they are used as they are). */
  insertFigure(src, data) {
    const defaultAlt = typeof data.alt === 'string' ? data.alt.trim() : '';
    const inert = inertDocument(); // the picture loads once it is in place
    const fig = inert.createElement('figure');
    const img = inert.createElement('img');
    img.setAttribute('src', src);
    const srcset = safeSrcset(data.srcset, false);
    if (srcset) {
      img.setAttribute('srcset', srcset);
      img.setAttribute('sizes', IMAGE_SIZES);
    }
    img.setAttribute('alt', '');
    if (Number.isInteger(data.width) && data.width > 0) img.setAttribute('width', String(data.width));
    if (Number.isInteger(data.height) && data.height > 0) img.setAttribute('height', String(data.height));
    const cap = inert.createElement('figcaption');
    const captionText = typeof data.caption === 'string' ? data.caption.trim() : '';
    cap.textContent = captionText || CAPTION_PLACEHOLDER;
    fig.append(img, cap);
    fig.setAttribute('data-rte-new', '1');

    this.restoreSelection();
    // A figure goes between top-level blocks: never inside a caption, a list,
    // a quote, a table or a heading. Paragraphs are split by the browser.
    let host = this.rangeInside() ? this.rangeInside().startContainer : null;
    while (host && host.parentNode !== this.surface) host = host.parentNode;
    if (host && host.nodeType === 1 && host.localName !== 'p') {
      const r = document.createRange();
      r.setStartAfter(host);
      r.collapse(true);
      const sel = window.getSelection();
      sel.removeAllRanges();
      sel.addRange(r);
    }
    exec('insertHTML', fig.outerHTML + '<p><br></p>');

    let placed = this.surface.querySelector('figure[data-rte-new]');
    if (!placed) {
      const imgs = Array.from(this.surface.querySelectorAll('img')).filter((i) => i.getAttribute('src') === src);
      placed = imgs.length ? imgs[imgs.length - 1].closest('figure') : null;
    }
    if (!placed) {
      // The browser refused the HTML (should not happen): append at the end.
      placed = document.importNode(fig, true);
      this.surface.append(placed, this.emptyParagraph());
    }
    placed.removeAttribute('data-rte-new');
    // Chromium may leave the figure inside the paragraph it split; lift it out.
    const parentP = placed.parentElement;
    if (parentP && parentP !== this.surface && parentP.localName === 'p') {
      parentP.after(placed);
      if (BLANK.test(parentP.textContent) && !parentP.querySelector('img')) parentP.remove();
    }
    if (!placed.nextElementSibling) placed.after(this.emptyParagraph());

    const alt = defaultAlt || window.prompt('Mô tả ảnh cho người khiếm thị (alt)', '');
    const placedImg = placed.querySelector('img');
    if (alt !== null && placedImg) placedImg.setAttribute('alt', alt.replace(/\s+/g, ' ').trim());

    // Let the reporter type the caption straight away.
    const caption = placed.querySelector('figcaption');
    this.focus();
    if (caption && !captionText) {
      const r = document.createRange();
      r.selectNodeContents(caption);
      const sel = window.getSelection();
      sel.removeAllRanges();
      sel.addRange(r);
    }
    this.sync();
    this.saveSelection();
    if (captionText) {
      this.say('Đã chèn ảnh từ thư viện, kèm mô tả và chú thích mặc định; nháy đúp vào ảnh để sửa mô tả (alt).', 'ok');
      return;
    }
    this.say('Đã chèn ảnh. Gõ chú thích thay cho dòng “' + CAPTION_PLACEHOLDER + '”; nháy đúp vào ảnh để sửa mô tả (alt).', 'ok');
  }

  editAlt(img) {
    const alt = window.prompt('Mô tả ảnh cho người khiếm thị (alt)', img.getAttribute('alt') || '');
    if (alt === null) return;
    img.setAttribute('alt', alt.replace(/\s+/g, ' ').trim());
    this.sync();
    this.say(alt.trim() ? 'Đã cập nhật mô tả ảnh.' : 'Ảnh chưa có mô tả (alt).', 'ok');
  }

  // --- paste and drop ------------------------------------------------------------

  insertClean(html, text) {
    if (this.closest('figcaption')) {
      // Captions are one line of plain text.
      const plain = text || cleanHtml(html || '', 'paste').root.textContent;
      exec('insertText', plain.replace(/\s+/g, ' ').trim());
      return;
    }
    if (html) {
      const { root: clean, droppedImages: dropped } = cleanHtml(html, 'paste');
      const only = clean.childNodes.length === 1 ? clean.firstChild : null;
      if (!clean.firstChild) {
        if (text) this.insertClean('', text);
      } else if (only && only.localName === 'p') {
        exec('insertHTML', only.innerHTML); // one paragraph: merge into the current one
      } else {
        // Chromium nests blocks inside an empty heading: make it a paragraph first.
        const block = this.currentBlock();
        if (block && /^h[2-4]$/.test(block.localName) && BLANK.test(block.textContent)) exec('formatBlock', '<p>');
        exec('insertHTML', serialize(clean));
      }
      if (dropped) {
        this.say('Đã bỏ ' + dropped + ' ảnh không chép được từ nơi khác. Hãy dùng nút “Ảnh” để tải ảnh lên.', 'error');
      }
      return;
    }
    if (!text) return;
    const normalized = text.replace(/\r\n?/g, '\n');
    if (!/\n/.test(normalized.trim())) {
      exec('insertText', normalized);
    } else if (!/\n[ \t\u00a0]*\n/.test(normalized.trim())) {
      exec('insertHTML', escapeHtml(normalized.trim()).replace(/\n/g, '<br>'));
    } else {
      exec('insertHTML', plainTextToHtml(normalized));
    }
  }

  onPaste(e) {
    const cd = e.clipboardData;
    if (!cd) return;
    const types = Array.from(cd.types || []);
    const html = types.includes('text/html') ? cd.getData('text/html') : '';
    const text = types.includes('text/plain') ? cd.getData('text/plain') : '';
    const image = Array.from(cd.files || []).find((f) => IMAGE_TYPES.includes(f.type));
    e.preventDefault();
    if (!html && !text && image) {
      this.saveSelection();
      this.upload(image);
      return;
    }
    exec('styleWithCSS', false);
    this.insertClean(html, text);
    this.sync();
  }

  caretFromPoint(x, y) {
    let r = null;
    if (document.caretPositionFromPoint) {
      const pos = document.caretPositionFromPoint(x, y);
      if (pos) { r = document.createRange(); r.setStart(pos.offsetNode, pos.offset); }
    } else if (document.caretRangeFromPoint) {
      r = document.caretRangeFromPoint(x, y);
    }
    if (r && this.surface.contains(r.startContainer)) {
      r.collapse(true);
      const sel = window.getSelection();
      sel.removeAllRanges();
      sel.addRange(r);
      this.savedRange = r.cloneRange();
      return true;
    }
    return false;
  }

  onDrop(e) {
    if (this.internalDrag) return; // moving text inside the editor: let the browser do it
    const dt = e.dataTransfer;
    if (!dt) return;
    const files = Array.from(dt.files || []);
    const types = Array.from(dt.types || []);
    if (files.length) {
      e.preventDefault();
      const image = files.find((f) => IMAGE_TYPES.includes(f.type));
      this.focus();
      this.caretFromPoint(e.clientX, e.clientY);
      if (image) this.upload(image);
      else this.say('Chỉ kéo thả được ảnh JPEG, PNG hoặc WebP.', 'error');
      return;
    }
    if (types.includes('text/html') || types.includes('text/plain')) {
      e.preventDefault();
      this.focus();
      if (!this.caretFromPoint(e.clientX, e.clientY)) this.restoreSelection();
      exec('styleWithCSS', false);
      this.insertClean(dt.getData('text/html'), dt.getData('text/plain'));
      this.sync();
    }
  }

  // --- events ----------------------------------------------------------------------

  bind() {
    const s = this.surface;
    const tb = this.toolbar;

    // Keep the caret in the surface when a button is clicked with the mouse.
    tb.addEventListener('mousedown', (e) => {
      if (e.target.closest('button')) e.preventDefault();
    });
    tb.addEventListener('click', (e) => {
      const b = e.target.closest('button[data-cmd]');
      if (!b || b.disabled) return;
      this.setRoving(b);
      this.run(b.dataset.cmd);
    });
    // ARIA toolbar pattern: one tab stop, arrows move between buttons,
    // Escape goes back to the text.
    tb.addEventListener('keydown', (e) => {
      const all = Array.from(tb.querySelectorAll('button')).filter((b) => !b.disabled);
      const i = all.indexOf(document.activeElement);
      if (i < 0) return;
      let next = null;
      if (e.key === 'ArrowRight' || e.key === 'ArrowDown') next = all[(i + 1) % all.length];
      else if (e.key === 'ArrowLeft' || e.key === 'ArrowUp') next = all[(i - 1 + all.length) % all.length];
      else if (e.key === 'Home') next = all[0];
      else if (e.key === 'End') next = all[all.length - 1];
      else if (e.key === 'Escape') { e.preventDefault(); this.restoreSelection(); return; }
      if (next) { e.preventDefault(); this.setRoving(next); next.focus(); }
    });

    s.addEventListener('input', () => this.onInput());
    s.addEventListener('blur', () => this.flush());
    s.addEventListener('focus', () => { exec('defaultParagraphSeparator', 'p'); exec('styleWithCSS', false); });
    s.addEventListener('keydown', (e) => this.onKeydown(e));
    s.addEventListener('paste', (e) => this.onPaste(e));
    s.addEventListener('dragstart', () => { this.internalDrag = true; });
    s.addEventListener('dragend', () => { this.internalDrag = false; });
    s.addEventListener('dragover', (e) => {
      if (e.dataTransfer && Array.from(e.dataTransfer.types || []).includes('Files')) {
        e.preventDefault();
        e.dataTransfer.dropEffect = 'copy';
      }
    });
    s.addEventListener('drop', (e) => this.onDrop(e));
    s.addEventListener('dblclick', (e) => {
      if (e.target.localName === 'img') { e.preventDefault(); this.editAlt(e.target); }
    });
    // Links are edited, not followed, inside the editor.
    s.addEventListener('click', (e) => {
      if (e.target.closest('a')) e.preventDefault();
    });

    this.fileInput.addEventListener('change', () => {
      const file = this.fileInput.files && this.fileInput.files[0];
      if (file) this.upload(file);
    });

    if (this.form) {
      this.form.addEventListener('submit', (e) => {
        this.sync();
        if (this.required && this.isEmpty()) {
          e.preventDefault();
          this.say('Bài viết chưa có nội dung.', 'error');
          this.focus();
          this.surface.scrollIntoView({ block: 'center' });
        }
      });
      this.form.addEventListener('reset', () => {
        setTimeout(() => { this.setHtml(this.textarea.value); }, 0);
      });
    }
  }

  setRoving(button) {
    for (const b of this.toolbar.querySelectorAll('button')) b.tabIndex = b === button ? 0 : -1;
  }

  onKeydown(e) {
    const mod = IS_MAC ? e.metaKey : e.ctrlKey;
    if (mod && !e.altKey && !e.shiftKey) {
      const key = e.key.toLowerCase();
      const cmd = key === 'b' ? 'bold' : key === 'i' ? 'italic' : key === 'k' ? 'link' : '';
      if (cmd) { e.preventDefault(); this.run(cmd); return; }
    }
    if (e.key === 'F10' && e.altKey) {
      // Alt+F10: to the toolbar (the convention of most editors).
      e.preventDefault();
      const b = this.toolbar.querySelector('button[tabindex="0"]') || this.buttons.bold;
      b.focus();
      return;
    }
    if (e.key === 'Enter' && !e.shiftKey) {
      const cap = this.closest('figcaption');
      if (cap) {
        // Enter in a caption: continue writing below the picture.
        e.preventDefault();
        const fig = cap.closest('figure') || cap;
        let next = fig.nextElementSibling;
        if (!next || next.localName !== 'p') {
          next = this.emptyParagraph();
          fig.after(next);
        }
        const r = document.createRange();
        r.selectNodeContents(next);
        r.collapse(true);
        const sel = window.getSelection();
        sel.removeAllRanges();
        sel.addRange(r);
        this.sync();
      }
    }
  }
}

function uploadError(res, data) {
  if (data && typeof data.error === 'string' && data.error.trim()) return data.error.trim();
  const code = res.status;
  if (res.ok) return 'Máy chủ trả lời không như mong đợi (có thể phiên đăng nhập đã hết hạn). Hãy lưu bài rồi đăng nhập lại.';
  if (code === 401) return 'Phiên đăng nhập đã hết hạn. Hãy đăng nhập lại ở một thẻ mới để không mất bài đang viết.';
  if (code === 403) return 'Bạn không có quyền tải ảnh lên, hoặc phiên làm việc đã hết hạn. Hãy tải lại trang.';
  if (code === 413) return 'Ảnh quá lớn, máy chủ không nhận.';
  if (code === 415) return 'Định dạng ảnh không được hỗ trợ. Chỉ nhận JPEG, PNG hoặc WebP.';
  if (code >= 500) return 'Máy chủ gặp lỗi khi xử lý ảnh (mã ' + code + '). Hãy thử lại sau.';
  return 'Không tải được ảnh (mã ' + code + ').';
}

/** Turns every <textarea data-editor> of the page into an editor; returns them. */
export function startEditors() {
  exec('defaultParagraphSeparator', 'p');
  const editors = [];
  for (const ta of document.querySelectorAll('textarea[data-editor]')) {
    if (ta.dataset.editorReady) continue;
    ta.dataset.editorReady = '1';
    try {
      editors.push(new Editor(ta));
    } catch (err) {
      // Without the editor the plain textarea still works.
      ta.hidden = false;
      console.warn('Tòa Soạn: không khởi tạo được trình soạn thảo', err);
    }
  }
  if (editors.length) {
    // One listener for all editors: keep the caret and the pressed states current.
    document.addEventListener('selectionchange', () => {
      for (const ed of editors) {
        if (ed.rangeInside()) { ed.saveSelection(); ed.updateState(); }
      }
    });
  }
  return editors;
}

