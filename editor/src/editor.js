/* Tòa Soạn — the body editor over <textarea data-editor>, on ProseMirror: a toolbar and an
   editing surface whose document follows the schema in schema.js (exactly what the server
   keeps). The textarea stays the form's field: after every change it holds the body as it
   will be stored, and a bubbling `rte-change` event says so (autosave listens to it).
   Images are uploaded to data-upload-url or picked from the media library; pasted and
   dropped HTML goes through the paste cleaner (static/admin/sanitize-paste.js) first.
   Progressive enhancement: without JavaScript the textarea takes simple HTML.

   build.rs bundles this module with ProseMirror (from npm, pinned by editor/package-lock.json)
   into /static/admin/editor.js; the paste cleaner stays a module of its own, imported by its
   plain URL (the import map gives its fingerprint). */

import { DOMParser as ModelParser, DOMSerializer } from 'prosemirror-model';
import { EditorState, NodeSelection, Plugin, TextSelection } from 'prosemirror-state';
import { Decoration, DecorationSet, EditorView } from 'prosemirror-view';
import { baseKeymap, chainCommands, lift, setBlockType, toggleMark, wrapIn } from 'prosemirror-commands';
import { keymap } from 'prosemirror-keymap';
import { history, redo, undo } from 'prosemirror-history';
import { liftListItem, sinkListItem, splitListItem, wrapInList } from 'prosemirror-schema-list';
import { dropCursor } from 'prosemirror-dropcursor';
import { gapCursor } from 'prosemirror-gapcursor';
import {
  BLANK, cleanHtml, cleanStoredHtml, inertDocument, plainTextToHtml, safeHref, safeImageSrc,
  safeSrcset, serialize,
} from '/static/admin/sanitize-paste.js';
import { schema } from './schema.js';

export { schema };

const IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/webp'];
const IMAGE_SIZES = '(max-width: 760px) 100vw, 720px';
const CAPTION_PLACEHOLDER = 'Chú thích ảnh';
const IS_MAC = /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent || '');
const MOD = IS_MAC ? '⌘' : 'Ctrl+';
// Typing within this pause is one step of undo, like a plain text field: one Ctrl+Z takes
// back a typed sentence, not a letter.
const UNDO_GROUP_MS = 1000;

const N = schema.nodes;
const M = schema.marks;
const parser = ModelParser.fromSchema(schema);
const serializer = DOMSerializer.fromSchema(schema);

/* Reading and writing HTML -------------------------------------------------------------- */

/** Stored (or pasted-and-cleaned) HTML → a document of the schema. */
export function parseHtml(html) {
  return parser.parse(cleanHtml(html || '', 'store').root);
}

/** A document → the HTML we store: one top-level block per line, no empty paragraph. The
    paste cleaner's 'store' mode writes it, so a body saved from here, one restored by
    autosave and one cleaned by it are the same text. */
function storedHtml(doc) {
  const container = inertDocument().createElement('div');
  container.append(serializer.serializeFragment(doc.content, { document: inertDocument() }));
  return cleanStoredHtml(container);
}

/** HTML as the editor would store it (for autosave's comparisons and the tests). */
export function toStoredHtml(html) {
  return storedHtml(parseHtml(html));
}

/* Links ---------------------------------------------------------------------------------- */

const HOST_LIKE = /^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}(?::\d{1,5})?(?:[/?#]|$)/i;

/** What a reporter types into the link prompt → a URL we accept, or null. An address
    without a scheme (baothang.laocai.gov.vn/tin-tuc, www.…) gets https://, an e-mail
    address mailto:; paths inside the site start with /. */
function normaliseUserUrl(input) {
  let v = String(input || '').trim();
  if (!v || v === 'https://' || v === 'http://') return null;
  if (/^[^\s@/:]+@[^\s@/:]+\.[a-z]{2,}$/i.test(v)) v = 'mailto:' + v;
  else if (HOST_LIKE.test(v)) v = 'https://' + v;
  else if (!/^([a-z][a-z0-9+.-]*:|\/|#|\?)/i.test(v)) return null;
  return safeHref(v);
}

/* Commands ------------------------------------------------------------------------------ */

function markActive(state, type) {
  const { from, $from, to, empty } = state.selection;
  if (empty) return !!type.isInSet(state.storedMarks || $from.marks());
  return state.doc.rangeHasMark(from, to, type);
}

/** The innermost ancestor of the selection of one of `types`, as { node, depth }. */
function ancestor(state, types) {
  const { $from } = state.selection;
  for (let d = $from.depth; d > 0; d--) {
    if (types.includes($from.node(d).type)) return { node: $from.node(d), depth: d, pos: $from.before(d) };
  }
  return null;
}

function inCaption(state) {
  return state.selection.$from.parent.type === N.figcaption;
}

const setHeading = (level) => (state, dispatch) => {
  const { parent } = state.selection.$from;
  if (parent.type === N.heading && parent.attrs.level === level) return setBlockType(N.paragraph)(state, dispatch);
  return setBlockType(N.heading, { level })(state, dispatch);
};

/** The list button: lift out of a list of this kind, turn a list of the other kind into
    this kind, or make a list. */
const toggleList = (type) => (state, dispatch) => {
  const list = ancestor(state, [N.bullet_list, N.ordered_list]);
  if (list && list.node.type === type) return liftListItem(N.list_item)(state, dispatch);
  if (list) {
    if (dispatch) dispatch(state.tr.setNodeMarkup(list.pos, type));
    return true;
  }
  return wrapInList(type)(state, dispatch);
};

const toggleQuote = (state, dispatch) => (ancestor(state, [N.blockquote]) ? lift : wrapIn(N.blockquote))(state, dispatch);

/** Enter in a caption: go on writing in the paragraph below the picture. */
function leaveCaption(state, dispatch) {
  const { $head } = state.selection;
  if ($head.parent.type !== N.figcaption) return false;
  if (dispatch) {
    const after = $head.after($head.depth - 1);
    const tr = state.tr;
    const next = tr.doc.resolve(after).nodeAfter;
    if (!next || next.type !== N.paragraph) tr.insert(after, N.paragraph.create());
    tr.setSelection(TextSelection.create(tr.doc, after + 1));
    dispatch(tr.scrollIntoView());
  }
  return true;
}

/** The range of the link around the caret (or the selection), or null. */
function linkRange(state) {
  const { $from, from, to, empty } = state.selection;
  if (!empty) return state.doc.rangeHasMark(from, to, M.link) ? { from, to } : null;
  // Runs of the textblock's children that carry the same link; the one holding the caret.
  const runs = [];
  $from.parent.forEach((child, offset) => {
    const mark = M.link.isInSet(child.marks);
    const pos = $from.start() + offset;
    const last = runs[runs.length - 1];
    if (mark && last && last.mark.eq(mark) && last.to === pos) last.to = pos + child.nodeSize;
    else if (mark) runs.push({ mark, from: pos, to: pos + child.nodeSize });
  });
  const run = runs.find((r) => r.from <= $from.pos && $from.pos <= r.to);
  return run ? { from: run.from, to: run.to } : null;
}

/* Placeholders ---------------------------------------------------------------------------- */

// "Chú thích ảnh" in an empty caption, shown by CSS, never part of the text.
const captionPlaceholders = new Plugin({
  props: {
    decorations(state) {
      const marks = [];
      state.doc.descendants((node, pos) => {
        if (node.type === N.figcaption && node.content.size === 0) {
          marks.push(Decoration.node(pos, pos + node.nodeSize, {
            class: 'is-empty', 'data-placeholder': CAPTION_PLACEHOLDER,
          }));
        }
        return node.isBlock && !node.isTextblock;
      });
      return DecorationSet.create(state.doc, marks);
    },
  },
});

function isEmptyDoc(doc) {
  let empty = true;
  doc.descendants((node) => {
    if (!empty) return false;
    if (node.isText ? !BLANK.test(node.text) : node.isAtom || node.type === N.horizontal_rule || node.type === N.table) empty = false;
    return empty;
  });
  return empty;
}

/* The toolbar ---------------------------------------------------------------------------- */

const svg = (body) => '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false">' + body + '</svg>';
const ICONS = {
  ul: svg('<circle class="f" cx="5" cy="6.5" r="1.6"/><circle class="f" cx="5" cy="12" r="1.6"/><circle class="f" cx="5" cy="17.5" r="1.6"/><path d="M10 6.5h10M10 12h10M10 17.5h10"/>'),
  ol: svg('<path d="M10 6.5h10M10 12h10M10 17.5h10"/><path class="thin" d="M4 4.5h1.5v4M3.5 8.5h3.5M3.5 13.2c.3-.9 1-1.4 1.8-1.4 1 0 1.6.6 1.6 1.3 0 1.3-3.4 2.2-3.4 3.6h3.5"/>'),
  blockquote: svg('<path class="f" d="M4 18v-5.2C4 8.7 5.9 6.3 9.6 5.4l.7 1.7C8.4 7.8 7.5 9 7.4 10.5H10V18zm9 0v-5.2c0-4.1 1.9-6.5 5.6-7.4l.7 1.7c-1.9.7-2.8 1.9-2.9 3.4H19V18z"/>'),
  link: svg('<path d="M10 14a4.2 4.2 0 0 0 6 0l3-3a4.2 4.2 0 0 0-6-6l-1.2 1.2"/><path d="M14 10a4.2 4.2 0 0 0-6 0l-3 3a4.2 4.2 0 0 0 6 6l1.2-1.2"/>'),
  image: svg('<rect x="3" y="4.5" width="18" height="15" rx="2"/><circle cx="8.5" cy="9.5" r="1.8"/><path d="m21 15.5-5-5L6 19.5"/>'),
  undo: svg('<path d="M8.5 13.5 4 9l4.5-4.5"/><path d="M4 9h10.5a5.5 5.5 0 0 1 0 11H11"/>'),
  redo: svg('<path d="M15.5 13.5 20 9l-4.5-4.5"/><path d="M20 9H9.5a5.5 5.5 0 0 0 0 11H13"/>'),
};

// [cmd, name, visible text (part of the accessible name), extra class, shortcut, toggles]
const GROUPS = [
  [['bold', 'Đậm', 'B', 'rte-glyph-b', MOD + 'B', true], ['italic', 'Nghiêng', 'I', 'rte-glyph-i', MOD + 'I', true]],
  [['h2', 'Tiêu đề lớn', 'H2', '', '', true], ['h3', 'Tiêu đề nhỏ', 'H3', 'rte-glyph-small', '', true],
    ['p', 'Đoạn văn', '¶', '', '', true]],
  [['ul', 'Danh sách', '', '', '', true], ['ol', 'Danh sách số', '', '', '', true],
    ['blockquote', 'Trích dẫn', '', '', '', true]],
  [['link', 'Liên kết', '', '', MOD + 'K', true], ['image', 'Ảnh', 'Ảnh', 'rte-label', '', false]],
  [['undo', 'Hoàn tác', '', '', MOD + 'Z', false], ['redo', 'Làm lại', '', '', IS_MAC ? '⌘⇧Z' : 'Ctrl+Y', false]],
];
const KEY_SHORTCUTS = { bold: 'Control+B', italic: 'Control+I', link: 'Control+K', undo: 'Control+Z', redo: 'Control+Y' };

const COMMANDS = {
  bold: toggleMark(M.strong),
  italic: toggleMark(M.em),
  h2: setHeading(2),
  h3: setHeading(3),
  p: setBlockType(N.paragraph),
  ul: toggleList(N.bullet_list),
  ol: toggleList(N.ordered_list),
  blockquote: toggleQuote,
  undo,
  redo,
};

function formatBytes(n) {
  if (n < 1024 * 1024) return Math.max(1, Math.round(n / 1024)) + ' KB';
  return (n / 1024 / 1024).toFixed(1).replace('.', ',') + ' MB';
}

function labelFor(textarea) {
  let label = null;
  if (textarea.id) label = document.querySelector('label[for="' + CSS.escape(textarea.id) + '"]');
  if (!label) label = textarea.closest('label');
  const text = label ? label.textContent.replace(/\s+/g, ' ').replace(/\s*\*\s*$/, '').trim() : '';
  return { label, text: text || textarea.getAttribute('aria-label') || 'Nội dung bài viết' };
}

let uid = 0;

class Editor {
  constructor(textarea) {
    this.textarea = textarea;
    this.form = textarea.form;
    this.uploadUrl = textarea.getAttribute('data-upload-url') || '';
    // The server's upload limit in bytes, checked before sending (0: none given).
    this.maxBytes = Number(textarea.getAttribute('data-max-bytes')) || 0;
    this.busy = false;
    this.build();
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
      for (const [cmd, name, visible, glyphClass, shortcut, toggles] of group) {
        const b = document.createElement('button');
        b.type = 'button';
        b.className = 'rte-button rte-' + cmd;
        b.dataset.cmd = cmd;
        // The accessible name starts with the text the button shows ("B Đậm", "H2 Tiêu đề
        // lớn"), so that speech control finds the button by what it reads.
        b.setAttribute('aria-label', visible && visible !== name && visible !== '¶' ? visible + ' ' + name : name);
        b.title = shortcut ? name + ' (' + shortcut + ')' : name;
        if (KEY_SHORTCUTS[cmd]) b.setAttribute('aria-keyshortcuts', KEY_SHORTCUTS[cmd]);
        if (toggles) b.setAttribute('aria-pressed', 'false');
        b.tabIndex = -1;
        if (ICONS[cmd]) b.innerHTML = ICONS[cmd];
        if (visible) {
          const span = document.createElement('span');
          span.className = glyphClass === 'rte-label' ? 'rte-label' : ('rte-glyph ' + glyphClass).trim();
          span.textContent = visible;
          span.setAttribute('aria-hidden', 'true');
          b.append(span);
        }
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

    this.fileInput = document.createElement('input');
    this.fileInput.type = 'file';
    this.fileInput.accept = IMAGE_TYPES.join(',');
    this.fileInput.hidden = true;
    this.fileInput.tabIndex = -1;
    this.fileInput.className = 'rte-file';

    if (ta.required) {
      // A hidden required field would block submission with a console error;
      // we check it ourselves on submit instead.
      ta.required = false;
      this.required = true;
    }
    const described = [ta.getAttribute('aria-describedby'), this.status.id].filter(Boolean).join(' ');
    const attributes = {
      id: id + '-surface',
      class: 'rte-surface',
      role: 'textbox',
      'aria-multiline': 'true',
      'aria-label': text,
      'aria-describedby': described,
      lang: ta.getAttribute('lang') || document.documentElement.lang || 'vi',
      spellcheck: 'true',
      'data-placeholder': ta.getAttribute('placeholder') || 'Bắt đầu viết nội dung bài…',
    };
    if (ta.getAttribute('aria-invalid')) attributes['aria-invalid'] = ta.getAttribute('aria-invalid');
    if (this.required) attributes['aria-required'] = 'true';

    const mount = document.createElement('div');
    mount.className = 'rte-mount';
    this.root.append(this.toolbar, this.status, mount, this.fileInput);
    ta.before(this.root);
    ta.hidden = true;
    ta.classList.add('rte-source');

    this.view = new EditorView(mount, {
      state: EditorState.create({ doc: parseHtml(ta.value), plugins: this.plugins() }),
      attributes: (state) => (isEmptyDoc(state.doc) ? { ...attributes, class: 'rte-surface is-empty' } : attributes),
      dispatchTransaction: (tr) => this.dispatch(tr),
      transformPastedHTML: (html) => this.cleanPaste(html),
      clipboardTextParser: (text, $context) => this.parseText(text, $context),
      handlePaste: (view, event, slice) => this.onPaste(event, slice),
      handleDrop: (view, event, slice, moved) => this.onDrop(event, slice, moved),
      handleClickOn: (view, pos, node, nodePos, event, direct) => this.onClickOn(node, nodePos, direct),
      handleDoubleClickOn: (view, pos, node) => {
        if (node.type !== N.image) return false;
        this.editAlt();
        return true;
      },
    });
    this.surface = this.view.dom;
    if (label && label.htmlFor === ta.id) {
      label.addEventListener('click', (e) => { e.preventDefault(); this.focus(); });
    }
  }

  plugins() {
    const run = (name) => () => { this.run(name); return true; };
    return [
      keymap({
        'Mod-z': undo,
        'Shift-Mod-z': redo,
        'Mod-y': redo,
        'Mod-b': toggleMark(M.strong),
        'Mod-i': toggleMark(M.em),
        'Mod-u': toggleMark(M.u),
        'Mod-k': run('link'),
        'Alt-F10': () => { this.focusToolbar(); return true; },
        Enter: chainCommands(leaveCaption, splitListItem(N.list_item)),
        'Shift-Enter': (state, dispatch) => {
          if (dispatch) dispatch(state.tr.replaceSelectionWith(N.hard_break.create()).scrollIntoView());
          return true;
        },
        Tab: sinkListItem(N.list_item),
        'Shift-Tab': liftListItem(N.list_item),
      }),
      keymap(baseKeymap),
      history({ newGroupDelay: UNDO_GROUP_MS }),
      dropCursor({ color: false, class: 'rte-dropcursor' }),
      gapCursor(),
      captionPlaceholders,
    ];
  }

  // --- content -------------------------------------------------------------------------

  dispatch(tr) {
    this.view.updateState(this.view.state.apply(tr));
    if (tr.docChanged) this.onChange();
    this.updateState();
  }

  html() {
    return storedHtml(this.view.state.doc);
  }

  // Document → textarea. The server's own HTML is kept byte for byte until the content
  // really changes.
  sync() {
    clearTimeout(this.syncTimer);
    this.syncTimer = 0;
    const started = performance.now();
    const html = this.html();
    this.textarea.value = html === this.initialHtml ? this.initialRaw : html;
    // Very long articles on slow office PCs: write the textarea a moment after typing
    // pauses instead of on every keystroke (submit and leaving the page always sync).
    this.slowSync = performance.now() - started > 12;
    this.textarea.dispatchEvent(new CustomEvent('rte-change', { bubbles: true }));
    return html;
  }

  onChange() {
    if (!this.slowSync) { this.sync(); return; }
    clearTimeout(this.syncTimer);
    this.syncTimer = setTimeout(() => this.sync(), 150);
  }

  flush() {
    if (this.syncTimer) this.sync();
  }

  /** Replaces the content (autosave's restore, a form reset): one step of undo. */
  setHtml(html) {
    const { state } = this.view;
    const doc = parseHtml(html);
    this.view.dispatch(state.tr.replaceWith(0, state.doc.content.size, doc.content));
    this.sync();
  }

  isEmpty() {
    return isEmptyDoc(this.view.state.doc);
  }

  focus() {
    this.view.focus();
  }

  focusToolbar() {
    const b = this.toolbar.querySelector('button[tabindex="0"]') || this.buttons.bold;
    b.focus();
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

  // --- toolbar ---------------------------------------------------------------------------

  updateState() {
    const { state } = this.view;
    const { parent } = state.selection.$from;
    const list = ancestor(state, [N.bullet_list, N.ordered_list]);
    const quote = !!ancestor(state, [N.blockquote]);
    const link = !!linkRange(state);
    const heading = (level) => parent.type === N.heading && parent.attrs.level === level;
    const pressed = {
      bold: markActive(state, M.strong),
      italic: markActive(state, M.em),
      h2: heading(2),
      h3: heading(3),
      p: parent.type === N.paragraph && !list && !quote,
      ul: !!list && list.node.type === N.bullet_list,
      ol: !!list && list.node.type === N.ordered_list,
      blockquote: quote,
      link,
    };
    for (const cmd of Object.keys(pressed)) {
      this.buttons[cmd].setAttribute('aria-pressed', pressed[cmd] ? 'true' : 'false');
    }
    const linkName = link ? 'Bỏ liên kết' : 'Liên kết';
    this.buttons.link.setAttribute('aria-label', linkName);
    this.buttons.link.title = linkName + ' (' + MOD + 'K)';
    this.buttons.undo.disabled = !undo(state);
    this.buttons.redo.disabled = !redo(state);
  }

  run(cmd) {
    if (cmd === 'image') { this.pickImage(); return; }
    if (cmd === 'link') { this.toggleLink(); return; }
    const command = COMMANDS[cmd];
    if (!command) return;
    this.focus();
    if (!command(this.view.state, (tr) => this.view.dispatch(tr.scrollIntoView()))) {
      if (inCaption(this.view.state)) this.say('Chú thích ảnh chỉ là một dòng chữ: không định dạng được như đoạn văn.', 'error');
    }
  }

  toggleLink() {
    const { state } = this.view;
    const range = linkRange(state);
    if (range) {
      this.view.dispatch(state.tr.removeMark(range.from, range.to, M.link));
      this.focus();
      this.say('Đã bỏ liên kết.');
      return;
    }
    const answer = window.prompt('Địa chỉ liên kết (ví dụ baothang.laocai.gov.vn, https://…, mailto:… hoặc đường dẫn bắt đầu bằng /):', '');
    this.focus();
    if (answer === null) return;
    const href = normaliseUserUrl(answer);
    if (!href) {
      this.say('Địa chỉ liên kết không hợp lệ. Dùng địa chỉ trang web (ví dụ baothang.laocai.gov.vn), https://, mailto:, tel: hoặc đường dẫn trong trang (bắt đầu bằng /).', 'error');
      return;
    }
    const now = this.view.state;
    const mark = M.link.create({ href });
    const { from, to, empty } = now.selection;
    const tr = now.tr;
    if (empty) {
      const text = href.replace(/^(mailto|tel):/i, '');
      tr.insert(from, schema.text(text, [...now.selection.$from.marks(), mark]));
      tr.setSelection(TextSelection.create(tr.doc, from + text.length));
    } else {
      tr.addMark(from, to, mark);
    }
    this.view.dispatch(tr.scrollIntoView());
    this.say('');
  }

  // --- images ----------------------------------------------------------------------------

  pickImage() {
    if (this.busy) return;
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
    this.setBusy(true);
    this.say('Đang tải ảnh “' + file.name + '” (' + formatBytes(file.size) + ')…', 'busy');
    let res;
    try {
      res = await fetch(this.uploadUrl, { method: 'POST', body, headers: { Accept: 'application/json' }, credentials: 'same-origin' });
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

  /** Inserts a figure at the caret (between blocks: a paragraph is split). `data`: srcset,
      width, height; from the media library also the image's default alt and caption. */
  insertFigure(src, data) {
    const defaultAlt = typeof data.alt === 'string' ? data.alt.trim() : '';
    const alt = defaultAlt || window.prompt('Mô tả ảnh cho người khiếm thị (alt)', '');
    const captionText = typeof data.caption === 'string' ? data.caption.replace(/\s+/g, ' ').trim() : '';
    const srcset = safeSrcset(data.srcset, false);
    const dim = (v) => (Number.isInteger(v) && v > 0 ? String(v) : null);
    const image = N.image.create({
      src,
      srcset,
      sizes: srcset ? IMAGE_SIZES : null,
      alt: (alt || '').replace(/\s+/g, ' ').trim(),
      width: dim(data.width),
      height: dim(data.height),
    });
    const figure = N.figure.create(null, [image, N.figcaption.create(null, captionText ? schema.text(captionText) : null)]);

    const { state } = this.view;
    const tr = state.tr;
    const sel = state.selection;
    let figurePos;
    if (sel.$from.depth === 1 && sel.$from.parent.type === N.paragraph) {
      // In a paragraph: before it, after it, or splitting it at the caret.
      tr.deleteSelection();
      const $pos = tr.selection.$from;
      if ($pos.parentOffset === 0) figurePos = $pos.before(1);
      else if ($pos.parentOffset === $pos.parent.content.size) figurePos = $pos.after(1);
      else { tr.split($pos.pos); figurePos = $pos.pos + 1; }
    } else if (sel.$from.depth >= 1) {
      // Never inside a caption, a list, a quote or a table: after the top-level block.
      figurePos = sel.$from.after(1);
    } else {
      figurePos = sel.to; // a selected figure or table, the gap cursor
    }
    tr.insert(figurePos, figure);
    const placed = tr.doc.nodeAt(figurePos);
    const afterFigure = figurePos + placed.nodeSize;
    const next = tr.doc.resolve(afterFigure).nodeAfter;
    if (!next) tr.insert(afterFigure, N.paragraph.create());
    // Caret in the empty caption (to type it), or below the picture.
    const caretPos = captionText ? afterFigure + 1 : figurePos + 1 + image.nodeSize + 1;
    tr.setSelection(TextSelection.near(tr.doc.resolve(caretPos)));
    this.view.dispatch(tr.scrollIntoView());
    this.focus();
    if (captionText) {
      this.say('Đã chèn ảnh từ thư viện, kèm mô tả và chú thích mặc định; nháy đúp vào ảnh để sửa mô tả (alt).', 'ok');
    } else {
      this.say('Đã chèn ảnh. Gõ chú thích ngay dưới ảnh; nháy đúp vào ảnh để sửa mô tả (alt).', 'ok');
    }
  }

  /** Double-click on a picture (it is selected then): ask for its description. */
  editAlt() {
    const sel = this.view.state.selection;
    const figure = sel instanceof NodeSelection && sel.node.type === N.figure ? sel : null;
    if (!figure) return;
    const imagePos = figure.from + 1;
    const current = figure.node.firstChild.attrs.alt;
    const alt = window.prompt('Mô tả ảnh cho người khiếm thị (alt)', current);
    if (alt === null) return;
    const clean = alt.replace(/\s+/g, ' ').trim();
    this.view.dispatch(this.view.state.tr.setNodeAttribute(imagePos, 'alt', clean));
    this.say(clean ? 'Đã cập nhật mô tả ảnh.' : 'Ảnh chưa có mô tả (alt).', 'ok');
  }

  /** A click on a picture selects its figure (to move, delete or describe it). */
  onClickOn(node, nodePos, direct) {
    if (!direct || node.type !== N.image) return false;
    const { state } = this.view;
    this.view.dispatch(state.tr.setSelection(NodeSelection.create(state.doc, nodePos - 1)));
    return true;
  }

  // --- paste and drop ----------------------------------------------------------------------

  cleanPaste(html) {
    const { root, droppedImages } = cleanHtml(html, 'paste');
    if (droppedImages) {
      this.say('Đã bỏ ' + droppedImages + ' ảnh không chép được từ nơi khác. Hãy dùng nút “Ảnh” để tải ảnh lên.', 'error');
    }
    return serialize(root);
  }

  /** Plain text: blank lines separate paragraphs, single newlines are line breaks. */
  parseText(text, $context) {
    const container = inertDocument().createElement('div');
    if ($context.parent.type === N.figcaption) container.textContent = text.replace(/\s+/g, ' ').trim();
    else container.innerHTML = plainTextToHtml(text);
    return parser.parseSlice(container, { preserveWhitespace: true, context: $context });
  }

  /** Captions take one line of text; a picture pasted alone is uploaded. */
  onPaste(event, slice) {
    const cd = event.clipboardData;
    const types = cd ? Array.from(cd.types || []) : [];
    const image = cd ? Array.from(cd.files || []).find((f) => IMAGE_TYPES.includes(f.type)) : null;
    if (image && !types.includes('text/html') && !types.includes('text/plain')) {
      this.upload(image);
      return true;
    }
    if (inCaption(this.view.state)) {
      const text = slice.content.textBetween(0, slice.content.size, ' ').replace(/\s+/g, ' ').trim();
      this.view.dispatch(this.view.state.tr.insertText(text).scrollIntoView());
      return true;
    }
    return false;
  }

  onDrop(event, slice, moved) {
    const files = event.dataTransfer ? Array.from(event.dataTransfer.files || []) : [];
    if (moved || !files.length) return false;
    event.preventDefault();
    const image = files.find((f) => IMAGE_TYPES.includes(f.type));
    if (!image) {
      this.say('Chỉ kéo thả được ảnh JPEG, PNG hoặc WebP.', 'error');
      return true;
    }
    const at = this.view.posAtCoords({ left: event.clientX, top: event.clientY });
    if (at) {
      const { state } = this.view;
      this.view.dispatch(state.tr.setSelection(TextSelection.near(state.doc.resolve(at.pos))));
    }
    this.upload(image);
    return true;
  }

  // --- events ------------------------------------------------------------------------------

  bind() {
    const tb = this.toolbar;
    // Keep the caret in the text when a button is clicked with the mouse.
    tb.addEventListener('mousedown', (e) => {
      if (e.target.closest('button')) e.preventDefault();
    });
    tb.addEventListener('click', (e) => {
      const b = e.target.closest('button[data-cmd]');
      if (!b || b.disabled) return;
      this.setRoving(b);
      this.run(b.dataset.cmd);
    });
    // ARIA toolbar pattern: one tab stop, arrows move between buttons, Escape goes back to
    // the text.
    tb.addEventListener('keydown', (e) => {
      const all = Array.from(tb.querySelectorAll('button')).filter((b) => !b.disabled);
      const i = all.indexOf(document.activeElement);
      if (i < 0) return;
      let next = null;
      if (e.key === 'ArrowRight' || e.key === 'ArrowDown') next = all[(i + 1) % all.length];
      else if (e.key === 'ArrowLeft' || e.key === 'ArrowUp') next = all[(i - 1 + all.length) % all.length];
      else if (e.key === 'Home') next = all[0];
      else if (e.key === 'End') next = all[all.length - 1];
      else if (e.key === 'Escape') { e.preventDefault(); this.focus(); return; }
      if (next) { e.preventDefault(); this.setRoving(next); next.focus(); }
    });

    this.surface.addEventListener('blur', () => this.flush());
    // Links are edited, not followed, inside the editor.
    this.surface.addEventListener('click', (e) => {
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
  return editors;
}
