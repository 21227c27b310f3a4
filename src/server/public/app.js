'use strict';
// zhsearch web UI — plain browser JS, no framework, no build step.
// Only `snippet` and `titleHighlighted` (escaped by the server except <mark>) are
// ever assigned as HTML; everything else goes through textContent.

(() => {
  const $ = (id) => document.getElementById(id);
  const form = $('search-form'), input = $('q'), listbox = $('suggestions');
  const results = $('results'), summary = $('summary'), message = $('message');
  const relaxed = $('relaxed'), relaxedHeading = $('relaxed-heading'), relaxedResults = $('relaxed-results');
  const didYouMean = $('didyoumean'), pager = $('pager'), facets = $('facets');
  const sortSel = $('sort'), start = $('start'), timeline = $('timeline');
  const facetPanel = $('facet-panel'), facetGroups = $('facet-groups'), facetActive = $('facet-active');
  const filterForm = $('filter-form'), toolbar = document.querySelector('.toolbar');
  const DEFAULT_SIZE = 10;
  const MAX_QUERY = 256;
  const DATE = /^\d{4}-\d{2}-\d{2}$/;
  /** Archive statistics (/api/stats), loaded once: start page and the stop-word explanation. */
  let stats = null;

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
      from: DATE.test(p.get('from') ?? '') ? p.get('from') : '',
      to: DATE.test(p.get('to') ?? '') ? p.get('to') : '',
      author: p.get('author') ?? '',
      tag: p.get('tag') ?? '',
      sort: p.get('sort') === 'date' ? 'date' : 'relevance',
      all: p.get('all') === '1', // show every post of a story, not one per story
      astyped: p.get('astyped') === '1', // search the query as typed: no pinyin reading, no correction
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
    for (const k of ['from', 'to', 'author', 'tag']) if (s[k]) p.set(k, s[k]);
    if (s.sort === 'date') p.set('sort', 'date');
    if (s.all) p.set('all', '1');
    if (s.astyped) p.set('astyped', '1');
    const qs = p.toString();
    return qs ? '/?' + qs : '/';
  }

  /** Push a new state into history and run it. */
  function navigate(changes) {
    const next = { ...readState(), ...changes };
    // A new query is read afresh; "search instead" holds only for the query it was asked for.
    if ('q' in changes && !('astyped' in changes)) next.astyped = false;
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
    start.hidden = Boolean(s.q);
    toolbar.hidden = !s.q;
    if (!s.q) { clearResults(); showStart(); return; }

    const api = new URLSearchParams({ q: s.q, page: String(s.page), size: String(s.size), sort: s.sort });
    if (s.category) api.set('category', s.category);
    if (s.all) api.set('collapse', 'false');
    if (s.astyped) api.set('astyped', '1');
    if (s.year) { api.set('from', `${s.year}-01-01`); api.set('to', `${s.year}-12-31`); }
    if (s.from) api.set('from', s.from);
    if (s.to) api.set('to', s.to);
    if (s.author) api.set('author', s.author);
    if (s.tag) api.set('tag', s.tag);

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
      showError(errorMessage(res.status, data));
    } else if (!data || typeof data !== 'object') {
      showError('搜索出错（服务器返回了无效的数据）');
    } else {
      // Explaining a query of only stop words needs the list (when the answer has no `terms`).
      if (!Number(data.total) && !Array.isArray(data.terms)) {
        await loadStats();
        if (seq !== searchSeq) return;
      }
      render(s, data);
    }
  }

  function clearResults() {
    results.replaceChildren();
    relaxed.hidden = true;
    relaxedResults.replaceChildren();
    results.removeAttribute('aria-busy');
    summary.textContent = '';
    message.textContent = '';
    message.className = '';
    didYouMean.hidden = true;
    pager.hidden = true;
    timeline.hidden = true;
    timeline.replaceChildren();
    facets.hidden = true;
    facetGroups.replaceChildren();
    facetActive.replaceChildren();
  }

  const PARAMETERS = {
    q: '搜索词', page: '页码', size: '每页条数', from: '开始日期', to: '结束日期', sort: '排序方式',
    category: '分类', tag: '标签', author: '作者', collapse: '合并方式',
  };

  /** A Chinese message for an error answer of the API (its own text is English, for developers). */
  function errorMessage(status, data) {
    const param = data && typeof data.parameter === 'string' ? data.parameter : '';
    const text = data && typeof data.error === 'string' ? data.error : '';
    if (status === 400 && param === 'q' && /long/.test(text)) return `搜索词太长：最多 ${MAX_QUERY} 个字，请删减后再试`;
    if (status === 400 && (param === 'from' || param === 'to')) return `${PARAMETERS[param]}无效：请用 2021-10-26 这样的日期`;
    if (status === 400 && param) return `${PARAMETERS[param] ?? '参数 ' + param}无效，请检查后再试`;
    if (status === 400) return '搜索请求无效，请检查搜索词';
    if (status === 429) return '搜索太频繁，请稍等一会儿再试';
    if (status === 503) return '索引暂时不可用，请稍后再试';
    if (status >= 500) return `服务器出错（HTTP ${status}），请稍后再试`;
    return `搜索出错（HTTP ${status}）`;
  }

  /** True when nothing but stop words (and punctuation) was typed, by the API's terms or the stop-word list. */
  function onlyStopWords(q, data) {
    if (Array.isArray(data.terms)) return data.terms.length === 0;
    if (!stats || !Array.isArray(stats.stopWords)) return false;
    let rest = q.toLowerCase();
    for (const w of [...stats.stopWords].sort((a, b) => b.length - a.length)) rest = rest.split(w).join(' ');
    return rest.replace(/[\s\p{P}\p{S}]/gu, '') === '' && q.trim() !== '';
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
    if (typeof data.interpretedAs === 'string' && data.interpretedAs) {
      summary.textContent +=
        data.interpretedBy === 'spelling'
          ? ` · 「${s.q}」可能有错字，显示的是「${data.interpretedAs}」的结果`
          : ` · 已按拼音搜索「${data.interpretedAs}」`;
    }
    if (typeof data.fullMatches === 'number' && data.fullMatches < total) summary.textContent += ` · 其中 ${data.fullMatches} 条包含全部词语`;
    if (hits.length === 0) {
      if (total > 0) message.textContent = '这一页没有更多结果';
      else if (onlyStopWords(s.q, data)) {
        message.textContent = `「${s.q}」只包含“的”“了”“是”这类常用虚词，它们不参与搜索。请加上更具体的词，例如人名、地名或事件。`;
      } else if (relaxedHits(data).length) message.textContent = `没有同时包含「${s.q}」全部词语的结果`;
      else message.textContent = `没有找到与「${s.q}」相关的结果`;
    }
    if (typeof data.interpretedAs === 'string' && data.interpretedAs) renderSearchInstead(s);
    else renderDidYouMean(s, data.suggestion);
    results.replaceChildren(...hits.map((h) => renderHit(h, s)));
    renderRelaxed(s, data);
    renderPager(page, Math.max(1, Math.ceil(total / size)), total);
    renderTimeline(s, data.facets ?? {});
    renderFacets(s, data.facets ?? {});
    facets.hidden = total === 0 && !['category', 'year', 'from', 'to', 'author', 'tag'].some((k) => s[k]);
  }

  function relaxedHits(data) {
    return data.relaxed && Array.isArray(data.relaxed.hits) ? data.relaxed.hits : [];
  }

  /** The posts that hold the query's words but its last, under a heading that says so. */
  function renderRelaxed(s, data) {
    const hits = relaxedHits(data);
    relaxed.hidden = hits.length === 0;
    if (!hits.length) return;
    const r = data.relaxed;
    const n = Number(r.total) || hits.length;
    relaxedHeading.textContent = `另有 ${n} 条只包含「${String(r.query ?? '')}」、不含「${String(r.dropped ?? '')}」的结果`;
    relaxedResults.replaceChildren(...hits.map((h) => renderHit(h, s)));
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
    for (const [cls, text] of parts) {
      if (!text) continue;
      if (cls !== 'hit-author') { meta.append(el('span', cls, text)); continue; }
      // The author filters the results to that author's posts.
      const span = el('span', cls);
      const a = el('a', null, text, { href: pageUrl({ ...s, author: text, page: 1 }), title: `只看 ${text} 的文章` });
      a.addEventListener('click', (e) => { e.preventDefault(); navigate({ author: text, page: 1 }); });
      span.append(a);
      meta.append(span);
    }
    const tags = Array.isArray(hit.tags) ? hit.tags.filter((t) => typeof t === 'string' && t).slice(0, 5) : [];
    if (tags.length) {
      const span = el('span', 'hit-tags');
      for (const t of tags) {
        const a = el('a', 'hit-tag', '#' + t, { href: pageUrl({ ...s, tag: t, page: 1 }), title: `只看标签「${t}」` });
        a.addEventListener('click', (e) => { e.preventDefault(); navigate({ tag: t, page: 1 }); });
        span.append(a);
      }
      meta.append(span);
    }

    const snippet = el('p', 'hit-snippet');
    snippet.innerHTML = typeof hit.snippet === 'string' ? hit.snippet : ''; // server-escaped, <mark> only
    li.append(h, meta, snippet);
    const missing = Array.isArray(hit.missing) ? hit.missing.filter((w) => typeof w === 'string' && w) : [];
    if (missing.length) {
      const p = el('p', 'hit-missing', '缺少：');
      missing.forEach((w, i) => {
        if (i) p.append('、');
        p.append(el('s', null, w));
      });
      li.append(p);
    }
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
        if (!res.ok || !doc) throw new Error(res.status === 404 ? '这篇文章已不在索引中' : `加载失败（HTTP ${res.status}）`);
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

  /** After a reinterpreted query: a link that searches the query exactly as typed. */
  function renderSearchInstead(s) {
    const a = el('a', null, s.q);
    a.href = pageUrl({ ...s, page: 1, astyped: true });
    a.addEventListener('click', (e) => {
      e.preventDefault();
      navigate({ page: 1, astyped: true });
    });
    didYouMean.replaceChildren(document.createTextNode('仍然搜索 '), a);
    didYouMean.hidden = false;
  }

  function renderDidYouMean(s, suggestion) {
    if (typeof suggestion !== 'string' || !suggestion) return;
    const a = el('a', null, suggestion);
    a.href = pageUrl({ q: suggestion, page: 1, sort: s.sort });
    a.addEventListener('click', (e) => {
      e.preventDefault();
      navigate({ q: suggestion, page: 1 });
    });
    didYouMean.replaceChildren(document.createTextNode('你是不是要找 '), a);
    didYouMean.hidden = false;
  }

  function renderPager(page, pages, total) {
    pager.hidden = total === 0;
    $('page-info').textContent = `第 ${page} / ${pages} 页`;
    $('prev').disabled = page <= 1;
    $('next').disabled = page >= pages;
    // Numbers: the first, the last, and two either side of the current page; gaps as "…".
    const shown = [...new Set([1, page - 2, page - 1, page, page + 1, page + 2, pages])]
      .filter((n) => n >= 1 && n <= Math.min(pages, 1000)).sort((a, b) => a - b);
    const nodes = [];
    shown.forEach((n, i) => {
      if (i > 0 && n - shown[i - 1] > 1) nodes.push(el('span', 'page-gap', '…'));
      const b = el('button', 'page-number', n, { type: 'button', 'aria-label': `第 ${n} 页` });
      if (n === page) b.setAttribute('aria-current', 'page');
      b.addEventListener('click', () => { navigate({ page: n }); scrollTo(0, 0); });
      nodes.push(b);
    });
    $('page-numbers').replaceChildren(...nodes);
  }

  /** Bars of matches per year; a bar filters to its year (again: the filter is removed). */
  function renderTimeline(s, f) {
    const years = Object.entries(f.years && typeof f.years === 'object' ? f.years : {})
      .filter(([y, n]) => /^\d{4}$/.test(y) && Number(n) > 0).sort((a, b) => a[0].localeCompare(b[0]));
    if (years.length < 2 && !s.year) { timeline.hidden = true; return; }
    const max = Math.max(...years.map(([, n]) => Number(n)));
    const bars = years.map(([y, n]) => {
      const on = s.year === y;
      const b = el('button', 'bar', null, { type: 'button', 'aria-pressed': String(on), 'aria-label': `${y} 年：${n} 条`, title: `${y} 年：${n} 条` });
      const fill = el('span', 'bar-fill');
      fill.style.height = `${Math.max(4, Math.round((Number(n) / max) * 100))}%`;
      b.append(fill, el('span', 'bar-label', y.slice(2)));
      b.addEventListener('click', () => navigate({ year: on ? '' : y, from: '', to: '', page: 1 }));
      return b;
    });
    const row = el('div', 'bars');
    row.append(...bars);
    timeline.replaceChildren(el('span', 'timeline-title', '年份分布'), row);
    timeline.hidden = false;
  }

  /** Sidebar: active filters (with ×), the filter form, then the category facet. */
  function renderFacets(s, f) {
    const clearBtn = (label, changes) => {
      const b = el('button', 'facet-clear', `${label} ×`, { type: 'button', 'aria-label': `清除筛选：${label}` });
      b.addEventListener('click', () => navigate({ ...changes, page: 1 }));
      facetActive.append(b);
    };
    if (s.category) clearBtn(`分类：${s.category}`, { category: '' });
    if (s.year) clearBtn(`年份：${s.year}`, { year: '' });
    if (s.from) clearBtn(`从 ${s.from}`, { from: '' });
    if (s.to) clearBtn(`到 ${s.to}`, { to: '' });
    if (s.author) clearBtn(`作者：${s.author}`, { author: '' });
    if (s.tag) clearBtn(`标签：${s.tag}`, { tag: '' });
    $('f-from').value = s.from || (s.year ? `${s.year}-01-01` : '');
    $('f-to').value = s.to || (s.year ? `${s.year}-12-31` : '');
    $('f-author').value = s.author;
    $('f-tag').value = s.tag;

    const entries = Object.entries(f.categories && typeof f.categories === 'object' ? f.categories : {})
      .filter(([, n]) => Number(n) > 0).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0], 'zh-CN'));
    if (entries.length) {
      const section = el('section', 'facet-group');
      section.append(el('h2', null, '分类'));
      const ul = el('ul');
      for (const [name, n] of entries) {
        const on = s.category === name;
        const b = el('button', 'facet', name, { type: 'button', 'aria-pressed': String(on), 'aria-label': `${name}（${n}）` });
        b.append(el('span', 'count', n));
        b.addEventListener('click', () => navigate({ category: on ? '' : name, page: 1 }));
        ul.appendChild(el('li')).append(b);
      }
      section.append(ul);
      facetGroups.append(section);
    }
  }

  // ---------- Start page ----------

  let statsLoading = null;
  /** Fetch /api/stats once (it is the same for every query). */
  function loadStats() {
    statsLoading ??= fetch('/api/stats')
      .then((res) => (res.ok ? res.json() : null))
      .catch(() => null)
      .then((data) => { stats = data && typeof data === 'object' ? data : null; });
    return statsLoading;
  }

  /** The archive's size, dates and sources, and example queries, while no query is typed. */
  async function showStart() {
    start.hidden = false;
    if (!stats) await loadStats();
    if (!stats || readState().q) return;
    const n = Number(stats.docs) || 0;
    const range = stats.from && stats.to ? `，时间从 ${stats.from} 到 ${stats.to}` : '';
    $('archive-info').textContent = `收录 ${n.toLocaleString('zh-CN')} 篇文章${range}。`;
    const sources = Array.isArray(stats.sources) ? stats.sources.map((x) => x && x.name).filter(Boolean) : [];
    $('archive-sources').textContent = sources.length ? `主要来源：${sources.join('、')}` : '';
    const examples = Array.isArray(stats.examples) ? stats.examples.filter((x) => typeof x === 'string') : [];
    const box = $('examples');
    box.replaceChildren();
    if (examples.length) {
      box.append(el('span', 'examples-title', '试试：'));
      const queries = [...examples.slice(0, 4)];
      if (examples.length >= 2) queries.push(`${examples[0]} ${examples[1]}`);
      if (examples.length >= 3) queries.push(`"${examples[2]}"`);
      for (const q of queries) {
        const a = el('a', 'example', q, { href: pageUrl({ q, page: 1, sort: 'relevance' }) });
        a.addEventListener('click', (e) => { e.preventDefault(); submitQuery(q); });
        box.append(a);
      }
    }
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
    navigate({ q: q.trim(), page: 1, category: '', year: '', from: '', to: '', author: '', tag: '', all: false });
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
  filterForm.addEventListener('submit', (e) => {
    e.preventDefault();
    const v = (id) => $(id).value.trim();
    navigate({ from: v('f-from'), to: v('f-to'), author: v('f-author'), tag: v('f-tag'), year: '', page: 1 });
  });
  // On a phone the filters start folded, so the results come first.
  if (window.matchMedia('(max-width: 720px)').matches) facetPanel.open = false;

  // "/" focuses the search box unless the user is typing somewhere.
  document.addEventListener('keydown', (e) => {
    if (e.key !== '/' || e.ctrlKey || e.metaKey || e.altKey) return;
    const t = e.target;
    if (t instanceof HTMLElement && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return;
    e.preventDefault();
    input.focus();
    input.select();
  });

  loadStats();
  runFromUrl();
  if (!input.value) input.focus();
})();
