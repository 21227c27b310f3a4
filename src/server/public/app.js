'use strict';
// zhsearch web UI — plain browser JS, no framework, no build step.
// Only `snippet` and `titleHighlighted` (escaped by the server except <mark>) are
// ever assigned as HTML; everything else goes through textContent.

(() => {
  const $ = (id) => document.getElementById(id);
  const form = $('search-form'), input = $('q'), listbox = $('suggestions');
  const results = $('results'), summary = $('summary'), message = $('message');
  const didYouMean = $('didyoumean'), pager = $('pager'), facets = $('facets');
  const sortSel = $('sort');
  const DEFAULT_SIZE = 10;

  /** Create an element with optional class, text content (never HTML) and attributes. */
  function el(tag, cls, text, attrs = {}) {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text != null) node.textContent = String(text);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
    return node;
  }

  // ---------- URL state ----------

  /** Read the search state from the current URL. */
  function readState() {
    const p = new URLSearchParams(location.search);
    const page = parseInt(p.get('page') ?? '', 10);
    const size = parseInt(p.get('size') ?? '', 10);
    const year = p.get('year') ?? '';
    return {
      q: (p.get('q') ?? '').trim(),
      page: page >= 1 ? page : 1,
      size: size >= 1 && size <= 100 ? size : DEFAULT_SIZE,
      category: p.get('category') ?? '',
      year: /^\d{4}$/.test(year) ? year : '',
      sort: p.get('sort') === 'date' ? 'date' : 'relevance',
      all: p.get('all') === '1', // show every post of a story, not one per story
    };
  }

  /** Build the page URL (/?q=...) for a state; defaults are omitted. */
  function pageUrl(s) {
    const p = new URLSearchParams();
    if (s.q) p.set('q', s.q);
    if (s.page > 1) p.set('page', String(s.page));
    if (s.size && s.size !== DEFAULT_SIZE) p.set('size', String(s.size));
    if (s.category) p.set('category', s.category);
    if (s.year) p.set('year', s.year);
    if (s.sort === 'date') p.set('sort', 'date');
    if (s.all) p.set('all', '1');
    const qs = p.toString();
    return qs ? '/?' + qs : '/';
  }

  /** Push a new state into history and run it. */
  function navigate(changes) {
    const next = { ...readState(), ...changes };
    history.pushState(null, '', pageUrl(next));
    runFromUrl();
  }

  // ---------- Search ----------

  let searchSeq = 0; // ignore out-of-order search responses

  async function runFromUrl() {
    const s = readState();
    input.value = s.q;
    sortSel.value = s.sort;
    document.title = s.q ? `${s.q} - zhsearch 中文搜索` : 'zhsearch 中文搜索';
    closeSuggestions();
    const seq = ++searchSeq;
    if (!s.q) { clearResults(); return; }

    const api = new URLSearchParams({ q: s.q, page: String(s.page), size: String(s.size), sort: s.sort });
    if (s.category) api.set('category', s.category);
    if (s.all) api.set('collapse', 'false');
    if (s.year) { api.set('from', `${s.year}-01-01`); api.set('to', `${s.year}-12-31`); }

    results.setAttribute('aria-busy', 'true');
    let res, data;
    try {
      res = await fetch('/api/search?' + api.toString(), { headers: { Accept: 'application/json' } });
    } catch {
      if (seq === searchSeq) showError('无法连接服务器');
      return;
    }
    try { data = await res.json(); } catch { data = null; }
    if (seq !== searchSeq) return; // a newer search has started
    if (!res.ok) {
      const msg = data && typeof data.error === 'string' && data.error ? data.error : `搜索出错（HTTP ${res.status}）`;
      showError(msg);
    } else if (!data || typeof data !== 'object') {
      showError('搜索出错（服务器返回了无效的数据）');
    } else {
      render(s, data);
    }
  }

  function clearResults() {
    results.replaceChildren();
    results.removeAttribute('aria-busy');
    summary.textContent = '';
    message.textContent = '';
    message.className = '';
    didYouMean.hidden = true;
    pager.hidden = true;
    facets.hidden = true;
    facets.replaceChildren();
  }

  function showError(text) {
    clearResults();
    message.className = 'error';
    message.textContent = text;
  }

  function render(s, data) {
    clearResults();
    const hits = Array.isArray(data.hits) ? data.hits : [];
    const total = Number(data.total) || 0;
    const size = Number(data.size) || s.size;
    const page = Number(data.page) || s.page;

    summary.textContent = `共 ${total} 条结果（用时 ${Number(data.tookMs) || 0} 毫秒）`;
    if (typeof data.interpretedAs === 'string' && data.interpretedAs) summary.textContent += ` · 已按拼音搜索「${data.interpretedAs}」`;
    if (hits.length === 0) {
      message.textContent = total > 0 ? '这一页没有更多结果' : `没有找到与「${s.q}」相关的结果`;
    }
    renderDidYouMean(s, data.suggestion);
    results.replaceChildren(...hits.map((h) => renderHit(h, s)));
    renderPager(page, Math.max(1, Math.ceil(total / size)), total);
    renderFacets(s, data.facets ?? {});
  }

  /** Return the URL if it is http(s), else null. */
  function safeUrl(u) {
    if (typeof u !== 'string' || !u) return null;
    try {
      const url = new URL(u);
      return url.protocol === 'http:' || url.protocol === 'https:' ? url : null;
    } catch { return null; }
  }

  function formatDate(d) {
    const m = /^(\d{4}-\d{2}-\d{2})/.exec(typeof d === 'string' ? d : '');
    return m ? m[1] : '';
  }

  function renderHit(hit, s) {
    const li = el('li', 'hit');
    const h = el('h2', 'hit-title');
    const url = safeUrl(hit.url);
    const titleNode = url
      ? el('a', null, null, { href: url.href, rel: 'noopener noreferrer nofollow', target: '_blank' })
      : el('span');
    if (typeof hit.titleHighlighted === 'string' && hit.titleHighlighted) {
      titleNode.innerHTML = hit.titleHighlighted; // server-escaped, <mark> only
    } else {
      titleNode.textContent = hit.title ?? hit.id ?? '（无标题）';
    }
    h.append(titleNode);

    const meta = el('div', 'hit-meta');
    const cats = Array.isArray(hit.categories) ? hit.categories.filter((c) => typeof c === 'string') : [];
    const parts = [
      ['hit-date', formatDate(hit.date)],
      ['hit-author', hit.author ?? ''],
      ['hit-categories', cats.join('、')],
      ['hit-host', url ? url.hostname : ''],
    ];
    for (const [cls, text] of parts) if (text) meta.append(el('span', cls, text));

    const snippet = el('p', 'hit-snippet');
    snippet.innerHTML = typeof hit.snippet === 'string' ? hit.snippet : ''; // server-escaped, <mark> only
    li.append(h, meta, snippet);
    const dupes = Number(hit.duplicates) || 0;
    if (dupes > 0 && !s.all) {
      const more = el('p', 'hit-dupes', `另有 ${dupes} 篇来自同一报道 `);
      const a = el('a', null, '全部显示');
      a.href = pageUrl({ ...s, all: true, page: 1 });
      a.addEventListener('click', (e) => {
        e.preventDefault();
        navigate({ all: true, page: 1 });
      });
      more.append(a);
      li.append(more);
    }
    if (hit.id != null) li.append(renderFullTextToggle(String(hit.id)));
    return li;
  }

  /** "全文" button: loads /api/docs/:id and shows the plain text below the hit. */
  function renderFullTextToggle(id) {
    const wrap = el('div', 'hit-full');
    const btn = el('button', 'hit-more', '展开全文', { type: 'button', 'aria-expanded': 'false' });
    const body = el('div', 'hit-fulltext');
    body.hidden = true;
    btn.addEventListener('click', async () => {
      const open = btn.getAttribute('aria-expanded') !== 'true';
      btn.setAttribute('aria-expanded', String(open));
      btn.textContent = open ? '收起全文' : '展开全文';
      body.hidden = !open;
      if (!open || body.dataset.loaded) return;
      body.textContent = '加载中…';
      try {
        const res = await fetch('/api/docs/' + encodeURIComponent(id));
        const doc = await res.json().catch(() => null);
        if (!res.ok || !doc) throw new Error(doc?.error || `加载失败（HTTP ${res.status}）`);
        const paras = String(doc.text ?? '').split('\n').filter((t) => t.trim());
        body.replaceChildren(...paras.map((t) => el('p', null, t)));
        body.dataset.loaded = '1';
        body.append(await renderRelated(id));
      } catch (err) {
        body.textContent = err instanceof TypeError ? '无法连接服务器' : String(err.message);
      }
    });
    wrap.append(btn, body);
    return wrap;
  }

  /** "相关文章": up to 5 related posts (/api/docs/:id/related); empty when none or on error. */
  async function renderRelated(id) {
    const box = el('section', 'related');
    try {
      const res = await fetch('/api/docs/' + encodeURIComponent(id) + '/related');
      const data = await res.json().catch(() => null);
      const list = res.ok && data && Array.isArray(data.related) ? data.related : [];
      if (!list.length) return box;
      box.append(el('h3', null, '相关文章'));
      const ul = el('ul');
      for (const r of list) {
        const title = typeof r.title === 'string' && r.title ? r.title : String(r.id ?? '');
        const url = safeUrl(r.url);
        const item = url ? el('a', null, title, { href: url.href, rel: 'noopener noreferrer nofollow', target: '_blank' }) : el('span', null, title);
        const li = el('li');
        li.append(item);
        const date = formatDate(r.date);
        if (date) li.append(el('span', 'related-date', date));
        ul.append(li);
      }
      box.append(ul);
    } catch { /* related articles are best-effort */ }
    return box;
  }

  function renderDidYouMean(s, suggestion) {
    if (typeof suggestion !== 'string' || !suggestion) return;
    const a = el('a', null, suggestion);
    a.href = pageUrl({ q: suggestion, page: 1, sort: s.sort });
    a.addEventListener('click', (e) => {
      e.preventDefault();
      navigate({ q: suggestion, page: 1, category: '', year: '' });
    });
    didYouMean.replaceChildren(document.createTextNode('你是不是要找 '), a);
    didYouMean.hidden = false;
  }

  function renderPager(page, pages, total) {
    pager.hidden = total === 0;
    $('page-info').textContent = `第 ${page} / ${pages} 页`;
    $('prev').disabled = page <= 1;
    $('next').disabled = page >= pages;
  }

  /** Sidebar: active filters (with ×), then category and year facets. */
  function renderFacets(s, f) {
    const active = el('div', 'facet-active');
    const clearBtn = (label, changes) => {
      const b = el('button', 'facet-clear', `${label} ×`, { type: 'button', 'aria-label': `清除筛选：${label}` });
      b.addEventListener('click', () => navigate({ ...changes, page: 1 }));
      active.append(b);
    };
    if (s.category) clearBtn(`分类：${s.category}`, { category: '' });
    if (s.year) clearBtn(`年份：${s.year}`, { year: '' });
    if (active.children.length) facets.append(active);

    const group = (title, counts, key, order) => {
      const entries = Object.entries(counts && typeof counts === 'object' ? counts : {})
        .filter(([, n]) => Number(n) > 0).sort(order);
      if (!entries.length) return;
      const section = el('section', 'facet-group');
      section.append(el('h2', null, title));
      const ul = el('ul');
      for (const [name, n] of entries) {
        const on = s[key] === name;
        const b = el('button', 'facet', name, { type: 'button', 'aria-pressed': String(on), 'aria-label': `${name}（${n}）` });
        b.append(el('span', 'count', n));
        b.addEventListener('click', () => navigate({ [key]: on ? '' : name, page: 1 }));
        ul.appendChild(el('li')).append(b);
      }
      section.append(ul);
      facets.append(section);
    };
    group('分类', f.categories, 'category', (a, b) => b[1] - a[1] || a[0].localeCompare(b[0], 'zh-CN'));
    group('年份', f.years, 'year', (a, b) => b[0].localeCompare(a[0]));
    facets.hidden = !facets.children.length;
  }

  // ---------- Search-as-you-type (ARIA combobox) ----------

  let suggestSeq = 0, suggestTimer = 0, activeIndex = -1;

  function options() { return Array.from(listbox.querySelectorAll('[role="option"]')); }

  function closeSuggestions() {
    clearTimeout(suggestTimer);
    suggestSeq++; // drop any in-flight response
    listbox.hidden = true;
    listbox.replaceChildren();
    input.setAttribute('aria-expanded', 'false');
    input.removeAttribute('aria-activedescendant');
    activeIndex = -1;
  }

  function setActive(i) {
    const opts = options();
    if (!opts.length) return;
    activeIndex = (i + opts.length) % opts.length;
    opts.forEach((o, j) => o.setAttribute('aria-selected', String(j === activeIndex)));
    input.setAttribute('aria-activedescendant', opts[activeIndex].id);
    opts[activeIndex].scrollIntoView({ block: 'nearest' });
  }

  function showSuggestions(list) {
    listbox.replaceChildren();
    activeIndex = -1;
    input.removeAttribute('aria-activedescendant');
    list.forEach((text, i) => {
      const li = el('li', 'suggestion', text, { id: `suggestion-${i}`, role: 'option', 'aria-selected': 'false' });
      li.addEventListener('mousedown', (e) => e.preventDefault()); // keep focus in input
      li.addEventListener('click', () => pick(text));
      listbox.append(li);
    });
    const open = list.length > 0;
    listbox.hidden = !open;
    input.setAttribute('aria-expanded', String(open));
  }

  async function fetchSuggestions(prefix) {
    const seq = ++suggestSeq;
    try {
      const res = await fetch('/api/suggest?' + new URLSearchParams({ q: prefix }));
      if (!res.ok) return;
      const data = await res.json();
      if (seq !== suggestSeq || document.activeElement !== input) return; // stale
      const list = Array.isArray(data?.suggestions) ? data.suggestions.filter((x) => typeof x === 'string') : [];
      showSuggestions(list.slice(0, 10));
    } catch { /* suggestions are best-effort */ }
  }

  function scheduleSuggest() {
    clearTimeout(suggestTimer);
    const prefix = input.value.trim();
    if (!prefix) { closeSuggestions(); return; }
    suggestTimer = setTimeout(() => fetchSuggestions(prefix), 150);
  }

  function pick(text) {
    input.value = text;
    submitQuery(text);
  }

  /** New query: reset page and filters, keep the sort order. */
  function submitQuery(q) {
    closeSuggestions();
    navigate({ q: q.trim(), page: 1, category: '', year: '', all: false });
  }

  // Don't suggest on raw pinyin while an IME composition is in progress.
  input.addEventListener('input', (e) => { if (!e.isComposing) scheduleSuggest(); });
  input.addEventListener('compositionend', scheduleSuggest);
  input.addEventListener('blur', () => setTimeout(() => {
    if (document.activeElement !== input) closeSuggestions();
  }, 100));

  input.addEventListener('keydown', (e) => {
    if (e.isComposing || e.keyCode === 229) return; // Enter confirms IME candidate
    const open = !listbox.hidden && options().length > 0;
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      if (!open) { scheduleSuggest(); return; }
      e.preventDefault();
      const down = e.key === 'ArrowDown';
      // From "nothing selected": Down → first option, Up → last option (wraps).
      setActive(activeIndex === -1 ? (down ? 0 : -1) : activeIndex + (down ? 1 : -1));
    } else if (e.key === 'Enter' && open && activeIndex >= 0) {
      e.preventDefault();
      pick(options()[activeIndex].textContent ?? '');
    } else if (e.key === 'Escape' && open) {
      e.preventDefault();
      closeSuggestions();
    }
  });

  // ---------- Wiring ----------

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    submitQuery(input.value);
  });
  sortSel.addEventListener('change', () => navigate({ sort: sortSel.value, page: 1 }));
  $('prev').addEventListener('click', () => { navigate({ page: Math.max(1, readState().page - 1) }); scrollTo(0, 0); });
  $('next').addEventListener('click', () => { navigate({ page: readState().page + 1 }); scrollTo(0, 0); });
  window.addEventListener('popstate', runFromUrl);

  // "/" focuses the search box unless the user is typing somewhere.
  document.addEventListener('keydown', (e) => {
    if (e.key !== '/' || e.ctrlKey || e.metaKey || e.altKey) return;
    const t = e.target;
    if (t instanceof HTMLElement && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return;
    e.preventDefault();
    input.focus();
    input.select();
  });

  runFromUrl();
  if (!input.value) input.focus();
})();
