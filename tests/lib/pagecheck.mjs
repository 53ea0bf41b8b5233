// pagecheck.mjs — in-page probes shared by the browser tests: what got focus,
// whether focus is visible, what overflows horizontally, the tab order.
// Each returns plain data so the test can assert with a precise message.

/** Describe document.activeElement: tag, href, id, text, a CSS-ish path. */
export function activeElementInfo(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body || el === document.documentElement) return { tag: 'body' };
    const pathOf = (e) => {
      const parts = [];
      for (let n = e; n && n.nodeType === 1 && parts.length < 6; n = n.parentElement) {
        let s = n.tagName.toLowerCase();
        if (n.id) { s += `#${n.id}`; parts.unshift(s); break; }
        if (n.classList.length) s += `.${[...n.classList].join('.')}`;
        parts.unshift(s);
      }
      return parts.join(' > ');
    };
    const cs = getComputedStyle(el);
    const r = el.getBoundingClientRect();
    return {
      tag: el.tagName.toLowerCase(),
      href: el.getAttribute('href'),
      id: el.id || null,
      text: (el.innerText || el.value || el.getAttribute('aria-label') || '').trim().slice(0, 60),
      path: pathOf(el),
      kbdIndex: el.getAttribute('data-kbd-index'),
      outlineStyle: cs.outlineStyle,
      outlineWidth: cs.outlineWidth,
      outlineColor: cs.outlineColor,
      boxShadow: cs.boxShadow,
      rect: { x: r.x, y: r.y, width: r.width, height: r.height },
      viewport: { width: innerWidth, height: innerHeight },
    };
  });
}

/** True if the focus indicator of the element described by info is visible. */
export function focusIndicatorVisible(info) {
  const outline = info.outlineStyle !== 'none' && parseFloat(info.outlineWidth) > 0;
  const shadow = info.boxShadow && info.boxShadow !== 'none';
  return outline || !!shadow;
}

/** True if the element is on screen (a skip link must appear when focused). */
export function onScreen(info) {
  const { rect, viewport } = info;
  return rect.width >= 1 && rect.height >= 1 && rect.x + rect.width > 0 && rect.y + rect.height > 0
    && rect.x < viewport.width && rect.y < viewport.height;
}

/** Does the fragment target of href ("#main") exist in the page? */
export function fragmentTargetExists(page, href) {
  return page.evaluate((h) => {
    const id = decodeURIComponent(h.slice(1));
    return !!(document.getElementById(id) || document.getElementsByName(id)[0]);
  }, href);
}

/**
 * Horizontal overflow: {scrollWidth, clientWidth, offenders:[…]} where
 * offenders are the (up to 8) elements extending beyond limit px.
 */
export function horizontalOverflow(page, limit) {
  return page.evaluate((limit) => {
    const doc = document.documentElement;
    const offenders = [];
    for (const el of document.body.querySelectorAll('*')) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) continue;
      if (r.right > limit + 0.5) {
        const cs = getComputedStyle(el);
        if (cs.position === 'fixed' && r.left >= limit) continue;
        let s = el.tagName.toLowerCase();
        if (el.id) s += `#${el.id}`;
        if (el.classList.length) s += `.${[...el.classList].join('.')}`;
        offenders.push(`${s} (right=${Math.round(r.right)}px, width=${Math.round(r.width)}px)`);
        if (offenders.length >= 8) break;
      }
    }
    return { scrollWidth: doc.scrollWidth, clientWidth: doc.clientWidth, offenders };
  }, limit);
}

/**
 * Mark every element that should be reachable with Tab (visible, enabled,
 * not tabindex=-1) with data-kbd-index and return their descriptions.
 * Radio buttons: one entry per group (only one radio of a group takes a Tab
 * stop); its data-kbd-index is shared by the group.
 */
export function markFocusables(page) {
  return page.evaluate(() => {
    const sel = [
      'a[href]', 'area[href]', 'button', 'input', 'select', 'textarea', 'summary',
      'iframe', '[tabindex]', '[contenteditable=""]', '[contenteditable="true"]',
    ].join(',');
    const visible = (el) => {
      if (!el.getClientRects().length) return false;
      for (let n = el; n; n = n.parentElement) {
        const cs = getComputedStyle(n);
        if (cs.visibility === 'hidden' || cs.display === 'none') return false;
        if (n.hasAttribute('inert')) return false;
      }
      // contents of a closed <details> (other than its summary) are not focusable
      const d = el.closest('details:not([open])');
      if (d && !(el.tagName === 'SUMMARY' && el.parentElement === d)) return false;
      return true;
    };
    const items = [];
    const radioGroups = new Map();
    for (const el of document.querySelectorAll(sel)) {
      if (el.disabled) continue;
      if (el.tagName === 'INPUT' && el.type === 'hidden') continue;
      const ti = el.getAttribute('tabindex');
      if (ti !== null && Number(ti) < 0) continue;
      if (el.tagName === 'SUMMARY' && el.parentElement?.tagName !== 'DETAILS') continue;
      if (!visible(el)) continue;
      if (el.tagName === 'INPUT' && el.type === 'radio' && el.name) {
        const key = `${el.form ? [...document.forms].indexOf(el.form) : -1}:${el.name}`;
        if (radioGroups.has(key)) {
          el.setAttribute('data-kbd-index', radioGroups.get(key));
          continue;
        }
        radioGroups.set(key, String(items.length));
      }
      el.setAttribute('data-kbd-index', String(items.length));
      items.push({
        index: items.length,
        tag: el.tagName.toLowerCase(),
        href: el.getAttribute('href'),
        text: (el.innerText || el.value || el.getAttribute('aria-label') || el.name || '').trim().slice(0, 40),
      });
    }
    return items;
  });
}

/**
 * Accessible-name matcher for a display-switcher control: the label itself,
 * optionally followed by a bracketed state such as 「（選択中）」 (visually
 * hidden text on the current choice). Anchored, so 大 does not match 特大.
 */
export function switchName(label) {
  const esc = label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^\\s*${esc}\\s*([（(][^）)]*[）)])?\\s*$`);
}
