/*
 * Small DOM builders. Text always goes in through textContent (never innerHTML), so a value from
 * the controller cannot inject markup; the page's CSP forbids inline script and style anyway.
 */

const SVG_NS = 'http://www.w3.org/2000/svg';

function fill(node, attributes, children) {
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'text') node.textContent = String(value);
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children) if (child !== null && child !== undefined) node.append(child);
  return node;
}

/** An HTML element; `text` sets its text, other attributes as given, false/null omitted. */
export function html(tag, attributes = {}, children = []) {
  return fill(document.createElement(tag), attributes, children);
}

/** An SVG element, same conventions. */
export function svg(tag, attributes = {}, children = []) {
  return fill(document.createElementNS(SVG_NS, tag), attributes, children);
}

/** Replaces everything inside `parent`. */
export function replaceChildren(parent, children) {
  parent.replaceChildren(...children.filter((c) => c !== null && c !== undefined));
}

/** The element with `data-testid` = id (each section of the pages has one). */
/** @returns {HTMLElement} */
export function byTestId(id, root = document) {
  const found = /** @type {HTMLElement | null} */ (root.querySelector(`[data-testid="${id}"]`));
  if (found === null) throw new Error(`no element with data-testid="${id}"`);
  return found;
}
