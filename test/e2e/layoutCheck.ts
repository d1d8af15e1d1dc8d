import type { Page } from 'playwright-core';

/**
 * What "fits the window" means, measured in the page: no element of the main panel reaches
 * outside it (bounding boxes), nothing is cut off by its own box (overflow hidden with more
 * inside), the page has no sideways scroll, and no style breaks words in the middle. Areas
 * made to scroll (the debug log, the lmstat text) may hold wider lines.
 */
export async function layoutProblems(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const problems: string[] = [];
    const main = document.querySelector('main.content');
    if (!main) return ['no main panel'];
    const panel = main.getBoundingClientRect();
    const describe = (el: Element) => {
      const text = (el.textContent ?? '').trim().replace(/\s+/g, ' ').slice(0, 60);
      return `<${el.tagName.toLowerCase()}${el.className && typeof el.className === 'string' ? ` class="${el.className.slice(0, 60)}"` : ''}> "${text}"`;
    };
    const scrollsOnPurpose = '.log, .lmstat-text, .visually-hidden';
    for (const el of main.querySelectorAll('*')) {
      if (el.closest(scrollsOnPurpose)) continue;
      const box = el.getBoundingClientRect();
      if (box.width === 0 && box.height === 0) continue;
      const style = getComputedStyle(el);
      if (style.visibility === 'hidden' || style.display === 'none') continue;
      if (box.left < panel.left - 1 || box.right > panel.right + 1)
        problems.push(`outside the panel by ${Math.round(Math.max(panel.left - box.left, box.right - panel.right))}px: ${describe(el)}`);
      const clips = ['hidden', 'clip'].includes(style.overflowX) || style.textOverflow === 'ellipsis';
      if (clips && el.scrollWidth > el.clientWidth + 1 && el.clientWidth > 0)
        problems.push(`cut off (${el.scrollWidth} > ${el.clientWidth}px): ${describe(el)}`);
      if (style.wordBreak === 'break-all' || style.overflowWrap === 'anywhere')
        problems.push(`breaks words mid-word (${style.wordBreak}/${style.overflowWrap}): ${describe(el)}`);
    }
    if (main.scrollWidth > main.clientWidth + 1) problems.push(`the main panel scrolls sideways (${main.scrollWidth} > ${main.clientWidth}px)`);
    if (document.documentElement.scrollWidth > window.innerWidth + 1)
      problems.push(`the page scrolls sideways (${document.documentElement.scrollWidth} > ${window.innerWidth}px)`);
    return problems;
  });
}
