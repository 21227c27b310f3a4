// <zhsearch-box>: a search box with results for any page of a static site.
// <script type="module" src="/search/zhsearch-box.js"></script>
// <zhsearch-box placeholder="搜索文章" limit="10"></zhsearch-box>
// It renders into the light DOM with zhsearch-* class names, so the site's own CSS
// styles it; the query is kept in the page URL (?q=) so results can be linked.
import { search } from './zhsearch.js';

const DEBOUNCE_MS = 250;

class ZhsearchBox extends HTMLElement {
  connectedCallback() {
    if (this.form) return;
    this.limit = Math.max(1, Math.min(100, Number(this.getAttribute('limit')) || 10));
    this.param = this.getAttribute('param') || 'q';
    this.form = el('form', 'zhsearch-form');
    this.form.setAttribute('role', 'search');
    this.input = el('input', 'zhsearch-input');
    this.input.type = 'search';
    this.input.name = this.param;
    this.input.autocomplete = 'off';
    this.input.placeholder = this.getAttribute('placeholder') || '搜索';
    this.input.setAttribute('aria-label', this.input.placeholder);
    const button = el('button', 'zhsearch-button');
    button.type = 'submit';
    button.textContent = this.getAttribute('button-label') || '搜索';
    this.form.append(this.input, button);
    this.status = el('p', 'zhsearch-status');
    this.status.setAttribute('aria-live', 'polite');
    this.list = el('ol', 'zhsearch-results');
    this.pager = el('nav', 'zhsearch-pager');
    this.append(this.form, this.status, this.list, this.pager);
    this.seq = 0;
    this.form.addEventListener('submit', (e) => {
      e.preventDefault();
      this.run(0, true);
    });
    this.input.addEventListener('input', () => {
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.run(0, false), DEBOUNCE_MS);
    });
    const initial = new URLSearchParams(location.search).get(this.param);
    if (initial) {
      this.input.value = initial;
      this.run(Math.max(0, Number(new URLSearchParams(location.search).get('page')) - 1 || 0), false);
    }
  }

  async run(page, push) {
    const query = this.input.value.trim();
    const seq = ++this.seq;
    const url = new URL(location.href);
    if (query) url.searchParams.set(this.param, query);
    else url.searchParams.delete(this.param);
    if (page > 0) url.searchParams.set('page', String(page + 1));
    else url.searchParams.delete('page');
    history[push ? 'pushState' : 'replaceState'](null, '', url);
    if (!query) {
      this.status.textContent = '';
      this.list.replaceChildren();
      this.pager.replaceChildren();
      return;
    }
    this.setAttribute('aria-busy', 'true');
    try {
      const res = await search(query, { limit: this.limit, offset: page * this.limit });
      if (seq !== this.seq) return;
      this.render(res, page);
    } catch (err) {
      if (seq !== this.seq) return;
      this.status.textContent = '搜索出错：' + (err && err.message ? err.message : String(err));
    } finally {
      if (seq === this.seq) this.removeAttribute('aria-busy');
    }
  }

  render(res, page) {
    this.status.textContent = res.total === 0 ? '没有找到结果' : `${res.totalExact ? '' : '约 '}${res.total} 条结果`;
    this.list.replaceChildren(
      ...res.hits.map((h) => {
        const li = el('li', 'zhsearch-hit');
        const a = el('a', 'zhsearch-title');
        a.innerHTML = h.titleHtml; // escaped by zhsearch.js except <mark>
        if (h.url) a.href = h.url;
        const meta = el('div', 'zhsearch-meta');
        if (h.date) {
          const t = el('time');
          t.dateTime = h.date;
          t.textContent = h.date.slice(0, 10);
          meta.append(t);
        }
        const p = el('p', 'zhsearch-snippet');
        p.innerHTML = h.snippet; // escaped by zhsearch.js except <mark>
        li.append(a, meta, p);
        return li;
      }),
    );
    this.list.start = page * this.limit + 1;
    this.pager.replaceChildren();
    const pages = Math.ceil(res.total / this.limit);
    if (page > 0) this.pager.append(this.pageButton('上一页', page - 1));
    if (page + 1 < pages || (!res.totalExact && res.hits.length === this.limit)) this.pager.append(this.pageButton('下一页', page + 1));
  }

  pageButton(label, page) {
    const b = el('button', 'zhsearch-page');
    b.type = 'button';
    b.textContent = label;
    b.addEventListener('click', () => this.run(page, true));
    return b;
  }
}

function el(tag, cls) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  return e;
}

if (!customElements.get('zhsearch-box')) customElements.define('zhsearch-box', ZhsearchBox);
