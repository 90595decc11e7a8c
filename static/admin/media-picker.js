/* Tòa Soạn — "Chọn từ thư viện": picks an image the media library already
   holds, for the article's cover or its body, instead of uploading it again.
   Buttons <button data-media-picker="cover|body" data-picker-url="…"> are
   hidden in the page and shown here; without JavaScript the editor works as
   before, and each image's page in the library shows its address to copy.
   The list comes as JSON from data-picker-url (?q= searches); every text in
   it is set with textContent, never parsed as HTML. */

const SEARCH_DELAY = 250;
let uid = 0;

function setValue(input, value) {
  if (!input || input.value === value) return;
  input.value = value;
  // Autosave and the unsaved-changes warning listen for these.
  input.dispatchEvent(new Event('input', { bubbles: true }));
  input.dispatchEvent(new Event('change', { bubbles: true }));
}

/** The article's cover becomes `image`: the hidden fields, its default texts, the preview. */
function pickCover(form, image, fieldset) {
  setValue(form.elements.namedItem('cover_image'), image.key);
  setValue(form.elements.namedItem('cover_widths'), image.widths.join(','));
  if (image.alt) setValue(form.elements.namedItem('cover_alt'), image.alt);
  if (image.caption) setValue(form.elements.namedItem('cover_caption'), image.caption);
  const remove = form.elements.namedItem('remove_cover');
  if (remove && remove.checked) remove.checked = false;
  // A file chosen for upload would replace the picked image on saving.
  const file = form.elements.namedItem('cover');
  if (file && file.value) setValue(file, '');
  let preview = fieldset.querySelector('img.cover-preview');
  if (!preview) {
    preview = document.createElement('img');
    preview.className = 'cover-preview';
    preview.width = 240;
    fieldset.querySelector('legend').after(preview);
  }
  preview.src = image.thumbnail;
  preview.alt = 'Ảnh đại diện đã chọn: ' + image.name;
}

/** Puts `image` in the body: through the editor when there is one, else as HTML. */
function pickBody(textarea, image, editors) {
  const editor = editors.find((e) => e.textarea === textarea);
  const data = {
    srcset: image.srcset, width: image.width, height: image.height,
    alt: image.alt, caption: image.caption,
  };
  if (editor) {
    editor.insertFigure(image.src, data);
    return;
  }
  const fig = document.createElement('figure');
  const img = document.createElement('img');
  img.setAttribute('src', image.src);
  img.setAttribute('alt', image.alt);
  if (image.srcset) img.setAttribute('srcset', image.srcset);
  fig.append(img);
  if (image.caption) {
    const cap = document.createElement('figcaption');
    cap.textContent = image.caption;
    fig.append(cap);
  }
  setValue(textarea, textarea.value + '\n' + fig.outerHTML);
}

class Picker {
  constructor(url) {
    this.url = url;
    this.onPick = null;
    this.timer = 0;
    this.request = 0;
    const id = 'media-picker-' + (++uid);
    const d = this.dialog = document.createElement('dialog');
    d.className = 'media-picker';
    d.setAttribute('aria-labelledby', id + '-title');

    const title = document.createElement('h2');
    title.id = id + '-title';
    title.textContent = 'Chọn ảnh từ thư viện';

    const search = document.createElement('div');
    search.className = 'media-picker-search';
    search.setAttribute('role', 'search');
    const label = document.createElement('label');
    label.htmlFor = id + '-q';
    label.textContent = 'Tìm theo tên, mô tả hoặc chú thích';
    this.input = document.createElement('input');
    this.input.type = 'search';
    this.input.id = id + '-q';
    this.input.maxLength = 200;
    search.append(label, this.input);

    this.status = document.createElement('p');
    this.status.className = 'media-picker-status';
    this.status.setAttribute('role', 'status');

    this.grid = document.createElement('ul');
    this.grid.className = 'media-picker-grid';

    const close = document.createElement('button');
    close.type = 'button';
    close.className = 'button';
    close.textContent = 'Đóng';
    close.addEventListener('click', () => d.close());

    d.append(title, search, this.status, this.grid, close);
    document.body.append(d);

    this.input.addEventListener('input', () => {
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.load(), SEARCH_DELAY);
    });
    this.input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') { e.preventDefault(); clearTimeout(this.timer); this.load(); }
    });
  }

  open(onPick) {
    this.onPick = onPick;
    this.dialog.showModal();
    this.input.focus();
    this.load();
  }

  async load() {
    const mine = ++this.request;
    const url = new URL(this.url, window.location.href);
    const q = this.input.value.trim();
    if (q) url.searchParams.set('q', q);
    this.status.textContent = 'Đang tải…';
    let images;
    try {
      const res = await fetch(url, { headers: { Accept: 'application/json' }, credentials: 'same-origin' });
      if (!res.ok) throw new Error('HTTP ' + res.status);
      images = (await res.json()).images;
      if (!Array.isArray(images)) throw new Error('no list');
    } catch (e) {
      if (mine === this.request) this.status.textContent = 'Không tải được thư viện ảnh. Hãy thử lại.';
      return;
    }
    if (mine !== this.request) return; // a newer search answered first
    this.show(images, q);
  }

  show(images, q) {
    this.grid.replaceChildren();
    this.status.textContent = images.length
      ? images.length + ' ảnh' + (q ? ' khớp “' + q + '”' : ' mới nhất') + '. Chọn một ảnh.'
      : (q ? 'Không có ảnh nào khớp “' + q + '”.' : 'Thư viện chưa có ảnh nào.');
    for (const image of images) {
      const li = document.createElement('li');
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'media-picker-choice';
      const img = document.createElement('img');
      img.src = image.thumbnail;
      img.alt = '';
      img.loading = 'lazy';
      const name = document.createElement('span');
      name.textContent = image.name;
      const size = document.createElement('span');
      size.className = 'hint';
      size.textContent = image.width + ' × ' + image.height;
      b.append(img, name, size);
      if (image.alt) b.title = image.alt;
      b.addEventListener('click', () => {
        this.dialog.close();
        if (this.onPick) this.onPick(image);
      });
      li.append(b);
      this.grid.append(li);
    }
  }
}

/** Shows the page's picker buttons and wires them to `editors` (from startEditors). */
export function startMediaPicker(editors) {
  const pickers = new Map();
  for (const button of document.querySelectorAll('button[data-media-picker]')) {
    const url = button.getAttribute('data-picker-url');
    const form = button.form || button.closest('form');
    if (!url || !form || typeof HTMLDialogElement !== 'function') continue;
    button.hidden = false;
    button.addEventListener('click', () => {
      if (!pickers.has(url)) pickers.set(url, new Picker(url));
      const target = button.getAttribute('data-media-picker');
      pickers.get(url).open((image) => {
        if (target === 'cover') {
          pickCover(form, image, button.closest('fieldset') || form);
          button.focus();
        } else {
          // The editor takes the focus, with the caret after the image.
          const textarea = form.querySelector('textarea[name="' + CSS.escape(target) + '"]');
          if (textarea) pickBody(textarea, image, editors);
        }
      });
    });
  }
}
