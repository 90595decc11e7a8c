/* Tòa Soạn — the HTML cleaner. Whatever Word, Google Docs or a web page put
   on the clipboard, reduced to what an article body may hold (a subset of the
   server's allow-list in src/sanitize.rs, which has the last word anyway).
   One tree walk serves two purposes:
   - mode 'paste': clipboard HTML → clean HTML;
   - mode 'store': the editor's own DOM → the HTML written to the textarea
     (b→strong, i→em, no spans/styles, text always inside blocks), which
     keeps what the editor's schema holds (editor/src/schema.js: image sizes,
     <s>, <sub>, <sup>, <hr>, <ol start>, <th scope>, link titles) and writes
     links with the rel the server adds, so that the server's sanitiser
     leaves the result unchanged.
   Functions of their input alone, with no knowledge of the editor, so that
   any editor can use them: as ProseMirror's transformPastedHTML, wrapped as
   `(html) => cleanPastedHtml(html)` since ProseMirror passes its view second.
   Input is parsed and output built in inert documents: nothing in the pasted
   HTML loads or runs. */

/* URL rules ------------------------------------------------------------------ */

const LINK_SCHEMES = new Set(['http', 'https', 'mailto', 'tel']);

/** The rel the server's sanitiser gives every link (ammonia's link_rel in src/sanitize.rs). */
export const LINK_REL = 'noopener noreferrer';

// The scheme of a URL the way a browser would see it (leading controls and
// embedded tabs/newlines are ignored by URL parsing), or '' for relative URLs.
function urlScheme(value) {
  const s = value.replace(/^[\u0000-\u0020]+/, '').replace(/[\t\n\r]/g, '');
  const m = /^([a-z][a-z0-9+.-]*):/i.exec(s);
  return m ? m[1].toLowerCase() : '';
}

/** href we keep: http(s), mailto, tel, or a relative URL. Anything else → null. */
export function safeHref(value) {
  const v = String(value == null ? '' : value).trim();
  if (!v || /[\u0000-\u001f\u007f]/.test(v)) return null;
  const scheme = urlScheme(v);
  if (scheme && !LINK_SCHEMES.has(scheme)) return null;
  return v;
}

/** src we keep for images. Pasted images (strict): http(s) or our own /media/
    only; the editor's own content may also use other same-site paths. */
export function safeImageSrc(value, strict) {
  const v = String(value == null ? '' : value).trim();
  if (!v || /[\u0000-\u001f\u007f\s]/.test(v)) return null;
  const scheme = urlScheme(v);
  if (scheme) return scheme === 'http' || scheme === 'https' ? v : null;
  if (strict) return v.startsWith('/media/') ? v : null;
  return v.startsWith('/') || v.startsWith('./') || /^[\w-]/.test(v) ? v : null;
}

export function safeSrcset(value, strict) {
  const parts = String(value || '').split(',').map((p) => p.trim()).filter(Boolean);
  const kept = [];
  for (const part of parts) {
    const m = /^(\S+)(\s+\d+(?:\.\d+)?[wx])?$/.exec(part);
    if (!m || !safeImageSrc(m[1], strict)) return null;
    kept.push(m[1] + (m[2] || ''));
  }
  return kept.length ? kept.join(', ') : null;
}

export function escapeHtml(text) {
  return String(text).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }[c]));
}

/* The walk ---------------------------------------------------------------------- */

// A pasted style attribute, renamed before parsing (see withoutInlineStyles).
const PASTED_STYLE = 'data-pasted-style';

function styleOf(el) {
  return el.getAttribute(PASTED_STYLE) ?? el.getAttribute('style') ?? '';
}

// Dropped with everything inside them.
const DROP = new Set([
  'script', 'style', 'meta', 'link', 'title', 'head', 'xml', 'template', 'noscript',
  'iframe', 'frame', 'frameset', 'object', 'embed', 'applet', 'svg', 'math', 'canvas',
  'video', 'audio', 'source', 'track', 'map', 'area', 'input', 'button', 'select',
  'option', 'optgroup', 'textarea', 'datalist', 'output', 'progress', 'meter', 'col',
  'colgroup', 'base', 'param', 'dialog', 'slot', 'portal',
]);

// Source elements that start and end a paragraph but are not kept themselves
// (div → p and friends).
const BLOCKISH = new Set([
  'p', 'div', 'address', 'article', 'aside', 'center', 'dd', 'details', 'dl', 'dt',
  'fieldset', 'figcaption', 'footer', 'form', 'h5', 'h6', 'header', 'hgroup', 'hr',
  'legend', 'li', 'main', 'nav', 'pre', 'section', 'summary', 'caption', 'tr', 'td',
  'th', 'tbody', 'thead', 'tfoot', 'table', 'blockquote', 'figure', 'ul', 'ol', 'menu',
  'h1', 'h2', 'h3', 'h4', 'listing', 'plaintext', 'xmp',
]);

const BLOCK_SELECTOR = 'p,div,h1,h2,h3,h4,h5,h6,ul,ol,li,table,blockquote,figure,section,article,header,footer,pre,address';
const WS = /[ \t\n\r\f]+/g;
/** Text that shows nothing. */
export const BLANK = /^[\s\u00a0\u200b\ufeff]*$/;

function cssDecl(style, prop) {
  for (const decl of style.split(';')) {
    const i = decl.indexOf(':');
    if (i > 0 && decl.slice(0, i).trim().toLowerCase() === prop) {
      return decl.slice(i + 1).trim().toLowerCase();
    }
  }
  return '';
}

const isBoldWeight = (w) => w === 'bold' || w === 'bolder' || /^[6-9]00$/.test(w);
const isPlainWeight = (w) => w === 'normal' || w === 'lighter' || /^[1-5]00$/.test(w);
const isWordListMarker = (style) => /^ignore\b/.test(cssDecl(style, 'mso-list'));

function isHiddenStyle(style) {
  return cssDecl(style, 'display') === 'none' ||
    cssDecl(style, 'visibility') === 'hidden' ||
    cssDecl(style, 'mso-hide') === 'all' ||
    isWordListMarker(style);
}

// Word's bullet/number text lives in <span style="mso-list:Ignore">.
function wordListIsOrdered(p) {
  for (const el of p.querySelectorAll(`[style], [${PASTED_STYLE}]`)) {
    if (isWordListMarker(styleOf(el))) {
      return /^[\s\u00a0]*\(?([0-9]+|[a-z]{1,4})[.)]/i.test(el.textContent);
    }
  }
  return false;
}

// --- sinks: where cleaned content goes -------------------------------------
// block: a container of blocks (root, blockquote); loose inline content is
//        gathered into <p>.
// inline / flow: a container of inline content (p, h2, li, td, figcaption);
//        "paragraph boundaries" become <br>. flow (li, td) also takes lists.
// list: ul/ol; takes li, loose content is put into an li.
// New elements are made by the output document of the container they fill.

function blockSink(parent) {
  const doc = parent.ownerDocument;
  let para = null;
  const openPara = () => {
    if (!para) { para = doc.createElement('p'); parent.append(para); }
    return para;
  };
  return {
    kind: 'block',
    parent,
    text(t) {
      if (!para && BLANK.test(t)) return;
      openPara().append(t);
    },
    inline(node) { openPara().append(node); },
    br() { if (para) para.append(doc.createElement('br')); },
    boundary() { para = null; },
    block(node) { para = null; parent.append(node); },
    lastBlock() { return para ? null : parent.lastChild; },
  };
}

function inlineSink(parent, kind) {
  const br = () => parent.ownerDocument.createElement('br');
  let started = false;
  let pending = false;
  const flush = () => {
    if (pending && started) parent.append(br());
    pending = false;
  };
  return {
    kind: kind || 'inline',
    parent,
    text(t) {
      if (!BLANK.test(t)) { flush(); started = true; }
      parent.append(t);
    },
    inline(node) { flush(); started = true; parent.append(node); },
    br() { pending = false; started = true; parent.append(br()); },
    boundary() { if (started) pending = true; },
    block(node) { pending = false; started = true; parent.append(node); },
  };
}

function listSink(list, ctx) {
  let item = null;
  let itemSink = null;
  const open = () => {
    if (!item) { item = ctx.mk('li'); list.append(item); itemSink = inlineSink(item, 'flow'); }
    return itemSink;
  };
  return {
    kind: 'list',
    parent: list,
    text(t) { if (item || !BLANK.test(t)) open().text(t); },
    inline(node) { open().inline(node); },
    br() { if (item) itemSink.br(); },
    boundary() { if (item) itemSink.boundary(); },
    block(node) {
      // A list directly inside a list belongs to the previous item.
      const last = list.lastElementChild;
      if (last) last.append(node); else open().block(node);
    },
    li(src) {
      item = null;
      const li = ctx.mk('li');
      list.append(li);
      walk(src, inlineSink(li, 'flow'), ctx);
    },
  };
}

function walk(src, sink, ctx) {
  for (let child = src.firstChild; child; child = child.nextSibling) visit(child, sink, ctx);
}

function aroundBlock(src, sink, ctx) {
  sink.boundary();
  walk(src, sink, ctx);
  sink.boundary();
}

function wrapInline(tag, src, sink, ctx, flag) {
  if (ctx[flag] || (src.querySelector && src.querySelector(BLOCK_SELECTOR))) {
    walk(src, sink, ctx);
    return null;
  }
  const el = ctx.mk(tag);
  walk(src, inlineSink(el), Object.assign({}, ctx, { [flag]: true }));
  if (el.firstChild) sink.inline(el);
  return el;
}

function cleanImage(src, ctx) {
  const strict = ctx.mode === 'paste';
  const url = safeImageSrc(src.getAttribute('src'), strict);
  if (!url) { ctx.stats.droppedImages++; return null; }
  const img = ctx.mk('img');
  img.setAttribute('src', url);
  if (!strict) {
    const srcset = safeSrcset(src.getAttribute('srcset'), false);
    if (srcset) img.setAttribute('srcset', srcset);
    const sizes = src.getAttribute('sizes');
    if (sizes && /^[\w\s().,:%-]{1,200}$/.test(sizes)) img.setAttribute('sizes', sizes);
  }
  img.setAttribute('alt', (src.getAttribute('alt') || '').replace(WS, ' ').trim());
  if (!strict) {
    for (const dim of ['width', 'height']) {
      const v = src.getAttribute(dim);
      if (v && /^\d{1,5}$/.test(v)) img.setAttribute(dim, v);
    }
  }
  return img;
}

function visitFigure(src, sink, ctx) {
  const fig = ctx.mk('figure');
  const caption = ctx.mk('figcaption');
  const capSink = inlineSink(caption);
  (function scan(node) {
    for (let c = node.firstChild; c; c = c.nextSibling) {
      if (c.nodeType !== 1) continue;
      const name = c.localName;
      if (DROP.has(name) || isHiddenStyle(styleOf(c))) continue;
      if (name === 'img') {
        const img = cleanImage(c, ctx);
        if (img) fig.append(img);
      } else if (name === 'figcaption') {
        capSink.boundary();
        walk(c, capSink, ctx);
      } else {
        scan(c);
      }
    }
  })(src);
  const hasCaption = !BLANK.test(caption.textContent);
  if (fig.querySelector('img') && sink.kind === 'block') {
    if (hasCaption) fig.append(caption);
    sink.block(fig);
    return;
  }
  // No picture left (or no room for a figure here): keep what there is as text.
  sink.boundary();
  for (const img of Array.from(fig.querySelectorAll('img'))) sink.inline(img);
  if (hasCaption) {
    sink.boundary();
    while (caption.firstChild) {
      const n = caption.firstChild;
      if (n.nodeType === 3) { caption.removeChild(n); sink.text(n.data); } else sink.inline(n);
    }
  }
  sink.boundary();
}

function visitTable(src, sink, ctx) {
  const table = ctx.mk('table');
  let body = null;
  const addRow = (tr, section) => {
    if (!tr.firstChild) return;
    if (section) { section.append(tr); return; }
    if (!body) body = ctx.mk('tbody');
    body.append(tr);
    if (!body.parentNode) table.append(body);
  };
  const buildRow = (srcRow) => {
    const tr = ctx.mk('tr');
    for (let cell = srcRow.firstElementChild; cell; cell = cell.nextElementSibling) {
      const name = cell.localName;
      if (name !== 'td' && name !== 'th') continue;
      const out = ctx.mk(name);
      for (const span of ['colspan', 'rowspan']) {
        const v = cell.getAttribute(span);
        if (v && /^\d{1,3}$/.test(v) && +v > 1) out.setAttribute(span, v);
      }
      const scope = name === 'th' && ctx.mode === 'store' ? (cell.getAttribute('scope') || '').toLowerCase() : '';
      if (/^(row|col|rowgroup|colgroup)$/.test(scope)) out.setAttribute('scope', scope);
      walk(cell, inlineSink(out, 'flow'), ctx);
      tr.append(out);
    }
    return tr;
  };
  const rows = (container, section) => {
    for (let el = container.firstElementChild; el; el = el.nextElementSibling) {
      const name = el.localName;
      if (name === 'tr') addRow(buildRow(el), section);
      else if (name === 'thead' || name === 'tbody' || name === 'tfoot') {
        const sec = ctx.mk(name === 'thead' ? 'thead' : 'tbody');
        rows(el, sec);
        if (sec.firstChild) { table.append(sec); body = null; }
      } else if (name === 'caption') {
        aroundBlock(el, sink, ctx); // caption text becomes a paragraph before the table
      }
    }
  };
  rows(src, null);
  if (table.querySelector('td, th')) sink.block(table);
}

function visit(node, sink, ctx) {
  if (node.nodeType === 3) {
    const t = node.data.replace(WS, ' ');
    if (t) sink.text(t);
    return;
  }
  if (node.nodeType !== 1) return; // comments (incl. conditional ones), doctype, PIs
  const name = node.localName.toLowerCase();
  if (DROP.has(name)) return;
  const style = styleOf(node);
  if (style && isHiddenStyle(style)) return;
  const paste = ctx.mode === 'paste';

  switch (name) {
    case 'br':
      if (!/Apple-interchange-newline/.test(node.getAttribute('class') || '')) sink.br();
      return;
    case 'p':
      if (paste && sink.kind === 'block' && /^l\d+\s+level\d+/.test(cssDecl(style, 'mso-list'))) {
        // Word list paragraph → a real list item; consecutive ones share a list.
        const tag = wordListIsOrdered(node) ? 'ol' : 'ul';
        let list = sink.lastBlock();
        if (!(list && ctx.wordLists.has(list) && list.localName === tag)) {
          list = ctx.mk(tag);
          ctx.wordLists.add(list);
          sink.block(list);
        }
        const li = ctx.mk('li');
        walk(node, inlineSink(li, 'flow'), ctx);
        list.append(li);
        return;
      }
      aroundBlock(node, sink, ctx);
      return;
    case 'h1': case 'h2': case 'h3': case 'h4': {
      if (sink.kind !== 'block') { aroundBlock(node, sink, ctx); return; }
      const h = ctx.mk(name === 'h1' ? 'h2' : name);
      // Headings are bold already: pasted bold inside them is noise.
      walk(node, inlineSink(h), Object.assign({}, ctx, { heading: true, strong: paste || ctx.strong }));
      sink.block(h);
      return;
    }
    case 'ul': case 'ol': {
      if (sink.kind === 'inline') { aroundBlock(node, sink, ctx); return; }
      const list = ctx.mk(name);
      const start = name === 'ol' && !paste ? node.getAttribute('start') || '' : '';
      if (/^\d{1,6}$/.test(start) && +start !== 1) list.setAttribute('start', String(+start));
      walk(node, listSink(list, ctx), ctx);
      if (list.firstChild) sink.block(list);
      return;
    }
    case 'li':
      if (sink.kind === 'list') sink.li(node); else aroundBlock(node, sink, ctx);
      return;
    case 'blockquote': {
      if (sink.kind !== 'block') { aroundBlock(node, sink, ctx); return; }
      const q = ctx.mk('blockquote');
      walk(node, blockSink(q), ctx);
      sink.block(q);
      return;
    }
    case 'table':
      if (sink.kind === 'block') visitTable(node, sink, ctx); else aroundBlock(node, sink, ctx);
      return;
    case 'figure':
      visitFigure(node, sink, ctx);
      return;
    case 'img': {
      const img = cleanImage(node, ctx);
      if (img) sink.inline(img);
      return;
    }
    case 'hr':
      if (!paste && sink.kind === 'block') sink.block(ctx.mk('hr')); else sink.boundary();
      return;
    case 'strong': case 'b': {
      // Google Docs wraps the whole clipboard in <b style="font-weight:normal"
      // id="docs-internal-guid-…">: that is not bold.
      const id = node.getAttribute('id') || '';
      if (id.startsWith('docs-internal-guid') || isPlainWeight(cssDecl(style, 'font-weight'))) {
        walk(node, sink, ctx);
      } else {
        wrapInline('strong', node, sink, ctx, 'strong');
      }
      return;
    }
    case 'em': case 'i':
      if (cssDecl(style, 'font-style') === 'normal') walk(node, sink, ctx);
      else wrapInline('em', node, sink, ctx, 'em');
      return;
    case 'u':
      wrapInline('u', node, sink, ctx, 'u');
      return;
    case 'sub': case 'sup': case 's':
      if (paste) walk(node, sink, ctx); else wrapInline(name, node, sink, ctx, name);
      return;
    case 'a': {
      const href = safeHref(node.getAttribute('href'));
      if (!href || ctx.link || node.querySelector(BLOCK_SELECTOR)) { walk(node, sink, ctx); return; }
      const a = ctx.mk('a');
      a.setAttribute('href', href);
      if (!paste) {
        const title = (node.getAttribute('title') || '').replace(WS, ' ').trim();
        if (title) a.setAttribute('title', title);
        a.setAttribute('rel', LINK_REL);
      }
      walk(node, inlineSink(a), Object.assign({}, ctx, { link: true }));
      if (!BLANK.test(a.textContent) || a.querySelector('img')) sink.inline(a);
      else if (a.firstChild) sink.text(' ');
      return;
    }
    default:
      if (BLOCKISH.has(name)) { aroundBlock(node, sink, ctx); return; }
      // span, font, o:p, mark, small, … are unwrapped. Pasted spans carry
      // Google Docs' real bold/italic in their style.
      if (paste && style) {
        const bold = isBoldWeight(cssDecl(style, 'font-weight')) && !ctx.strong;
        const italic = cssDecl(style, 'font-style') === 'italic' && !ctx.em;
        if (bold || italic) {
          const outer = ctx.mk(bold ? 'strong' : 'em');
          let inner = outer;
          if (bold && italic) { inner = ctx.mk('em'); outer.append(inner); }
          const flags = { strong: ctx.strong || bold, em: ctx.em || italic };
          walk(node, inlineSink(inner), Object.assign({}, ctx, flags));
          if (inner.firstChild) {
            if (node.querySelector(BLOCK_SELECTOR)) walk(node, sink, ctx);
            else sink.inline(outer);
          }
          return;
        }
      }
      walk(node, sink, ctx);
  }
}

/* Tidying the result ------------------------------------------------------------- */

const TRIMMED = new Set(['p', 'h2', 'h3', 'h4', 'li', 'td', 'th', 'figcaption']);
const INLINE_WRAPPERS = new Set(['strong', 'em', 'u', 's', 'a', 'sub', 'sup']);
const REMOVE_IF_EMPTY = new Set(['p', 'h2', 'h3', 'h4', 'li', 'ul', 'ol', 'blockquote',
  'strong', 'em', 'u', 's', 'a', 'sub', 'sup', 'figcaption', 'tr', 'thead', 'tbody', 'table']);

const meaningful = (el) => !BLANK.test(el.textContent) || !!el.querySelector('img, hr, td, th');

// Drop leading (atStart) or trailing whitespace and <br> inside el.
function trimEdge(el, atStart) {
  for (;;) {
    const n = atStart ? el.firstChild : el.lastChild;
    if (!n) return;
    if (n.nodeType === 3) {
      const t = atStart ? n.data.replace(/^[\s\u00a0\u200b\ufeff]+/, '') : n.data.replace(/[\s\u00a0\u200b\ufeff]+$/, '');
      if (t) { n.data = t; return; }
      n.remove();
    } else if (n.nodeType === 1 && n.localName === 'br') {
      n.remove();
    } else if (n.nodeType === 1 && INLINE_WRAPPERS.has(n.localName)) {
      trimEdge(n, atStart);
      if (n.firstChild) return;
      n.remove();
    } else {
      return;
    }
  }
}

// <p>a<br><br>b</p> (web pages fake paragraphs like that) → <p>a</p><p>b</p>
function splitDoubleBreaks(p) {
  const kids = Array.from(p.childNodes);
  const isBr = (n) => n && n.nodeType === 1 && n.localName === 'br';
  const isBlankText = (n) => n && n.nodeType === 3 && BLANK.test(n.data);
  if (!kids.some((n, i) => isBr(n) && kids.slice(i + 1).some(isBr))) return;
  const newPara = () => p.ownerDocument.createElement('p');
  let current = newPara();
  const parts = [current];
  for (let i = 0; i < kids.length; i++) {
    const n = kids[i];
    if (isBr(n)) {
      let j = i + 1;
      while (isBlankText(kids[j])) j++;
      if (isBr(kids[j])) {
        while (isBr(kids[j]) || isBlankText(kids[j])) j++;
        i = j - 1;
        current = newPara();
        parts.push(current);
        continue;
      }
    }
    current.append(n);
  }
  p.replaceWith(...parts);
}

// Browsers type a no-break space for a trailing space; left between two words
// (after a paste, or typed just after bold/italic/link text:
// <strong>rất quan trọng</strong>&nbsp;đối) it is an accident, not
// typography. Neighbours are looked for across inline tags, within a block.
function replaceStrayNbsp(root) {
  const inlineParent = (n) => {
    let e = n.parentNode;
    while (e !== root && INLINE_WRAPPERS.has(e.localName)) e = e.parentNode;
    return e;
  };
  const runs = [[]];
  const walker = root.ownerDocument.createTreeWalker(root, NodeFilter.SHOW_TEXT | NodeFilter.SHOW_ELEMENT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    let run = runs[runs.length - 1];
    if (n.nodeType === 1) {
      if (!INLINE_WRAPPERS.has(n.localName) && run.length) runs.push([]); // br, img, blocks
      continue;
    }
    if (run.length && inlineParent(run[run.length - 1]) !== inlineParent(n)) runs.push(run = []);
    run.push(n);
  }
  for (const run of runs) {
    const before = run.map((t) => t.data);
    run.forEach((t, i) => {
      if (!t.data.includes('\u00a0')) return;
      const prev = i > 0 ? before[i - 1].slice(-1) : '';
      const next = i + 1 < run.length ? before[i + 1].charAt(0) : '';
      t.data = ((prev || ' ') + t.data + (next || ' '))
        .replace(/([^\s\u00a0])\u00a0(?=[^\s\u00a0])/g, '$1 ').slice(1, -1);
    });
  }
}

function tidy(root, mode) {
  if (mode === 'paste') {
    for (const p of Array.from(root.querySelectorAll('p'))) splitDoubleBreaks(p);
  }
  for (const el of Array.from(root.querySelectorAll('*'))) {
    if (TRIMMED.has(el.localName)) { trimEdge(el, true); trimEdge(el, false); }
  }
  // Bottom-up, so that emptied parents go too.
  const all = Array.from(root.querySelectorAll('*')).reverse();
  for (const el of all) {
    if (!el.parentNode || !REMOVE_IF_EMPTY.has(el.localName) || meaningful(el)) continue;
    if (INLINE_WRAPPERS.has(el.localName) && el.textContent) el.replaceWith(' ');
    else el.remove();
  }
  // <strong>Hà</strong><strong> Nội</strong> → one element.
  for (const el of Array.from(root.querySelectorAll('strong, em, u'))) {
    const prev = el.previousSibling;
    if (prev && prev.nodeType === 1 && prev.localName === el.localName && !prev.attributes.length) {
      while (el.firstChild) prev.append(el.firstChild);
      el.remove();
    }
  }
  root.normalize();
  if (mode === 'store') replaceStrayNbsp(root);
}

/* Entry points ----------------------------------------------------------------- */

// One inert document per live document, for every output: creating one per
// call would cost on every keystroke (the editor cleans its content as you type).
const inertDocs = new WeakMap();

/** A document without a browsing context, where new elements load nothing. */
export function inertDocument(doc = document) {
  let inert = inertDocs.get(doc);
  if (!inert) {
    inert = doc.implementation.createHTMLDocument('');
    inertDocs.set(doc, inert);
  }
  return inert;
}

// A whole clipboard document (Word sends <html><head><style>…) or a fragment,
// parsed like DOMParser would, into a document without a browsing context:
// its scripts never run and its images never load.
function parse(html, doc) {
  const parsed = doc.implementation.createHTMLDocument('');
  parsed.documentElement.innerHTML = withoutInlineStyles(html);
  return parsed.body;
}

// A document made by the page lives under the page's Content-Security-Policy,
// which reports every inline style the parser meets (and applies none, which
// changes nothing here). So the parser meets none: <style> elements (dropped
// anyway) are cut out, and style attributes, inside tags only, are renamed;
// styleOf() reads either name.
const STYLE_ELEMENT = /<style\b[^>]*>[\s\S]*?(<\/style\s*>|$)/gi;
const START_TAG = /<[a-z][^\s/>]*(?:\s+[^\s"'>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]*))?|\s*\/)*\s*>/gi;
const ATTRIBUTE = /(\s+)([^\s"'>/=]+)((?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]*))?)/g;

function withoutInlineStyles(html) {
  return html.replace(STYLE_ELEMENT, '').replace(START_TAG, (tag) => tag.replace(ATTRIBUTE,
    (all, space, name, value) => (name.toLowerCase() === 'style' ? `${space}${PASTED_STYLE}${value}` : all)));
}

/**
 * Cleans `source` — an HTML string, or a node whose children are cleaned (the
 * editor's surface) — in mode 'paste' or 'store'. Returns the clean nodes as
 * the children of `root`, an element of an inert document, and how many
 * images were dropped for want of an acceptable src.
 */
export function cleanHtml(source, mode, doc = document) {
  const inert = inertDocument(doc);
  const srcRoot = typeof source === 'string' ? parse(source, doc) : source;
  const root = inert.createElement('div');
  const ctx = {
    mode,
    mk: (tag) => inert.createElement(tag),
    stats: { droppedImages: 0 },
    wordLists: new WeakSet(),
  };
  if (srcRoot) walk(srcRoot, blockSink(root), ctx);
  tidy(root, mode);
  return { root, droppedImages: ctx.stats.droppedImages };
}

/** One top-level block per line: readable in the textarea and in diffs. */
export function serialize(container) {
  return Array.from(container.childNodes)
    .map((n) => (n.nodeType === 1 ? n.outerHTML : escapeHtml(n.textContent)))
    .join('\n');
}

/** Clipboard HTML → the HTML an article body may hold. */
export function cleanPastedHtml(html, doc = document) {
  return serialize(cleanHtml(html, 'paste', doc).root);
}

/** The editor's content (HTML or its surface node) → the HTML we store. */
export function cleanStoredHtml(source, doc = document) {
  return serialize(cleanHtml(source, 'store', doc).root);
}

/** Plain text with blank lines between paragraphs → <p>s, single newlines → <br>. */
export function plainTextToHtml(text) {
  const paras = text.replace(/\r\n?/g, '\n').split(/\n[ \t\u00a0]*\n/)
    .map((p) => p.trim()).filter(Boolean);
  return paras.map((p) => '<p>' + escapeHtml(p).replace(/\n/g, '<br>') + '</p>').join('');
}
