/* ==========================================================================
   Tòa Soạn — back office scripts
   Plain ES2020, no dependencies, no build step. Every form works without it;
   this file only makes them nicer:
   1. URL rules and small helpers
   2. HTML cleaning (paste allow-list and the editor's own output)
   3. The rich-text editor over <textarea data-editor>
   4. Browser autosave, unsaved-changes warning
   5. Slug helper, confirmations, start-up
   ========================================================================== */
(function () {
  'use strict';

  /* 1. URL rules and small helpers ---------------------------------------- */

  const LINK_SCHEMES = new Set(['http', 'https', 'mailto', 'tel']);
  const IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/webp'];
  const IMAGE_SIZES = '(max-width: 760px) 100vw, 720px';
  const CAPTION_PLACEHOLDER = 'Chú thích ảnh';
  const DRAFT_PREFIX = 'toasoan:draft:';
  const SUBMITTED_PREFIX = 'toasoan:submitted:';
  const IS_MAC = /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent || '');
  const MOD = IS_MAC ? '⌘' : 'Ctrl+';

  // The scheme of a URL the way a browser would see it (leading controls and
  // embedded tabs/newlines are ignored by URL parsing), or '' for relative URLs.
  function urlScheme(value) {
    const s = value.replace(/^[\u0000-\u0020]+/, '').replace(/[\t\n\r]/g, '');
    const m = /^([a-z][a-z0-9+.-]*):/i.exec(s);
    return m ? m[1].toLowerCase() : '';
  }

  // href we keep: http(s), mailto, tel, or a relative URL. Anything else → null.
  function safeHref(value) {
    const v = String(value == null ? '' : value).trim();
    if (!v || /[\u0000-\u001f\u007f]/.test(v)) return null;
    const scheme = urlScheme(v);
    if (scheme && !LINK_SCHEMES.has(scheme)) return null;
    return v;
  }

  // src we keep for images. Pasted images: http(s) or our own /media/ only;
  // the editor's own content (strict = false) may also use other same-site paths.
  function safeImageSrc(value, strict) {
    const v = String(value == null ? '' : value).trim();
    if (!v || /[\u0000-\u001f\u007f\s]/.test(v)) return null;
    const scheme = urlScheme(v);
    if (scheme) return scheme === 'http' || scheme === 'https' ? v : null;
    if (strict) return v.startsWith('/media/') ? v : null;
    return v.startsWith('/') || v.startsWith('./') || /^[\w-]/.test(v) ? v : null;
  }

  function safeSrcset(value, strict) {
    const parts = String(value || '').split(',').map((p) => p.trim()).filter(Boolean);
    const kept = [];
    for (const part of parts) {
      const m = /^(\S+)(\s+\d+(?:\.\d+)?[wx])?$/.exec(part);
      if (!m || !safeImageSrc(m[1], strict)) return null;
      kept.push(m[1] + (m[2] || ''));
    }
    return kept.length ? kept.join(', ') : null;
  }

  // What a reporter types into the link prompt → a URL we accept, or null.
  function normaliseUserUrl(input) {
    let v = String(input || '').trim();
    if (!v || v === 'https://' || v === 'http://') return null;
    if (/^www\./i.test(v)) v = 'https://' + v;
    else if (/^[^\s@/:]+@[^\s@/:]+\.[a-z]{2,}$/i.test(v)) v = 'mailto:' + v;
    return safeHref(v);
  }

  function escapeHtml(text) {
    return String(text).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }[c]));
  }

  function formatBytes(n) {
    if (n < 1024 * 1024) return Math.max(1, Math.round(n / 1024)) + ' KB';
    return (n / 1024 / 1024).toFixed(1).replace('.', ',') + ' MB';
  }

  function formatTime(ms) {
    const d = new Date(ms);
    const p = (n) => String(n).padStart(2, '0');
    return p(d.getHours()) + ':' + p(d.getMinutes()) + ' ' +
      p(d.getDate()) + '/' + p(d.getMonth() + 1) + '/' + d.getFullYear();
  }

  function debounce(fn, ms) {
    let timer = 0;
    const run = () => { timer = 0; fn(); };
    const d = () => { clearTimeout(timer); timer = setTimeout(run, ms); };
    d.flush = () => { if (timer) { clearTimeout(timer); run(); } };
    d.cancel = () => { clearTimeout(timer); timer = 0; };
    return d;
  }

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

  /* 2. HTML cleaning --------------------------------------------------------
     One tree walk serves two purposes:
     - mode 'paste': whatever Word, Google Docs or a web page put on the
       clipboard, reduced to the allow-list below;
     - mode 'store': the editor's own DOM → the HTML written to the textarea
       (b→strong, i→em, no spans/styles, text always inside blocks), which
       keeps a few more attributes so our own images round-trip.
     Output nodes are built in an inert document: nothing loads or runs. */

  const INERT = document.implementation.createHTMLDocument('');
  const mk = (tag) => INERT.createElement(tag);

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
  const BLANK = /^[\s\u00a0\u200b\ufeff]*$/;

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

  function isHiddenStyle(style) {
    return cssDecl(style, 'display') === 'none' ||
      cssDecl(style, 'visibility') === 'hidden' ||
      cssDecl(style, 'mso-hide') === 'all' ||
      /^ignore\b/.test(cssDecl(style, 'mso-list'));
  }

  // Word's bullet/number text lives in <span style="mso-list:Ignore">.
  function wordListIsOrdered(p) {
    const walker = p.ownerDocument.createTreeWalker(p, NodeFilter.SHOW_ELEMENT);
    for (let el = walker.nextNode(); el; el = walker.nextNode()) {
      if (/^ignore\b/.test(cssDecl(el.getAttribute('style') || '', 'mso-list'))) {
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

  function blockSink(parent) {
    let para = null;
    const openPara = () => {
      if (!para) { para = mk('p'); parent.append(para); }
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
      br() { if (para) para.append(mk('br')); },
      boundary() { para = null; },
      block(node) { para = null; parent.append(node); },
      lastBlock() { return para ? null : parent.lastChild; },
    };
  }

  function inlineSink(parent, kind) {
    let started = false;
    let pending = false;
    const flush = () => {
      if (pending && started) parent.append(mk('br'));
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
      br() { pending = false; started = true; parent.append(mk('br')); },
      boundary() { if (started) pending = true; },
      block(node) { pending = false; started = true; parent.append(node); },
    };
  }

  function listSink(list, ctx) {
    let item = null;
    let itemSink = null;
    const open = () => {
      if (!item) { item = mk('li'); list.append(item); itemSink = inlineSink(item, 'flow'); }
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
        const li = mk('li');
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
    const el = mk(tag);
    walk(src, inlineSink(el), Object.assign({}, ctx, { [flag]: true }));
    if (el.firstChild) sink.inline(el);
    return el;
  }

  function cleanImage(src, ctx) {
    const strict = ctx.mode === 'paste';
    const url = safeImageSrc(src.getAttribute('src'), strict);
    if (!url) { ctx.stats.droppedImages++; return null; }
    const img = mk('img');
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
    const fig = mk('figure');
    const caption = mk('figcaption');
    const capSink = inlineSink(caption);
    (function scan(node) {
      for (let c = node.firstChild; c; c = c.nextSibling) {
        if (c.nodeType !== 1) continue;
        const name = c.localName;
        if (DROP.has(name) || isHiddenStyle(c.getAttribute('style') || '')) continue;
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
    const table = mk('table');
    let body = null;
    const addRow = (tr, section) => {
      if (!tr.firstChild) return;
      if (section) { section.append(tr); return; }
      if (!body) body = mk('tbody');
      body.append(tr);
      if (!body.parentNode) table.append(body);
    };
    const buildRow = (srcRow) => {
      const tr = mk('tr');
      for (let cell = srcRow.firstElementChild; cell; cell = cell.nextElementSibling) {
        const name = cell.localName;
        if (name !== 'td' && name !== 'th') continue;
        const out = mk(name);
        for (const span of ['colspan', 'rowspan']) {
          const v = cell.getAttribute(span);
          if (v && /^\d{1,3}$/.test(v) && +v > 1) out.setAttribute(span, v);
        }
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
          const sec = mk(name === 'thead' ? 'thead' : 'tbody');
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
    const style = node.getAttribute('style') || '';
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
            list = mk(tag);
            ctx.wordLists.add(list);
            sink.block(list);
          }
          const li = mk('li');
          walk(node, inlineSink(li, 'flow'), ctx);
          list.append(li);
          return;
        }
        aroundBlock(node, sink, ctx);
        return;
      case 'h1': case 'h2': case 'h3': case 'h4': {
        if (sink.kind !== 'block') { aroundBlock(node, sink, ctx); return; }
        const h = mk(name === 'h1' ? 'h2' : name);
        // Headings are bold already: pasted bold inside them is noise.
        walk(node, inlineSink(h), Object.assign({}, ctx, { heading: true, strong: paste || ctx.strong }));
        sink.block(h);
        return;
      }
      case 'ul': case 'ol': {
        if (sink.kind === 'inline') { aroundBlock(node, sink, ctx); return; }
        const list = mk(name);
        walk(node, listSink(list, ctx), ctx);
        if (list.firstChild) sink.block(list);
        return;
      }
      case 'li':
        if (sink.kind === 'list') sink.li(node); else aroundBlock(node, sink, ctx);
        return;
      case 'blockquote': {
        if (sink.kind !== 'block') { aroundBlock(node, sink, ctx); return; }
        const q = mk('blockquote');
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
        if (!paste && sink.kind === 'block') sink.block(mk('hr')); else sink.boundary();
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
      case 'sub': case 'sup':
        if (paste) walk(node, sink, ctx); else wrapInline(name, node, sink, ctx, name);
        return;
      case 'a': {
        const href = safeHref(node.getAttribute('href'));
        if (!href || ctx.link || node.querySelector(BLOCK_SELECTOR)) { walk(node, sink, ctx); return; }
        const a = mk('a');
        a.setAttribute('href', href);
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
            const outer = mk(bold ? 'strong' : 'em');
            let inner = outer;
            if (bold && italic) { inner = mk('em'); outer.append(inner); }
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

  // --- tidying the result -----------------------------------------------------

  const TRIMMED = new Set(['p', 'h2', 'h3', 'h4', 'li', 'td', 'th', 'figcaption']);
  const INLINE_WRAPPERS = new Set(['strong', 'em', 'u', 'a', 'sub', 'sup']);
  const REMOVE_IF_EMPTY = new Set(['p', 'h2', 'h3', 'h4', 'li', 'ul', 'ol', 'blockquote',
    'strong', 'em', 'u', 'a', 'sub', 'sup', 'figcaption', 'tr', 'thead', 'tbody', 'table']);

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
    let current = mk('p');
    const parts = [current];
    for (let i = 0; i < kids.length; i++) {
      const n = kids[i];
      if (isBr(n)) {
        let j = i + 1;
        while (isBlankText(kids[j])) j++;
        if (isBr(kids[j])) {
          while (isBr(kids[j]) || isBlankText(kids[j])) j++;
          i = j - 1;
          current = mk('p');
          parts.push(current);
          continue;
        }
      }
      current.append(n);
    }
    p.replaceWith(...parts);
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
    if (mode === 'store') {
      // Browsers type a no-break space for a trailing space; left between two
      // words (after a paste, or typed just after bold/italic/link text:
      // <strong>rất quan trọng</strong>&nbsp;đối) it is an accident, not
      // typography. Neighbours are looked for across inline tags, within a block.
      const inlineParent = (n) => {
        let e = n.parentNode;
        while (e !== root && INLINE_WRAPPERS.has(e.localName)) e = e.parentNode;
        return e;
      };
      const runs = [[]];
      const walker = INERT.createTreeWalker(root, NodeFilter.SHOW_TEXT | NodeFilter.SHOW_ELEMENT);
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
  }

  // Clean `source` (an HTML string, or a DOM node whose children are cleaned)
  // into a new container element of the inert document.
  function cleanHtml(source, mode) {
    let srcRoot = source;
    if (typeof source === 'string') {
      srcRoot = new DOMParser().parseFromString(source, 'text/html').body;
    }
    const out = mk('div');
    const ctx = { mode, stats: { droppedImages: 0 }, wordLists: new WeakSet() };
    if (srcRoot) walk(srcRoot, blockSink(out), ctx);
    tidy(out, mode);
    out.stats = ctx.stats;
    return out;
  }

  // One top-level block per line: readable in the textarea and in diffs.
  function serialize(container) {
    return Array.from(container.childNodes)
      .map((n) => (n.nodeType === 1 ? n.outerHTML : escapeHtml(n.textContent)))
      .join('\n');
  }

  function plainTextToHtml(text) {
    const paras = text.replace(/\r\n?/g, '\n').split(/\n[ \t\u00a0]*\n/)
      .map((p) => p.trim()).filter(Boolean);
    return paras.map((p) => '<p>' + escapeHtml(p).replace(/\n/g, '<br>') + '</p>').join('');
  }

  /* 3. The rich-text editor ------------------------------------------------- */

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

  const editors = [];
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
      const clean = cleanHtml(html || '', 'store');
      const frag = document.createDocumentFragment();
      for (const n of Array.from(clean.childNodes)) frag.append(document.importNode(n, true));
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
      return serialize(cleanHtml(this.surface, 'store'));
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

    // Focus the surface with the caret where the reporter left it (buttons and
    // prompts take the focus away).
    restoreSelection() {
      const sel = window.getSelection();
      if (document.activeElement !== this.surface) this.focus();
      if (this.rangeInside()) return;
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
      const max = parseInt(this.textarea.getAttribute('data-max-bytes') || '', 10);
      if (max > 0 && file.size > max) {
        this.say('Ảnh “' + file.name + '” quá lớn (' + formatBytes(file.size) + '). Tối đa ' + formatBytes(max) + '.', 'error');
        return;
      }
      if (!this.uploadUrl) {
        this.say('Chưa cấu hình nơi tải ảnh lên (data-upload-url).', 'error');
        return;
      }
      const body = new FormData();
      body.append('image', file, file.name);
      const headers = { Accept: 'application/json' };
      if (this.form) {
        // Send the form's CSRF token along, if it has one.
        for (const name of ['csrf_token', '_csrf', 'csrf', 'authenticity_token']) {
          const input = this.form.querySelector('input[name="' + name + '"]');
          if (input) { body.append(name, input.value); headers['X-CSRF-Token'] = input.value; break; }
        }
      }
      const meta = document.querySelector('meta[name="csrf-token"]');
      if (meta && !headers['X-CSRF-Token']) headers['X-CSRF-Token'] = meta.getAttribute('content') || '';

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

    insertFigure(src, data) {
      const fig = mk('figure');
      const img = mk('img');
      img.setAttribute('src', src);
      const srcset = safeSrcset(data.srcset, false);
      if (srcset) {
        img.setAttribute('srcset', srcset);
        img.setAttribute('sizes', IMAGE_SIZES);
      }
      img.setAttribute('alt', '');
      if (Number.isInteger(data.width) && data.width > 0) img.setAttribute('width', String(data.width));
      if (Number.isInteger(data.height) && data.height > 0) img.setAttribute('height', String(data.height));
      const cap = mk('figcaption');
      cap.textContent = CAPTION_PLACEHOLDER;
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

      const alt = window.prompt('Mô tả ảnh cho người khiếm thị (alt)', '');
      const placedImg = placed.querySelector('img');
      if (alt !== null && placedImg) placedImg.setAttribute('alt', alt.replace(/\s+/g, ' ').trim());

      // Let the reporter type the caption straight away.
      const caption = placed.querySelector('figcaption');
      this.focus();
      if (caption) {
        const r = document.createRange();
        r.selectNodeContents(caption);
        const sel = window.getSelection();
        sel.removeAllRanges();
        sel.addRange(r);
      }
      this.sync();
      this.saveSelection();
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
        const plain = text || cleanHtml(html || '', 'paste').textContent;
        exec('insertText', plain.replace(/\s+/g, ' ').trim());
        return;
      }
      if (html) {
        const clean = cleanHtml(html, 'paste');
        const dropped = clean.stats.droppedImages;
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

  // One listener for all editors: keep the caret and the pressed states current.
  document.addEventListener('selectionchange', () => {
    for (const ed of editors) {
      if (ed.rangeInside()) { ed.saveSelection(); ed.updateState(); }
    }
  });

  /* 4. Autosave and the unsaved-changes warning ----------------------------- */

  const watched = [];

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

  function watchForm(form) {
    const formEditors = editors.filter((ed) => ed.form === form);
    const bodyEditor = formEditors[0] || null;
    const key = form.getAttribute('data-autosave-key');
    const version = form.getAttribute('data-version') || '';
    const entry = { form, submitting: false, initial: formSnapshot(form) };
    watched.push(entry);

    if (!key) return;
    const draftKey = DRAFT_PREFIX + key;
    const submittedKey = SUBMITTED_PREFIX + key;

    const state = () => ({
      title: fieldValue(form, 'title'),
      sapo: fieldValue(form, 'sapo'),
      body: bodyEditor ? bodyEditor.html() : fieldValue(form, 'body_html'),
    });
    const rendered = state();
    const sameAsRendered = (s) => s.title === rendered.title && s.sapo === rendered.sapo &&
      (bodyEditor ? serialize(cleanHtml(s.body || '', 'store')) : s.body) === rendered.body;

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
        return;
      }
    }

    const draft = readJson(draftKey);
    if (!draft || typeof draft !== 'object') return;
    if (String(draft.version == null ? '' : draft.version) !== version) return;
    const savedDraft = {
      title: typeof draft.title === 'string' ? draft.title : '',
      sapo: typeof draft.sapo === 'string' ? draft.sapo : '',
      body: typeof draft.body === 'string' ? draft.body : '',
    };
    if (sameAsRendered(savedDraft)) { storage.remove(draftKey); return; }
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
    }, () => storage.remove(draftKey));
  }

  function showDraftNotice(form, savedAt, onRestore, onDiscard) {
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
      const firstEditor = editors.find((ed) => ed.form === form);
      close(firstEditor ? firstEditor.surface : form.elements.namedItem('title'));
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

  // Back from the next page (bfcache): the submission is over.
  window.addEventListener('pageshow', (e) => {
    if (!e.persisted) return;
    for (const w of watched) {
      w.submitting = false;
      if (w.unmarkSubmitted) w.unmarkSubmitted();
    }
  });

  /* 5. Slug helper, confirmations, start-up ---------------------------------- */

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

  document.addEventListener('click', (e) => {
    const el = e.target.closest && e.target.closest('button[data-confirm], input[type="submit"][data-confirm], a[data-confirm]');
    if (!el || el.disabled) return;
    if (!window.confirm(el.getAttribute('data-confirm'))) {
      e.preventDefault();
      e.stopImmediatePropagation();
    }
  }, true);

  document.addEventListener('submit', (e) => {
    const form = e.target;
    if (e.defaultPrevented) return;
    const submitter = e.submitter;
    const question = form.getAttribute('data-confirm');
    if (question !== null && !(submitter && submitter.hasAttribute('data-confirm'))) {
      if (!window.confirm(question)) { e.preventDefault(); return; }
    }
    const w = watched.find((x) => x.form === form);
    if (w) {
      w.submitting = true;
      if (w.markSubmitted) w.markSubmitted();
    }
  });

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

  function start() {
    document.documentElement.classList.add('js');
    try { exec('defaultParagraphSeparator', 'p'); } catch (e) { /* older browsers */ }
    for (const ta of document.querySelectorAll('textarea[data-editor]')) {
      if (ta.dataset.editorReady) continue;
      ta.dataset.editorReady = '1';
      try {
        editors.push(new Editor(ta));
      } catch (err) {
        // Without the editor the plain textarea still works.
        ta.hidden = false;
        if (window.console) console.warn('Tòa Soạn: không khởi tạo được trình soạn thảo', err);
      }
    }
    if (editors.length) guardFileDrops();
    pruneDrafts();
    const forms = new Set(editors.map((ed) => ed.form).filter(Boolean));
    for (const f of document.querySelectorAll('form[data-autosave-key]')) forms.add(f);
    for (const f of forms) watchForm(f);
    for (const f of document.querySelectorAll('form')) setupSlug(f);
  }

  // Exposed for tests and for the odd page that needs the same rules.
  window.ToaSoanEditor = {
    cleanPaste: (html) => serialize(cleanHtml(html, 'paste')),
    cleanStored: (html) => serialize(cleanHtml(html, 'store')),
    plainTextToHtml,
    slugify,
    safeHref,
    editors,
  };

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
