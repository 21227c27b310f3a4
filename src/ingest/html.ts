import { HTMLElement, Node, NodeType, parse } from 'node-html-parser';

/**
 * HTML → readable plain text. Paragraph-level elements become line breaks ('\n'),
 * everything inline is concatenated, whitespace is collapsed, and nothing that is not
 * reader-visible prose survives: scripts, styles, frames, media, forms, ad containers
 * and base64 payloads are dropped.
 */

const SKIP = new Set([
  'script',
  'style',
  'noscript',
  'iframe',
  'frame',
  'frameset',
  'img',
  'picture',
  'svg',
  'video',
  'audio',
  'source',
  'track',
  'object',
  'embed',
  'canvas',
  'template',
  'head',
  'meta',
  'link',
  'input',
  'select',
  'textarea',
  'button',
  'form',
  'map',
  'math',
]);

const BLOCK = new Set([
  'p',
  'div',
  'section',
  'article',
  'main',
  'aside',
  'header',
  'footer',
  'nav',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'ul',
  'ol',
  'li',
  'dl',
  'dt',
  'dd',
  'table',
  'thead',
  'tbody',
  'tfoot',
  'tr',
  'blockquote',
  'pre',
  'figure',
  'figcaption',
  'hr',
  'br',
  'address',
  'details',
  'summary',
  'body',
  'html',
  'center',
]);

const CELL = new Set(['td', 'th']);

/** Ad slots in scraped news pages (`dfp-ad-*`, `innity-*`, `adsbygoogle`, …), matched on the raw attribute text. */
const AD_ATTRS = /\b(?:id|class)\s*=\s*["']?(?:[^"'>]*?\s)?(?:dfp-ad|innity|adsbygoogle|advert|ad-slot|ad-container|google_ads|gpt-ad)/i;

/** Containers that hold the article itself, whatever their classes say (WordPress adds `tag-advertising`). */
const NEVER_AD = new Set(['article', 'main', 'body', 'html']);

/**
 * Data URIs and long base64 runs that leak into text (inline images, tracking blobs). A
 * data URI's payload may be wrapped over several lines, but only whole base64 lines
 * (20+ characters) continue it: the words after it are text, not payload.
 */
const BASE64_PATTERN = /data:[a-z0-9.+/-]*;base64,[a-z0-9+/=]*(?:\s+[a-z0-9+/]{20,}={0,2}(?![^\s]))*|[a-z0-9+/]{80,}={0,2}/gi;

function isAd(el: HTMLElement): boolean {
  // rawAttrs avoids node-html-parser's per-element attribute parsing on the hot path.
  const raw = el.rawAttrs;
  return raw.length > 0 && AD_ATTRS.test(raw);
}

/** Extract plain text from an HTML fragment; paragraphs are separated by '\n'. */
export function htmlToText(html: string): string {
  const root = parse(dropCutTail(html), {
    comment: false,
    // Elements still open at the end stay nested, as in a browser. Without this the parser
    // re-parents them one level at a time: quadratic, minutes for 100,000 unclosed <span>s.
    parseNoneClosedTags: true,
    // Not <pre>: its tags (highlighted code, links) are markup, which must not reach the text.
    blockTextElements: { script: true, style: true, noscript: true },
  });
  const pieces: string[] = [];
  // Iterative walk: scraped pages nest deeply enough to overflow a recursive one.
  const stack: Array<Node | 'break'> = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node === 'break') {
      pieces.push('\n');
      continue;
    }
    if (node.nodeType === NodeType.TEXT_NODE) {
      // Decoding entities is the slow part of node-html-parser's `text`; most nodes have none.
      const raw = node.rawText;
      pieces.push(inlineText(raw.includes('&') ? node.text : raw));
      continue;
    }
    if (node.nodeType !== NodeType.ELEMENT_NODE) continue;
    const el = node as HTMLElement;
    const tag = el.rawTagName ? el.rawTagName.toLowerCase() : '';
    if (SKIP.has(tag)) continue;
    if (tag && !NEVER_AD.has(tag) && isAd(el)) continue;
    const block = BLOCK.has(tag);
    if (block) pieces.push('\n');
    else if (CELL.has(tag)) pieces.push(' ');
    if (block) stack.push('break');
    const children = el.childNodes;
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]);
  }
  return cleanText(resolveSoftBreaks(pieces.join('')));
}

const CUT_TAG = /^<\/?[a-z][^>]*$/i;

/**
 * A tag or comment cut off by the end of the input (a truncated page, or the raw-size cap
 * of parsePost) is dropped, as browsers do, instead of leaking `<div` into the text.
 */
function dropCutTail(html: string): string {
  const comment = html.lastIndexOf('<!--');
  if (comment >= 0 && html.indexOf('-->', comment + 4) < 0) html = html.slice(0, comment);
  const lt = html.lastIndexOf('<');
  return lt >= 0 && CUT_TAG.test(html.slice(lt)) ? html.slice(0, lt) : html;
}

/** A source line break between two Chinese characters is layout, not a word gap. */
const CJK_BREAK =
  /(?<=[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef])[ \t\f\v\u00a0]*[\r\n][\s\u00a0]*(?=[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef])/g;

/**
 * A line break at the edge of a text node (`<b>中</b>\n<b>文</b>`) is marked with this
 * character and resolved once the neighbouring text is known: nothing between two
 * Chinese characters, one space otherwise.
 */
const SOFT_BREAK = '\ue001';
const CJK_SOFT_BREAK =
  /(?<=[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef])[ \ue001]*\ue001[ \ue001]*(?=[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef])/g;

function resolveSoftBreaks(text: string): string {
  if (!text.includes(SOFT_BREAK)) return text;
  return text.replace(CJK_SOFT_BREAK, '').replace(/\ue001/g, ' ');
}

const ALL_SPACE = /^\s*$/;

/** Text-node whitespace: a blank line is a paragraph break (Markdown-style bodies), other runs one space. */
function inlineText(text: string): string {
  if (ALL_SPACE.test(text)) {
    if (!text.includes('\n')) return ' ';
    return /\n[ \t\f\v\u00a0]*\n/.test(text) ? '\n' : SOFT_BREAK;
  }
  if (!/[\r\n\ue000\ue001]/.test(text)) return text.replace(/[\s\u00a0\u3000\u200b\ufeff]+/g, ' ');
  return text
    .replace(/[\ue000\ue001]/g, ' ')
    .replace(/\r\n?/g, '\n')
    .replace(/\n[ \t\f\v\u00a0]*\n\s*/g, '\ue000')
    .replace(CJK_BREAK, '')
    .replace(/^[ \t\f\v\u00a0]*\n[ \t\f\v\u00a0\n]*|[ \t\f\v\u00a0]*\n[ \t\f\v\u00a0\n]*$/g, SOFT_BREAK)
    .replace(/[\s\u00a0\u3000\u200b\ufeff]+/g, ' ')
    .replace(/\ue000/g, '\n');
}

/**
 * Collapse whitespace: within a paragraph any run becomes one space; paragraphs are
 * joined by a single '\n'; base64 blobs are removed.
 */
function cleanText(text: string): string {
  return text
    .replace(BASE64_PATTERN, ' ')
    .split('\n')
    .map((p) => p.replace(/[ \t\r\f\v\u00a0\u3000\u200b\ufeff]+/g, ' ').trim())
    .filter((p) => p.length > 0)
    .join('\n');
}
