/* Tòa Soạn — the document schema of the body editor: exactly what the server's sanitiser
   (src/sanitize.rs, ammonia) keeps, and nothing else. Every node and mark writes only allowed
   tags and attributes, in the order the sanitiser writes them back (links end with the
   rel="noopener noreferrer" it adds), so that a body the editor saves passes the sanitiser
   unchanged. tests/browser/editor.test.mjs checks both directions: a document holding every
   node and mark goes through the real server unchanged, and every tag of the allow-list is
   written by some node or mark (<b> and <i> are read as <strong> and <em>).

   Structure rules that keep the stored HTML sane whatever the reporter does:
   - a figure is exactly an image and its caption (an empty caption is still there, so an
     image never loses its caption and a caption never floats away as a paragraph);
   - paragraphs hold text only: never another block (no nested <p>);
   - list items, cells and quotes hold blocks, not loose text. */

import { Schema } from 'prosemirror-model';
import { bulletList, listItem, orderedList } from 'prosemirror-schema-list';
import { LINK_REL, safeHref, safeImageSrc, safeSrcset } from '/static/admin/sanitize-paste.js';

const DIGITS = /^\d{1,5}$/;
const SPAN = /^\d{1,3}$/;
const SCOPES = new Set(['row', 'col', 'rowgroup', 'colgroup']);

const span = (dom, name) => {
  const v = dom.getAttribute(name);
  return v && SPAN.test(v) && +v > 1 ? +v : 1;
};

function cellAttrs(dom) {
  const attrs = { colspan: span(dom, 'colspan'), rowspan: span(dom, 'rowspan') };
  if (dom.localName === 'th') {
    const scope = (dom.getAttribute('scope') || '').toLowerCase();
    attrs.scope = SCOPES.has(scope) ? scope : null;
  }
  return attrs;
}

function cellDom(tag, node) {
  const attrs = {};
  if (node.attrs.colspan > 1) attrs.colspan = String(node.attrs.colspan);
  if (node.attrs.rowspan > 1) attrs.rowspan = String(node.attrs.rowspan);
  if (node.attrs.scope) attrs.scope = node.attrs.scope;
  return [tag, attrs, 0];
}

const cell = (tag, extra) => ({
  attrs: { colspan: { default: 1 }, rowspan: { default: 1 }, ...extra },
  content: '(paragraph | bullet_list | ordered_list)+',
  isolating: true,
  parseDOM: [{ tag, getAttrs: cellAttrs }],
  toDOM: (node) => cellDom(tag, node),
});

const nodes = {
  doc: { content: 'block+' },

  paragraph: {
    group: 'block',
    content: 'inline*',
    parseDOM: [{ tag: 'p' }],
    toDOM: () => ['p', 0],
  },

  heading: {
    group: 'block',
    attrs: { level: { default: 2 } },
    content: 'inline*',
    defining: true,
    // No <h1> in a body (the page's title is the one); pasted ones arrive as <h2>.
    parseDOM: [
      { tag: 'h1', attrs: { level: 2 } },
      { tag: 'h2', attrs: { level: 2 } },
      { tag: 'h3', attrs: { level: 3 } },
      { tag: 'h4', attrs: { level: 4 } },
    ],
    toDOM: (node) => ['h' + node.attrs.level, 0],
  },

  blockquote: {
    group: 'block',
    content: 'block+',
    defining: true,
    parseDOM: [{ tag: 'blockquote' }],
    toDOM: () => ['blockquote', 0],
  },

  horizontal_rule: {
    group: 'block',
    parseDOM: [{ tag: 'hr' }],
    toDOM: () => ['hr'],
  },

  // Isolating: Backspace or Delete next to a figure selects it whole instead of pulling a
  // paragraph into its caption or the caption out of it.
  figure: {
    group: 'block',
    content: 'image figcaption',
    isolating: true,
    draggable: true,
    parseDOM: [{ tag: 'figure' }],
    toDOM: () => ['figure', 0],
  },

  // Only inside a figure: a lone <img> is given a figure (and an empty caption) when read.
  // The empty default src only lets ProseMirror check the schema (a figure must be possible
  // to make); an image without a src is never read, and never stored (the cleaner drops it).
  image: {
    attrs: {
      src: { default: '' },
      srcset: { default: null },
      sizes: { default: null },
      alt: { default: '' },
      width: { default: null },
      height: { default: null },
    },
    atom: true,
    selectable: false,
    draggable: false,
    parseDOM: [{
      tag: 'img[src]',
      getAttrs(dom) {
        const src = safeImageSrc(dom.getAttribute('src'), false);
        if (!src) return false;
        const sizes = dom.getAttribute('sizes');
        const dim = (name) => (DIGITS.test(dom.getAttribute(name) || '') ? dom.getAttribute(name) : null);
        return {
          src,
          srcset: safeSrcset(dom.getAttribute('srcset'), false),
          sizes: sizes && /^[\w\s().,:%-]{1,200}$/.test(sizes) ? sizes : null,
          alt: (dom.getAttribute('alt') || '').replace(/\s+/g, ' ').trim(),
          width: dim('width'),
          height: dim('height'),
        };
      },
    }],
    toDOM(node) {
      const { src, srcset, sizes, alt, width, height } = node.attrs;
      const attrs = { src };
      if (srcset) attrs.srcset = srcset;
      if (srcset && sizes) attrs.sizes = sizes;
      attrs.alt = alt;
      if (width) attrs.width = width;
      if (height) attrs.height = height;
      return ['img', attrs];
    },
  },

  figcaption: {
    content: 'inline*',
    isolating: true,
    parseDOM: [{ tag: 'figcaption' }],
    toDOM: () => ['figcaption', 0],
  },

  table: {
    group: 'block',
    content: 'table_head? table_body+',
    isolating: true,
    parseDOM: [{ tag: 'table' }],
    toDOM: () => ['table', 0],
  },
  table_head: {
    content: 'table_row+',
    parseDOM: [{ tag: 'thead' }],
    toDOM: () => ['thead', 0],
  },
  table_body: {
    content: 'table_row+',
    parseDOM: [{ tag: 'tbody' }, { tag: 'tfoot' }],
    toDOM: () => ['tbody', 0],
  },
  table_row: {
    content: '(table_cell | table_header)+',
    parseDOM: [{ tag: 'tr' }],
    toDOM: () => ['tr', 0],
  },
  table_cell: cell('td'),
  table_header: cell('th', { scope: { default: null } }),

  // An item is one paragraph, then maybe a nested list; <ol start> is `order`.
  ordered_list: { ...orderedList, group: 'block', content: 'list_item+' },
  bullet_list: { ...bulletList, group: 'block', content: 'list_item+' },
  list_item: { ...listItem, content: 'paragraph (bullet_list | ordered_list)*' },

  text: { group: 'inline' },

  hard_break: {
    inline: true,
    group: 'inline',
    selectable: false,
    parseDOM: [{ tag: 'br' }],
    toDOM: () => ['br'],
  },
};

const simpleMark = (tag, also = []) => ({
  parseDOM: [{ tag }, ...also.map((t) => ({ tag: t }))],
  toDOM: () => [tag, 0],
});

export const schema = new Schema({
  nodes,
  marks: {
    link: {
      attrs: { href: {}, title: { default: null } },
      inclusive: false,
      parseDOM: [{
        tag: 'a[href]',
        getAttrs(dom) {
          const href = safeHref(dom.getAttribute('href'));
          if (!href) return false;
          const title = (dom.getAttribute('title') || '').trim();
          return { href, title: title || null };
        },
      }],
      toDOM(mark) {
        const attrs = { href: mark.attrs.href };
        if (mark.attrs.title) attrs.title = mark.attrs.title;
        attrs.rel = LINK_REL;
        return ['a', attrs, 0];
      },
    },
    strong: simpleMark('strong', ['b']),
    em: simpleMark('em', ['i']),
    u: simpleMark('u'),
    s: simpleMark('s'),
    sub: { ...simpleMark('sub'), excludes: 'sup' },
    sup: { ...simpleMark('sup'), excludes: 'sub' },
  },
});
