"""What a tablet page is measured against, in the browser: the smallest rendered text (SVG text
scaled by the size it is drawn at), touch targets, truncated control labels and horizontal
overflow. Used by the tablet browser test; returns plain data so a failure names the element."""

from __future__ import annotations

MEASURE_JS = r"""
() => {
  const visible = (el) => {
    if (!el || !el.getClientRects().length) return false;
    if (el.closest('details:not([open]) > :not(summary)')) return false;
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || style.display === 'none') return false;
    const rect = el.getBoundingClientRect();
    return rect.width > 1 && rect.height > 1;
  };
  const describe = (el) => {
    const text = (el.getAttribute('aria-label') || el.textContent || el.value || '')
      .trim().replace(/\s+/g, ' ');
    const id = el.id ? '#' + el.id : '';
    const names = typeof el.className === 'string' ? el.className.trim().split(/\s+/) : [];
    const cls = names[0] ? '.' + names.slice(0, 2).join('.') : '';
    return `${el.tagName.toLowerCase()}${id}${cls} "${text.slice(0, 40)}"`;
  };

  // Smallest text: every non-blank text node, at the size it is drawn on screen.
  const texts = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (!node.textContent.trim()) continue;
    const el = node.parentElement;
    if (!el || ['SCRIPT', 'STYLE', 'TITLE', 'OPTION', 'NOSCRIPT'].includes(el.tagName)) continue;
    if (el.closest('title, desc, .visually-hidden, [hidden]')) continue;
    if (!visible(el)) continue;
    let size = parseFloat(getComputedStyle(el).fontSize);
    if (el instanceof SVGElement) {
      const m = el.getScreenCTM();
      if (!m) continue;
      size *= Math.sqrt(Math.abs(m.a * m.d - m.b * m.c));
    }
    texts.push({size: Math.round(size * 100) / 100, what: describe(el)});
  }
  texts.sort((a, b) => a.size - b.size);

  // Touch targets: controls a finger presses. Inline links inside running text are exempt
  // (WCAG 2.5.8); a checkbox or radio is measured by its label, the thing that is tapped.
  const small = [];
  const controls = document.querySelectorAll(
    'button, a.btn, a.nav-link, .nav-tabs a, input:not([type=hidden]), select, textarea, summary, ' +
    '[role=button]:not(svg *), [role=tab]'
  );
  for (const el of controls) {
    let target = el;
    if (el.matches('input[type=checkbox], input[type=radio]')) {
      target = el.closest('label') || (el.id && document.querySelector(`label[for="${el.id}"]`)) || el;
    }
    if (!visible(target)) continue;
    const rect = target.getBoundingClientRect();
    if (rect.height < 43.5 || rect.width < 43.5) {
      small.push({w: Math.round(rect.width), h: Math.round(rect.height), what: describe(target)});
    }
  }

  // Truncated labels: a control whose text does not fit in it.
  const truncated = [];
  for (const el of document.querySelectorAll('select, button, a.btn, .btn, .nav-link')) {
    if (!visible(el)) continue;
    if (el.scrollWidth > el.clientWidth + 1) {
      truncated.push({scroll: el.scrollWidth, client: el.clientWidth, what: describe(el)});
    }
  }
  // A select's chosen option can be cut off without overflowing: compare the text's width.
  const canvas = document.createElement('canvas').getContext('2d');
  for (const el of document.querySelectorAll('select')) {
    if (!visible(el) || !el.selectedOptions.length) continue;
    const style = getComputedStyle(el);
    canvas.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
    const need = canvas.measureText(el.selectedOptions[0].text).width;
    const room = el.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    if (need > room + 1) truncated.push({need: Math.round(need), room: Math.round(room), what: describe(el)});
  }

  return {
    smallest: texts.slice(0, 8),
    small_targets: small,
    truncated: truncated,
    overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
  };
}
"""


def measure(page) -> dict:
    return page.evaluate(MEASURE_JS)
