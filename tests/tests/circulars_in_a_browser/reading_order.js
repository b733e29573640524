// How a page shows a circular, read from its layout (client rectangles and computed styles), not
// from its markup. Run through WebDriver's "execute script" with the arguments
//   [check, values, direction, letters]
// check: "letter" (a circular's HTML) or "plain" (its text in <pre> views);
// values: strings that must read left to right wherever they show (the contact's numbers and
// address); direction: "rtl" or "ltr", the direction the language reads in; letters: a regular
// expression (source, Unicode flag) matching the letters of the language's script.
// Returns the problems found, each a sentence; none when the page reads as it should.
const [check, values, direction, letters] = arguments;
const script = new RegExp(letters, "u");
const problems = [];

// Bidi controls (LRM, RLM, ALM, embeddings, overrides, isolates): no glyph, no place in a value.
const CONTROLS = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
const ALL_CONTROLS = new RegExp(CONTROLS.source, "g");

// The text under `root` without bidi controls, and for each of its characters the text node
// and offset it came from.
function textOf(root) {
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  let text = "";
  const at = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (let i = 0; i < node.data.length; i++) {
      if (!CONTROLS.test(node.data[i])) {
        text += node.data[i];
        at.push([node, i]);
      }
    }
  }
  return { text, at };
}

// The rectangle of the character at `i` of `index` (a textOf result).
function rectOf(index, i) {
  const [node, offset] = index.at[i];
  const range = document.createRange();
  range.setStart(node, offset);
  range.setEnd(node, offset + 1);
  return range.getBoundingClientRect();
}

// A value's characters as they show, left to right (a line each, when it breaks).
function visualOrder(index, start, value) {
  const chars = [...value].map((c, k) => ({ c, r: rectOf(index, start + k) }));
  chars.sort((a, b) => a.r.top + a.r.height / 2 < b.r.top ? -1 : b.r.top + b.r.height / 2 < a.r.top ? 1 : a.r.left - b.r.left);
  return chars.map((x) => x.c).join("");
}

// Every occurrence of each value under `root` must show its characters in their own order,
// left to right; `where` names the view. Returns the elements holding the first character of
// each occurrence.
function readsLeftToRight(root, where) {
  const index = textOf(root);
  const holders = [];
  for (const value of values) {
    let found = 0;
    for (let i = index.text.indexOf(value); i >= 0; i = index.text.indexOf(value, i + 1)) {
      found++;
      holders.push({ value, element: index.at[i][0].parentElement });
      let previous = null;
      let inOrder = true;
      for (let k = 0; k < value.length; k++) {
        if (/\s/.test(value[k])) continue;
        const r = rectOf(index, i + k);
        // On the same line as the character before it, a character shows to its right.
        const sameLine = previous && r.top < previous.bottom - 1;
        if (sameLine && r.left <= previous.left) inOrder = false;
        previous = r;
      }
      if (!inOrder) {
        problems.push(`${where}: "${value}" shows as "${visualOrder(index, i, value)}"`);
      }
    }
    if (found === 0) problems.push(`${where}: "${value}" is not on the page`);
  }
  return holders;
}

// The elements under `root` whose own text (not their children's) has a letter of the script.
function withOwnText(root) {
  return [...root.querySelectorAll("*")].filter((element) =>
    [...element.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && script.test(n.data)));
}

// The start of an element's text, to name it.
function named(element) {
  const text = element.textContent.replace(ALL_CONTROLS, "").replace(/\s+/g, " ").trim();
  return `<${element.localName}> "${text.length > 40 ? text.slice(0, 40) + "…" : text}"`;
}

// Each element with text of the script reads in the language's direction; the first, the
// letterhead, is named on its own; each value's cell shows on the label's far side.
function checkLetter() {
  const body = document.body;
  const own = withOwnText(body);
  if (own.length === 0) {
    problems.push(`no text of the language on the page`);
    return;
  }
  const first = own[0];
  const firstDirection = getComputedStyle(first).direction;
  if (firstDirection !== direction) {
    problems.push(`the first line, ${named(first)}, reads ${firstDirection}, not ${direction}`);
  }
  const wrong = own.slice(1).filter((e) => getComputedStyle(e).direction !== direction);
  if (wrong.length > 0) {
    const shown = wrong.slice(0, 5).map(named).join("; ");
    problems.push(`${wrong.length} more elements read ${direction === "rtl" ? "ltr" : "rtl"}, not ${direction}: ${shown}${wrong.length > 5 ? "; …" : ""}`);
  }
  for (const { value, element } of readsLeftToRight(body, "the letter")) {
    const cell = element.closest("td");
    const label = cell && cell.previousElementSibling;
    if (!label || label.localName !== "td") continue;
    const c = cell.getBoundingClientRect();
    const l = label.getBoundingClientRect();
    const labelFirst = direction === "rtl" ? l.left >= c.right - 1 : l.right <= c.left + 1;
    if (!labelFirst) {
      problems.push(`the label ${named(label)} shows ${direction === "rtl" ? "left" : "right"} of "${value}"`);
    }
  }
}

// Each <pre> of the page is a plain-text view (its data-view attribute names it): the values
// read left to right in each; in a view that picks each paragraph's direction from its text
// (unicode-bidi: plaintext, data-per-paragraph), each line but the signature separator starts
// on the side the language reads from.
function checkPlain() {
  for (const pre of document.querySelectorAll("pre")) {
    const where = `the plain text, ${pre.dataset.view}`;
    readsLeftToRight(pre, where);
    if (!("perParagraph" in pre.dataset)) continue;
    const box = pre.getBoundingClientRect();
    const style = getComputedStyle(pre);
    const left = box.left + parseFloat(style.paddingLeft) + parseFloat(style.borderLeftWidth);
    const right = box.right - parseFloat(style.paddingRight) - parseFloat(style.borderRightWidth);
    const node = pre.firstChild;
    const lines = node.data.split("\n");
    let offset = 0;
    const wrong = [];
    for (const [n, line] of lines.entries()) {
      const start = offset;
      offset += line.length + 1;
      const visible = line.replace(ALL_CONTROLS, "").trim();
      if (visible === "" || line === "-- ") continue;
      const range = document.createRange();
      range.setStart(node, start);
      range.setEnd(node, start + line.length);
      const rects = [...range.getClientRects()].filter((r) => r.width > 0);
      const bottom = Math.max(...rects.map((r) => r.bottom));
      const last = rects.filter((r) => r.bottom > bottom - 1);
      const lineLeft = Math.min(...last.map((r) => r.left));
      const lineRight = Math.max(...last.map((r) => r.right));
      const fromRight = right - lineRight < 1.5;
      const fromLeft = lineLeft - left < 1.5;
      const reads = fromRight && !fromLeft ? "rtl" : fromLeft && !fromRight ? "ltr" : direction;
      if (reads !== direction) wrong.push(`line ${n + 1} "${visible.length > 40 ? visible.slice(0, 40) + "…" : visible}"`);
    }
    if (wrong.length > 0) {
      const lines = wrong.length === 1 ? "1 line reads" : `${wrong.length} lines read`;
      problems.push(`${where}: ${lines} ${direction === "rtl" ? "ltr" : "rtl"}: ${wrong.slice(0, 5).join("; ")}${wrong.length > 5 ? "; …" : ""}`);
    }
  }
}

if (check === "letter") checkLetter();
else if (check === "plain") checkPlain();
else problems.push(`no check named ${check}`);
return problems;
